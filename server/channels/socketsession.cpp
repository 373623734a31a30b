#include "socketsession.h"

#include "channels/heaptrim.h"
#include "protocol/phoenixmessage.h"

#include <QLoggingCategory>
#include <QScopedValueRollback>
#include <QUrlQuery>

#include <utility>

Q_LOGGING_CATEGORY(lcSocket, "kyozo.server.socket")

namespace Kyozo::Server {

namespace {
    // What a client may call itself in presence metas (`client`): enough for "kyozo-desktop
    // 1.2.3 (Linux)", not a way to blow up every presence_state of a topic.
    constexpr qsizetype kMaxClientNameChars = 64;
} // namespace

SocketSession::SocketSession(std::unique_ptr<QWebSocket> socket, Identity identity,
                             SessionContext *context, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_context(context)
    , m_identity(std::move(identity))
    , m_rate(context->limits.messagesPerSecond, context->limits.messageBurst)
    // A full bucket holds one second of data, and at least one frame of the largest size.
    , m_bytes(context->limits.bytesPerSecond,
              qMax(context->limits.bytesPerSecond, double(context->limits.maxFrameBytes)))
{
    const Limits &limits = context->limits;
    // Every message in one frame. Qt splits a longer message into 512 KiB frames at byte
    // boundaries, which RFC 6455 allows, but Qt 6.4's own receiver (the editor) closes with
    // 1007 when a frame ends inside a UTF-8 sequence: a join reply holding a large notebook
    // of non-ASCII text would never arrive (tests/server/tst_coediting).
    m_socket->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
    m_client = QUrlQuery(m_socket->requestUrl())
                   .queryItemValue(QStringLiteral("client"))
                   .left(kMaxClientNameChars);
    if (m_client.isEmpty())
        m_client = QStringLiteral("unknown");
    // Qt closes with 1009 (CloseCodeTooMuchData) itself when a message exceeds these.
    m_socket->setMaxAllowedIncomingFrameSize(quint64(limits.maxFrameBytes));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(limits.maxFrameBytes));
    m_heartbeat.setSingleShot(true);
    m_heartbeat.setInterval(limits.heartbeatTimeoutMs);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("heartbeat timeout"));
    });
    m_heartbeat.start();
    // A closing socket whose client neither reads nor answers the close would otherwise
    // stay in Qt's closing state for good.
    m_closeTimeout.setSingleShot(true);
    m_closeTimeout.setInterval(limits.closeTimeoutMs);
    connect(&m_closeTimeout, &QTimer::timeout, this, [this] { m_socket->abort(); });
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &SocketSession::onText);
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        close(QWebSocketProtocol::CloseCodeDatatypeNotSupported,
              QStringLiteral("binary frames are not supported"));
    });
    connect(m_socket.get(), &QWebSocket::aboutToClose, this, &SocketSession::onAboutToClose);
    connect(m_socket.get(), &QWebSocket::disconnected, this, &SocketSession::onDisconnected);
}

SocketSession::~SocketSession()
{
    m_socket->disconnect(this);
    m_context->queuedBytesTotal -= std::exchange(m_heldBytes, 0);
}

void SocketSession::onText(const QString &frame)
{
    if (m_closing)
        return;
    const QByteArray utf8 = frame.toUtf8();
    if (!m_bytes.allow(double(utf8.size()))) {
        close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("byte rate limit"));
        return;
    }
    if (!m_rate.allow()) {
        close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("rate limit"));
        return;
    }
    emit messageReceived(this, utf8);
}

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
        if (m_socket->bytesToWrite() > 0)
            watchWrites(); // what the kernel did not take stays counted until it does
        updateHeld();
    } else {
        // Capped in frames and in bytes, for this socket and for all (SPEC §11): bytes
        // bound memory; a shared broadcast frame counts for every socket that holds it, so
        // the total is an upper bound of what the queues occupy.
        const qint64 held = m_outboxBytes + m_socket->bytesToWrite() + heldCost(frame);
        const qint64 heldByOthers = m_context->queuedBytesTotal - m_heldBytes;
        const Limits &limits = m_context->limits;
        if (m_outbox.size() >= limits.maxQueuedFrames || held > limits.maxQueuedBytes
            || heldByOthers + held > limits.maxQueuedBytesTotal) {
            // A client this far behind would make the server hold everything for it forever;
            // a Phoenix client reconnects and rejoins, and gets a fresh presence_state.
            m_outbox.clear();
            m_outboxBytes = 0;
            close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("reads too slowly"));
            return;
        }
        watchWrites();
        m_outbox.append(frame);
        m_outboxBytes += heldCost(frame);
        updateHeld();
    }
    ++m_framesSent;
}

void SocketSession::watchWrites()
{
    // Connected only while something waits: every write emits bytesWritten, and with a
    // receiver that emission cost a quarter of the join rate at 10,000 sockets.
    if (!m_drainConnection)
        m_drainConnection
            = connect(m_socket.get(), &QWebSocket::bytesWritten, this, [this] { drainOutbox(); });
}

void SocketSession::updateHeld()
{
    // Qt's write buffer only grows by our writes, which are followed by this; it shrinks as
    // the kernel takes it (bytesWritten, watched while it is not empty). So the figure is
    // never below what is held, and above it only until the next bytesWritten.
    const qint64 held = m_outboxBytes + m_socket->bytesToWrite();
    m_context->queuedBytesTotal += held - m_heldBytes;
    m_heldBytes = held;
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
    while (!m_outbox.isEmpty() && m_socket->bytesToWrite() == 0) {
        const QString frame = m_outbox.takeFirst();
        m_outboxBytes -= heldCost(frame);
        writeFrame(frame);
    }
    if (m_outbox.isEmpty()) {
        m_outbox = {}; // what a backlog grew is not kept for the socket's life
        if (m_socket->bytesToWrite() == 0)
            disconnect(std::exchange(m_drainConnection, {}));
    }
    updateHeld();
}

void SocketSession::close(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    if (!m_closeStarted)
        m_closeCode = code;
    m_heartbeat.stop();
    // What was sent before the close goes out before the close frame.
    for (const QString &frame : std::exchange(m_outbox, {}))
        m_socket->sendTextMessage(frame);
    m_outboxBytes = 0;
    updateHeld();
    qCDebug(lcSocket) << "closing socket of" << m_identity.userName << code << reason;
    // Emits aboutToClose (onAboutToClose) before Qt lets go of the connection, and may
    // emit disconnected before it returns.
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void SocketSession::onAboutToClose()
{
    // Qt emits it twice: from QWebSocket::close(), then from the QTcpSocket's close().
    if (m_closeStarted)
        return;
    m_closeStarted = true;
    m_heartbeat.stop();
    const int code = m_closing ? m_closeCode : int(m_socket->closeCode());
    m_closeCode = code;
    // Closes the server starts — ours, and Qt's own for a frame too big (1009), not UTF-8
    // (1007) or not WebSocket (1002) — leave the client's data unread: linger (see
    // CloseLinger) so that the close frame is not wiped by a reset. After the client's own
    // close frame there is nothing more to read.
    if (m_closing || code == QWebSocketProtocol::CloseCodeTooMuchData
        || code == QWebSocketProtocol::CloseCodeWrongDatatype
        || code == QWebSocketProtocol::CloseCodeProtocolError) {
        const int fd = m_context->descriptors.find(*m_socket);
        if (fd >= 0)
            CloseLinger::start(fd, m_socket.get(), m_context->limits.closeTimeoutMs,
                               qint64(m_context->limits.bytesPerSecond), m_context->lingerParent);
    }
    m_closeTimeout.start();
}

void SocketSession::onDisconnected()
{
    m_closing = true; // nothing more is sent or read
    m_closeStarted = true;
    m_heartbeat.stop();
    m_closeTimeout.stop();
    m_outbox.clear();
    m_outboxBytes = 0;
    disconnect(std::exchange(m_drainConnection, {}));
    m_context->queuedBytesTotal -= std::exchange(m_heldBytes, 0);
    m_socket->disconnect(this); // disconnected is emitted once per socket; nothing follows
    qCDebug(lcSocket) << "socket of" << m_identity.userName << "closed" << m_closeCode;
    emit closed(this);
}

} // namespace Kyozo::Server
