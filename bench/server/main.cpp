// bench/server (issue 4): N sockets (default 1k, 5k, 10k) each join one workspace topic of a
// real kyozo-server on loopback. Prints the server's RSS per idle socket against a bare
// QWebSocketServer holding the same sockets (the floor), the join rate, and the fan-out
// latency p50/p99 of a broadcast (a relayed cursor) to all N. Bounded in count and time.
// The memory figures hold Qt clients (QWebSocket); the join rate and the fan-out come from
// fanout-client, one epoll loop, so that a slow client cannot be what is measured. The
// fan-out is also measured against floor-server (Qt) and epoll-floor (no Qt), which only
// echo every frame to every socket.
//
//   build/bench/bin/server-bench [--connect-only | --memory-only] [--http-floor] [N…]
#include "fdlimit.h"
#include "processrss.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

const QString kTopic = QStringLiteral("execution:workspace:bench");
constexpr int kWave = 200;          // handshakes in flight at once (listen backlog)
constexpr qint64 kRunLimitMs = 600000;

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool spinUntil(const std::function<bool()> &done, qint64 limitMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > limitMs)
            return false;
        spin(2);
    }
    return true;
}

quint16 startAndWait(QProcess &p, const QString &program, const QStringList &args)
{
    p.start(program, args);
    static const QRegularExpression ready(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
    QByteArray out;
    for (int i = 0; i < 100 && p.state() != QProcess::NotRunning; ++i) {
        p.waitForReadyRead(100);
        out += p.readAllStandardOutput();
        const auto m = ready.match(QString::fromUtf8(out));
        if (m.hasMatch())
            return quint16(m.captured(1).toUInt());
    }
    return 0;
}

struct Client
{
    std::unique_ptr<QWebSocket> socket;
    bool joined = false;
    bool drained = false; // the reply to a heartbeat sent after joining has arrived
};

// Opens n sockets in waves; `joinTopic` sends phx_join on open.
void openAll(std::vector<Client> &clients, int n, const QString &url, bool joinTopic, int *opened, int *joined)
{
    clients.resize(size_t(n));
    QElapsedTimer clock;
    clock.start();
    int next = 0;
    while (*opened < n || (joinTopic && *joined < n)) {
        while (next < n && next - *opened < kWave) {
            Client &c = clients[size_t(next)];
            c.socket = std::make_unique<QWebSocket>();
            QWebSocket *s = c.socket.get();
            QObject::connect(s, &QWebSocket::connected, s, [s, opened, joinTopic, next] {
                ++*opened;
                if (joinTopic)
                    s->sendTextMessage(QStringLiteral(R"(["%1","%1","%2","phx_join",{}])").arg(next).arg(kTopic));
            });
            QObject::connect(s, &QWebSocket::textMessageReceived, s, [&c, joined](const QString &m) {
                if (!c.joined && m.contains(QLatin1String("\"phx_reply\""))) {
                    c.joined = true;
                    ++*joined;
                } else if (m.contains(QLatin1String("\"drain\""))) {
                    c.drained = true;
                }
            });
            s->open(QUrl(url));
            ++next;
        }
        spin(1);
        if (clock.elapsed() > kRunLimitMs)
            break;
    }
}

// The fan-out figures come from fanout-client (Boost.Beast on one epoll loop): N sockets
// of its own, then five broadcasts to all of them.
// CPU ms are per broadcast (the server's, all threads and the kernel's work for it): what a
// single-threaded server must spend before its last copy is out. Wait is the time its main
// thread was ready but not on a core; steal what the hypervisor took from both cores.
struct Fanout
{
    double joinsPerSecond = -1, p50 = -1, p99 = -1, lastMs = -1, serverCpuMs = -1, clientCpuMs = -1, serverWaitMs = -1,
           stealMs = -1;
};

Fanout runFanoutClient(const QString &program, qint64 serverPid, quint16 port, const QString &target, int n,
                       const QString &joinTopic)
{
    QProcess client;
    QStringList args{ QStringLiteral("127.0.0.1"), QString::number(port), target, QString::number(n),
                      QStringLiteral("--server-pid"), QString::number(serverPid) };
    if (!joinTopic.isEmpty())
        args << QStringLiteral("--join") << joinTopic;
    client.start(program, args);
    client.waitForFinished(int(kRunLimitMs));
    const QString out = QString::fromUtf8(client.readAllStandardOutput());
    static const QRegularExpression figures(
            QStringLiteral("joins_per_s (\\S+) p50_ms (\\S+) p99_ms (\\S+) rounds 5 last_ms (\\S+) server_cpu_ms (\\S+) client_cpu_ms (\\S+)"
                           " server_wait_ms (\\S+) steal_ms (\\S+)"));
    const auto m = figures.match(out);
    if (!m.hasMatch()) {
        std::fprintf(stderr, "fanout-client: %s%s\n", qPrintable(out), client.readAllStandardError().constData());
        return {};
    }
    return { m.captured(1).toDouble(), m.captured(2).toDouble(), m.captured(3).toDouble(),
             m.captured(4).toDouble(), m.captured(5).toDouble(), m.captured(6).toDouble(), m.captured(7).toDouble(),
             m.captured(8).toDouble() };
}

} // namespace

int main(int argc, char *argv[])
{
    // kyozo-server runs Qt's own event dispatcher rather than GLib's (server/main.cpp); the
    // client and the floor do the same (inherited by the floor), so that all three wait on
    // their sockets the same way and the floor stays a floor.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    // Room for 2 x 10k sockets plus the server's (children inherit the limit).
    const rlim_t fdLimit = raiseFdLimit();
    QList<int> sizes;
    // --connect-only: kyozo-server's sockets stay unjoined, to tell the cost of a connection
    // (HTTP upgrade, socket session) from the cost of channels and presence.
    bool connectOnly = false;
    // --http-floor: the floor's sockets come through a bare QAbstractHttpServer's upgrade.
    bool httpFloor = false;
    // --memory-only: the RSS figures alone, without the fan-outs (a minute at 10,000, not five).
    bool memoryOnly = false;
    for (const QString &a : app.arguments().mid(1)) {
        if (a == QLatin1String("--connect-only"))
            connectOnly = true;
        else if (a == QLatin1String("--memory-only"))
            memoryOnly = true;
        else if (a == QLatin1String("--http-floor"))
            httpFloor = true;
        else
            sizes.append(a.toInt());
    }
    if (sizes.isEmpty())
        sizes = { 1000, 5000, 10000 };
    const QString bin = QStringLiteral(KYOZO_BIN_DIR);
    const QString benchBin = QCoreApplication::applicationDirPath();
    std::printf("fd limit %llu; sockets opened %d at a time; loopback only\n",
                (unsigned long long)fdLimit, kWave);
    // Fan-out columns: latency p50 and p99 in ms, and the server's CPU ms per broadcast. For
    // kyozo's fan-out also, per broadcast: the time to the last copy, the client's CPU ms, how
    // long the server waited for a core, and the time the hypervisor took from both cores.
    std::printf("%7s | %11s %11s %11s %6s | %8s | %20s | %20s | %20s | %48s\n", "N", "floor", "floor+reply",
                "kyozo", "ratio", "joins/s", "floor fan-out", "floor --flush", "epoll-floor", "kyozo fan-out");
    std::printf("%7s | %11s %11s %11s %6s | %8s | %6s %6s %6s | %6s %6s %6s | %6s %6s %6s | %6s %6s %6s %6s %6s %6s %6s\n",
                "", "KiB/socket", "KiB/socket", "KiB/socket", "k/floor", "", "p50", "p99", "CPU", "p50", "p99", "CPU",
                "p50", "p99", "CPU", "p50", "p99", "last", "CPU", "client", "wait", "steal");

    for (int n : sizes) {
        // The floor: a bare QWebSocketServer holding the sockets (and, second, writing one reply).
        auto floorPerSocket = [&](const QStringList &args) {
            QProcess floor;
            const quint16 floorPort = startAndWait(floor, benchBin + QStringLiteral("/floor-server"), args);
            const long floorBase = processRssKiB(floor.processId());
            std::vector<Client> floorClients;
            int fOpened = 0, fJoined = 0;
            openAll(floorClients, n, QStringLiteral("ws://127.0.0.1:%1/").arg(floorPort), false, &fOpened, &fJoined);
            spin(1000);
            const double per = double(processRssKiB(floor.processId()) - floorBase) / double(std::max(1, fOpened));
            floorClients.clear();
            floor.kill();
            floor.waitForFinished();
            return per;
        };
        const QStringList http = httpFloor ? QStringList{ QStringLiteral("--http") } : QStringList{};
        const double floorPer = floorPerSocket(http);
        const double floorReplyPer = floorPerSocket(http + QStringList{ QStringLiteral("--reply") });
        // Fan-out against the floor as it is, then with every frame handed to the kernel as it
        // is written (as kyozo-server does): the least a broadcast through Qt's stack costs.
        // Then without Qt (epoll-floor: Boost.Beast, one epoll loop): what the kernel and the
        // machine cost.
        auto floorFanoutWith = [&](const QString &program, const QStringList &args) {
            QProcess floor;
            const quint16 floorPort = startAndWait(floor, benchBin + program, args);
            const Fanout f = runFanoutClient(benchBin + QStringLiteral("/fanout-client"), floor.processId(),
                                             floorPort, QStringLiteral("/"), n, {});
            floor.kill();
            floor.waitForFinished();
            return f;
        };
        const QString qtFloor = QStringLiteral("/floor-server");
        const bool fanout = !memoryOnly && !connectOnly;
        const Fanout floorFanout = fanout ? floorFanoutWith(qtFloor, { QStringLiteral("--fanout") }) : Fanout{};
        const Fanout flushFanout =
                fanout ? floorFanoutWith(qtFloor, { QStringLiteral("--fanout"), QStringLiteral("--flush") }) : Fanout{};
        const Fanout epollFanout = fanout ? floorFanoutWith(QStringLiteral("/epoll-floor"), {}) : Fanout{};

        // kyozo-server, same sockets, each joining the workspace topic.
        QTemporaryDir dir;
        const QString db = QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("bench.sqlite"));
        QProcess admin;
        admin.start(bin + QStringLiteral("/kyozo-server"), { "--database", db, "user", "add", "bench", "--workspace", "bench", "--role", "owner" });
        admin.waitForFinished();
        admin.start(bin + QStringLiteral("/kyozo-server"), { "--database", db, "token", "create", "bench" });
        admin.waitForFinished();
        const QString token = QString::fromUtf8(admin.readAllStandardOutput()).trimmed();
        QFile config(dir.filePath(QStringLiteral("bench.toml")));
        config.open(QIODevice::WriteOnly);
        // Every socket is one user's from one address: the per-user and per-address caps
        // (64 and 256 as shipped) would close all but the first ones.
        config.write("[limits]\nheartbeat_timeout_ms = 600000\nmax_sockets_per_user = 1000000\n"
                     "max_connections_per_address = 1000000\n");
        config.close();
        QProcess server;
        server.setStandardErrorFile(QProcess::nullDevice());
        const quint16 port = startAndWait(server, bin + QStringLiteral("/kyozo-server"),
                                          { "--listen", "127.0.0.1:0", "--database", db, "--config", config.fileName() });
        spin(200);
        const long base = processRssKiB(server.processId());
        std::vector<Client> clients;
        int opened = 0, joined = 0;
        const QString url = QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&token=%2").arg(port).arg(token);
        if (connectOnly) {
            openAll(clients, n, url, false, &opened, &joined);
            spin(3000); // past the server's idle heap trim
            std::printf("%7d | %11.1f %11.1f %11.1f %6.2f | connected, not joined\n", n, floorPer, floorReplyPer,
                        double(processRssKiB(server.processId()) - base) / double(std::max(1, opened)),
                        double(processRssKiB(server.processId()) - base) / double(std::max(1, opened)) / floorPer);
            continue;
        }
        openAll(clients, n, url, true, &opened, &joined);
        // Idle means nothing queued: frames are ordered, so once every socket has the reply to
        // a heartbeat sent now, everything sent before it was delivered. Then the server's
        // idle heap trim (1 s after the last burst) runs before RSS is read.
        spin(200);
        for (Client &c : clients)
            if (c.joined)
                c.socket->sendTextMessage(QStringLiteral(R"([null,"drain","phoenix","heartbeat",{}])"));
        spinUntil([&] { return std::all_of(clients.begin(), clients.end(), [](const Client &c) { return !c.joined || c.drained; }); },
                  kRunLimitMs);
        spin(2000);
        const double kyozoPer = double(processRssKiB(server.processId()) - base) / double(std::max(1, joined));

        // Stop the server before the clients go: N sockets leaving one by one would make it
        // send O(N^2) presence leaves to the ones still closing.
        server.terminate();
        server.waitForFinished(30000);
        clients.clear();
        if (memoryOnly) {
            std::printf("%7d | %11.1f %11.1f %11.1f %6.2f | joined; no fan-out (--memory-only)\n", n, floorPer,
                        floorReplyPer, kyozoPer, kyozoPer / floorPer);
            std::fflush(stdout);
            continue;
        }

        // Join rate and fan-out: a fresh server and the lean client's N sockets joining the
        // topic; one more moves its cursor and all N receive the relay.
        const quint16 fanoutPort = startAndWait(server, bin + QStringLiteral("/kyozo-server"),
                                                { "--listen", "127.0.0.1:0", "--database", db, "--config", config.fileName() });
        const Fanout kyozoFanout = runFanoutClient(
                benchBin + QStringLiteral("/fanout-client"), server.processId(), fanoutPort,
                QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(token), n, kTopic);
        server.terminate();
        server.waitForFinished(30000);
        std::printf("%7d | %11.1f %11.1f %11.1f %6.2f | %8.0f | %6.1f %6.1f %6.1f | %6.1f %6.1f %6.1f | %6.1f %6.1f %6.1f"
                    " | %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f%s\n",
                    n, floorPer, floorReplyPer, kyozoPer, kyozoPer / floorPer, kyozoFanout.joinsPerSecond,
                    floorFanout.p50, floorFanout.p99, floorFanout.serverCpuMs, flushFanout.p50, flushFanout.p99,
                    flushFanout.serverCpuMs, epollFanout.p50, epollFanout.p99, epollFanout.serverCpuMs,
                    kyozoFanout.p50, kyozoFanout.p99, kyozoFanout.lastMs, kyozoFanout.serverCpuMs,
                    kyozoFanout.clientCpuMs, kyozoFanout.serverWaitMs, kyozoFanout.stealMs,
                    joined < n ? qPrintable(QStringLiteral("  (only %1 joined within the time limit)").arg(joined)) : "");
        std::fflush(stdout);
    }
    return 0;
}
