#pragma once

#include "restapi.h"

#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>
#include <memory>
#include <optional>

class QSslSocket;

namespace Kyozo::Server {

// One port for everything (SPEC §4, §8): the WebSocket endpoint, REST under /api/v1,
// /healthz and /metrics. Our own HTTP/1.1 front on QTcpServer rather than Qt 6.4's
// QAbstractHttpServer, which reads a whole request into memory before any handler runs,
// with no size limit, no timeout and no hook (issue 14). Requests are parsed by
// HttpRequestParser (libhttp-parser) with every bound enforced while reading; upgrades
// whose token passed are handed to QWebSocketServer::handleConnection().
class HttpServer : public QObject
{
    Q_OBJECT
public:
    HttpServer(const HttpLimits &limits, qint64 maxNotebookBytes, AccountStore *accounts,
               NotebookStore *notebooks, NotebookDocuments *documents, ChannelHub *hub,
               FileUploads *files, BillingService *billing, QObject *parent = nullptr);
    ~HttpServer() override;

    // From now on connections speak TLS with this identity (loadTlsIdentity()): HTTPS and
    // WSS only. Connections already open keep what they have.
    void setTls(const QSslConfiguration &configuration);
    bool isTls() const { return m_tls.has_value(); }

    // Returns the port it listens on, 0 on failure (errorString() says why).
    quint16 listen(const QHostAddress &address, quint16 port);
    QString errorString() const { return m_tcp.errorString(); }

private:
    void acceptPending();
    void startTls(QSslSocket *socket);
    void serve(QTcpSocket *socket);
    void refuse(QTcpSocket *socket);

    HttpLimits m_limits;
    qint64 m_maxNotebookBytes;
    ChannelHub *m_hub;
    RestApi m_api;
    QTcpServer m_tcp;
    QWebSocketServer m_webSockets;
    QHash<QHostAddress, int> m_perAddress; // open TCP connections, upgraded ones included
    // Sockets handed to QWebSocketServer whose handshake it has not finished, by peer
    // "address port": Qt 6.4's handleConnection() never starts its own handshake timer.
    QHash<QString, QPointer<QTcpSocket>> m_handshaking;
    std::unique_ptr<QSocketNotifier> m_acceptNotifier;
    QTimer m_acceptRetry;
    std::optional<QSslConfiguration> m_tls;
};

} // namespace Kyozo::Server
