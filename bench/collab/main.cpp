// bench/collab (issue 15, Benchmark): co-editing through a real kyozo-server over loopback.
//   collab-bench [--keystrokes N] [--authors 50,100,200,500] [--seconds S] [--batch 0,1]
// 1. The automerge-paper trace (tests/data/editing-traces) replayed by one client, one
//    keystroke per operation, each acknowledged before the next: operations per second, ack
//    round trip p50/p99, the server's RSS at the end.
// 2. K authors on one notebook, each typing 5 characters a second at its own place for S
//    seconds: push -> ack p50/p95/p99, push -> another author has it (broadcast) p50/p95/p99,
//    frames per second the server sent, the server's CPU. --batch 1: the authors join with
//    {"batch": true} and get `ops` runs (docs/server.md "Co-editing"); 0,1 runs each K both
//    ways, one after the other.
// Clients run in this process (one Qt event loop), so they share the 2 cores with the server;
// this process's own CPU is printed too. Figures only; never part of ctest.
#include "coeditpeer.h"
#include "editingtrace.h"
#include "processrss.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using namespace KyozoTest;
using Kyozo::Collab::TextOperation;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5))];
}

// utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15).
double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong())
        / double(sysconf(_SC_CLK_TCK));
}

// Seconds the process's main thread waited on a run queue for a CPU it wanted
// (/proc/PID/schedstat, second field, ns; Documentation/scheduler/sched-stats.rst): on a
// machine shared with other work, the part of a latency that is not ours.
double runQueueSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/schedstat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = stat.readAll().trimmed().split(' ');
    return fields.size() < 2 ? -1 : double(fields.at(1).toLongLong()) / 1e9;
}

const char *kConfig = "[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n"
                      "max_connections_per_address = 2000\nmax_sockets_per_user = 64\n";

QString createNotebook(TemporaryServer &server, const QString &token, const QString &content)
{
    const RestResponse r = restRequest(
        "POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
        QJsonDocument(QJsonObject { { "title", "bench" }, { "content", content } }).toJson());
    return r.json.value("id").toString();
}

void traceReplay(qsizetype keystrokes)
{
    QString error;
    const auto trace
        = readEditingTrace(sourcePath("tests/data/editing-traces/automerge-paper.json.gz"), &error);
    if (!trace) {
        std::printf("trace: %s\n", qPrintable(error));
        return;
    }
    TemporaryServer server;
    if (!server.start(QString::fromLatin1(kConfig), &error)) {
        std::printf("server: %s\n", qPrintable(error));
        return;
    }
    const QString token = server.userWithToken("ada", "lab", "owner");
    const QString id = createNotebook(server, token, {});
    CoeditPeer peer(id, "author");
    peer.connectTo(server.socketUrl(token));
    waitForEvents([&] { return peer.hasJoined(); }, 10000);
    const qint64 pid = server.process().processId();
    const double cpu0 = cpuSeconds(pid);
    QElapsedTimer timer;
    timer.start();
    QString text;
    const qsizetype n = std::min(keystrokes, trace->patches.size());
    for (qsizetype i = 0; i < n; ++i) {
        const EditingTrace::Patch &p = trace->patches.at(i);
        TextOperation op;
        op.retain(p.position)
            .insert(p.inserted)
            .remove(p.deleted)
            .retain(text.size() - p.position - p.deleted);
        text.replace(p.position, p.deleted, p.inserted);
        peer.edit(op);
        if (!waitForEvents([&] { return peer.isSettled() || !peer.error().isEmpty(); }, 10000)
            || !peer.error().isEmpty()) {
            std::printf("trace: stopped at keystroke %lld: %s\n", qint64(i),
                        qPrintable(peer.error()));
            return;
        }
    }
    const double seconds = double(timer.elapsed()) / 1000;
    const std::vector<double> acks(peer.ackLatencies().begin(), peer.ackLatencies().end());
    std::printf("trace replay (automerge-paper, one keystroke per op, each acked before the next): "
                "%lld ops in %.1f s = %.0f ops/s; ack p50 %.2f ms, p99 %.2f ms; server CPU %.1f s; "
                "server RSS %ld KiB; text %s endContent\n",
                qint64(n), seconds, double(n) / seconds, percentile(acks, 0.5),
                percentile(acks, 0.99), cpuSeconds(pid) - cpu0, processRssKiB(pid),
                n == trace->patches.size() ? (peer.text() == trace->endContent ? "==" : "!=")
                                           : "(partial, not compared with)");
    std::fflush(stdout);
}

void authors(int k, int seconds, bool batch)
{
    QString error;
    TemporaryServer server;
    if (!server.start(QString::fromLatin1(kConfig), &error)) {
        std::printf("server: %s\n", qPrintable(error));
        return;
    }
    QStringList tokens;
    for (int u = 0; u < (k + 49) / 50; ++u)
        tokens.append(server.userWithToken(QStringLiteral("author%1").arg(u), "lab", "editor"));
    const QString owner = server.userWithToken("ada", "lab", "owner");
    QString initial;
    for (int i = 0; i < k; ++i)
        initial += QStringLiteral("[author %1]\n").arg(i);
    const QString id = createNotebook(server, owner, initial);
    std::vector<std::unique_ptr<CoeditPeer>> peers;
    QHash<qint64, qint64> sentAt; // revision -> when its push was sent
    std::vector<std::pair<qint64, qint64>> received; // (revision, when another author had it)
    received.reserve(size_t(k) * 2000);
    for (int i = 0; i < k; ++i) {
        auto peer = std::make_unique<CoeditPeer>(id, QStringLiteral("a%1").arg(i));
        peer->setBatch(batch);
        peer->onAcknowledged = [&](qint64 revision, qint64 sent) { sentAt.insert(revision, sent); };
        peer->onRemoteOperation
            = [&](qint64 revision) { received.emplace_back(revision, CoeditPeer::clockNs()); };
        peer->connectTo(server.socketUrl(tokens.at(i / 50)));
        peers.push_back(std::move(peer));
    }
    if (!waitForEvents(
            [&] {
                return std::all_of(peers.begin(), peers.end(),
                                   [](const auto &p) { return p->isConnected(); });
            },
            60000)) {
        std::printf("%d authors%s: not all joined\n", k, batch ? " (batch)" : "");
        return;
    }
    received.clear();
    const auto framesIn = [&] {
        qint64 n = 0;
        for (const auto &p : peers)
            n += p->framesReceived();
        return n;
    };
    const qint64 frames0 = framesIn();
    // Each author types at 5 characters a second, at its own line (its "[author i]" line end).
    std::vector<std::unique_ptr<QTimer>> typists;
    QRandomGenerator random(k);
    for (int i = 0; i < k; ++i) {
        auto timer = std::make_unique<QTimer>();
        timer->setInterval(200);
        // Precise: Qt lines coarse timers of one interval up on the same wake-ups, which made
        // every author type in the same millisecond, 5 bursts of K pushes a second instead of
        // keystrokes spread over time (the random start below would be lost).
        timer->setTimerType(Qt::PreciseTimer);
        CoeditPeer *peer = peers[i].get();
        const QString tag = QStringLiteral("[author %1]").arg(i);
        QObject::connect(timer.get(), &QTimer::timeout, [peer, tag] {
            const QString &text = peer->text();
            const qsizetype line = text.indexOf(tag);
            const qsizetype at = line < 0 ? 0 : text.indexOf(QLatin1Char('\n'), line);
            TextOperation op;
            op.retain(at < 0 ? text.size() : at)
                .insert(QStringLiteral("x"))
                .retain(at < 0 ? 0 : text.size() - at);
            peer->edit(op);
        });
        QTimer::singleShot(random.bounded(200), timer.get(), [t = timer.get()] { t->start(); });
        typists.push_back(std::move(timer));
    }
    const qint64 pid = server.process().processId();
    const qint64 ownPid = QCoreApplication::applicationPid();
    const double serverCpu0 = cpuSeconds(pid), ownCpu0 = cpuSeconds(ownPid);
    const double serverWait0 = runQueueSeconds(pid), ownWait0 = runQueueSeconds(ownPid);
    QElapsedTimer wall;
    wall.start();
    waitForEvents([&] { return wall.elapsed() >= seconds * 1000; }, seconds * 1000 + 1000);
    typists.clear();
    const double elapsed = double(wall.elapsed()) / 1000;
    const double serverCpu = cpuSeconds(pid) - serverCpu0;
    const double ownCpu = cpuSeconds(ownPid) - ownCpu0;
    const double serverWait = runQueueSeconds(pid) - serverWait0;
    const double ownWait = runQueueSeconds(ownPid) - ownWait0;
    const qint64 frames = framesIn() - frames0;
    // Settled: every author synchronized and every broadcast in (one text everywhere).
    waitForEvents(
        [&] {
            return std::all_of(peers.begin(), peers.end(), [&](const auto &p) {
                return p->isSettled() && p->text() == peers.front()->text();
            });
        },
        30000);
    std::vector<double> acks, broadcasts;
    int edits = 0;
    for (const auto &p : peers) {
        acks.insert(acks.end(), p->ackLatencies().begin(), p->ackLatencies().end());
        edits += p->editCount();
    }
    for (const auto &[revision, when] : received) {
        if (const auto it = sentAt.constFind(revision); it != sentAt.cend())
            broadcasts.push_back(double(when - *it) / 1e6);
    }
    bool same = true;
    int unsettled = 0;
    QString firstError;
    for (const auto &p : peers) {
        same = same && p->text() == peers.front()->text();
        unsettled += p->isSettled() ? 0 : 1;
        if (firstError.isEmpty())
            firstError = p->error();
    }
    if (unsettled || !firstError.isEmpty())
        std::printf("  %d authors not settled; first error: %s\n", unsettled,
                    qPrintable(firstError));
    std::printf(
        "%d authors%s, %.0f s: %d keystrokes, %lld revisions; push->ack p50 %.1f / p95 %.1f / p99 "
        "%.1f ms; "
        "broadcast p50 %.1f / p95 %.1f / p99 %.1f ms; %.0f frames/s to the clients; "
        "server CPU %.0f%% of one core, this client process %.0f%%; waiting for a CPU: server "
        "%.0f%%, clients %.0f%% of the time; server RSS %ld KiB; %s\n",
        k, batch ? " (batch)" : "", elapsed, edits, qint64(sentAt.size()), percentile(acks, 0.5),
        percentile(acks, 0.95), percentile(acks, 0.99), percentile(broadcasts, 0.5),
        percentile(broadcasts, 0.95), percentile(broadcasts, 0.99), double(frames) / elapsed,
        100 * serverCpu / elapsed, 100 * ownCpu / elapsed, 100 * serverWait / elapsed,
        100 * ownWait / elapsed, processRssKiB(pid), same ? "all texts identical" : "TEXTS DIFFER");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qsizetype keystrokes = 259778;
    QList<int> counts { 50, 100, 200, 500 };
    int seconds = 60;
    QList<bool> modes { false };
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--keystrokes"))
            keystrokes = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--batch")) {
            modes.clear();
            for (const QString &b : args[i + 1].split(QLatin1Char(','), Qt::SkipEmptyParts))
                modes.append(b == QLatin1String("1"));
        } else if (args[i] == QLatin1String("--authors")) {
            counts.clear();
            for (const QString &n : args[i + 1].split(QLatin1Char(','), Qt::SkipEmptyParts))
                counts.append(n.toInt());
        }
    }
    if (keystrokes > 0)
        traceReplay(keystrokes);
    for (int k : counts)
        for (bool batch : modes)
            authors(k, seconds, batch);
    return 0;
}
