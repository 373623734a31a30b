#include "notebookeditor.h"

#include "markdownld/injection.h"

#include "codehighlighter.h"
#include "hiddenpayloadtext.h"
#include "remotecursors.h"
#include "semantichighlighter.h"
#include "stego/zerowidthcodec.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolTip>

#include <algorithm>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

NotebookEditor::NotebookEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_code(new CodeHighlighter(this))
    , m_highlighter(new SemanticHighlighter(document(), m_code))
    , m_mirror(new NotebookMirror(document(), &m_file, this))
    , m_remote(new RemoteCursors(document(), this))
{
    setObjectName(QStringLiteral("notebookEditor"));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 4);
    followPalette();
    // Markers live between characters; repaint when the analysis moves them.
    connect(m_highlighter, &SemanticHighlighter::analysed, viewport(),
            qOverload<>(&QWidget::update));
    connect(m_remote, &RemoteCursors::changed, this, [this] {
        viewport()->update();
        keepFollowedInView();
    });
    auto cursorMoved = [this] {
        const QTextCursor c = textCursor();
        emit localCursorMoved(m_mirror->notebookOffset(c.anchor()),
                              m_mirror->notebookOffset(c.position()));
    };
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, cursorMoved);
    connect(this, &QPlainTextEdit::selectionChanged, this, cursorMoved);
    // Dragging the scroll bar is the user scrolling: following stops (a wheel, keys too).
    connect(verticalScrollBar(), &QScrollBar::actionTriggered, this, [this] {
        if (!m_scrollingForFollow)
            stopFollowing();
    });
}

NotebookEditor::~NotebookEditor() = default;

bool NotebookEditor::loadBytes(const QByteArray &bytes, QString *error)
{
    // NotebookText checks the bytes before it touches the document: a bad file loses nothing.
    if (!m_file.load(bytes, document(), error))
        return false;
    m_mirror->reset();
    m_remote->clear();
    document()->setModified(false);
    document()->clearUndoRedoStacks();
    return true;
}

bool NotebookEditor::loadNotebookText(const QString &text, QString *error)
{
    if (!QStringView(text).isValidUtf16()) { // UTF-8, and so the file, could not carry it
        *error = tr("the notebook's text is not valid Unicode.");
        return false;
    }
    return loadBytes(text.toUtf8(), error);
}

bool NotebookEditor::applyRemoteEdit(const TextEdit &edit, QString *error)
{
    // What the view shows is pinned to the text at its top, which moves with the edit.
    QScrollBar *bar = verticalScrollBar();
    const QTextBlock top = firstVisibleBlock();
    const QTextCursor topAnchor(top);
    const int linesIntoTop = bar->value() - top.firstLineNumber();
    const int horizontal = horizontalScrollBar()->value();
    const bool undo = document()->isUndoRedoEnabled();
    document()->setUndoRedoEnabled(false); // remote edits never enter QTextDocument's undo stack
    const bool applied = m_mirror->apply(edit, error);
    document()->setUndoRedoEnabled(undo);
    if (!applied)
        return false;
    const int wanted = topAnchor.block().firstLineNumber() + std::max(0, linesIntoTop);
    m_scrollingForFollow = true;
    if (bar->value() != wanted)
        bar->setValue(wanted);
    horizontalScrollBar()->setValue(horizontal);
    m_scrollingForFollow = false;
    keepFollowedInView();
    return true;
}

void NotebookEditor::setOwnUndo(bool own)
{
    m_ownUndo = own;
    document()->clearUndoRedoStacks();
    document()->setUndoRedoEnabled(!own);
}

void NotebookEditor::showRemoteCursor(const QString &userId, bool follow)
{
    const RemoteCursors::Cursor *c = m_remote->find(userId);
    if (!c)
        return;
    if (follow && m_followed != userId) {
        m_followed = userId;
        emit followingChanged(m_followed);
    }
    // Centre the line of their cursor, leaving the user's own cursor where it is.
    const QTextBlock block = c->cursor.block();
    const int line = block.firstLineNumber()
        + block.layout()->lineForTextPosition(c->cursor.positionInBlock()).lineNumber();
    const int visible = std::max(1, viewport()->height() / std::max(1, fontMetrics().height()));
    m_scrollingForFollow = true;
    verticalScrollBar()->setValue(std::max(0, line - visible / 2));
    m_scrollingForFollow = false;
}

void NotebookEditor::stopFollowing()
{
    if (m_followed.isEmpty())
        return;
    m_followed.clear();
    emit followingChanged({});
}

void NotebookEditor::keepFollowedInView()
{
    if (m_followed.isEmpty())
        return;
    const RemoteCursors::Cursor *c = m_remote->find(m_followed);
    if (!c) {
        stopFollowing();
        return;
    }
    if (!viewport()->rect().contains(cursorRect(c->cursor)))
        showRemoteCursor(m_followed);
}

void NotebookEditor::keyPressEvent(QKeyEvent *event)
{
    if (m_ownUndo && event->matches(QKeySequence::Undo)) {
        emit undoRequested();
        return;
    }
    if (m_ownUndo && event->matches(QKeySequence::Redo)) {
        emit redoRequested();
        return;
    }
    if (!event->text().isEmpty() || event->matches(QKeySequence::Delete)
        || event->key() == Qt::Key_Backspace)
        stopFollowing(); // typing takes the view back
    QPlainTextEdit::keyPressEvent(event);
}

void NotebookEditor::wheelEvent(QWheelEvent *event)
{
    stopFollowing();
    QPlainTextEdit::wheelEvent(event);
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
    // The block as `kyozo-ld inject` writes one (core/markdownld/injection.h), from a
    // template the writer fills in.
    static const QByteArray kTemplate = "{\n  \"@context\": \"https://schema.org\",\n"
                                        "  \"@type\": \"Thing\",\n  \"name\": \"\"\n}";
    QString error;
    const std::optional<MarkdownLD::InjectionData> data
        = MarkdownLD::InjectionData::fromJson(kTemplate, &error);
    if (!data)
        return; // the template is valid JSON-LD: never
    QTextCursor cursor = textCursor();
    cursor.movePosition(QTextCursor::EndOfBlock);
    const bool atEmptyLine = cursor.block().text().isEmpty();
    cursor.beginEditBlock();
    if (!atEmptyLine)
        cursor.insertText(QStringLiteral("\n"));
    cursor.insertText(QLatin1Char('\n') + QString::fromUtf8(data->block("\n")) + QLatin1Char('\n'));
    cursor.endEditBlock();
    // Leave the cursor inside the "name" value, where the writer continues.
    cursor.movePosition(QTextCursor::Up, QTextCursor::MoveAnchor, 3);
    cursor.movePosition(QTextCursor::EndOfBlock);
    cursor.movePosition(QTextCursor::Left);
    setTextCursor(cursor);
}

bool NotebookEditor::hideInSelection(const QString &secret, const QString &passphrase,
                                     QString *error)
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
    const auto sealed
        = Stego::ZeroWidthCodec::encode(cover.toUtf8(), secret.toUtf8(), options, error);
    if (!sealed)
        return false;
    cursor.insertText(QString::fromUtf8(*sealed));
    return true;
}

void NotebookEditor::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    if (!m_badges.empty()) {
        QPainter painter(viewport());
        paintCellBadges(painter, event->rect());
    }
    if (!m_remote->cursors().empty()) {
        QPainter painter(viewport());
        paintRemoteCursors(painter, event->rect());
    }
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

void NotebookEditor::setCellBadges(const QList<CellBadge> &badges)
{
    m_badges.clear();
    for (const CellBadge &badge : badges) {
        QTextCursor at(document());
        at.setPosition(std::clamp(m_mirror->documentPosition(badge.offset), 0,
                                  document()->characterCount() - 1));
        m_badges.push_back({ at, badge.text, badge.color });
    }
    viewport()->update();
}

QString NotebookEditor::cellBadgeAt(int blockNumber) const
{
    for (const PlacedBadge &badge : m_badges) {
        if (badge.at.blockNumber() == blockNumber)
            return badge.text;
    }
    return {};
}

void NotebookEditor::paintCellBadges(QPainter &painter, const QRect &area)
{
    const QPointF offset = contentOffset();
    QFont badgeFont = font();
    badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.8);
    const QFontMetrics metrics(badgeFont);
    painter.setFont(badgeFont);
    painter.setRenderHint(QPainter::Antialiasing);
    for (const PlacedBadge &badge : m_badges) {
        const QTextBlock block = badge.at.block();
        if (!block.isVisible())
            continue;
        const QRectF geometry = blockBoundingGeometry(block).translated(offset);
        if (geometry.top() > area.bottom() || geometry.bottom() < area.top())
            continue;
        // After the fence line's text (its first row), so it never covers what was typed.
        const QTextLine row = block.layout()->lineAt(0);
        if (!row.isValid())
            continue;
        const qreal x = geometry.left() + row.naturalTextWidth() + metrics.averageCharWidth() * 2;
        const QRectF box(x, geometry.top() + row.y() + 1,
                         metrics.horizontalAdvance(badge.text) + metrics.averageCharWidth() * 2,
                         row.height() - 2);
        QColor fill = badge.color;
        fill.setAlpha(50);
        painter.setPen(badge.color);
        painter.setBrush(fill);
        painter.drawRoundedRect(box, 4, 4);
        painter.drawText(box, Qt::AlignCenter, badge.text);
    }
}

void NotebookEditor::paintRemoteCursors(QPainter &painter, const QRect &area)
{
    const QPointF offset = contentOffset();
    QFont labelFont = font();
    labelFont.setPointSizeF(labelFont.pointSizeF() * 0.8);
    labelFont.setBold(true);
    const QFontMetrics labelMetrics(labelFont);
    for (const auto &[id, c] : m_remote->cursors()) {
        if (c.cursor.hasSelection()) {
            QColor fill = c.color;
            fill.setAlpha(70);
            const int start = c.cursor.selectionStart();
            const int end = c.cursor.selectionEnd();
            for (QTextBlock block = document()->findBlock(start);
                 block.isValid() && block.position() <= end; block = block.next()) {
                const QRectF geometry = blockBoundingGeometry(block).translated(offset);
                if (geometry.top() > area.bottom())
                    break;
                if (geometry.bottom() < area.top() || !block.isVisible())
                    continue;
                const QTextLayout *layout = block.layout();
                for (int i = 0; i < layout->lineCount(); ++i) {
                    const QTextLine row = layout->lineAt(i);
                    const int rowStart = block.position() + row.textStart();
                    const int rowEnd = rowStart + row.textLength();
                    const int from = std::max(start, rowStart);
                    const int to = std::min(end, rowEnd);
                    if (from > to || (from == to && end <= rowEnd))
                        continue;
                    const qreal x1 = row.cursorToX(from - block.position());
                    qreal x2 = row.cursorToX(to - block.position());
                    if (end > rowEnd)
                        x2 += labelMetrics.averageCharWidth()
                            / 2.0; // the line break is selected too
                    painter.fillRect(QRectF(geometry.left() + x1, geometry.top() + row.y(),
                                            std::max(x2 - x1, 2.0), row.height()),
                                     fill);
                }
            }
        }
        const QRect caret = cursorRect(c.cursor);
        painter.fillRect(QRect(caret.left(), caret.top(), 2, caret.height()), c.color);
        const qreal opacity = m_remote->labelOpacity(id);
        if (opacity <= 0)
            continue;
        // The name stands on the caret's line, above it (below on the first visible line).
        QRect label(caret.left(), caret.top() - labelMetrics.height() - 1,
                    labelMetrics.horizontalAdvance(c.name) + 8, labelMetrics.height() + 1);
        if (label.top() < 0)
            label.moveTop(caret.bottom() + 1);
        painter.save();
        painter.setOpacity(opacity);
        painter.fillRect(label, c.color);
        painter.setPen(c.color.lightness() > 150 ? Qt::black : Qt::white);
        painter.setFont(labelFont);
        painter.drawText(label, Qt::AlignCenter, c.name);
        painter.restore();
    }
}

std::optional<QString> NotebookEditor::openHiddenData(qint64 line, qint64 column,
                                                      const QString &passphrase, QString *error)
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
        if ((span.role == Role::HiddenData || span.role == Role::SuspiciousHidden)
            && pos >= span.start - 1 && pos <= span.start + span.length + 1)
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
