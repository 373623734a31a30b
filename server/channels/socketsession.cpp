#include "socketsession.h"

#include "channels/heaptrim.h"
#include "protocol/phoenixmessage.h"

#include <QLoggingCategory>
#include <QScopedValueRollback>
#include <QUrlQuery>

#include <utility>

Q_LOGGING_CATEGORY(lcSocket, "kyozo.server.socket")

namespace Kyozo::Server {

SocketSession::SocketSession(std::unique_ptr<QWebSocket> socket, Identity identity,
                             const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_identity(std::move(identity))
    , m_rate(limits.messagesPerSecond, limits.messageBurst)
    , m_maxQueuedFrames(limits.maxQueuedFrames)
{
    m_client = QUrlQuery(m_socket->requestUrl()).queryItemValue(QStringLiteral("client"));
    if (m_client.isEmpty())
        m_client = QStringLiteral("unknown");
    // Qt closes with 1009 (CloseCodeTooMuchData) itself when a message exceeds these.
    m_socket->setMaxAllowedIncomingFrameSize(quint64(limits.maxFrameBytes));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(limits.maxFrameBytes));
    m_heartbeat.setSingleShot(true);
    m_heartbeat.setInterval(limits.heartbeatTimeoutMs);
    connect(&m_heartbeat, &QTimer::timeout, this,
            [this] { close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("heartbeat timeout")); });
    m_heartbeat.start();
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, [this](const QString &frame) {
        if (m_closing)
            return;
        if (!m_rate.allow()) {
            close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("rate limit"));
            return;
        }
        emit messageReceived(this, frame);
    });
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("binary frames are not supported"));
    });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] { emit closed(this); });
}

SocketSession::~SocketSession() = default;

void SocketSession::send(const Protocol::PhoenixMessage &message)
{
    sendText(QString::fromUtf8(message.encode()));
}

void SocketSession::sendText(const QString &frame)
{
    if (m_closing)
        return;
    // While the kernel has not taken what was handed to Qt, frames wait here rather than
    // in Qt's per-socket buffer: as implicitly shared strings, so a broadcast held for N
    // slow sockets is stored once, in order, counted (kyozo_frames_queued) and capped.
    if (m_outbox.isEmpty() && m_socket->bytesToWrite() == 0) {
        writeFrame(frame);
    } else if (m_outbox.size() < m_maxQueuedFrames) {
        // Connected only while frames wait: every write emits bytesWritten, and with a
        // receiver that emission cost a quarter of the join rate at 10,000 sockets.
        if (!m_drainConnection)
            m_drainConnection = connect(m_socket.get(), &QWebSocket::bytesWritten, this, [this] { drainOutbox(); });
        m_outbox.append(frame);
    } else {
        // A client this far behind would make the server hold everything for it forever;
        // a Phoenix client reconnects and rejoins, and gets a fresh presence_state.
        m_outbox.clear();
        close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("reads too slowly"));
        return;
    }
    ++m_framesSent;
}

void SocketSession::writeFrame(const QString &frame)
{
    // After a large frame (a presence_state, a big presence_diff), Qt allocates a fresh
    // write chunk for the next small one. On heap pages that recent frames' copies dirtied,
    // that chunk would be resident in full for the socket's life; on pages handed back to
    // the kernel, only what is written into it is. Measured (bench/server, 2026-12-01):
    // joined sockets 43 -> 25-29 KiB each at 5,000 and 10,000. Trimming for every such write
    // cost 40 % of the join rate at 10,000 (a trim walks the whole heap); at most one trim
    // per 5 ms kept the memory figure (20 ms did not) and the join rate.
    if (m_lastFrameLarge)
        releaseFreedHeapAtMostEvery(kTrimIntervalMs);
    m_lastFrameLarge = frame.size() >= kLargeFrameChars;
    m_socket->sendTextMessage(frame);
    // To the kernel now, not on the next write notification: a broadcast then costs no
    // notifier switched on and off per socket, and the write buffer is empty again at once.
    m_socket->flush();
}

void SocketSession::drainOutbox()
{
    // flush() can report bytesWritten from inside this loop; the outer call goes on.
    if (m_draining)
        return;
    const QScopedValueRollback guard(m_draining, true);
    while (!m_outbox.isEmpty() && m_socket->bytesToWrite() == 0)
        writeFrame(m_outbox.takeFirst());
    if (m_outbox.isEmpty()) {
        m_outbox = {}; // what a backlog grew is not kept for the socket's life
        disconnect(std::exchange(m_drainConnection, {}));
    }
}

void SocketSession::close(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_heartbeat.stop();
    // What was sent before the close goes out before the close frame.
    for (const QString &frame : std::exchange(m_outbox, {}))
        m_socket->sendTextMessage(frame);
    qCInfo(lcSocket) << "closing socket of" << m_identity.userName << code << reason;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

} // namespace Kyozo::Server
