// Several kyozo-server processes on one PostgreSQL database (issue 21 item 1, "Proven by";
// docs/operator.md "Several processes"): three real processes on a real PostgreSQL 15 of
// the test's own, clients spread over them. Presence is the union of every process's,
// broadcasts cross, a process killed with SIGKILL leaves everyone's presence within
// process_timeout_ms, a revoked token's sockets close on every process within a second,
// and co-editing converges on one text with clients on different processes, through a
// SIGKILL and a SIGTERM of processes while they edit.
#include "channelclient.h"
#include "coeditpeer.h"
#include "postgresserver.h"
#include "protocol/presencestate.h"
#include "randomoperation.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

#include <csignal>

using namespace KyozoTest;
using Kyozo::Protocol::PresenceState;

namespace {

// Short, so that a dead process is noticed within the test's patience; docs/operator.md
// gives the shipped defaults (1000 and 5000).
constexpr int kHeartbeatMs = 100;
constexpr int kProcessTimeoutMs = 600;

const QString kConfig = QStringLiteral("[cluster]\nheartbeat_ms = %1\nprocess_timeout_ms = %2\n"
                                       "[limits]\nmessages_per_second = 5000\n"
                                       "message_burst = 10000\n")
                            .arg(kHeartbeatMs)
                            .arg(kProcessTimeoutMs);

// A client's view of a topic's presence, followed the way phoenix.js does (presence_state,
// then each presence_diff), until `done` holds or `timeoutMs` passes.
struct PresenceView
{
    QJsonObject state;
    bool follow(ChannelClient &c, const QString &topic,
                const std::function<bool(const QJsonObject &)> &done, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!done(state)) {
            if (t.elapsed() > timeoutMs)
                return false;
            const QJsonArray frame = c.waitFor(
                [&](const QJsonArray &f) {
                    return f[2].toString() == topic
                        && (f[3].toString() == QLatin1String("presence_state")
                            || f[3].toString() == QLatin1String("presence_diff"));
                },
                int(std::max<qint64>(1, timeoutMs - t.elapsed())));
            if (frame.isEmpty())
                return false;
            state = frame[3].toString() == QLatin1String("presence_state")
                ? frame[4].toObject()
                : PresenceState::applyDiff(state, frame[4].toObject());
        }
        return true;
    }
};

// The presence key (user id) of the user of that name.
QString idOf(const QJsonObject &state, const QString &name)
{
    for (auto it = state.begin(); it != state.end(); ++it)
        for (const QJsonValue &m : it.value().toObject().value("metas").toArray())
            if (m.toObject().value("name").toString() == name)
                return it.key();
    return {};
}

QStringList refsOf(const QJsonObject &state)
{
    QStringList refs;
    for (const QJsonValue &entry : state)
        for (const QJsonValue &m : entry.toObject().value("metas").toArray())
            refs.append(m.toObject().value("phx_ref").toString());
    return refs;
}

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

    PostgresServer m_postgres;
    QString m_postgresError;
    bool m_postgresUp = false;

    // Three processes on a fresh database, and users ada (owner), bob and cy (editors).
    struct Cluster
    {
        std::vector<std::unique_ptr<TemporaryServer>> servers;
        QString ada, bob, cy;
    };
    bool startCluster(Cluster &cluster, int processes, QString *error)
    {
        const QString url = m_postgres.createDatabase(error);
        if (url.isEmpty())
            return false;
        for (int i = 0; i < processes; ++i) {
            cluster.servers.push_back(std::make_unique<TemporaryServer>(url));
            if (!cluster.servers.back()->start(kConfig, error))
                return false;
        }
        TemporaryServer &first = *cluster.servers.front();
        cluster.ada = first.userWithToken("ada", "lab", "owner");
        cluster.bob = first.userWithToken("bob", "lab", "editor");
        cluster.cy = first.userWithToken("cy", "lab", "editor");
        return !cluster.ada.isEmpty() && !cluster.bob.isEmpty() && !cluster.cy.isEmpty();
    }

    static QString createNotebook(TemporaryServer &server, const QString &token,
                                  const QString &content)
    {
        const RestResponse created = restRequest(
            "POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
            QJsonDocument(QJsonObject { { "title", "t" }, { "content", content } }).toJson());
        return created.status == 201 ? created.json.value("id").toString() : QString();
    }

private slots:
    void initTestCase() { m_postgresUp = m_postgres.start(&m_postgresError); }

    void presenceAndBroadcastsCrossProcesses()
    {
        KYOZO_REQUIRE(m_postgresUp, m_postgresError);
        Cluster cluster;
        QString error;
        QVERIFY2(startCluster(cluster, 3, &error), qPrintable(error));
        const QString topic = QStringLiteral("execution:workspace:lab");
        const QStringList tokens { cluster.ada, cluster.bob, cluster.cy };
        std::vector<std::unique_ptr<ChannelClient>> clients;
        std::vector<PresenceView> views(3);
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<ChannelClient>());
            QVERIFY(clients.back()->open(cluster.servers[i]->socketUrl(tokens[i])));
            QCOMPARE(clients.back()->join(topic, "1")[4].toObject().value("status").toString(),
                     QStringLiteral("ok"));
        }
        // Everyone, on every process: three users, three metas, three distinct phx_refs.
        const auto everyone = [](const QJsonObject &state) {
            return state.size() == 3 && refsOf(state).size() == 3;
        };
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(
                views[i].follow(*clients[i], topic, everyone, 5000),
                qPrintable(QStringLiteral("client %1 sees %2")
                               .arg(i)
                               .arg(QString::fromUtf8(QJsonDocument(views[i].state).toJson()))));
            QStringList refs = refsOf(views[i].state);
            refs.removeDuplicates();
            QCOMPARE(refs.size(), 3);
        }

        // /metrics: each process counts the live ones and labels its samples with its name.
        QStringList labels;
        for (const auto &server : cluster.servers) {
            QTRY_COMPARE(server->metric("kyozo_cluster_processes"), 3);
            const RestResponse metrics = restRequest("GET", server->url("/metrics"), {});
            const QRegularExpressionMatch m
                = QRegularExpression(QStringLiteral("^kyozo_sockets\\{process=\"([^\"]+)\"\\} 1$"),
                                     QRegularExpression::MultilineOption)
                      .match(QString::fromUtf8(metrics.body));
            QVERIFY2(m.hasMatch(), metrics.body.constData());
            labels.append(m.captured(1));
        }
        labels.removeDuplicates();
        QCOMPARE(labels.size(), 3);

        // A broadcast from a client of process 1 reaches the clients of 2 and 3.
        const QString notebook = createNotebook(*cluster.servers[0], cluster.ada, "hello\n");
        QVERIFY(!notebook.isEmpty());
        const QString notebookTopic = QStringLiteral("execution:notebook:") + notebook;
        for (int i = 0; i < 3; ++i)
            QCOMPARE(clients[i]->join(notebookTopic, "2")[4].toObject().value("status").toString(),
                     QStringLiteral("ok"));
        const QJsonObject position { { "line", 1 }, { "column", 3 } };
        clients[0]->send(frame("2", "3", notebookTopic, "cursor_move",
                               QJsonObject { { "position", position } }));
        QCOMPARE(clients[0]->waitForReply("3")[4].toObject().value("status").toString(),
                 QStringLiteral("ok"));
        for (int i = 1; i < 3; ++i) {
            const QJsonArray cursor = clients[i]->waitForEvent(notebookTopic, "cursor");
            QVERIFY2(!cursor.isEmpty(), qPrintable(QStringLiteral("client %1").arg(i)));
            QCOMPARE(cursor[4].toObject().value("name").toString(), QStringLiteral("ada"));
            QCOMPARE(cursor[4].toObject().value("position").toObject(), position);
        }
        // A REST change made on process 3 reaches the workspace topic on process 1.
        QVERIFY(!createNotebook(*cluster.servers[2], cluster.cy, "second\n").isEmpty());
        const QJsonArray created = clients[0]->waitForEvent(topic, "notebook_created");
        QVERIFY(!created.isEmpty());

        // A leave crosses too: bob leaves on process 2, the others see it; a socket that
        // joins and leaves within one presence batch leaves nothing behind anywhere.
        clients[1]->send(frame("1", "9", topic, "phx_leave"));
        for (int i : { 0, 2 })
            QVERIFY2(views[i].follow(
                         *clients[i], topic,
                         [](const QJsonObject &state) { return state.size() == 2; }, 5000),
                     qPrintable(QString::fromUtf8(QJsonDocument(views[i].state).toJson())));
        ChannelClient blink;
        QVERIFY(blink.open(cluster.servers[1]->socketUrl(cluster.ada)));
        blink.send(frame("1", "1", topic, "phx_join"));
        blink.send(frame("1", "2", topic, "phx_leave"));
        QVERIFY(!blink.waitForReply("2").isEmpty());
        QTest::qWait(500); // a few presence batches
        ChannelClient probe;
        QVERIFY(probe.open(cluster.servers[0]->socketUrl(cluster.ada)));
        QVERIFY(!probe.join(topic, "1").isEmpty());
        const QJsonObject seen = probe.waitForEvent(topic, "presence_state")[4].toObject();
        QStringList expected { idOf(views[0].state, "ada"), idOf(views[0].state, "cy") };
        expected.sort(); // QJsonObject's keys are sorted
        QCOMPARE(seen.keys(), expected);
        QCOMPARE(refsOf(seen).size(), 3); // ada's first socket, cy's, and the probe

        // SIGKILL of process 3: cy leaves the others' presence within the timeout.
        QElapsedTimer killed;
        cluster.servers[2]->process().kill();
        killed.start();
        QVERIFY2(views[0].follow(
                     *clients[0], topic, [](const QJsonObject &state) { return state.size() == 1; },
                     kProcessTimeoutMs + 10 * kHeartbeatMs + 2000),
                 qPrintable(QString::fromUtf8(QJsonDocument(views[0].state).toJson())));
        qInfo("a killed process's presence left after %lld ms (process_timeout_ms %d)",
              qint64(killed.elapsed()), kProcessTimeoutMs);
        QVERIFY(killed.elapsed() >= kProcessTimeoutMs / 2); // by the timeout, not by a goodbye

        // A process that starts later gets everyone's presence in its first presence_state.
        TemporaryServer late(cluster.servers[0]->databaseUrl());
        QVERIFY2(late.start(kConfig, &error), qPrintable(error));
        ChannelClient lateClient;
        QVERIFY(lateClient.open(late.socketUrl(cluster.cy)));
        QVERIFY(!lateClient.join(topic, "1").isEmpty());
        PresenceView lateView; // ada's two sockets on process 1 and its own
        QVERIFY2(lateView.follow(
                     lateClient, topic,
                     [](const QJsonObject &state) {
                         return state.size() == 2 && refsOf(state).size() == 3;
                     },
                     5000),
                 qPrintable(QString::fromUtf8(QJsonDocument(lateView.state).toJson())));
    }

    // A process that stops normally says goodbye: its presences leave at once, not after
    // process_timeout_ms (long here). Seventy sockets' presences make diffs and syncs larger
    // than a NOTIFY payload, so they go by reference.
    void goodbyeAndLargeMessages()
    {
        KYOZO_REQUIRE(m_postgresUp, m_postgresError);
        QString error;
        const QString url = m_postgres.createDatabase(&error);
        QVERIFY2(!url.isEmpty(), qPrintable(error));
        const QString slow
            = QStringLiteral("[cluster]\nheartbeat_ms = 100\nprocess_timeout_ms = 30000\n");
        TemporaryServer first(url), second(url);
        QVERIFY2(first.start(slow, &error), qPrintable(error));
        QVERIFY2(second.start(slow, &error), qPrintable(error));
        const QString ada = first.userWithToken("ada", "lab", "owner");
        const QString bob = first.userWithToken("bob", "lab", "editor");
        const QString topic = QStringLiteral("execution:workspace:lab");
        ChannelClient watcher;
        QVERIFY(watcher.open(first.socketUrl(ada)));
        QVERIFY(!watcher.join(topic, "1").isEmpty());
        PresenceView view;
        constexpr int kSockets = 70;
        std::vector<std::unique_ptr<ChannelClient>> crowd;
        for (int i = 0; i < kSockets; ++i) {
            crowd.push_back(std::make_unique<ChannelClient>());
            QVERIFY(crowd.back()->open(second.socketUrl(i % 2 ? bob : ada)));
            crowd.back()->send(frame("1", "1", topic, "phx_join"));
        }
        const auto count = [](int n) {
            return [n](const QJsonObject &state) { return refsOf(state).size() == n; };
        };
        QVERIFY2(view.follow(watcher, topic, count(kSockets + 1), 10000),
                 qPrintable(QString::number(refsOf(view.state).size())));
        // A process that starts now gets all of them in its answer to hello.
        TemporaryServer third(url);
        QVERIFY2(third.start(slow, &error), qPrintable(error));
        ChannelClient late;
        QVERIFY(late.open(third.socketUrl(bob)));
        QVERIFY(!late.join(topic, "1").isEmpty());
        PresenceView lateView;
        QVERIFY2(lateView.follow(late, topic, count(kSockets + 2), 5000),
                 qPrintable(QString::number(refsOf(lateView.state).size())));

        QElapsedTimer stopped;
        stopped.start();
        QCOMPARE(second.stop(), 0);
        QVERIFY2(view.follow(watcher, topic, count(2), 5000),
                 qPrintable(QString::number(refsOf(view.state).size())));
        QVERIFY(lateView.follow(late, topic, count(2), 5000));
        QVERIFY(stopped.elapsed() < 10000); // well before process_timeout_ms
    }

    void revocationClosesSocketsOnEveryProcess()
    {
        KYOZO_REQUIRE(m_postgresUp, m_postgresError);
        Cluster cluster;
        QString error;
        QVERIFY2(startCluster(cluster, 3, &error), qPrintable(error));
        std::vector<std::unique_ptr<ChannelClient>> sockets;
        for (int i = 0; i < 3; ++i) {
            sockets.push_back(std::make_unique<ChannelClient>());
            QVERIFY(sockets.back()->open(cluster.servers[i]->socketUrl(cluster.bob)));
        }
        QCOMPARE(cluster.servers[1]->admin({ "token", "revoke", cluster.bob }), 0);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(sockets[i]->waitClosed(int(std::max<qint64>(1, 1000 - t.elapsed()))),
                     qPrintable(QStringLiteral("process %1 after %2 ms").arg(i).arg(t.elapsed())));
            QCOMPARE(sockets[i]->closeCode(), 1008);
        }
    }

    // Randomized co-editing with clients on different processes (as tst_coeditconvergence
    // on one): every client's text and every process's end identical. `stopping` is the
    // signal one process gets halfway (0: none); its clients come back on another process.
    void convergesAcrossProcesses_data()
    {
        QTest::addColumn<int>("stopping");
        QTest::newRow("three processes") << 0;
        QTest::newRow("SIGKILL of one while editing") << int(SIGKILL);
        QTest::newRow("SIGTERM of one while editing") << int(SIGTERM);
    }
    void convergesAcrossProcesses()
    {
        QFETCH(int, stopping);
        KYOZO_REQUIRE(m_postgresUp, m_postgresError);
        Cluster cluster;
        QString error;
        QVERIFY2(startCluster(cluster, 3, &error), qPrintable(error));
        bool ok = false;
        const quint32 envSeed = qEnvironmentVariable("KYOZO_SEED").toUInt(&ok);
        const quint32 seed = ok ? envSeed : quint32(7 + stopping);
        QRandomGenerator random(seed);
        const QString id = createNotebook(*cluster.servers[0], cluster.ada,
                                          QStringLiteral("# Notes\r\nfirst \U0001F600\n"));
        QVERIFY(!id.isEmpty());

        constexpr int kClients = 6;
        std::vector<std::unique_ptr<CoeditPeer>> peers;
        std::vector<int> home; // the process each client is on
        QStringList tokens;
        std::vector<bool> alive(3, true);
        for (int i = 0; i < kClients; ++i) {
            tokens.append(i % 2 ? cluster.bob : cluster.ada);
            peers.push_back(std::make_unique<CoeditPeer>(id, QStringLiteral("peer%1").arg(i)));
            peers.back()->setBatch(i % 3 == 0);
            home.push_back(i % 3);
            peers.back()->connectTo(cluster.servers[home.back()]->socketUrl(tokens.at(i)));
        }
        QVERIFY(spinUntil(
            [&] {
                return std::all_of(peers.begin(), peers.end(),
                                   [](const auto &p) { return p->hasJoined(); });
            },
            30000));
        const auto where = [&](const QString &what) {
            return QStringLiteral("seed %1: %2").arg(seed).arg(what);
        };
        const auto reconnect = [&](int who) {
            // Somewhere alive, not always where it was.
            int to = random.bounded(3);
            while (!alive[to])
                to = (to + 1) % 3;
            home[who] = to;
            peers[who]->connectTo(cluster.servers[to]->socketUrl(tokens.at(who)));
        };
        constexpr int kEdits = 1500;
        int made = 0;
        QElapsedTimer timer;
        timer.start();
        while (made < kEdits && timer.elapsed() < 30000) {
            if (stopping && made == kEdits / 2 && alive[2]) {
                alive[2] = false;
                ::kill(pid_t(cluster.servers[2]->process().processId()), stopping);
            }
            const int who = random.bounded(kClients);
            CoeditPeer &p = *peers[who];
            const int action = random.bounded(100);
            if (action < 85) {
                if (p.hasJoined() && p.edit(randomEdit(random, p.text(), 4, 5)))
                    ++made;
            } else if (action < 88) {
                if (p.isConnected())
                    p.drop();
            }
            // A client whose process is gone finds out by its socket closing.
            for (int i = 0; i < kClients; ++i)
                if (!peers[i]->isConnected() && (action >= 88 || !alive[home[i]]))
                    reconnect(i);
            QTest::qWait(random.bounded(3));
            for (const auto &peer : peers)
                QVERIFY2(peer->error().isEmpty(), qPrintable(where(peer->error())));
        }
        for (int i = 0; i < kClients; ++i)
            if (!peers[i]->isConnected() || !alive[home[i]])
                reconnect(i);
        const bool settled = spinUntil(
            [&] {
                for (const auto &p : peers) {
                    if (!p->error().isEmpty())
                        return true;
                    if (!p->isSettled() || p->text() != peers.front()->text())
                        return false;
                }
                return true;
            },
            60000);
        for (const auto &p : peers)
            QVERIFY2(p->error().isEmpty(), qPrintable(where(p->error())));
        QVERIFY2(settled, qPrintable(where(QStringLiteral("the clients did not settle"))));
        // Every edit a client made is acknowledged: none was lost with a process.
        for (int i = 0; i < kClients; ++i)
            QCOMPARE(peers[i]->acknowledgedEdits(), peers[i]->editCount());
        // Every live process serves the same text at the same revision as the clients hold.
        for (int s = 0; s < 3; ++s) {
            if (!alive[s])
                continue;
            const RestResponse latest = restRequest(
                "GET", cluster.servers[s]->url("/api/v1/notebooks/" + id), cluster.ada);
            QCOMPARE(latest.status, 200);
            QVERIFY2(latest.json.value("content").toString() == peers.front()->text(),
                     qPrintable(where(QStringLiteral("process %1 differs").arg(s))));
            QCOMPARE(latest.json.value("revision").toInteger(),
                     peers.front()->client()->revision());
        }
        qInfo("seed %u: %d edits over 3 processes, revision %lld, %lld ms", seed, made,
              peers.front()->client()->revision(), qint64(timer.elapsed()));
        QVERIFY(made >= kEdits / 4);
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
