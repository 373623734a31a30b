#include "semantichighlighter.h"

#include "codehighlighter.h"

#include <QFontDatabase>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <memory>
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
    : QSyntaxHighlighter(static_cast<QObject *>(nullptr))
    , m_code(code)
    , m_incremental(
          std::make_shared<MarkdownLD::IncrementalAnalyzer>(DocumentAnalysis::editorOptions()))
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
    connect(document, &QTextDocument::contentsChange, this,
            [this](int position, int removed, int added) {
                ++m_generation;
                // Paused: what was found moves with the text until analysis resumes (issue 18
                // item 4). Not on every keystroke of a large document: moving is O(items +
                // lines), 15-20 ms a key on 5 MB, where the window parse costs less.
                if (m_paused && moveAnalysis(position, removed, added))
                    return;
                m_stale = true;
            });
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

bool SemanticHighlighter::moveAnalysis(int position, int removed, int added)
{
    if (position == 0 && removed >= m_analysis.textLength())
        return false; // a new text (setPlainText): nothing to move
    QTextCursor cursor(document());
    cursor.setPosition(position);
    cursor.setPosition(position + added, QTextCursor::KeepAnchor);
    QString inserted = cursor.selectedText();
    inserted.replace(QChar::ParagraphSeparator, u'\n');
    // QTextDocument counts the final block's end, which the analysed text has not.
    if (inserted.size() != added
        && !(inserted.size() == added - 1 && position + added == document()->characterCount()))
        return false;
    if (!m_analysis.moveWith(position, std::min(removed, int(m_analysis.textLength()) - position),
                             inserted))
        return false;
    m_codeSpans.clear();
    return true;
}

void SemanticHighlighter::setAnalysisPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused) {
        m_stale = true;
        rehighlight();
    }
}

const DocumentAnalysis &SemanticHighlighter::analysis()
{
    if (!isLarge())
        ensureAnalysed();
    return m_analysis;
}

bool SemanticHighlighter::isLarge() const
{
    return document() && document()->characterCount() > kSyncChars;
}

namespace {
QString analysedText(const QTextDocument *document)
{
    QString text = document->toRawText();
    text.replace(QChar::ParagraphSeparator, u'\n');
    return text;
}
} // namespace

void SemanticHighlighter::analyseInBackground()
{
    if (m_running)
        return; // its result will be stale; a new run starts when it lands
    m_running = true;
    const quint64 generation = m_generation;
    const quint64 base = m_incrementalSerial;
    const quint64 serial = m_incrementalSerial = ++m_serials;
    auto *watcher = new QFutureWatcher<std::shared_ptr<DocumentAnalysis>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation, base, serial] {
                watcher->deleteLater();
                m_running = false;
                const bool install = generation == m_generation;
                chainSplice(base, serial, watcher->result()->splice(), install);
                if (!install) { // typed meanwhile: analyse the newer text
                    analyseInBackground();
                    return;
                }
                m_analysis = std::move(*watcher->result());
                installAnalysis();
            });
    // The parser and the analysis are plain data (core has no globals): safe off the GUI thread.
    watcher->setFuture(
        QtConcurrent::run([text = analysedText(document()), incremental = m_incremental] {
            auto analysis = std::make_shared<DocumentAnalysis>();
            analysis->analyse(text, incremental.get());
            return analysis;
        }));
}

void SemanticHighlighter::ensureWindow(int line)
{
    if (m_windowGeneration == m_generation && line >= m_windowFirst && line < m_windowFirst + m_window.lineCount() - 1)
        return;
    // Upwards to a blank line the last whole analysis saw outside every multi-line block
    // (lines above an edit keep their numbers); the parser starts fresh there.
    constexpr quint16 open = (1u << int(Role::Code)) | (1u << int(Role::FrontMatter)) | (1u << int(Role::JsonLd))
            | (1u << int(Role::HtmlBlock));
    QTextBlock block = document()->findBlockByNumber(line);
    QTextBlock first = block;
    int firstLine = line;
    while (first.previous().isValid() && line - firstLine < kWindowLines) {
        first = first.previous();
        --firstLine;
        if (first.text().isEmpty() && !(m_analysis.rolesOfLine(firstLine) & open))
            break;
    }
    QString text;
    int n = firstLine;
    for (QTextBlock b = first; b.isValid(); b = b.next(), ++n) {
        text += b.text();
        // Downwards to a blank line a little past the block, where what follows cannot
        // change what the block is.
        if (n > line && ((n - line > 2 && b.text().isEmpty()) || n - line > kWindowLines))
            break;
        text += u'\n';
    }
    m_window.analyse(text);
    m_windowFirst = firstLine;
    m_windowGeneration = m_generation;
}

void SemanticHighlighter::ensureAnalysed()
{
    if (!document() || !m_stale || m_paused)
        return;
    // While a worker holds the analyser (the document just shrank below kSyncChars), a
    // plain parse.
    const quint64 serial = ++m_serials;
    if (m_running) {
        m_analysis.analyse(analysedText(document()));
        chainSplice(0, serial, m_analysis.splice(), true);
    } else {
        m_analysis.analyse(analysedText(document()), m_incremental.get());
        chainSplice(m_incrementalSerial, serial, m_analysis.splice(), true);
        m_incrementalSerial = serial;
    }
    installAnalysis();
}

void SemanticHighlighter::chainSplice(quint64 base, quint64 serial, const ItemSplice &splice,
                                      bool installed)
{
    m_splicePastAnalysis
        = base != 0 && base == m_chainEnd ? m_splicePastAnalysis.then(splice) : ItemSplice();
    m_chainEnd = serial;
    if (installed) {
        m_spliceToAnalysis = m_spliceToAnalysis.then(m_splicePastAnalysis);
        m_splicePastAnalysis = ItemSplice::none();
    }
}

ItemSplice SemanticHighlighter::takeItemChanges()
{
    return std::exchange(m_spliceToAnalysis, ItemSplice::none());
}

void SemanticHighlighter::installAnalysis()
{
    m_stale = false;
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

void SemanticHighlighter::formatsOfLine(const DocumentAnalysis &analysis, int line, int lineOffset, int length,
                                        size_t *signature, QList<QTextLayout::FormatRange> *out)
{
    size_t seed = 0;
    QTextCharFormat base;
    analysis.spansOfLine(line, &m_lineSpans);
    for (const LineSpan &s : std::as_const(m_lineSpans)) {
        if (isWholeLine(s, length)) {
            if (out)
                base.merge(m_formats[size_t(s.role)]);
            seed = qHashMulti(seed, int(s.role));
        }
    }
    if (out && !base.isEmpty())
        out->append({ 0, length, base });
    if (const CodeBlock *block = m_code ? analysis.codeBlockAt(line) : nullptr) {
        const QList<CodeHighlighter::Span> *spans = codeSpans(analysis, block, lineOffset);
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

const QList<CodeHighlighter::Span> *SemanticHighlighter::codeSpans(const DocumentAnalysis &analysis,
                                                                   const CodeBlock *block, int lineOffset)
{
    if (&analysis != &m_analysis) {
        // A window's cells: the colours they had, until the whole analysis is in.
        const auto it = m_previousCodeSpans.find(block->firstContentLine + lineOffset);
        return it != m_previousCodeSpans.end() ? &it->second : nullptr;
    }
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
    const int line = currentBlock().blockNumber();
    size_t signature = 0;
    m_lineFormats.clear();
    if (!m_stale || !isLarge() || m_paused) {
        ensureAnalysed();
        formatsOfLine(m_analysis, line, 0, int(text.size()), &signature, &m_lineFormats);
    } else {
        analyseInBackground();
        ensureWindow(line);
        if (line >= m_windowFirst + m_window.lineCount() - 1) {
            // Beyond the window Qt only comes when states keep changing; keep what the block
            // shows and its state, which ends the run. The whole analysis redoes it.
            for (const QTextLayout::FormatRange &r : currentBlock().layout()->formats())
                setFormat(r.start, r.length, r.format);
            setCurrentBlockState(currentBlockState());
            return;
        }
        formatsOfLine(m_window, line - m_windowFirst, m_windowFirst, int(text.size()), &signature, &m_lineFormats);
    }
    for (const QTextLayout::FormatRange &r : std::as_const(m_lineFormats))
        setFormat(r.start, r.length, r.format);
    // Block states are ints; -1 means "never highlighted", so keep the hash non-negative.
    setCurrentBlockState(int(signature & 0x7fffffff));
}

void SemanticHighlighter::refreshChangedBlocks()
{
    m_refreshQueued = false;
    if ((m_stale && isLarge()) || m_paused)
        return; // the worker's analysis queues another refresh when it lands
    ensureAnalysed();
    int line = 0;
    for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next(), ++line) {
        size_t signature = 0;
        formatsOfLine(m_analysis, line, 0, int(block.length() - 1), &signature, nullptr);
        if (block.userState() != int(signature & 0x7fffffff))
            rehighlightBlock(block);
    }
}

} // namespace Kyozo::App
