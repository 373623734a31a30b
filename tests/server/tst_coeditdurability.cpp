// Durability of co-editing (SPEC §5: acknowledged operations survive a kill -9; issue 15
// "Proven by"), on SQLite and on a real PostgreSQL: five clients (core's OtClient,
// tests/support/coeditpeer) insert unique markers as fast as they can; the server is killed
// with SIGKILL in the middle; every marker whose operation any client saw acknowledged must
// be in the restarted server's text. The clients keep typing offline, reconnect to the new
// process and must all end on its text, which must hold every character they typed exactly
// once (a resend of an operation stored before the kill is recognised by its op_id).
#include "channelclient.h"
#include "coeditpeer.h"
#include "databasebackends.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QElapsedTimer>

#include <QJsonDocument>
#include <QtTest>
#include <algorithm>

using namespace KyozoTest;
using Kyozo::Collab::TextOperation;

namespace {

const char *kConfig = "[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n";

// Inserts `marker` where it splits no other marker: at the start or right after a '>'.
TextOperation markerEdit(QRandomGenerator &random, const QString &text, const QString &marker)
{
    QList<qsizetype> places { 0 };
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == QLatin1Char('>'))
            places.append(i + 1);
    }
    const qsizetype at = places.at(random.bounded(places.size()));
    TextOperation op;
    op.retain(at).insert(marker).retain(text.size() - at);
    return op;
}

} // namespace

class TestCoeditDurability : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;

private slots:
    void initTestCase_data() { DatabaseBackends::addRows(); }
    void initTestCase() { backends.start(); }

    void acknowledgedEditsSurviveAKill()
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, database);
        QRandomGenerator random(9);
        auto server = std::make_unique<TemporaryServer>(database);
        QString error;
        QVERIFY2(server->start(QString::fromLatin1(kConfig), &error), qPrintable(error));
        const QString token = server->userWithToken("ada", "lab", "owner");
        const RestResponse created = restRequest(
            "POST", server->url("/api/v1/workspaces/lab/notebooks"), token,
            QJsonDocument(QJsonObject { { "title", "storm" }, { "content", "" } }).toJson());
        QCOMPARE(created.status, 201);
        const QString id = created.json.value("id").toString();

        constexpr int kPeers = 5;
        std::vector<std::unique_ptr<CoeditPeer>> peers;
        std::vector<QStringList> markers(kPeers);
        for (int i = 0; i < kPeers; ++i) {
            peers.push_back(std::make_unique<CoeditPeer>(id, QStringLiteral("storm%1").arg(i)));
            peers.back()->connectTo(server->socketUrl(token));
        }
        QVERIFY(spinUntil(
            [&] {
                return std::all_of(peers.begin(), peers.end(),
                                   [](const auto &p) { return p->isConnected(); });
            },
            20000));
        const auto type = [&](int i) {
            const QString marker = QStringLiteral("<%1.%2>").arg(i).arg(markers[i].size());
            if (peers[i]->edit(markerEdit(random, peers[i]->text(), marker)))
                markers[i].append(marker);
        };

        // The storm: until enough is acknowledged (bounded in time), then SIGKILL mid-flight.
        QElapsedTimer timer;
        timer.start();
        const auto acknowledged = [&] {
            int n = 0;
            for (const auto &p : peers)
                n += p->acknowledgedEdits();
            return n;
        };
        while (acknowledged() < 300 && timer.elapsed() < 30000) {
            type(random.bounded(kPeers));
            if (random.bounded(3) == 0)
                QCoreApplication::processEvents();
        }
        for (int i = 0; i < 20; ++i) // pushes in flight at the kill
            type(i % kPeers);
        QCoreApplication::processEvents();
        server->process().kill();
        QVERIFY(server->process().waitForFinished(10000));
        QVERIFY(spinUntil(
            [&] {
                return std::none_of(peers.begin(), peers.end(),
                                    [](const auto &p) { return p->isConnected(); });
            },
            10000));
        std::vector<int> acked;
        int totalAcked = 0;
        for (const auto &p : peers) {
            acked.push_back(p->acknowledgedEdits());
            totalAcked += acked.back();
            QVERIFY2(p->error().isEmpty(), qPrintable(p->error()));
        }
        QVERIFY(totalAcked >= 100);
        for (int round = 0; round < 10; ++round) // typing goes on while the server is down
            type(round % kPeers);
        server.reset();

        // The same database, a new process.
        auto restarted = std::make_unique<TemporaryServer>(database);
        QVERIFY2(restarted->start(QString::fromLatin1(kConfig), &error), qPrintable(error));
        const RestResponse afterKill
            = restRequest("GET", restarted->url("/api/v1/notebooks/" + id), token);
        QCOMPARE(afterKill.status, 200);
        const QString survived = afterKill.json.value("content").toString();
        for (int i = 0; i < kPeers; ++i) {
            for (int k = 0; k < acked[i]; ++k)
                QVERIFY2(survived.contains(markers[i].at(k)),
                         qPrintable(QStringLiteral("%1, acknowledged before the kill, is lost")
                                        .arg(markers[i].at(k))));
        }

        for (auto &p : peers)
            p->connectTo(restarted->socketUrl(token));
        QVERIFY(spinUntil(
            [&] {
                for (const auto &p : peers) {
                    if (!p->error().isEmpty())
                        return true;
                    if (!p->isSettled() || p->text() != peers.front()->text())
                        return false;
                }
                return true;
            },
            60000));
        for (const auto &p : peers)
            QVERIFY2(p->error().isEmpty(), qPrintable(p->error()));
        const QString content = restRequest("GET", restarted->url("/api/v1/notebooks/" + id), token)
                                    .json.value("content")
                                    .toString();
        // Exactly once: the text is made of every typed marker's characters, each once. (Not
        // every marker need stay whole: edits typed offline are rebased past the missed
        // changes by a character diff, which may put one inside another's marker.)
        QString everything;
        int typed = 0;
        for (int i = 0; i < kPeers; ++i) {
            QVERIFY2(peers[i]->text() == content,
                     qPrintable(QStringLiteral("peer %1 differs").arg(i)));
            for (const QString &marker : markers[i]) {
                everything += marker;
                ++typed;
            }
        }
        const auto sorted = [](QString s) {
            std::sort(s.begin(), s.end());
            return s;
        };
        QCOMPARE(content.size(), everything.size());
        QVERIFY2(sorted(content) == sorted(everything), "the text is not every typed marker once");
        qInfo("%d markers typed, %d acknowledged before the kill, %lld code units survived", typed,
              totalAcked, qint64(survived.size()));
    }
};

QTEST_GUILESS_MAIN(TestCoeditDurability)
#include "tst_coeditdurability.moc"
