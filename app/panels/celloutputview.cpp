#include "celloutputview.h"

#include <QScrollBar>
#include <QTextBlock>

namespace Kyozo::App {

namespace {
    // Jupyter tints stderr red; translucent, so it reads on light and dark palettes alike.
    const QColor kErrorTint(220, 50, 47, 48);
} // namespace

CellOutputView::CellOutputView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("cellOutputView"));
    setReadOnly(true);
    setUndoRedoEnabled(false);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setMaximumBlockCount(kMaxLines);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    setFont(mono);
}

void CellOutputView::clearOutput()
{
    clear();
    m_stdout.reset();
    m_stderr.reset();
    m_lines = 0;
    m_pendingReturn = false;
}

void CellOutputView::insertRun(QTextCursor &cursor, const QString &text, QTextCharFormat format,
                               bool error)
{
    if (error && !format.hasProperty(QTextFormat::BackgroundBrush))
        format.setBackground(kErrorTint);
    qsizetype start = 0;
    const auto insertSegment = [&](qsizetype end) {
        if (end <= start)
            return;
        if (m_pendingReturn) {
            // A terminal's carriage return: the next text overwrites the line (progress bars).
            cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
            cursor.removeSelectedText();
            m_pendingReturn = false;
        }
        cursor.insertText(text.mid(start, end - start), format);
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'\n') {
            insertSegment(i);
            m_pendingReturn = false; // "\r\n" is a line end, not an overwrite
            cursor.insertBlock();
            ++m_lines;
            start = i + 1;
        } else if (c == u'\r') {
            insertSegment(i);
            m_pendingReturn = true;
            start = i + 1;
        }
    }
    insertSegment(text.size());
}

void CellOutputView::appendOutput(const QString &stream, const QString &text)
{
    QScrollBar *bar = verticalScrollBar();
    const bool following = bar->value() >= bar->maximum();
    const bool error = stream == QLatin1String("stderr");
    const QList<AnsiText::Run> runs = (error ? m_stderr : m_stdout).feed(text);
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    for (const AnsiText::Run &run : runs)
        insertRun(cursor, run.text, run.format, error);
    cursor.endEditBlock();
    if (following)
        bar->setValue(bar->maximum());
}

void CellOutputView::appendNote(const QString &text)
{
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    if (!cursor.block().text().isEmpty())
        cursor.insertBlock();
    QTextCharFormat format;
    format.setFontItalic(true);
    format.setForeground(palette().color(QPalette::PlaceholderText));
    cursor.insertText(text, format);
    cursor.insertBlock();
    m_pendingReturn = false;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

} // namespace Kyozo::App
