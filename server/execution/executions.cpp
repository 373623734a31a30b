#include "executions.h"

#include "auth/tokenhash.h"
#include "coediting/notebookdocuments.h"
#include "execution/cellrun.h"
#include "execution/processusage.h"
#include "storage/databasethread.h"
#include "storage/executionstore.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcExecutions, "kyozo.server.executions")

namespace Kyozo::Server {

namespace {
    qint64 now()
    {
        return QDateTime::currentMSecsSinceEpoch();
    }

    // PostgreSQL cannot store U+0000 in text, and the replay must equal what was sent live:
    // a NUL a cell prints is sent and stored as U+FFFD (docs/server.md "Execution").
    QString withoutNul(QString text)
    {
        if (text.contains(QChar(0)))
            text.replace(QChar(0), QChar(0xFFFD));
        return text;
    }

    bool onlyKeys(const QJsonObject &o, std::initializer_list<const char *> allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            bool known = false;
            for (const char *k : allowed)
                known = known || it.key() == QLatin1String(k);
            if (!known)
                return false;
        }
        return true;
    }

    // container_metrics (issue 17 item 4): every 2 s while the service runs.
    constexpr int kContainerMetricsMs = 2000;
    constexpr qsizetype kEndedContainersKept = 1024;
} // namespace

Executions::Executions(ExecutionOptions options, NotebookDocuments *documents,
                       ExecutionStore *store, DatabaseThread *resultWriter, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_documents(documents)
    , m_store(store)
    , m_resultWriter(resultWriter)
{
    // What a sandbox leaves behind is reaped here, not by init whenever it gets to it. Only
    // with bubblewrap: then every other process of a run lives in its pid namespace, so the
    // server adopts nothing it would not reap (an unsandboxed cell's daemons go to init).
    if (m_options.enabled && !m_options.bwrap.isEmpty())
        becomeSubreaper();
    m_cellThread.setObjectName(QStringLiteral("kyozo-cell-runs"));
    m_cellThread.start();
    if (m_options.enabled && m_options.bwrap.isEmpty())
        qCWarning(lcExecutions) << "cells run without bubblewrap (no [execution] bwrap): "
                                   "only their uid and resource limits contain them";
}

Executions::~Executions()
{
    for (const auto &run : std::as_const(m_runs))
        if (run->cellRun)
            destroyCellRun(run->cellRun); // kills its process group
    m_cellThread.quit();
    m_cellThread.wait();
}

void Executions::destroyCellRun(CellRun *cellRun)
{
    cellRun->disconnect(this);
    QMetaObject::invokeMethod(cellRun, [cellRun] { delete cellRun; }, Qt::BlockingQueuedConnection);
}

std::variant<Executions::Submitted, QString> Executions::submit(const Request &request)
{
    const QJsonObject &p = request.payload;
    const bool all = p.value(QLatin1String("type")).toString() == QLatin1String("notebook");
    const QJsonValue continueOnError = p.value(QLatin1String("continue_on_error"));
    const QJsonValue cellId = p.value(QLatin1String("cell_id"));
    if (all ? !onlyKeys(p, { "type", "continue_on_error" })
                || !(continueOnError.isUndefined() || continueOnError.isBool())
            : !onlyKeys(p, { "cell_id" }) || !cellId.isString())
        return QStringLiteral("bad_payload");
    const auto refuse = [](const char *reason) {
        return std::variant<Submitted, QString>(QString::fromLatin1(reason));
    };
    if (m_queuedPerUser.value(request.userId) >= m_options.maxQueuedPerUser
        && (m_runningPerUser.value(request.userId) >= m_options.maxRunsPerUser
            || m_running >= m_options.maxRunsPerServer))
        return refuse("queue_full");
    QString error;
    // The server's own copy, as co-edited up to now (NotebookDocuments, SPEC §5).
    const std::optional<NotebookDocuments::State> state
        = m_documents->latest(request.notebookId, &error);
    if (!state) {
        qCWarning(lcExecutions) << "cannot read notebook" << request.notebookId << error;
        return refuse("unavailable");
    }
    const QList<Execution::Cell> cells = Execution::cellsOf(state->content);
    QList<Job> jobs;
    for (const Execution::Cell &cell : cells) {
        if (!all && cell.id != cellId.toString())
            continue;
        // A service runs until stopped: run all would never get past it, so it is started
        // on its own only (docs/server.md "Services").
        if (all && !cell.service.isEmpty())
            continue;
        const QStringList command = m_options.runners.value(cell.language);
        if (!all && command.isEmpty())
            return refuse("no_runner");
        if (!command.isEmpty())
            jobs.append({ cell, command });
    }
    if (jobs.isEmpty())
        return refuse("not_found");
    auto run = std::make_shared<Run>();
    run->id = newId();
    run->notebookId = request.notebookId;
    run->workspace = m_store->workspaceName(request.notebookId).value_or(QString());
    run->userId = request.userId;
    run->all = all;
    run->continueOnError = continueOnError.toBool(false);
    run->jobs = jobs;
    if (!all && !jobs.first().cell.service.isEmpty()) {
        run->containerId = newId();
        if (!m_store->addContainer(run->containerId, run->notebookId, jobs.first().cell.service,
                                   now(), &error)) {
            qCWarning(lcExecutions) << "cannot record the container of" << cellId.toString()
                                    << "of" << request.notebookId << error;
            return refuse("unavailable");
        }
        m_containers.insert(run->containerId, run->id);
    }
    m_runs.insert(run->id, run);
    m_order.append(run->id);
    m_queue.push_back(run->id);
    ++m_queuedPerUser[request.userId];
    return Submitted { run->id, run->containerId };
}

void Executions::begin(const QString &executionId)
{
    const auto run = m_runs.value(executionId);
    if (!run)
        return;
    // Every run says `queued` first, then `running` when it has a slot (issue 17 item 2).
    sendUpdate(*run, QStringLiteral("queued"), 0, {});
    if (!run->containerId.isEmpty())
        sendContainerUpdate(*run, QStringLiteral("deploying"), {});
    schedule();
}

void Executions::schedule()
{
    if (m_shuttingDown)
        return;
    for (auto it = m_queue.begin();
         it != m_queue.end() && m_running < m_options.maxRunsPerServer;) {
        const auto run = m_runs.value(*it);
        if (!run) {
            it = m_queue.erase(it);
            continue;
        }
        if (m_runningPerUser.value(run->userId) >= m_options.maxRunsPerUser) {
            ++it;
            continue;
        }
        it = m_queue.erase(it);
        if (--m_queuedPerUser[run->userId] <= 0)
            m_queuedPerUser.remove(run->userId);
        ++m_runningPerUser[run->userId];
        ++m_running;
        run->running = true;
        startJob(*run);
        // One start per turn of the event loop: a start writes the cell's file and forks, and
        // fifty in a row would hold every socket's frames for their sum (bench/exec). The
        // rest start on the next turns, in order.
        if (!m_queue.empty() && m_running < m_options.maxRunsPerServer)
            QMetaObject::invokeMethod(this, &Executions::schedule, Qt::QueuedConnection);
        return;
    }
}

void Executions::startJob(Run &run)
{
    const Job &job = run.jobs[run.current];
    run.lastUpdate = {};
    run.outputs.clear();
    run.seq = 0;
    run.startedAt.reset();
    RunSpec spec;
    spec.command = job.command;
    spec.code = job.cell.code;
    bool ownFolder = false;
    spec.workingDirectory = m_options.workingDirectoryFor(run.notebookId, &ownFolder);
    spec.handOverWorkingDirectory = !ownFolder;
    spec.limits = m_options.limits;
    if (!run.containerId.isEmpty())
        spec.limits.wallSeconds = 0; // long-lived: every limit of a cell but the wall clock
    // Only root can switch users; a server that is not root runs cells as itself.
    spec.runAs = ::geteuid() == 0 ? m_options.runAs : QString();
    spec.bwrap = m_options.bwrap;
    auto *cellRun = new CellRun(spec);
    cellRun->moveToThread(&m_cellThread);
    run.cellRun = cellRun;
    const QString id = run.id;
    connect(cellRun, &CellRun::started, this, [this, id](qint64 pid) {
        const auto r = m_runs.value(id);
        if (!r)
            return;
        r->startedAt = now();
        r->pid = pid;
        sendUpdate(*r, QStringLiteral("running"), progressOf(*r, r->current),
                   { { "started_at", *r->startedAt } });
        if (!r->containerId.isEmpty()) {
            sendContainerUpdate(*r, QStringLiteral("running"), { { "started_at", *r->startedAt } });
            r->metricsTimer = std::make_unique<QTimer>();
            r->metricsTimer->setInterval(kContainerMetricsMs);
            connect(r->metricsTimer.get(), &QTimer::timeout, this,
                    [this, id] { sendContainerMetrics(id); });
            r->metricsTimer->start();
        }
        if (!r->started) {
            r->started = true;
            emit workspaceEvent(r->workspace, QStringLiteral("execution_started"),
                                { { "execution_id", r->id },
                                  { "notebook_id", r->notebookId },
                                  { "user_id", r->userId },
                                  { "type", r->all ? "notebook" : "cell" },
                                  { "cell_id", r->jobs.first().cell.id },
                                  { "started_at", *r->startedAt } });
        }
    });
    connect(cellRun, &CellRun::output, this,
            [this, id](const QString &stream, const QString &text) { onOutput(id, stream, text); });
    connect(cellRun, &CellRun::finished, this,
            [this, id](RunStatus status, int exitCode, const QString &limit, bool truncated, qint64,
                       const QString &message) {
                onFinished(id, status, exitCode, limit, truncated, message);
            });
    qCDebug(lcExecutions) << "run" << run.id << "cell" << job.cell.id << "of" << run.notebookId;
    QMetaObject::invokeMethod(cellRun, &CellRun::start, Qt::QueuedConnection);
}

void Executions::onOutput(const QString &executionId, const QString &stream, const QString &text)
{
    const auto run = m_runs.value(executionId);
    if (!run || text.isEmpty())
        return;
    const QJsonObject payload { { "execution_id", run->id },
                                { "cell_id", run->jobs[run->current].cell.id },
                                { "stream", stream },
                                { "output", withoutNul(text) },
                                { "seq", ++run->seq } };
    run->outputs.append(payload);
    emit notebookEvent(run->notebookId, QStringLiteral("cell_output"), payload);
    if (!run->containerId.isEmpty())
        emit containerEvent(run->containerId, QStringLiteral("container_log"),
                            { { "container_id", run->containerId },
                              { "stream", stream },
                              { "output", payload.value(QLatin1String("output")) },
                              { "seq", run->seq } });
}

void Executions::onFinished(const QString &executionId, RunStatus status, int exitCode,
                            const QString &limit, bool truncated, const QString &message)
{
    const auto run = m_runs.value(executionId);
    if (!run)
        return;
    const QString name = runStatusName(status);
    // An exit code means something only when the cell's program exited by itself.
    const bool exited
        = (status == RunStatus::Completed || status == RunStatus::Failed) && exitCode >= 0;
    endJob(*run, name, exited ? std::optional<int>(exitCode) : std::nullopt, limit, truncated,
           message);
}

void Executions::endJob(Run &run, const QString &status, std::optional<int> exitCode,
                        const QString &limit, bool truncated, const QString &message)
{
    releaseCellRun(run);
    const Execution::Cell &cell = run.jobs[run.current].cell;
    if (truncated) {
        const QJsonObject marker { { "execution_id", run.id },
                                   { "cell_id", cell.id },
                                   { "seq", ++run.seq },
                                   { "truncated", true } };
        run.outputs.append(marker);
        emit notebookEvent(run.notebookId, QStringLiteral("cell_output"), marker);
        if (!run.containerId.isEmpty())
            emit containerEvent(run.containerId, QStringLiteral("container_log"),
                                { { "container_id", run.containerId },
                                  { "seq", run.seq },
                                  { "truncated", true } });
    }
    const int done = run.current + 1;
    const bool completed = status == QLatin1String("completed");
    const bool final = m_shuttingDown || run.cancelled || done == run.jobs.size()
        || (!completed && !run.continueOnError) || status == QLatin1String("cancelled");
    const qint64 finishedAt = now();
    QJsonObject extra { { "finished_at", finishedAt }, { "final", final } };
    if (exitCode)
        extra.insert(QLatin1String("exit_code"), *exitCode);
    if (!limit.isEmpty())
        extra.insert(QLatin1String("limit"), limit);
    if (!message.isEmpty())
        extra.insert(QLatin1String("message"), message);
    if (run.startedAt)
        extra.insert(QLatin1String("started_at"), *run.startedAt);
    sendUpdate(run, status, progressOf(run, done), extra);

    CellResult result;
    result.notebookId = run.notebookId;
    result.cellId = cell.id;
    result.executionId = run.id;
    result.cellHash = cell.hash;
    result.userId = run.userId;
    result.status = status;
    result.exitCode = exitCode;
    result.limit = limit;
    result.message = message;
    result.startedAt = run.startedAt;
    result.finishedAt = finishedAt;
    result.truncated = truncated;
    for (const QJsonObject &o : std::as_const(run.outputs))
        if (!o.contains(QLatin1String("truncated")))
            result.outputs.append({ o.value(QLatin1String("seq")).toInteger(),
                                    o.value(QLatin1String("stream")).toString(),
                                    o.value(QLatin1String("output")).toString() });
    storeResult(result);
    if (final) {
        finish(run.id, status);
        return;
    }
    ++run.current;
    startJob(run);
}

void Executions::storeResult(const CellResult &result)
{
    const auto failed = [](const CellResult &r, const QString &error) {
        qCWarning(lcExecutions) << "cannot store the result of" << r.cellId << "of" << r.notebookId
                                << error;
    };
    if (!m_resultWriter) {
        QString error;
        if (!m_store->store(result, &error))
            failed(result, error);
        return;
    }
    QList<CellResult> &unsaved = m_unsaved[result.notebookId];
    unsaved.removeIf([&](const CellResult &r) { return r.cellId == result.cellId; });
    unsaved.append(result);
    m_resultWriter->post([this, result, failed](Database &db) {
        QString error;
        const bool stored = ExecutionStore(db).store(result, &error);
        QMetaObject::invokeMethod(
            this,
            [this, result, stored, error, failed] {
                if (!stored)
                    failed(result, error);
                const auto it = m_unsaved.find(result.notebookId);
                if (it == m_unsaved.end())
                    return;
                it->removeIf([&](const CellResult &r) { return r.executionId == result.executionId
                                                             && r.cellId == result.cellId; });
                if (it->isEmpty())
                    m_unsaved.erase(it);
            },
            Qt::QueuedConnection);
    });
}

void Executions::finish(const QString &executionId, const QString &status)
{
    const auto run = m_runs.take(executionId);
    if (!run)
        return;
    m_order.removeOne(executionId);
    if (!run->containerId.isEmpty())
        endContainer(*run, status);
    if (run->running) {
        --m_running;
        if (--m_runningPerUser[run->userId] <= 0)
            m_runningPerUser.remove(run->userId);
    }
    emit workspaceEvent(run->workspace, QStringLiteral("execution_finished"),
                        { { "execution_id", run->id },
                          { "notebook_id", run->notebookId },
                          { "user_id", run->userId },
                          { "type", run->all ? "notebook" : "cell" },
                          { "status", status },
                          { "finished_at", now() } });
    schedule();
}

QString Executions::cancel(const QString &notebookId, const QJsonObject &payload)
{
    const QJsonValue id = payload.value(QLatin1String("execution_id"));
    if (!onlyKeys(payload, { "execution_id" }) || !id.isString())
        return QStringLiteral("bad_payload");
    const auto run = m_runs.value(id.toString());
    if (!run || run->notebookId != notebookId)
        return QStringLiteral("not_found");
    run->cancelled = true;
    if (run->cellRun) {
        // finished(Cancelled) follows, and ends the run.
        QMetaObject::invokeMethod(run->cellRun, &CellRun::cancel, Qt::QueuedConnection);
        return {};
    }
    if (!run->running) { // still queued: it never ran, so nothing is stored
        const auto it = std::find(m_queue.begin(), m_queue.end(), run->id);
        if (it != m_queue.end())
            m_queue.erase(it);
        if (--m_queuedPerUser[run->userId] <= 0)
            m_queuedPerUser.remove(run->userId);
        sendUpdate(*run, QStringLiteral("cancelled"), progressOf(*run, run->current),
                   { { "final", true }, { "finished_at", now() } });
        finish(run->id, QStringLiteral("cancelled"));
    }
    return {};
}

QString Executions::stop(const QString &containerId)
{
    const auto run = m_runs.value(m_containers.value(containerId));
    if (!run)
        return QStringLiteral("not_found");
    return cancel(run->notebookId, { { "execution_id", run->id } });
}

QList<ExecutionEvent> Executions::containerReplay(const QString &containerId)
{
    QList<ExecutionEvent> events;
    const auto run = m_runs.value(m_containers.value(containerId));
    if (!run) {
        const QJsonObject last = m_endedContainers.value(containerId);
        if (!last.isEmpty())
            events.append({ QStringLiteral("container_update"), last });
        return events;
    }
    if (!run->lastContainerUpdate.isEmpty())
        events.append({ QStringLiteral("container_update"), run->lastContainerUpdate });
    for (const QJsonObject &o : std::as_const(run->outputs)) {
        QJsonObject log { { "container_id", containerId },
                          { "seq", o.value(QLatin1String("seq")) } };
        if (o.contains(QLatin1String("truncated"))) {
            log.insert(QLatin1String("truncated"), true);
        } else {
            log.insert(QLatin1String("stream"), o.value(QLatin1String("stream")));
            log.insert(QLatin1String("output"), o.value(QLatin1String("output")));
        }
        events.append({ QStringLiteral("container_log"), log });
    }
    return events;
}

QList<ExecutionEvent> Executions::replay(const QString &notebookId)
{
    QList<ExecutionEvent> events;
    QSet<QString> runningCells;
    QList<std::shared_ptr<Run>> active;
    for (const QString &id : std::as_const(m_order)) {
        const auto run = m_runs.value(id);
        if (run && run->notebookId == notebookId) {
            active.append(run);
            if (run->running)
                runningCells.insert(run->jobs[run->current].cell.id);
        }
    }
    QString error;
    std::optional<QList<CellResult>> stored = m_store->results(notebookId, &error);
    if (!stored)
        qCWarning(lcExecutions) << "cannot read the results of" << notebookId << error;
    // What is still on its way to the database is newer than what it holds for the cell.
    const QList<CellResult> unsaved = m_unsaved.value(notebookId);
    if (!unsaved.isEmpty()) {
        if (!stored)
            stored.emplace();
        for (const CellResult &u : unsaved) {
            stored->removeIf([&](const CellResult &r) { return r.cellId == u.cellId; });
            stored->append(u);
        }
        std::stable_sort(stored->begin(), stored->end(), [](const CellResult &a, const CellResult &b) {
            return a.finishedAt < b.finishedAt;
        });
    }
    if (stored && !stored->isEmpty()) {
        // A result is stale when its cell's code has changed since, or the cell is gone.
        QHash<QString, QByteArray> hashes;
        if (const auto state = m_documents->latest(notebookId, &error))
            for (const Execution::Cell &cell : Execution::cellsOf(state->content))
                hashes.insert(cell.id, cell.hash);
        for (const CellResult &r : *stored) {
            if (runningCells.contains(r.cellId))
                continue; // its newest run is the one in progress, replayed below
            QJsonObject update { { "execution_id", r.executionId },
                                 { "cell_id", r.cellId },
                                 { "status", r.status },
                                 { "progress", 1 },
                                 { "finished_at", r.finishedAt } };
            if (r.exitCode)
                update.insert(QLatin1String("exit_code"), *r.exitCode);
            if (!r.limit.isEmpty())
                update.insert(QLatin1String("limit"), r.limit);
            if (!r.message.isEmpty())
                update.insert(QLatin1String("message"), r.message);
            if (r.startedAt)
                update.insert(QLatin1String("started_at"), *r.startedAt);
            if (hashes.value(r.cellId) != r.cellHash)
                update.insert(QLatin1String("stale"), true);
            events.append({ QStringLiteral("execution_update"), update });
            qint64 last = 0;
            for (const StoredOutput &o : r.outputs) {
                events.append({ QStringLiteral("cell_output"),
                                { { "execution_id", r.executionId },
                                  { "cell_id", r.cellId },
                                  { "stream", o.stream },
                                  { "output", o.output },
                                  { "seq", o.seq } } });
                last = o.seq;
            }
            if (r.truncated)
                events.append({ QStringLiteral("cell_output"),
                                { { "execution_id", r.executionId },
                                  { "cell_id", r.cellId },
                                  { "seq", last + 1 },
                                  { "truncated", true } } });
        }
    }
    for (const auto &run : std::as_const(active)) {
        if (run->lastUpdate.isEmpty())
            continue; // between two cells of a run all: the next one has sent nothing yet
        events.append({ QStringLiteral("execution_update"), run->lastUpdate });
        for (const QJsonObject &o : std::as_const(run->outputs))
            events.append({ QStringLiteral("cell_output"), o });
    }
    return events;
}

void Executions::shutdown()
{
    m_shuttingDown = true;
    const QList<QString> ids = m_order;
    for (const QString &id : ids) {
        const auto run = m_runs.value(id);
        if (!run)
            continue;
        if (run->cellRun) {
            // Deleting it kills its whole group now; its own finished() would come too late.
            destroyCellRun(run->cellRun);
            run->cellRun = nullptr;
            endJob(*run, QStringLiteral("cancelled"), std::nullopt, {}, false,
                   QStringLiteral("the server shut down"));
        } else {
            sendUpdate(*run, QStringLiteral("cancelled"), progressOf(*run, run->current),
                       { { "final", true }, { "finished_at", now() } });
            finish(run->id, QStringLiteral("cancelled"));
        }
    }
    m_queue.clear();
}

void Executions::sendUpdate(Run &run, const QString &status, double progress, QJsonObject extra)
{
    extra.insert(QLatin1String("execution_id"), run.id);
    extra.insert(QLatin1String("cell_id"), run.jobs[run.current].cell.id);
    extra.insert(QLatin1String("status"), status);
    extra.insert(QLatin1String("progress"), progress);
    run.lastUpdate = extra;
    emit notebookEvent(run.notebookId, QStringLiteral("execution_update"), extra);
}

void Executions::sendContainerUpdate(Run &run, const QString &status, QJsonObject extra)
{
    const Execution::Cell &cell = run.jobs.first().cell;
    extra.insert(QLatin1String("container_id"), run.containerId);
    extra.insert(QLatin1String("execution_id"), run.id);
    extra.insert(QLatin1String("notebook_id"), run.notebookId);
    extra.insert(QLatin1String("cell_id"), cell.id);
    extra.insert(QLatin1String("service"), cell.service);
    extra.insert(QLatin1String("status"), status);
    run.lastContainerUpdate = extra;
    emit containerEvent(run.containerId, QStringLiteral("container_update"), extra);
}

void Executions::sendContainerMetrics(const QString &executionId)
{
    const auto run = m_runs.value(executionId);
    if (!run || run->pid <= 0)
        return;
    const ProcessUsage usage = processTreeUsage(run->pid);
    if (usage.processes == 0)
        return; // it has just ended: finished() is on its way
    emit containerEvent(run->containerId, QStringLiteral("container_metrics"),
                        { { "container_id", run->containerId },
                          { "cpu_seconds", usage.cpuSeconds },
                          { "rss_bytes", usage.rssBytes },
                          { "processes", usage.processes },
                          { "at", now() } });
}

void Executions::endContainer(Run &run, const QString &status)
{
    run.metricsTimer.reset();
    // Stopped on request, or ended by itself with 0; anything else is a failure.
    const bool stopped = status == QLatin1String("cancelled") || status == QLatin1String("completed");
    QJsonObject extra;
    for (const char *key : { "exit_code", "limit", "message", "started_at", "finished_at" })
        if (run.lastUpdate.contains(QLatin1String(key)))
            extra.insert(QLatin1String(key), run.lastUpdate.value(QLatin1String(key)));
    if (!extra.contains(QLatin1String("finished_at")))
        extra.insert(QLatin1String("finished_at"), now());
    sendContainerUpdate(run, stopped ? QStringLiteral("stopped") : QStringLiteral("failed"), extra);
    m_containers.remove(run.containerId);
    m_endedContainers.insert(run.containerId, run.lastContainerUpdate);
    m_endedOrder.push_back(run.containerId);
    while (qsizetype(m_endedOrder.size()) > kEndedContainersKept) {
        m_endedContainers.remove(m_endedOrder.front());
        m_endedOrder.pop_front();
    }
}

double Executions::progressOf(const Run &run, int done) const
{
    return run.jobs.isEmpty() ? 0 : double(done) / double(run.jobs.size());
}

void Executions::releaseCellRun(Run &run)
{
    if (!run.cellRun)
        return;
    run.cellRun->disconnect(this);
    run.cellRun->deleteLater(); // we may be inside its own signal
    run.cellRun = nullptr;
}

} // namespace Kyozo::Server
