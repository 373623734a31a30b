// The floor for bench/server: a bare QWebSocketServer that only accepts and holds sockets.
// With --reply it also writes one short frame to each (as a server answering a join must);
// with --fanout every text message it receives is sent to every socket it holds: the
// floor of a broadcast's latency, measured by the same client in the same way. With --http
// the sockets arrive through a QAbstractHttpServer that accepts every upgrade, as
// kyozo-server's do: what Qt's HTTP front door adds per socket.
//
// Two variants of --fanout, to see what a broadcast could cost at best: --flush hands every
// frame to the kernel as it is written (as kyozo-server does) instead of on the next write
// notification; --threads K accepts the sockets into K threads, each with its own event loop
// and QWebSocketServer, and a broadcast is sent by all K at once.
#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QHttpServerRequest>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
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

void sendToAll(const std::vector<std::unique_ptr<QWebSocket>> &sockets, const QString &message, bool flush)
{
    for (const auto &s : sockets) {
        s->sendTextMessage(message);
        if (flush)
            s->flush();
    }
}

// One of --threads K: its sockets live, and are written, on its own thread. A QWebSocket
// cannot be moved there after its upgrade (its QTcpSocket stays behind), so the accepted
// descriptor is, and the upgrade happens on the shard's thread.
struct Shard
{
    QThread thread;
    QObject context; // lives on `thread`: queued calls to it run there
    std::unique_ptr<QWebSocketServer> upgrader;
    std::vector<std::unique_ptr<QWebSocket>> held;
};

class ShardingListener : public QTcpServer
{
public:
    ShardingListener(int threads, bool flush) : m_flush(flush)
    {
        for (int i = 0; i < threads; ++i) {
            m_shards.push_back(std::make_unique<Shard>());
            Shard *shard = m_shards.back().get();
            shard->context.moveToThread(&shard->thread);
            shard->thread.start();
            QMetaObject::invokeMethod(&shard->context, [this, shard] {
                shard->upgrader = std::make_unique<QWebSocketServer>(QStringLiteral("floor"),
                                                                     QWebSocketServer::NonSecureMode);
                QObject::connect(shard->upgrader.get(), &QWebSocketServer::newConnection, [this, shard] {
                    while (shard->upgrader->hasPendingConnections()) {
                        shard->held.emplace_back(shard->upgrader->nextPendingConnection());
                        QObject::connect(shard->held.back().get(), &QWebSocket::textMessageReceived,
                                         [this](const QString &m) { broadcast(m); });
                    }
                });
            }, Qt::BlockingQueuedConnection);
        }
    }
    ~ShardingListener() override
    {
        for (auto &shard : m_shards) {
            QMetaObject::invokeMethod(&shard->context, [s = shard.get()] {
                s->held.clear();
                s->upgrader.reset();
            }, Qt::BlockingQueuedConnection);
            shard->thread.quit();
            shard->thread.wait();
        }
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        Shard *shard = m_shards[m_next++ % m_shards.size()].get();
        QMetaObject::invokeMethod(&shard->context, [shard, descriptor] {
            auto *socket = new QTcpSocket;
            socket->setSocketDescriptor(descriptor);
            shard->upgrader->handleConnection(socket);
        });
    }

private:
    void broadcast(const QString &message)
    {
        for (auto &shard : m_shards)
            QMetaObject::invokeMethod(&shard->context, [this, s = shard.get(), message] {
                sendToAll(s->held, message, m_flush);
            });
    }

    std::vector<std::unique_ptr<Shard>> m_shards;
    std::size_t m_next = 0;
    bool m_flush;
};
} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1"); // as kyozo-server
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool reply = args.contains(QStringLiteral("--reply"));
    const bool fanout = args.contains(QStringLiteral("--fanout"));
    const bool flush = args.contains(QStringLiteral("--flush"));
    const qsizetype threadsAt = args.indexOf(QStringLiteral("--threads"));
    if (threadsAt > 0) {
        const int threads = threadsAt + 1 < args.size() ? args.at(threadsAt + 1).toInt() : 0;
        if (threads < 1 || !fanout) {
            std::fprintf(stderr, "floor-server: --threads K needs K >= 1 and --fanout\n");
            return 2;
        }
        ShardingListener listener(threads, flush);
        if (!listener.listen(QHostAddress::LocalHost, 0))
            return 1;
        std::printf("listening on http://127.0.0.1:%u\n", unsigned(listener.serverPort()));
        std::fflush(stdout);
        return app.exec();
    }

    QWebSocketServer server(QStringLiteral("floor"), QWebSocketServer::NonSecureMode);
    std::vector<std::unique_ptr<QWebSocket>> held;
    QObject::connect(&server, &QWebSocketServer::newConnection, [&] {
        while (server.hasPendingConnections()) {
            held.emplace_back(server.nextPendingConnection());
            if (reply)
                held.back()->sendTextMessage(QStringLiteral(R"(["1","1","t","phx_reply",{"status":"ok","response":{}}])"));
            if (fanout)
                QObject::connect(held.back().get(), &QWebSocket::textMessageReceived,
                                 [&held, flush](const QString &m) { sendToAll(held, m, flush); });
        }
    });
    if (args.contains(QStringLiteral("--http"))) {
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
