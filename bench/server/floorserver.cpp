// The floor for bench/server: a bare QWebSocketServer that only accepts and holds sockets.
// With --reply it also writes one short frame to each (as a server answering a join must);
// with --fanout every text message it receives is sent to every socket it holds: the
// floor of a broadcast's latency, measured by the same client in the same way. With --http
// the sockets arrive through a QAbstractHttpServer that accepts every upgrade, as
// kyozo-server's do: what Qt's HTTP front door adds per socket.
#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QHttpServerRequest>
#include <QTcpServer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <memory>
#include <vector>

namespace {
class UpgradingServer : public QAbstractHttpServer
{
public:
    // Qt 6.4 hands an upgrade request to its QWebSocketServer when this returns true.
    bool handleRequest(const QHttpServerRequest &, QTcpSocket *) override { return true; }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override { }
};
} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1"); // as kyozo-server
    QCoreApplication app(argc, argv);
    QWebSocketServer server(QStringLiteral("floor"), QWebSocketServer::NonSecureMode);
    std::vector<std::unique_ptr<QWebSocket>> held;
    const bool reply = app.arguments().contains(QStringLiteral("--reply"));
    const bool fanout = app.arguments().contains(QStringLiteral("--fanout"));
    QObject::connect(&server, &QWebSocketServer::newConnection, [&] {
        while (server.hasPendingConnections()) {
            held.emplace_back(server.nextPendingConnection());
            if (reply)
                held.back()->sendTextMessage(QStringLiteral(R"(["1","1","t","phx_reply",{"status":"ok","response":{}}])"));
            if (fanout)
                QObject::connect(held.back().get(), &QWebSocket::textMessageReceived, [&held](const QString &m) {
                    for (auto &s : held)
                        s->sendTextMessage(m);
                });
        }
    });
    if (app.arguments().contains(QStringLiteral("--http"))) {
        static UpgradingServer http;
        static QTcpServer tcp;
        QObject::connect(&http, &QAbstractHttpServer::newWebSocketConnection, [&] {
            while (http.hasPendingWebSocketConnections())
                held.push_back(http.nextPendingWebSocketConnection());
        });
        if (!tcp.listen(QHostAddress::LocalHost, 0))
            return 1;
        http.bind(&tcp); // void in Qt 6.4
        std::printf("listening on http://127.0.0.1:%u\n", unsigned(tcp.serverPort()));
        std::fflush(stdout);
        return app.exec();
    }
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
