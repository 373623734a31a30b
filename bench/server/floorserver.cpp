// The floor for bench/server: a bare QWebSocketServer that only accepts and holds sockets.
// With --reply it also writes one short frame to each (as a server answering a join must);
// with --fanout every text message it receives is sent to every socket it holds: the
// floor of a broadcast's latency, measured by the same client in the same way.
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
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
