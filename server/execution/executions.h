#pragma once

#include "execution/cells.h"
#include "serverconfig.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <deque>
#include <memory>
#include <variant>

namespace Kyozo::Server {

class CellRun;
class DatabaseThread;
class ExecutionStore;
struct CellResult;
class NotebookDocuments;
enum class RunStatus;

// An event for the subscribers of a notebook's topic, in the order it must reach them.
struct ExecutionEvent
{
    QString event; // execution_update | cell_output
    QJsonObject payload;
};

// The scheduler of code cells (SPEC §6, issue 17 item 3; docs/server.md "Execution"): takes
// `execute` and `cancel`, queues runs under the per-user and per-server limits, runs each
// cell as a CellRun, reports `execution_update` and `cell_output` through notebookEvent(),
// stores each cell's result (ExecutionStore), and replays the latest result of every cell to
// a late joiner, a run in progress included, so that replay and live events join without a
// gap or a duplicate. All on the server's one thread.
class Executions : public QObject
{
    Q_OBJECT
public:
    // Results are written on `resultWriter`'s thread when given (the server's own loop never
    // waits for their sync), else through `store` at once.
    Executions(ExecutionOptions options, NotebookDocuments *documents, ExecutionStore *store,
               DatabaseThread *resultWriter = nullptr, QObject *parent = nullptr);
    ~Executions() override;

    bool enabled() const { return m_options.enabled; }
    bool ownersOnly() const { return m_options.ownersOnly; } // [execution] run_role = "owner"

    // What `execute` asks for: one cell, or every runnable cell in order.
    struct Request
    {
        QString notebookId;
        QString userId;
        QJsonObject payload; // {cell_id} | {type: "notebook"[, continue_on_error]}
    };
    struct Submitted
    {
        QString executionId;
        QString containerId; // a service cell's ({service=NAME}), else empty
    };
    // The new run, or the reason it is refused (docs/server.md lists them): bad_payload,
    // not_found, no_runner, queue_full, unavailable. Nothing is sent yet: the caller answers
    // `ok` first, then calls begin() for the events.
    std::variant<Submitted, QString> submit(const Request &request);
    // Reports `queued` and starts what the limits allow.
    void begin(const QString &executionId);
    // Refusal reason or empty when the run ends `cancelled` (payload {execution_id}).
    QString cancel(const QString &notebookId, const QJsonObject &payload);

    // `stop` on execution:container:{id}: the service's run is cancelled, its container
    // `stopped`. Refusal reason (not_found) or empty.
    QString stop(const QString &containerId);
    // For a join of execution:container:{id}: its latest container_update and, while it runs,
    // its log so far.
    QList<ExecutionEvent> containerReplay(const QString &containerId);

    // For a join of the notebook's topic: the latest result of each cell, then the state and
    // output so far of the runs queued or running, in the order they were sent.
    QList<ExecutionEvent> replay(const QString &notebookId);

    // SIGTERM: every run ends `cancelled` now (process groups killed), stored and reported.
    void shutdown();

signals:
    void notebookEvent(const QString &notebookId, const QString &event, const QJsonObject &payload);
    // execution_started / execution_finished on execution:workspace:{name}.
    void workspaceEvent(const QString &workspace, const QString &event, const QJsonObject &payload);
    // container_update / container_log / container_metrics on execution:container:{id}.
    void containerEvent(const QString &containerId, const QString &event, const QJsonObject &payload);

private:
    struct Job
    {
        Execution::Cell cell;
        QStringList command;
    };
    struct Run
    {
        QString id;
        QString notebookId;
        QString workspace;
        QString userId;
        bool all = false;
        bool continueOnError = false;
        QList<Job> jobs;
        int current = 0; // the job running or next
        bool running = false; // holds a slot
        bool started = false; // execution_started was sent
        bool cancelled = false; // cancel asked for: no further job
        // The current job's state as sent so far, for replay.
        QJsonObject lastUpdate;
        QList<QJsonObject> outputs;
        qint64 seq = 0;
        qint64 outputBytes = 0;
        std::optional<qint64> startedAt;
        CellRun *cellRun = nullptr;
        // A service cell's run (issue 17 item 4): its container and what it last said.
        QString containerId;
        QJsonObject lastContainerUpdate;
        qint64 pid = 0; // the run's process, the root of what container_metrics counts
        std::unique_ptr<QTimer> metricsTimer;
    };

    void schedule();
    void startJob(Run &run);
    void onOutput(const QString &executionId, const QString &stream, const QString &text);
    void onFinished(const QString &executionId, RunStatus status, int exitCode,
                    const QString &limit, bool truncated, const QString &message);
    // The current job ended with `status`: reported, stored; then the next job or the end.
    void endJob(Run &run, const QString &status, std::optional<int> exitCode, const QString &limit,
                bool truncated, const QString &message);
    void finish(const QString &executionId, const QString &status);
    void sendUpdate(Run &run, const QString &status, double progress, QJsonObject extra);
    double progressOf(const Run &run, int done) const;
    void releaseCellRun(Run &run);
    // Deletes it in its thread now (its group is killed), without any further signal.
    void destroyCellRun(CellRun *cellRun);
    void storeResult(const CellResult &result);
    void sendContainerUpdate(Run &run, const QString &status, QJsonObject extra);
    void sendContainerMetrics(const QString &executionId);
    // The run of a service ended (finish()): `stopped` or `failed`, with its exit code, limit
    // and message from the last execution_update.
    void endContainer(Run &run, const QString &status);

    // Runs start, read their pipes and end on this thread: QProcess forks with vfork
    // semantics, so each start holds its thread until the child's exec, which under fifty
    // CPU-bound cells can take 100 ms; the server's own thread never waits for it.
    QThread m_cellThread;
    ExecutionOptions m_options;
    NotebookDocuments *m_documents;
    ExecutionStore *m_store;
    DatabaseThread *m_resultWriter;
    // Results on their way to the database, by notebook: a join replays them from here until
    // they are stored, so that none is missing in between.
    QHash<QString, QList<CellResult>> m_unsaved;
    QHash<QString, std::shared_ptr<Run>> m_runs; // queued or running, by execution id
    std::deque<QString> m_queue; // waiting for a slot, oldest first
    QList<QString> m_order; // every run of m_runs in the order it was submitted (replay)
    QHash<QString, QString> m_containers; // container id -> its run's execution id
    // The last container_update of containers that ended, for a join after the end; the
    // oldest are forgotten past kEndedContainersKept.
    QHash<QString, QJsonObject> m_endedContainers;
    std::deque<QString> m_endedOrder;
    QHash<QString, int> m_runningPerUser;
    QHash<QString, int> m_queuedPerUser;
    int m_running = 0;
    bool m_shuttingDown = false;
};

} // namespace Kyozo::Server
