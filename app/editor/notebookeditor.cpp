#include "notebookeditor.h"

#include "codehighlighter.h"
#include "hiddenpayloadtext.h"
#include "semantichighlighter.h"
#include "stego/zerowidthcodec.h"

#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolTip>

#include <algorithm>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

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
    // Only the markers inside the repainted rectangle (the cursor's blink repaints a few pixels
    // twice a second), found by binary search over the analysis's markers, which it orders by
    // position once per analysis: a repaint costs what it shows, not the document's runs times
    // its lines (issue 14 item 8).
    const QList<HiddenMarker> &markers = m_highlighter->analysis().hiddenMarkers();
    if (markers.isEmpty())
        return;
    const QRect area = event->rect();
    const QPointF offset = contentOffset();
    QPainter painter(viewport());
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    const QColor hidden = palette().color(QPalette::Highlight);
    const QColor suspicious(0xd3, 0x2f, 0x2f);
    for (QTextBlock block = firstVisibleBlock(); block.isValid(); block = block.next()) {
        const QRectF geometry = blockBoundingGeometry(block).translated(offset);
        if (geometry.top() > area.bottom())
            break;
        if (geometry.bottom() < area.top() || !block.isVisible())
            continue;
        const QTextLayout *layout = block.layout();
        const int line = block.blockNumber();
        for (int i = 0; i < layout->lineCount(); ++i) {
            const QTextLine row = layout->lineAt(i);
            const qreal top = geometry.top() + row.y();
            if (top > area.bottom())
                break;
            if (top + row.height() < area.top())
                continue;
            // The positions this row shows a cursor at, as QTextLayout::lineForTextPosition
            // assigns them: the last row also takes the block's end.
            const int from = row.textStart();
            const int to
                = row.textStart() + row.textLength() + (i + 1 == layout->lineCount() ? 1 : 0);
            auto it = std::lower_bound(markers.cbegin(), markers.cend(), std::pair(line, from),
                                       [](const HiddenMarker &m, std::pair<int, int> at) {
                                           return m.line != at.first ? m.line < at.first
                                                                     : m.column < at.second;
                                       });
            for (; it != markers.cend() && it->line == line && it->column < to; ++it) {
                const MarkdownLD::SemanticItem &item
                    = m_highlighter->analysis().items().at(it->item);
                painter.setBrush(item.kind == ItemKind::HiddenData ? hidden : suspicious);
                // A small diamond standing between the characters that hide the run.
                const QPointF c(geometry.left() + row.cursorToX(it->column) + 0.5,
                                top + row.height() / 2);
                const qreal s = std::max(3.0, row.height() / 5.0);
                painter.drawPolygon(QPolygonF({ c + QPointF(0, -s), c + QPointF(s, 0),
                                                c + QPointF(0, s), c + QPointF(-s, 0) }));
            }
        }
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
    const QList<HiddenMarker> &markers = analysis.hiddenMarkers();
    const auto it
        = std::lower_bound(markers.cbegin(), markers.cend(), std::pair(line, runStart),
                           [](const HiddenMarker &m, std::pair<int, int> at) {
                               return m.line != at.first ? m.line < at.first : m.column < at.second;
                           });
    if (it != markers.cend() && it->line == line && it->column == runStart)
        return tr("Hidden data: %1").arg(hiddenPayloadText(analysis.items().at(it->item)));
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
