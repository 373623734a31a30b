#include "coeditpeer.h"

#include "channelclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>

using namespace Kyozo::Collab;

namespace KyozoTest {

namespace {
    qint64 nowNs()
    {
        static QElapsedTimer clock = [] {
            QElapsedTimer t;
            t.start();
            return t;
        }();
        return clock.nsecsElapsed();
    }
} // namespace

CoeditPeer::CoeditPeer(const QString &notebookId, const QString &name)
    : m_topic(QStringLiteral("execution:notebook:") + notebookId)
    , m_name(name)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &CoeditPeer::onFrame);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_joined && m_client)
            m_client->disconnected();
        m_joined = false;
        m_pushRef.clear();
    });
    connect(&m_socket, &QWebSocket::connected, this, &CoeditPeer::join);
    // Heartbeats well inside the server's timeout (SPEC §11: 1000 after 60 s without one).
    m_heartbeat.setInterval(15000);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        if (m_socket.state() == QAbstractSocket::ConnectedState)
            m_socket.sendTextMessage(QString::fromUtf8(
                QJsonDocument(frame({}, QString::number(m_nextRef++), QStringLiteral("phoenix"),
                                    QStringLiteral("heartbeat")))
                    .toJson(QJsonDocument::Compact)));
    });
    m_heartbeat.start();
}

void CoeditPeer::connectTo(const QUrl &socketUrl)
{
    m_socket.abort();
    m_socket.open(socketUrl);
}

void CoeditPeer::drop()
{
    m_socket.abort(); // emits disconnected
    if (m_joined && m_client)
        m_client->disconnected();
    m_joined = false;
    m_pushRef.clear();
}

bool CoeditPeer::isSettled() const
{
    return m_joined && m_client && !m_client->isRecovering()
        && m_client->state() == OtClient::State::Synchronized && m_pushRef.isEmpty();
}

bool CoeditPeer::edit(const TextOperation &operation)
{
    if (!m_client)
        return false;
    const auto next = operation.apply(m_text);
    if (!next) {
        fail(QStringLiteral("a local edit that does not apply"));
        return false;
    }
    m_text = *next;
    ++m_edits;
    take(m_client->applyLocal(operation));
    return true;
}

void CoeditPeer::send(const QString &event, const QJsonObject &payload, const QString &ref)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame(m_joinRef, ref, m_topic, event, payload))
                              .toJson(QJsonDocument::Compact)));
}

void CoeditPeer::join()
{
    m_joinRef = QString::number(m_nextRef++);
    send(QStringLiteral("phx_join"), m_batch ? QJsonObject { { "batch", true } } : QJsonObject {},
         m_joinRef);
}

void CoeditPeer::remoteOperation(qint64 revision, const QJsonValue &ops)
{
    QString why;
    const auto op = TextOperation::fromJson(ops, &why);
    if (!op) {
        fail(QStringLiteral("a broadcast op that does not parse: ") + why);
        return;
    }
    if (onRemoteOperation)
        onRemoteOperation(revision);
    take(m_client->applyServer(revision, *op));
}

void CoeditPeer::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = m_name + QStringLiteral(": ") + why;
}

void CoeditPeer::take(const OtEffects &effects)
{
    if (!effects.error.isEmpty())
        fail(effects.error);
    for (const TextOperation &op : effects.apply) {
        const auto next = op.apply(m_text);
        if (!next) {
            fail(QStringLiteral("an effect that does not apply to the local text"));
            return;
        }
        m_text = *next;
    }
    if (effects.rejoin && m_joined) {
        // OtClient lost track of the server's text: join again on this socket (the server
        // closes the old join with phx_close of its join_ref).
        join();
    }
    if (effects.send && m_joined) {
        m_pushRef = QString::number(m_nextRef++);
        m_pushSentAt = nowNs();
        send(QStringLiteral("op"), effects.send->toJson(), m_pushRef);
    }
    if (m_client)
        m_acknowledged = m_edits - m_client->pendingCount();
}

void CoeditPeer::onFrame(const QString &text)
{
    ++m_framesReceived;
    const QJsonArray f = QJsonDocument::fromJson(text.toUtf8()).array();
    if (f.size() != 5) {
        fail(QStringLiteral("not a Phoenix frame: ") + text.left(200));
        return;
    }
    if (f[2].toString() != m_topic)
        return; // heartbeat replies
    const QString event = f[3].toString();
    const QJsonObject payload = f[4].toObject();
    if (event == QLatin1String("phx_reply")) {
        const QString ref = f[1].toString();
        const bool ok = payload.value(QLatin1String("status")).toString() == QLatin1String("ok");
        const QJsonObject response = payload.value(QLatin1String("response")).toObject();
        if (ref == m_joinRef) {
            if (!ok) {
                fail(QStringLiteral("join refused: ")
                     + QString::fromUtf8(QJsonDocument(response).toJson(QJsonDocument::Compact)));
                return;
            }
            const qint64 revision = response.value(QLatin1String("revision")).toInteger(-1);
            const QString content = response.value(QLatin1String("content")).toString();
            ++m_joinCount;
            m_joined = true;
            if (!m_client) {
                m_client = std::make_unique<OtClient>(
                    revision, content,
                    m_name + QLatin1Char('-')
                        + QString::number(QDateTime::currentMSecsSinceEpoch()));
                m_text = content;
            } else {
                take(m_client->reconnected(revision, content));
            }
            return;
        }
        if (ref != m_pushRef || ref.isEmpty())
            return;
        m_pushRef.clear();
        if (ok) {
            m_ackLatencies.append(double(nowNs() - m_pushSentAt) / 1e6);
            if (onAcknowledged)
                onAcknowledged(response.value(QLatin1String("revision")).toInteger(-1),
                               m_pushSentAt);
            take(m_client->serverAck(response.value(QLatin1String("revision")).toInteger(-1)));
            return;
        }
        const QString reason = response.value(QLatin1String("reason")).toString();
        if (reason == QLatin1String("resync")) {
            take(m_client->resync(response.value(QLatin1String("revision")).toInteger(-1),
                                  response.value(QLatin1String("content")).toString()));
            return;
        }
        fail(QStringLiteral("push refused: ") + reason);
        take(m_client->refused());
        return;
    }
    if (event == QLatin1String("op") && m_client && m_joined) {
        remoteOperation(payload.value(QLatin1String("revision")).toInteger(-1),
                        payload.value(QLatin1String("ops")));
        return;
    }
    if (event == QLatin1String("ops") && m_client && m_joined) {
        // Revisions from..to, one entry each; OtClient checks that each follows the one it
        // has (the ack of an own push comes between two runs, in its place).
        const qint64 from = payload.value(QLatin1String("from")).toInteger(-1);
        const qint64 to = payload.value(QLatin1String("to")).toInteger(-1);
        const QJsonArray ops = payload.value(QLatin1String("ops")).toArray();
        if (from < 1 || to - from + 1 != ops.size()) {
            fail(QStringLiteral("an ops run whose from/to do not match its ops: ")
                 + text.left(200));
            return;
        }
        for (qsizetype i = 0; i < ops.size(); ++i)
            remoteOperation(from + i, ops.at(i));
        return;
    }
    if (event == QLatin1String("phx_close") && f[0].toString() != m_joinRef)
        return; // the join a rejoin replaced
    if (event == QLatin1String("phx_error") || event == QLatin1String("phx_close")) {
        if (m_client)
            m_client->disconnected();
        m_joined = false;
        m_pushRef.clear();
    }
}

bool waitForEvents(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    QTimer wake; // bounds each wait, so that the timeout is seen
    wake.start(20);
    while (!done()) {
        if (elapsed.elapsed() >= timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

qint64 CoeditPeer::clockNs()
{
    return nowNs();
}

} // namespace KyozoTest
