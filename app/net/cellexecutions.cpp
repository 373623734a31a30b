#include "cellexecutions.h"

#include "channelconnection.h"

namespace Kyozo::App {

namespace {
    QString stringOf(const QJsonObject &payload, const char *key)
    {
        return payload.value(QLatin1String(key)).toString();
    }
} // namespace

CellExecutions::CellExecutions(ChannelConnection *connection, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
{
    connect(connection, &ChannelConnection::received, this, &CellExecutions::onReceived);
    connect(connection, &ChannelConnection::replied, this, &CellExecutions::onReplied);
    connect(connection, &ChannelConnection::stateChanged, this, [this] {
        // A rejoin replays every cell's latest run; what had not ended is known again then.
        if (m_connection->state() != ChannelConnection::State::Connected)
            m_pushes.clear();
    });
}

bool CellExecutions::isFinal(const QString &status)
{
    return status == QLatin1String("completed") || status == QLatin1String("failed")
        || status == QLatin1String("cancelled") || status == QLatin1String("timed_out")
        || status == QLatin1String("limit_exceeded");
}

bool CellExecutions::runCell(const QString &cellId)
{
    const QString ref
        = m_connection->push(QStringLiteral("execute"), QJsonObject { { "cell_id", cellId } });
    if (ref.isEmpty())
        return false;
    m_pushes.insert(ref);
    return true;
}

bool CellExecutions::runAll(bool continueOnError)
{
    QJsonObject payload { { "type", "notebook" } };
    if (continueOnError)
        payload.insert(QLatin1String("continue_on_error"), true);
    const QString ref = m_connection->push(QStringLiteral("execute"), payload);
    if (ref.isEmpty())
        return false;
    m_pushes.insert(ref);
    m_runAllPush = ref;
    return true;
}

void CellExecutions::stop()
{
    for (const QString &id : std::as_const(m_active)) {
        const QString ref
            = m_connection->push(QStringLiteral("cancel"), QJsonObject { { "execution_id", id } });
        if (!ref.isEmpty())
            m_pushes.insert(ref);
    }
}

void CellExecutions::onReplied(const QString &ref, bool ok, const QJsonObject &response)
{
    if (!m_pushes.remove(ref))
        return; // another push's (an op's)
    if (!ok) {
        emit refused(stringOf(response, "reason"));
        return;
    }
    // The run's id comes before its first update only for our own pushes; updates carry it
    // for everyone, so nothing more is needed here than to know it is going on.
    const QString id = stringOf(response, "execution_id");
    if (!id.isEmpty())
        m_active.insert(id);
    // Our own run all: its updates carry the progress the bar shows, from 0 (the reply
    // comes before the run's first update).
    if (ref == std::exchange(m_runAllPush, {}) && !id.isEmpty()) {
        m_notebookRun = id;
        emit progressChanged(0);
    }
}

void CellExecutions::onReceived(const QString &event, const QJsonObject &payload)
{
    if (event == QLatin1String("execution_update"))
        onUpdate(payload);
    else if (event == QLatin1String("cell_output"))
        onOutput(payload);
}

CellExecutions::CellState &CellExecutions::cellOf(const QString &cellId, const QString &executionId)
{
    CellState &cell = m_cells[cellId];
    if (cell.executionId != executionId) {
        // A newer run of the cell (or the first this client sees): its output starts over.
        cell = CellState {};
        cell.executionId = executionId;
        emit runStarted(cellId);
    }
    return cell;
}

void CellExecutions::onUpdate(const QJsonObject &payload)
{
    const QString id = stringOf(payload, "execution_id");
    const QString cellId = stringOf(payload, "cell_id");
    const QString status = stringOf(payload, "status");
    if (id.isEmpty())
        return;
    // A run ends with its `final` update (a run all's last cell, or the one it stopped at). A
    // replayed ending has no `final`: it is a stored result, so its run is over too.
    const QJsonValue finalFlag = payload.value(QLatin1String("final"));
    const bool runEnded = isFinal(status) && (finalFlag.isUndefined() || finalFlag.toBool());
    if (runEnded)
        m_active.remove(id);
    else
        m_active.insert(id);
    if (id == m_notebookRun) {
        if (runEnded)
            m_notebookRun.clear();
        emit progressChanged(runEnded ? -1.0
                                      : payload.value(QLatin1String("progress")).toDouble());
    }
    if (cellId.isEmpty())
        return;
    CellState &cell = cellOf(cellId, id);
    cell.status = status;
    cell.exitCode = payload.value(QLatin1String("exit_code")).toInt(-1);
    cell.limit = stringOf(payload, "limit");
    cell.message = stringOf(payload, "message");
    cell.started = payload.contains(QLatin1String("started_at"));
    cell.stale = payload.value(QLatin1String("stale")).toBool(false);
    emit cellChanged(cellId);
}

void CellExecutions::onOutput(const QJsonObject &payload)
{
    const QString id = stringOf(payload, "execution_id");
    const QString cellId = stringOf(payload, "cell_id");
    if (id.isEmpty() || cellId.isEmpty())
        return;
    CellState &cell = cellOf(cellId, id);
    const qint64 seq = payload.value(QLatin1String("seq")).toInteger(-1);
    if (seq >= 0 && seq <= cell.lastSeq)
        return; // replayed again after a rejoin
    if (seq >= 0)
        cell.lastSeq = seq;
    if (payload.value(QLatin1String("truncated")).toBool(false)) {
        cell.truncated = true;
        emit outputTruncated(cellId);
        emit cellChanged(cellId);
        return;
    }
    emit output(cellId, stringOf(payload, "stream"), stringOf(payload, "output"));
}

} // namespace Kyozo::App
