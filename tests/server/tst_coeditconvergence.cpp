// Randomized convergence over the real kyozo-server (issue 15 "Proven by"): N in {2, 5, 20}
// clients, each core's OtClient on its own socket (tests/support/coeditpeer), make random
// concurrent edits (emoji, CRLF) with random pauses, drop their connections at random (edits
// go on offline) and come back; at the end every client's text and the server's
// (GET /api/v1/notebooks/{id}) are identical. KYOZO_SEED=n reruns with another seed; a
// failure names the seed.
#include "channelclient.h"
#include "coeditpeer.h"
#include "randomoperation.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QtTest>

using namespace KyozoTest;

class TestCoeditConvergence : public QObject
{
    Q_OBJECT
private slots:
    void everyClientEndsOnTheServersText_data()
    {
        QTest::addColumn<int>("clients");
        QTest::addColumn<int>("edits");
        // Every other client joins with {"batch": true} (docs/server.md "Co-editing"): `ops`
        // runs and its answers in their place, among clients that get one `op` per revision.
        QTest::addColumn<bool>("batches");
        QTest::newRow("2 clients") << 2 << 2000 << false;
        QTest::newRow("5 clients, 3 batch") << 5 << 2500 << true;
        QTest::newRow("20 clients, 10 batch") << 20 << 3000 << true;
    }
    void everyClientEndsOnTheServersText()
    {
        QFETCH(int, clients);
        QFETCH(int, edits);
        QFETCH(bool, batches);
        bool ok = false;
        const quint32 envSeed = qEnvironmentVariable("KYOZO_SEED").toUInt(&ok);
        const quint32 seed = ok ? envSeed : quint32(31 * clients);
        QRandomGenerator random(seed);

        TemporaryServer server;
        QString error;
        // Room for bursts of pushes from one socket; everything else as shipped.
        QVERIFY2(server.start(QStringLiteral(
                                  "[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n"),
                              &error),
                 qPrintable(error));
        const QString ada = server.userWithToken("ada", "lab", "owner");
        const QString bob = server.userWithToken("bob", "lab", "editor");
        QVERIFY(!ada.isEmpty() && !bob.isEmpty());
        const QString initial = QStringLiteral("# Notes\r\nfirst line \U0001F600\r\nsecond\n");
        const RestResponse created = restRequest(
            "POST", server.url("/api/v1/workspaces/lab/notebooks"), ada,
            QJsonDocument(QJsonObject { { "title", "t" }, { "content", initial } }).toJson());
        QCOMPARE(created.status, 201);
        const QString id = created.json.value("id").toString();

        std::vector<std::unique_ptr<CoeditPeer>> peers;
        QStringList tokens;
        for (int i = 0; i < clients; ++i) {
            tokens.append(i % 2 ? bob : ada);
            peers.push_back(std::make_unique<CoeditPeer>(id, QStringLiteral("peer%1").arg(i)));
            peers.back()->setBatch(batches && i % 2 == 0);
            peers.back()->connectTo(server.socketUrl(tokens.at(i)));
        }
        QVERIFY(spinUntil(
            [&] {
                return std::all_of(peers.begin(), peers.end(),
                                   [](const auto &p) { return p->hasJoined(); });
            },
            30000));

        QElapsedTimer timer;
        timer.start();
        int made = 0, drops = 0;
        const auto where = [&](const QString &what) {
            return QStringLiteral("seed %1, %2 edits made: %3").arg(seed).arg(made).arg(what);
        };
        // Bounded in edits and in time (a slow machine makes fewer, never hangs).
        while (made < edits && timer.elapsed() < 40000) {
            const int who = random.bounded(clients);
            CoeditPeer &p = *peers[who];
            const int action = random.bounded(100);
            if (action < 80) {
                if (p.hasJoined() && p.edit(randomEdit(random, p.text(), 4, 5)))
                    ++made;
            } else if (action < 83) {
                if (p.isConnected()) {
                    p.drop();
                    ++drops;
                }
            } else if (action < 90) {
                if (!p.isConnected())
                    p.connectTo(server.socketUrl(tokens.at(who)));
            }
            QTest::qWait(random.bounded(3)); // let frames cross in random places
            for (const auto &peer : peers)
                QVERIFY2(peer->error().isEmpty(), qPrintable(where(peer->error())));
        }
        for (int i = 0; i < clients; ++i) {
            if (!peers[i]->isConnected())
                peers[i]->connectTo(server.socketUrl(tokens.at(i)));
        }
        const bool settled = spinUntil(
            [&] {
                for (const auto &p : peers) {
                    if (!p->isSettled() || !p->error().isEmpty())
                        return !p->error().isEmpty();
                    if (p->text() != peers.front()->text())
                        return false;
                }
                return true;
            },
            60000);
        for (const auto &p : peers)
            QVERIFY2(p->error().isEmpty(), qPrintable(where(p->error())));
        QVERIFY2(settled,
                 qPrintable(where(QStringLiteral("the clients did not settle on one text"))));

        const RestResponse latest = restRequest("GET", server.url("/api/v1/notebooks/" + id), ada);
        QCOMPARE(latest.status, 200);
        const QString content = latest.json.value("content").toString();
        const qint64 revision = latest.json.value("revision").toInteger();
        for (int i = 0; i < clients; ++i) {
            QVERIFY2(peers[i]->text() == content,
                     qPrintable(where(QStringLiteral("peer %1 differs from the server").arg(i))));
            QCOMPARE(peers[i]->client()->revision(), revision);
        }
        qInfo("seed %u: %d clients, %d edits, %d drops, %lld revisions, %lld code units, %lld ms",
              seed, clients, made, drops, revision, qint64(content.size()),
              qint64(timer.elapsed()));
        QVERIFY(made >= edits / 4); // the run did something
    }
};

QTEST_GUILESS_MAIN(TestCoeditConvergence)
#include "tst_coeditconvergence.moc"
