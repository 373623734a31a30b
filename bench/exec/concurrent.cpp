// bench/exec, concurrent runs (issue 17 "Benchmark": "50 concurrent runs under limits (time
// to drain, heartbeat p99 meanwhile)"): a real kyozo-server with room for N runs at once;
// one socket submits N `execute`s of a CPU-bound cell (each about a second of CPU) and waits
// for every ending, while another socket sends a Phoenix heartbeat every 20 ms and times its
// reply. The floor, measured in the same run: the same heartbeats with nothing running.
// Prints figures; never part of ctest's pass/fail.
#include "channelclient.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace KyozoTest;

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

// Phoenix heartbeats on a socket of its own, one every `everyMs` once the last was answered,
// each reply timed as it arrives (signals, not polling: the waits elsewhere poll every 5 ms).
class Heartbeater : public QObject
{
public:
    explicit Heartbeater(const QUrl &url)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonArray f = QJsonDocument::fromJson(text.toUtf8()).array();
            if (f.size() == 5 && f[1].toString() == m_ref && m_inFlight) {
                m_rtts.push_back(double(m_clock.nsecsElapsed()) / 1e6);
                m_at.push_back(double(m_since.elapsed()) / 1000);
                m_inFlight = false;
            }
        });
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_inFlight || m_socket.state() != QAbstractSocket::ConnectedState)
                return;
            m_ref = QStringLiteral("hb") + QString::number(++m_count);
            m_inFlight = true;
            m_clock.start();
            m_socket.sendTextMessage(QString::fromUtf8(
                QJsonDocument(frame(QString(), m_ref, QStringLiteral("phoenix"),
                                    QStringLiteral("heartbeat")))
                    .toJson(QJsonDocument::Compact)));
        });
        m_socket.open(url);
    }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void start()
    {
        m_rtts.clear();
        m_at.clear();
        m_since.start();
        m_timer.start();
    }
    // When (s after start()) the slowest `n` replies came, and how slow they were.
    QString slowest(int n) const
    {
        std::vector<size_t> order(m_rtts.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m_rtts[a] > m_rtts[b]; });
        QStringList out;
        for (size_t i = 0; i < order.size() && int(i) < n; ++i)
            out.append(QStringLiteral("%1 ms at %2 s").arg(m_rtts[order[i]], 0, 'f', 1).arg(m_at[order[i]], 0, 'f', 2));
        return out.join(QStringLiteral(", "));
    }
    std::vector<double> stop()
    {
        m_timer.stop();
        return m_rtts;
    }

private:
    QWebSocket m_socket;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QString m_ref;
    int m_count = 0;
    bool m_inFlight = false;
    std::vector<double> m_rtts;
    std::vector<double> m_at;
    QElapsedTimer m_since;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int runs = 50;
    bool sandbox = true;
    int niceness = 10; // the server's default
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == u"--runs" && i + 1 < args.size())
            runs = args[++i].toInt();
        else if (args[i] == u"--no-bwrap")
            sandbox = false;
        else if (args[i] == u"--nice" && i + 1 < args.size())
            niceness = args[++i].toInt();
    }

    QTemporaryDir work;
    QFile::setPermissions(work.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                           | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
                                           | QFile::ExeOther);
    TemporaryServer server;
    QString error;
    const QString config = QStringLiteral("[limits]\nmax_queued_bytes = 67108864\n"
                                          "[execution]\nenabled = true\nworking_directory = \"%1\"\n"
                                          "max_runs_per_user = %2\nmax_runs_per_server = %2\n"
                                          "max_queued_per_user = %2\ncpu_seconds = 10\n"
                                          // RLIMIT_NPROC counts every process of the run's
                                          // user: 50 sandboxed runs hold ~150 at once.
                                          "processes = 1024\n"
                                          "wall_seconds = 120\n")
                               .arg(work.filePath("runs"))
                               .arg(runs);
    if (!server.start(config, &error)) {
        std::printf("server: %s\n", qPrintable(error));
        return 1;
    }
    const QString token = server.userWithToken("ada", "lab", "owner");
    // About a second of CPU in sh, printing one line at the end.
    const QString cell = QStringLiteral("```sh {#work}\ni=0; while [ $i -lt 400000 ]; do "
                                        "i=$((i+1)); done; echo done $i\n```\n");
    const RestResponse created = restRequest(
        "POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
        QJsonDocument(QJsonObject { { "title", "bench" }, { "content", cell } }).toJson());
    const QString notebook = created.json.value("id").toString();
    const QString topic = QStringLiteral("execution:notebook:") + notebook;

    ChannelClient runner;
    Heartbeater watcher(server.socketUrl(token));
    if (notebook.isEmpty() || !runner.open(server.socketUrl(token))
        || runner.join(topic, "1").isEmpty()
        || !spinUntil([&] { return watcher.connected(); }, 5000)) {
        std::printf("setup failed\n");
        return 1;
    }

    // The floor: heartbeats with nothing running.
    watcher.start();
    spinUntil([] { return false; }, 3000);
    const std::vector<double> idle = watcher.stop();

    // N runs at once.
    QSet<QString> pending;
    QElapsedTimer drain;
    drain.start();
    watcher.start();
    for (int i = 0; i < runs; ++i) {
        const QString ref = QString::number(100 + i);
        runner.send(frame("1", ref, topic, "execute", QJsonObject { { "cell_id", "work" } }));
        const QJsonArray reply = runner.waitForReply(ref, 10000);
        const QString id
            = reply[4].toObject().value("response").toObject().value("execution_id").toString();
        if (id.isEmpty()) {
            std::printf("execute %d refused: %s\n", i,
                        qPrintable(QJsonDocument(reply).toJson(QJsonDocument::Compact)));
            return 1;
        }
        pending.insert(id);
    }
    int completed = 0, other = 0;
    QStringList otherStatuses;
    const auto drained = [&] {
        for (const QJsonArray &f : runner.pending()) {
            const QJsonObject p = f[4].toObject();
            if (f[3].toString() == "execution_update" && p.value("final").toBool()
                && pending.remove(p.value("execution_id").toString()))
            {
                if (p.value("status").toString() == "completed") {
                    ++completed;
                } else {
                    ++other;
                    if (otherStatuses.size() < 3)
                        otherStatuses.append(p.value("status").toString() + ": "
                                             + p.value("message").toString());
                }
            }
        }
        // What was counted is dropped, so the scan stays short.
        while (!runner.waitFor([](const QJsonArray &) { return true; }, 0).isEmpty()) { }
        return pending.isEmpty();
    };
    spinUntil(drained, 110'000);
    const std::vector<double> busy = watcher.stop();
    const double drainSeconds = double(drain.elapsed()) / 1000;

    std::printf("%s, cells at nice %d: ", sandbox ? "bwrap" : "no sandbox", niceness);
    std::printf("%d concurrent runs of ~1 s of CPU (sh loop) on %d cores: drained in %.1f s "
                "(%d completed, %d other, %lld unfinished)\n",
                runs, QThread::idealThreadCount(), drainSeconds, completed, other,
                qint64(pending.size()));
    for (const QString &s : std::as_const(otherStatuses))
        std::printf("  not completed: %s\n", qPrintable(s));
    std::printf("heartbeat round trip, idle (floor): n=%zu p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                idle.size(), percentile(idle, 0.5), percentile(idle, 0.99),
                percentile(idle, 1.0));
    std::printf("heartbeat round trip, during the runs: n=%zu p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                "(target p99 <= 50 ms)\n",
                busy.size(), percentile(busy, 0.5), percentile(busy, 0.99), percentile(busy, 1.0));
    std::printf("slowest heartbeats during the runs: %s\n", qPrintable(watcher.slowest(8)));
    return 0;
}
