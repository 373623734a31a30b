#include "httpserver.h"

#include "channels/channelhub.h"
#include "httpconnection.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

// Per-request and per-connection lines are debug output, off unless asked for
// (QT_LOGGING_RULES="kyozo.server.http.debug=true"): connection churn must not flood logs.
Q_LOGGING_CATEGORY(lcHttp, "kyozo.server.http", QtInfoMsg)

namespace Kyozo::Server {

namespace {

    // While accept() fails for want of descriptors (EMFILE, ENFILE) or memory, accepting pauses
    // and is tried again this often. New clients wait in the listen backlog meanwhile, and the
    // open connections keep being served (issue 14 item 2).
    constexpr int kAcceptRetryMs = 100;

    QString peerKey(const QHostAddress &address, quint16 port)
    {
        return address.toString() + QLatin1Char(' ') + QString::number(port);
    }

    QHostAddress clientAddress(const QTcpSocket *socket)
    {
        return withoutV4Mapping(socket->peerAddress());
    }

} // namespace

HttpServer::HttpServer(const HttpLimits &limits, qint64 maxNotebookBytes, AccountStore *accounts,
                       NotebookStore *notebooks, NotebookDocuments *documents, ChannelHub *hub,
                       FileUploads *files, BillingService *billing, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_maxNotebookBytes(maxNotebookBytes)
    , m_hub(hub)
    , m_api(limits, maxNotebookBytes, accounts, notebooks, documents, hub, files, billing)
    , m_webSockets(QStringLiteral("kyozo-server"), QWebSocketServer::NonSecureMode)
{
    m_tcp.setListenBacklogSize(limits.listenBacklog);
    m_acceptRetry.setSingleShot(true);
    m_acceptRetry.setInterval(kAcceptRetryMs);
    connect(&m_acceptRetry, &QTimer::timeout, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
    });
    // The handshake was read by us already; what is left is QWebSocketServer's own reading.
    m_webSockets.setHandshakeTimeout(limits.headerTimeoutMs);
    connect(&m_webSockets, &QWebSocketServer::newConnection, this, [this] {
        while (m_webSockets.hasPendingConnections()) {
            std::unique_ptr<QWebSocket> socket(m_webSockets.nextPendingConnection());
            m_handshaking.remove(peerKey(socket->peerAddress(), socket->peerPort()));
            m_hub->accept(std::move(socket));
        }
    });
}

HttpServer::~HttpServer()
{
    m_acceptNotifier.reset();
    m_tcp.close();
    // The sockets outlive this object's members while QObject deletes its children.
    for (QTcpSocket *socket : findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly))
        socket->disconnect(this);
}

quint16 HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tcp.listen(address, port))
        return 0;
    // QTcpServer binds and listens; accepting is ours. Qt 6.4 takes EMFILE from accept() for a
    // passing condition and polls again at once, which spins a core for as long as the
    // descriptors stay exhausted (seen with strace: accept4 = -EMFILE, ppoll, again).
    m_tcp.pauseAccepting();
    m_acceptNotifier
        = std::make_unique<QSocketNotifier>(m_tcp.socketDescriptor(), QSocketNotifier::Read);
    connect(m_acceptNotifier.get(), &QSocketNotifier::activated, this, &HttpServer::acceptPending);
    return m_tcp.serverPort();
}

void HttpServer::acceptPending()
{
    const int listener = int(m_tcp.socketDescriptor());
    // A bounded batch per wake-up, so that a connect flood does not starve open connections.
    for (int i = 0; i < 64; ++i) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            switch (errno) {
            case EINTR:
            case ECONNABORTED: // that client is gone already
            case EPROTO:
                continue;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                qCDebug(lcHttp) << "accept failed:" << strerror(errno) << "- retrying in"
                                << kAcceptRetryMs << "ms";
                m_acceptNotifier->setEnabled(false);
                m_acceptRetry.start();
                return;
            default: // EAGAIN: nothing left to accept
                return;
            }
        }
        QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
        if (!socket->setSocketDescriptor(fd)) {
            ::close(fd);
            delete socket;
            continue;
        }
        if (m_tls)
            startTls(static_cast<QSslSocket *>(socket));
        // Nagle's algorithm (RFC 896) holds a small segment back while an earlier one is
        // unacknowledged, and the peer may delay its ACK (RFC 1122 4.2.3.2; up to 40 ms on
        // Linux): a batch client sent a run, its ack and the next run in one turn got the
        // second and third that much later. Every frame is written whole and flushed at once
        // (SocketSession::send), so there is nothing to gain from coalescing.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        serve(socket);
    }
}

void HttpServer::setTls(const QSslConfiguration &configuration)
{
    m_tls = configuration;
}

// The handshake runs before anything is read: the request head and its timeout start with
// the first decrypted byte (a handshake that never finishes is cut by header_timeout_ms, as
// a head that never comes is). What is not TLS — plain HTTP to this port — fails the
// handshake and the connection is closed; nothing is answered in the clear.
void HttpServer::startTls(QSslSocket *socket)
{
    socket->setSslConfiguration(*m_tls);
    connect(socket, &QAbstractSocket::errorOccurred, socket,
            [socket](QAbstractSocket::SocketError e) {
                if (e == QAbstractSocket::SslHandshakeFailedError
                    || e == QAbstractSocket::SslInternalError) {
                    qCDebug(lcHttp) << "TLS handshake failed from" << socket->peerAddress()
                                    << socket->errorString();
                    socket->abort();
                }
            });
    socket->startServerEncryption();
}

void HttpServer::serve(QTcpSocket *socket)
{
    const QHostAddress address = clientAddress(socket);
    // A trusted reverse proxy carries many clients: its connections are not capped as one.
    if (!m_limits.trustedProxies.contains(address)) {
        int &open = m_perAddress[address];
        if (open >= m_limits.maxConnectionsPerAddress) {
            if (open == 0)
                m_perAddress.remove(address);
            refuse(socket);
            return;
        }
        ++open;
        connect(socket, &QObject::destroyed, this, [this, address] {
            auto it = m_perAddress.find(address);
            if (it != m_perAddress.end() && --*it <= 0)
                m_perAddress.erase(it);
        });
    }
    auto *connection = new HttpConnection(socket, m_limits, m_maxNotebookBytes, &m_api, this);
    connect(connection, &HttpConnection::finished, this, [connection, socket] {
        connection->deleteLater();
        socket->deleteLater();
    });
    connect(connection, &HttpConnection::upgradeRequested, this, [this, connection](QTcpSocket *s) {
        connection->deleteLater();
        // QWebSocket reads frames with its own bounds (max_frame_bytes); the head cap
        // of the HTTP front would stall frames larger than it.
        s->setReadBufferSize(0);
        // QWebSocketServer reads the handshake again with its own rules (it waits for CRLF
        // CRLF, which http-parser does not need): a handshake it never finishes is closed
        // after header_timeout_ms, as a head that never arrives is.
        const QString key = peerKey(s->peerAddress(), s->peerPort());
        const QPointer<QTcpSocket> guard(s);
        m_handshaking.insert(key, guard);
        QTimer::singleShot(m_limits.headerTimeoutMs, this, [this, key, guard] {
            const auto it = m_handshaking.constFind(key);
            if (it == m_handshaking.cend() || it.value() != guard)
                return;
            m_handshaking.erase(it);
            if (guard) {
                qCDebug(lcHttp) << "WebSocket handshake not finished in time:" << key;
                guard->abort();
                guard->deleteLater();
            }
        });
        m_webSockets.handleConnection(s);
    });
}

// max_connections_per_address: one more is answered 503 and closed, before it is read.
void HttpServer::refuse(QTcpSocket *socket)
{
    qCDebug(lcHttp) << "too many connections from" << socket->peerAddress();
    HttpResponse r = jsonError(
        503, "too_many_connections",
        tr("more than %1 connections from one address").arg(m_limits.maxConnectionsPerAddress));
    r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") });
    socket->write(r.serialize(false, true, false));
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(m_limits.headerTimeoutMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->disconnectFromHost();
}

} // namespace Kyozo::Server
