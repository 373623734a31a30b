// Real keystroke traces through the real kyozo-server (issue 15 "Proven by"), from
// josephg/editing-traces (tests/data/editing-traces, CC BY 4.0):
// - automerge-paper: 259,778 keystrokes of one author, replayed by one client in operations
//   of at most 50 keystrokes, each acknowledged before the next (>= 5,000 operations), must
//   end exactly with the trace's endContent, on the client and on the server;
// - friendsforever: two authors' keystrokes fed by two clients at once (positions clamped to
//   each client's own text); both clients and the server must end identical.
#include "channelclient.h"
#include "coeditpeer.h"
#include "editingtrace.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace KyozoTest;
using Kyozo::Collab::TextOperation;

namespace {

const char *kConfig = "[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n";

// The traces check the text, not the disk (tst_coeditdurability does): on tmpfs, when the
// machine has one, 5,196 acknowledged round trips stay well inside the time limit even where
// every fsync of the SQLite WAL costs milliseconds. Elsewhere TemporaryServer's own file.
struct Setup
{
    QTemporaryDir dir { QStringLiteral("/dev/shm/kyozo-trace-XXXXXX") };
    TemporaryServer server { dir.isValid() ? QStringLiteral("sqlite:")
                                     + dir.filePath(QStringLiteral("trace.sqlite"))
                                           : QString() };
    QString token;
    QString id;
};

bool setUp(Setup &s, QString *error)
{
    if (!s.server.start(QString::fromLatin1(kConfig), error))
        return false;
    s.token = s.server.userWithToken("ada", "lab", "owner");
    const RestResponse created = restRequest(
        "POST", s.server.url("/api/v1/workspaces/lab/notebooks"), s.token,
        QJsonDocument(QJsonObject { { "title", "trace" }, { "content", "" } }).toJson());
    s.id = created.json.value("id").toString();
    if (created.status != 201)
        *error = QStringLiteral("POST notebooks: %1").arg(created.status);
    return created.status == 201;
}

QJsonObject latest(Setup &s)
{
    return restRequest("GET", s.server.url("/api/v1/notebooks/" + s.id), s.token).json;
}

} // namespace

class TestCoeditTrace : public QObject
{
    Q_OBJECT
private slots:
    void automergePaperEndsWithItsEndContent()
    {
        QString error;
        const auto trace = readEditingTrace(
            sourcePath("tests/data/editing-traces/automerge-paper.json.gz"), &error);
        QVERIFY2(trace, qPrintable(error));
        QCOMPARE(trace->patches.size(), 259778); // the README's count of keystrokes
        Setup s;
        QVERIFY2(setUp(s, &error), qPrintable(error));
        CoeditPeer peer(s.id, "author");
        peer.connectTo(s.server.socketUrl(s.token));
        QVERIFY(spinUntil([&] { return peer.hasJoined(); }, 10000));

        // ASCII only (the README): code-point positions are UTF-16 offsets.
        QString text;
        int operations = 0;
        QElapsedTimer timer;
        timer.start();
        for (qsizetype i = 0; i < trace->patches.size();) {
            TextOperation group;
            group.retain(text.size());
            for (int k = 0; k < 50 && i < trace->patches.size(); ++k, ++i) {
                const EditingTrace::Patch &p = trace->patches.at(i);
                TextOperation keystroke;
                keystroke.retain(p.position)
                    .insert(p.inserted)
                    .remove(p.deleted)
                    .retain(text.size() - p.position - p.deleted);
                group = *group.compose(keystroke);
                text.replace(p.position, p.deleted, p.inserted);
            }
            QVERIFY(peer.edit(group));
            ++operations;
            QVERIFY2(
                waitForEvents([&] { return peer.isSettled() || !peer.error().isEmpty(); }, 10000),
                qPrintable(QStringLiteral("operation %1 was not acknowledged").arg(operations)));
            QVERIFY2(peer.error().isEmpty(), qPrintable(peer.error()));
            QVERIFY(timer.elapsed() < 100000);
        }
        QVERIFY(operations >= 5000);
        QCOMPARE(peer.text().size(), trace->endContent.size());
        QVERIFY(peer.text() == trace->endContent);
        const QJsonObject server = latest(s);
        QVERIFY(server.value("content").toString() == trace->endContent);
        QCOMPARE(server.value("revision").toInteger(), operations);
        qInfo("%d operations of <= 50 keystrokes in %lld ms", operations, qint64(timer.elapsed()));
    }

    void friendsForeverTwoAuthorsConverge()
    {
        QString error;
        const auto trace = readEditingTrace(
            sourcePath("tests/data/editing-traces/friendsforever.json.gz"), &error);
        QVERIFY2(trace, qPrintable(error));
        QCOMPARE(trace->agents, 2);
        Setup s;
        QVERIFY2(setUp(s, &error), qPrintable(error));
        CoeditPeer a(s.id, "friend0"), b(s.id, "friend1");
        a.connectTo(s.server.socketUrl(s.token));
        b.connectTo(s.server.socketUrl(s.token));
        QVERIFY(spinUntil([&] { return a.hasJoined() && b.hasJoined(); }, 10000));
        CoeditPeer *peers[2] = { &a, &b };
        QElapsedTimer timer;
        timer.start();
        int fed = 0;
        for (const EditingTrace::Patch &p : trace->patches) {
            CoeditPeer &peer = *peers[p.agent % 2];
            QVERIFY(peer.edit(patchOperation(p, peer.text())));
            if (++fed % 2 == 0)
                QTest::qWait(1); // the network moves between keystrokes: both push all along
            QVERIFY2(a.error().isEmpty() && b.error().isEmpty(), qPrintable(a.error() + b.error()));
            QVERIFY(timer.elapsed() < 90000);
        }
        QVERIFY(spinUntil(
            [&] {
                return (a.isSettled() && b.isSettled() && a.text() == b.text())
                    || !a.error().isEmpty() || !b.error().isEmpty();
            },
            30000));
        QVERIFY2(a.error().isEmpty() && b.error().isEmpty(), qPrintable(a.error() + b.error()));
        QVERIFY(a.text() == b.text());
        const QJsonObject server = latest(s);
        QVERIFY(server.value("content").toString() == a.text());
        QVERIFY(!a.text().isEmpty());
        qInfo("%d keystrokes of two authors, %lld revisions, %lld code units, %lld ms", fed,
              server.value("revision").toInteger(), qint64(a.text().size()),
              qint64(timer.elapsed()));
    }
};

QTEST_GUILESS_MAIN(TestCoeditTrace)
#include "tst_coedittrace.moc"
