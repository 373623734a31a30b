#include "notebookeditor.h"

#include "codehighlighter.h"
#include "hiddenpayloadtext.h"
#include "semantichighlighter.h"
#include "stego/zerowidthcodec.h"

#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QToolTip>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

namespace {

bool isHiddenItem(const MarkdownLD::SemanticItem &item)
{
    return item.kind == ItemKind::HiddenData || item.kind == ItemKind::SuspiciousHidden;
}

} // namespace

NotebookEditor::NotebookEditor(QWidget *parent)
    : QPlainTextEdit(parent), m_code(new CodeHighlighter(this)), m_highlighter(new SemanticHighlighter(document(), m_code))
{
    setObjectName(QStringLiteral("notebookEditor"));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    followPalette();
    // Markers live between characters; repaint when the analysis moves them.
    connect(m_highlighter, &SemanticHighlighter::analysed, viewport(), qOverload<>(&QWidget::update));
}

NotebookEditor::~NotebookEditor() = default;

bool NotebookEditor::loadBytes(const QByteArray &bytes, QString *error)
{
    // NotebookText checks the bytes before it touches the document: a bad file loses nothing.
    if (!m_file.load(bytes, document(), error))
        return false;
    document()->setModified(false);
    document()->clearUndoRedoStacks();
    return true;
}

QByteArray NotebookEditor::saveBytes() const
{
    return m_file.save(document());
}

void NotebookEditor::jumpTo(qint64 line, qint64 column)
{
    const QTextBlock block = document()->findBlockByNumber(int(line) - 1);
    if (!block.isValid())
        return;
    const int unit = m_highlighter->analysis().utf16Column(int(line) - 1, column);
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + unit);
    setTextCursor(cursor);
    centerCursor();
    setFocus();
}

void NotebookEditor::insertJsonLdBlock()
{
    QTextCursor cursor = textCursor();
    cursor.movePosition(QTextCursor::EndOfBlock);
    const bool atEmptyLine = cursor.block().text().isEmpty();
    cursor.beginEditBlock();
    if (!atEmptyLine)
        cursor.insertText(QStringLiteral("\n"));
    cursor.insertText(QStringLiteral("\n```json-ld\n{\n  \"@context\": \"https://schema.org\",\n  \"@type\": \"Thing\",\n"
                                     "  \"name\": \"\"\n}\n```\n"));
    cursor.endEditBlock();
    // Leave the cursor inside the "name" value, where the writer continues.
    cursor.movePosition(QTextCursor::Up, QTextCursor::MoveAnchor, 3);
    cursor.movePosition(QTextCursor::EndOfBlock);
    cursor.movePosition(QTextCursor::Left);
    setTextCursor(cursor);
}

bool NotebookEditor::hideInSelection(const QString &secret, const QString &passphrase, QString *error)
{
    QTextCursor cursor = textCursor();
    if (!cursor.hasSelection()) {
        *error = tr("Select the text that should carry the hidden message first.");
        return false;
    }
    // A selection across lines holds U+2029 where the lines meet; the cover is the text.
    const QString cover = cursor.selectedText().replace(QChar::ParagraphSeparator, u'\n');
    Stego::Container::SealOptions options;
    options.passphrase = passphrase.toUtf8();
    const auto sealed = Stego::ZeroWidthCodec::encode(cover.toUtf8(), secret.toUtf8(), options, error);
    if (!sealed)
        return false;
    cursor.insertText(QString::fromUtf8(*sealed));
    return true;
}

void NotebookEditor::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    const DocumentAnalysis &analysis = m_highlighter->analysis();
    const QTextBlock first = firstVisibleBlock();
    if (!first.isValid())
        return;
    const int firstLine = first.blockNumber();
    const int bottom = viewport()->height();
    QPainter painter(viewport());
    painter.setRenderHint(QPainter::Antialiasing);
    for (const MarkdownLD::SemanticItem &item : analysis.items()) {
        const int line = int(item.range.startLine) - 1;
        if (!isHiddenItem(item) || line < firstLine)
            continue;
        const QTextBlock block = document()->findBlockByNumber(line);
        if (!block.isValid())
            continue;
        QTextCursor at(block);
        at.setPosition(block.position() + analysis.utf16Column(line, item.range.startColumn));
        const QRect r = cursorRect(at);
        if (r.top() > bottom)
            break;
        const QColor color = item.kind == ItemKind::HiddenData ? palette().color(QPalette::Highlight)
                                                                : QColor(0xd3, 0x2f, 0x2f);
        // A small diamond standing between the characters that hide the run.
        const QPointF c(r.left() + 0.5, r.center().y());
        const qreal s = std::max(3.0, r.height() / 5.0);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawPolygon(QPolygonF({ c + QPointF(0, -s), c + QPointF(s, 0), c + QPointF(0, s), c + QPointF(-s, 0) }));
    }
}

std::optional<QString> NotebookEditor::openHiddenData(qint64 line, qint64 column, const QString &passphrase, QString *error)
{
    const QTextBlock block = document()->findBlockByNumber(int(line) - 1);
    if (!block.isValid()) {
        *error = tr("There is no line %1.").arg(line);
        return std::nullopt;
    }
    const auto bytes = openHiddenRun(block.text().toUtf8(), column, passphrase.toUtf8(), error);
    if (!bytes)
        return std::nullopt;
    return QString::fromUtf8(*bytes);
}

QString NotebookEditor::hiddenDataAt(const QPoint &viewportPos)
{
    const QTextCursor at = cursorForPosition(viewportPos);
    const int line = at.blockNumber();
    const DocumentAnalysis &analysis = m_highlighter->analysis();
    // A run takes no room, so the point maps to its start or its end: either is "on" it,
    // as is the character boundary next to it.
    const int pos = at.positionInBlock();
    int runStart = -1;
    QList<LineSpan> spans;
    analysis.spansOfLine(line, &spans);
    for (const LineSpan &span : std::as_const(spans))
        if ((span.role == Role::HiddenData || span.role == Role::SuspiciousHidden) && pos >= span.start - 1
            && pos <= span.start + span.length + 1)
            runStart = span.start;
    if (runStart < 0)
        return {};
    for (const MarkdownLD::SemanticItem &item : analysis.items())
        if (isHiddenItem(item) && int(item.range.startLine) - 1 == line
            && analysis.utf16Column(line, item.range.startColumn) == runStart)
            return tr("Hidden data: %1").arg(hiddenPayloadText(item));
    return {};
}

bool NotebookEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = hiddenDataAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

void NotebookEditor::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        followPalette();
    QPlainTextEdit::changeEvent(event);
}

void NotebookEditor::followPalette()
{
    // SPEC §9: follow the desktop's light or dark palette.
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    m_highlighter->setDark(dark);
}

} // namespace Kyozo::App
