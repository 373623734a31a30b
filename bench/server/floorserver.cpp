// The floor for bench/server: a bare QWebSocketServer that only accepts and holds sockets.
// With --reply it also writes one short frame to each, as any server that answers a join
// must: Qt's socket write buffer (QRingBuffer) then keeps a chunk per socket.
#include <QCoreApplication>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <memory>
#include <vector>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QWebSocketServer server(QStringLiteral("floor"), QWebSocketServer::NonSecureMode);
    std::vector<std::unique_ptr<QWebSocket>> held;
    const bool reply = app.arguments().contains(QStringLiteral("--reply"));
    QObject::connect(&server, &QWebSocketServer::newConnection, [&] {
        while (server.hasPendingConnections()) {
            held.emplace_back(server.nextPendingConnection());
            if (reply)
                held.back()->sendTextMessage(QStringLiteral(R"(["1","1","t","phx_reply",{"status":"ok","response":{}}])"));
        }
    });
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
