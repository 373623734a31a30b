#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>

namespace Kyozo::App {

class ChannelConnection;

// The editor's side of running cells (SPEC §4/§6, issue 17 items 3 and 5) on a notebook's
// joined topic: `execute` and `cancel` pushes, and the `execution_update` / `cell_output`
// events — live ones and those the server replays to a joining client — folded into the
// state of each cell: its latest run, that run's status, and its output in `seq` order
// without duplicates (a rejoin replays what was seen already).
class CellExecutions : public QObject
{
    Q_OBJECT
public:
    explicit CellExecutions(ChannelConnection *connection, QObject *parent = nullptr);

    struct CellState
    {
        QString executionId;
        QString status; // queued, running, completed, failed, cancelled, timed_out, limit_exceeded
        int exitCode = -1; // -1 until the run ended with one
        QString limit; // the limit that ended it: cpu, memory, file_size, processes, output, wall
        QString message; // the server's account of the ending ("exited with code 3")
        bool started = false; // its process started (false: `message` says why not)
        bool stale = false; // the cell's text changed since this result was made
        bool truncated = false;
        qint64 lastSeq = -1;
    };

    // False (nothing sent) when the topic is not joined.
    bool runCell(const QString &cellId);
    bool runAll(bool continueOnError = false);
    // Cancels every run of this notebook that has not ended.
    void stop();

    CellState state(const QString &cellId) const { return m_cells.value(cellId); }
    QStringList cellIds() const { return m_cells.keys(); }
    bool isBusy() const { return !m_active.isEmpty() || !m_pushes.isEmpty(); }
    static bool isFinal(const QString &status);

signals:
    void cellChanged(const QString &cellId);
    // A new run of the cell began (queued): its old output goes.
    void runStarted(const QString &cellId);
    void output(const QString &cellId, const QString &stream, const QString &text);
    // The server's output cap was hit: nothing more of this run follows (in seq order).
    void outputTruncated(const QString &cellId);
    // Run all's progress, 0..1; -1 when no run all is going on.
    void progressChanged(double progress);
    void refused(const QString &reason);

private:
    void onReceived(const QString &event, const QJsonObject &payload);
    void onReplied(const QString &ref, bool ok, const QJsonObject &response);
    void onUpdate(const QJsonObject &payload);
    void onOutput(const QJsonObject &payload);
    CellState &cellOf(const QString &cellId, const QString &executionId);

    ChannelConnection *m_connection;
    QHash<QString, CellState> m_cells;
    QSet<QString> m_pushes; // refs of our execute/cancel pushes awaiting replies
    QSet<QString> m_active; // execution ids not ended
    QString m_notebookRun; // our run all going on, if any
    QString m_runAllPush; // the ref of our run all's push, until its reply
};

} // namespace Kyozo::App
