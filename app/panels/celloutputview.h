#pragma once

#include "ansitext.h"

#include <QPlainTextEdit>

namespace Kyozo::App {

// One cell's output as it streams in (issue 17 item 5): stdout and stderr in arrival order,
// stderr tinted as Jupyter does, ANSI colours rendered (AnsiText), a carriage return
// overwriting its line as a terminal's progress bar expects. The view follows the end of the
// output while it is scrolled to the end and stays where the reader put it otherwise. The
// oldest lines are dropped beyond kMaxLines, so a cell printing millions of lines keeps the
// window responsive; the view says how many were dropped.
class CellOutputView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit CellOutputView(QWidget *parent = nullptr);

    void clearOutput();
    void appendOutput(const QString &stream, const QString &text);
    // A line of the app's own (the run's status, "output truncated"), set apart from output.
    void appendNote(const QString &text);

    // Lines of output ever appended, and those dropped off the top.
    qint64 linesAppended() const { return m_lines; }

    static constexpr int kMaxLines = 20000;

private:
    void insertRun(QTextCursor &cursor, const QString &text, QTextCharFormat format, bool error);

    AnsiText m_stdout;
    AnsiText m_stderr;
    qint64 m_lines = 0;
    // A carriage return not yet followed by anything: what comes next overwrites the line.
    bool m_pendingReturn = false;
};

} // namespace Kyozo::App
