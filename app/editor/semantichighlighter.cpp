#include "semantichighlighter.h"

#include "codehighlighter.h"

#include <QFontDatabase>
#include <QTextDocument>
#include <QTimer>

namespace Kyozo::App {

namespace {

QColor tint(const QColor &c, int alpha)
{
    QColor t = c;
    t.setAlpha(alpha);
    return t;
}

} // namespace

SemanticHighlighter::SemanticHighlighter(QTextDocument *document, CodeHighlighter *code)
    : QSyntaxHighlighter(static_cast<QObject *>(nullptr)), m_code(code)
{
    setDark(false);

    if (m_code)
        connect(m_code, &CodeHighlighter::highlighted, this, [this] {
            m_codeSpans.clear(); // a block that had none may have its colours now
            if (!m_refreshQueued) {
                m_refreshQueued = true;
                QTimer::singleShot(0, this, &SemanticHighlighter::refreshChangedBlocks);
            }
        });
    setParent(document);
    // Connected before setDocument() connects the highlighter's own slot, so an edit marks
    // the analysis stale before any block of it is re-highlighted. (The document's
    // revision() cannot tell: setPlainText() and clearing the undo stack reset it.)
    connect(document, &QTextDocument::contentsChange, this, [this] { m_stale = true; });
    setDocument(document);
}

void SemanticHighlighter::setDark(bool dark)
{
    if (m_dark == dark)
        return;
    m_dark = dark;
    const QColor blue = dark ? QColor(0x6c, 0xb6, 0xff) : QColor(0x1f, 0x4f, 0xb8);
    const QColor green = dark ? QColor(0x5f, 0xd3, 0x8a) : QColor(0x1b, 0x7a, 0x3d);
    const QColor purple = dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x80, 0x2d, 0xb0);
    const QColor orange = dark ? QColor(0xff, 0xb8, 0x6c) : QColor(0xb3, 0x5c, 0x00);
    const QColor red = dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28);
    const QColor grey = dark ? QColor(0xa0, 0xa0, 0xa0) : QColor(0x6a, 0x6a, 0x6a);
    auto &f = m_formats;
    f.fill(QTextCharFormat());

    f[size_t(Role::Heading)].setFontWeight(QFont::Bold);
    f[size_t(Role::Heading)].setForeground(blue);
    f[size_t(Role::FrontMatter)].setBackground(tint(purple, 28));
    f[size_t(Role::FrontMatterKey)].setForeground(purple);
    f[size_t(Role::FrontMatterKey)].setFontWeight(QFont::Bold);
    f[size_t(Role::JsonLd)].setBackground(tint(green, 32));
    f[size_t(Role::JsonLd)].setFontFamilies({ QFontDatabase::systemFont(QFontDatabase::FixedFont).family() });
    f[size_t(Role::JsonLdKey)].setForeground(green);
    f[size_t(Role::JsonLdKey)].setFontWeight(QFont::Bold);
    f[size_t(Role::Metadata)].setBackground(tint(orange, 32));
    f[size_t(Role::Metadata)].setForeground(orange);
    f[size_t(Role::Annotation)].setUnderlineStyle(QTextCharFormat::SingleUnderline);
    f[size_t(Role::Annotation)].setUnderlineColor(green);
    // Inferred items are guesses (SPEC §2.3): italic and dotted, never as solid as what was written.
    f[size_t(Role::Inferred)].setFontItalic(true);
    f[size_t(Role::Inferred)].setUnderlineStyle(QTextCharFormat::DotLine);
    f[size_t(Role::Inferred)].setUnderlineColor(grey);
    f[size_t(Role::HtmlBlock)].setForeground(grey);
    f[size_t(Role::Code)].setFontFamilies({ QFontDatabase::systemFont(QFontDatabase::FixedFont).family() });
    f[size_t(Role::Code)].setBackground(tint(grey, 24));
    f[size_t(Role::HiddenData)].setBackground(tint(blue, 120));
    f[size_t(Role::SuspiciousHidden)].setBackground(tint(red, 120));
    f[size_t(Role::Error)].setUnderlineStyle(QTextCharFormat::WaveUnderline);
    f[size_t(Role::Error)].setUnderlineColor(red);
    if (m_code)
        m_code->setDarkTheme(dark);
    if (document())
        rehighlight();
}

const DocumentAnalysis &SemanticHighlighter::analysis()
{
    ensureAnalysed();
    return m_analysis;
}

void SemanticHighlighter::ensureAnalysed()
{
    if (!document() || !m_stale)
        return;
    m_stale = false;
    QString text = document()->toRawText();
    text.replace(QChar::ParagraphSeparator, u'\n');
    m_analysis.analyse(text);
    m_codeSpans.clear();
    // Nothing points into it now; keep it from growing with cells that moved away.
    if (m_previousCodeSpans.size() > size_t(4 * m_analysis.codeBlocks().size() + 64))
        m_previousCodeSpans.clear();
    if (!m_refreshQueued) {
        m_refreshQueued = true;
        QTimer::singleShot(0, this, &SemanticHighlighter::refreshChangedBlocks);
    }
    QMetaObject::invokeMethod(this, &SemanticHighlighter::analysed, Qt::QueuedConnection);
}

void SemanticHighlighter::formatsOfLine(int line, int length, size_t *signature, QList<QTextLayout::FormatRange> *out)
{
    size_t seed = 0;
    QTextCharFormat base;
    m_analysis.spansOfLine(line, &m_lineSpans);
    for (const LineSpan &s : std::as_const(m_lineSpans)) {
        if (isWholeLine(s, length)) {
            if (out)
                base.merge(m_formats[size_t(s.role)]);
            seed = qHashMulti(seed, int(s.role));
        }
    }
    if (out && !base.isEmpty())
        out->append({ 0, length, base });
    if (const CodeBlock *block = m_code ? m_analysis.codeBlockAt(line) : nullptr) {
        const QList<CodeHighlighter::Span> *spans = codeSpans(block);
        const int relative = line - block->firstContentLine;
        seed = qHashMulti(seed, quintptr(spans));
        if (spans) {
            auto it = std::lower_bound(spans->cbegin(), spans->cend(), relative,
                                       [](const CodeHighlighter::Span &s, int l) { return s.line < l; });
            for (; it != spans->cend() && it->line == relative; ++it) {
                if (out) {
                    QTextCharFormat f = base;
                    f.merge(it->format);
                    out->append({ it->start, it->length, f });
                }
                seed = qHashMulti(seed, it->start, it->length);
            }
        }
    }
    for (const LineSpan &s : std::as_const(m_lineSpans)) {
        if (isWholeLine(s, length))
            continue;
        if (out) {
            QTextCharFormat f = base;
            f.merge(m_formats[size_t(s.role)]);
            out->append({ s.start, s.length, f });
        }
        seed = qHashMulti(seed, s.start, s.length, int(s.role));
    }
    *signature = seed;
}

bool SemanticHighlighter::isWholeLine(const LineSpan &s, int length)
{
    return s.start == 0 && s.length == length && s.role != Role::Error && s.role != Role::JsonLdKey
            && s.role != Role::FrontMatterKey;
}

const QList<CodeHighlighter::Span> *SemanticHighlighter::codeSpans(const CodeBlock *block)
{
    // Looked up once per code block and analysis, not once per line: the lookup hashes the
    // block's whole code.
    const qsizetype index = block - m_analysis.codeBlocks().constData();
    if (m_codeSpans.size() != m_analysis.codeBlocks().size())
        m_codeSpans.fill(std::nullopt, m_analysis.codeBlocks().size());
    if (!m_codeSpans[index]) {
        const QList<CodeHighlighter::Span> *spans = m_code->spans(block->language, block->code);
        if (spans) {
            m_previousCodeSpans[block->firstContentLine] = *spans;
        } else if (const auto it = m_previousCodeSpans.find(block->firstContentLine); it != m_previousCodeSpans.end()) {
            // While the cell just typed in is being coloured again, keep its last colours
            // rather than flash it plain.
            spans = &it->second;
        }
        m_codeSpans[index] = spans;
    }
    return *m_codeSpans[index];
}

void SemanticHighlighter::highlightBlock(const QString &text)
{
    ensureAnalysed();
    size_t signature = 0;
    m_lineFormats.clear();
    formatsOfLine(currentBlock().blockNumber(), int(text.size()), &signature, &m_lineFormats);
    for (const QTextLayout::FormatRange &r : std::as_const(m_lineFormats))
        setFormat(r.start, r.length, r.format);
    // Block states are ints; -1 means "never highlighted", so keep the hash non-negative.
    setCurrentBlockState(int(signature & 0x7fffffff));
}

void SemanticHighlighter::refreshChangedBlocks()
{
    m_refreshQueued = false;
    ensureAnalysed();
    int line = 0;
    for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next(), ++line) {
        size_t signature = 0;
        formatsOfLine(line, int(block.length() - 1), &signature, nullptr);
        if (block.userState() != int(signature & 0x7fffffff))
            rehighlightBlock(block);
    }
}

} // namespace Kyozo::App
