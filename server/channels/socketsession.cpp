#include "socketsession.h"

#include "protocol/phoenixmessage.h"

#include <QLoggingCategory>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcSocket, "kyozo.server.socket")

namespace Kyozo::Server {

SocketSession::SocketSession(std::unique_ptr<QWebSocket> socket, Identity identity,
                             const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_identity(std::move(identity))
    , m_rate(limits.messagesPerSecond, limits.messageBurst)
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
    m_socket->sendTextMessage(frame);
    // To the kernel now, not on the next write notification: a broadcast then costs no
    // notifier switched on and off per socket, and the write buffer is empty again at once.
    m_socket->flush();
    emit messageSent();
}

void SocketSession::close(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_heartbeat.stop();
    qCInfo(lcSocket) << "closing socket of" << m_identity.userName << code << reason;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

} // namespace Kyozo::Server
