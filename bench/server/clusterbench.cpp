// Several kyozo-server processes on one PostgreSQL database (issue 21 item 1, benchmark):
//
//   cluster-bench [--sockets N] [--rounds R]
//
// Starts a PostgreSQL of its own (initdb + pg_ctl on loopback, as the tests do) and, for 1, 2
// and 3 processes on one database, N WebSocket clients spread round-robin over them, all
// joined to one notebook's topic. One more client, on the first process, sends R cursor moves
// 20 ms apart; each arrives as a `cursor` broadcast at every other client: on the sender's
// process straight from memory, on the others through pg_notify and LISTEN. Prints the
// broadcast latency (send to receipt, p50 and p99) for the clients on the sender's process and
// for those on the others, and the sockets each process holds. Then the NOTIFY throughput of
// the database alone: one connection sends 200-byte payloads in transactions of 100 while
// another LISTENs, and messages per second is the count over the time the last one took to
// arrive. Every figure of one run is measured on the same machine in the same minute; compare
// the remote latency with the local one, not with another run's.
#include "postgresserver.h"
#include "temporaryserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

using namespace KyozoTest;

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool spin(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

QString postJson(const QUrl &url, const QString &token, const QJsonObject &body)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    std::unique_ptr<QNetworkReply> reply(nam.post(request, QJsonDocument(body).toJson()));
    spin([&] { return reply->isFinished(); }, 10000);
    return QJsonDocument::fromJson(reply->readAll()).object().value("id").toString();
}

// One joined client; `cursor` frames' arrival times go to `arrivals` by round.
struct Client
{
    QWebSocket socket;
    bool joined = false;
    int process = 0;
    std::vector<qint64> arrivals; // ns, by round; 0 until it arrives
};

struct Figures
{
    int processes = 0;
    int sockets = 0;
    std::vector<double> local, remote; // ms
    int missing = 0;
};

Figures runBroadcast(PostgresServer &postgres, int processes, int sockets, int rounds)
{
    Figures f;
    f.processes = processes;
    QString error;
    const QString url = postgres.createDatabase(&error);
    std::vector<std::unique_ptr<TemporaryServer>> servers;
    const QString config = QStringLiteral("[limits]\nmax_sockets_per_user = 1000000\n"
                                          "max_connections_per_address = 1000000\n"
                                          "messages_per_second = 100000\nmessage_burst = 100000\n");
    for (int i = 0; i < processes; ++i) {
        servers.push_back(std::make_unique<TemporaryServer>(url));
        if (!servers.back()->start(config, &error)) {
            std::fprintf(stderr, "cannot start kyozo-server: %s\n", qPrintable(error));
            std::exit(1);
        }
    }
    const QString token = servers.front()->userWithToken("bench", "bench", "owner");
    const QString notebook
        = postJson(servers.front()->url("/api/v1/workspaces/bench/notebooks"), token,
                   QJsonObject { { "title", "b" }, { "content", "x\n" } });
    const QString topic = QStringLiteral("execution:notebook:") + notebook;
    const QString joinFrame = QString::fromUtf8(
        QJsonDocument(QJsonArray { "1", "1", topic, "phx_join", QJsonObject {} })
            .toJson(QJsonDocument::Compact));

    std::vector<std::unique_ptr<Client>> clients;
    const int all = sockets + 1; // the last one sends
    for (int i = 0; i < all; ++i) {
        auto c = std::make_unique<Client>();
        c->process = i == sockets ? 0 : i % processes;
        c->arrivals.assign(size_t(rounds), 0);
        Client *raw = c.get();
        QObject::connect(&c->socket, &QWebSocket::connected, &c->socket,
                         [raw, joinFrame] { raw->socket.sendTextMessage(joinFrame); });
        QObject::connect(
            &c->socket, &QWebSocket::textMessageReceived, &c->socket, [raw](const QString &text) {
                if (!raw->joined && text.contains(QLatin1String("phx_reply"))) {
                    raw->joined = true;
                    return;
                }
                if (!text.contains(QLatin1String("\"cursor\"")))
                    return;
                const qint64 at = nowNs();
                const QJsonArray frame = QJsonDocument::fromJson(text.toUtf8()).array();
                const int round
                    = frame[4].toObject().value("position").toObject().value("column").toInt(-1);
                if (round >= 0 && round < int(raw->arrivals.size()))
                    raw->arrivals[size_t(round)] = at;
            });
        c->socket.open(servers[size_t(c->process)]->socketUrl(token));
        clients.push_back(std::move(c));
        if (i % 200 == 199) // not all at once: the listen backlog
            spin(
                [&] {
                    return std::all_of(clients.begin(), clients.end(),
                                       [](const auto &c) { return c->joined; });
                },
                30000);
    }
    spin(
        [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](const auto &c) { return c->joined; });
        },
        60000);
    for (const auto &c : clients)
        f.sockets += c->joined ? 1 : 0;
    spin([] { return false; }, 1000); // presence diffs settle

    Client &sender = *clients.back();
    std::vector<qint64> sent(size_t(rounds), 0);
    for (int r = 0; r < rounds; ++r) {
        const QString move = QString::fromUtf8(
            QJsonDocument(
                QJsonArray { "1", QString::number(r + 2), topic, "cursor_move",
                             QJsonObject {
                                 { "position", QJsonObject { { "line", 1 }, { "column", r } } } } })
                .toJson(QJsonDocument::Compact));
        sent[size_t(r)] = nowNs();
        sender.socket.sendTextMessage(move);
        spin([] { return false; }, 20);
    }
    spin(
        [&] {
            for (size_t i = 0; i + 1 < clients.size(); ++i)
                if (clients[i]->arrivals.back() == 0)
                    return false;
            return true;
        },
        10000);
    for (size_t i = 0; i + 1 < clients.size(); ++i)
        for (int r = 0; r < rounds; ++r) {
            const qint64 at = clients[i]->arrivals[size_t(r)];
            if (at == 0) {
                ++f.missing;
                continue;
            }
            (clients[i]->process == 0 ? f.local : f.remote)
                .push_back(double(at - sent[size_t(r)]) / 1e6);
        }
    for (auto &c : clients)
        c->socket.abort();
    clients.clear();
    for (auto &s : servers)
        s->stop();
    return f;
}

// pg_notify throughput of the database alone, sender and listener on their own connections.
double notifyRate(PostgresServer &postgres, int messages)
{
    QString error;
    const QUrl url(postgres.createDatabase(&error));
    const auto connect = [&](const QString &name) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        if (!db.open()) {
            std::fprintf(stderr, "cannot connect: %s\n", qPrintable(db.lastError().text()));
            std::exit(1);
        }
        return db;
    };
    QSqlDatabase listener = connect(QStringLiteral("listen"));
    QSqlDatabase sender = connect(QStringLiteral("send"));
    int received = 0;
    qint64 last = 0;
    listener.driver()->subscribeToNotification(QStringLiteral("bench"));
    QObject::connect(listener.driver(),
                     qOverload<const QString &, QSqlDriver::NotificationSource, const QVariant &>(
                         &QSqlDriver::notification),
                     [&](const QString &, QSqlDriver::NotificationSource, const QVariant &) {
                         ++received;
                         last = nowNs();
                     });
    const QString payload(200, QLatin1Char('x'));
    QSqlQuery q(sender);
    q.exec(QStringLiteral("SET synchronous_commit = off"));
    const qint64 start = nowNs();
    constexpr int kPerTransaction = 100;
    for (int sentCount = 0; sentCount < messages; sentCount += kPerTransaction) {
        sender.transaction();
        // Distinct payloads: PostgreSQL folds equal ones of one transaction into one.
        q.prepare(
            QStringLiteral("SELECT pg_notify('bench', ? || g::text) FROM generate_series(1, ?) g"));
        q.addBindValue(payload);
        q.addBindValue(kPerTransaction);
        q.exec();
        sender.commit();
        QCoreApplication::processEvents();
    }
    spin([&] { return received >= messages; }, 30000);
    return received / (double(std::max<qint64>(1, last - start)) / 1e9);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int sockets = 3000;
    int rounds = 50;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--sockets"))
            sockets = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--rounds"))
            rounds = args[i + 1].toInt();
    }
    PostgresServer postgres;
    QString error;
    if (!postgres.start(&error)) {
        std::fprintf(stderr, "cluster-bench needs PostgreSQL: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("cluster-bench: %d sockets on one notebook topic, %d cursor broadcasts\n", sockets,
                rounds);
    std::printf("%-10s %8s %14s %14s %14s %14s %8s\n", "processes", "sockets", "local p50 ms",
                "local p99 ms", "remote p50 ms", "remote p99 ms", "missing");
    for (int processes = 1; processes <= 3; ++processes) {
        const Figures f = runBroadcast(postgres, processes, sockets, rounds);
        std::printf("%-10d %8d %14.2f %14.2f %14.2f %14.2f %8d\n", f.processes, f.sockets,
                    percentile(f.local, 0.5), percentile(f.local, 0.99), percentile(f.remote, 0.5),
                    percentile(f.remote, 0.99), f.missing);
        std::fflush(stdout);
    }
    std::printf("NOTIFY throughput (200-byte payloads, 100 per transaction): %.0f messages/s\n",
                notifyRate(postgres, 100000));
    return 0;
}
