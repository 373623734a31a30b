// After the crash limit the bundled server is not given up for good (issue 19 item 7): with
// a "server" that dies at once (/bin/false) the session restarts it BundledServer's quick
// times, then says it keeps failing and when it tries again, waits that long, and tries
// again with twice the wait, up to the cap; File → Reconnect (reconnect()) starts it at
// once with its crashes forgotten.
#include "solo/bundledserver.h"
#include "solo/solosession.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace Kyozo::App;

class TestSoloRetry : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qputenv("KYOZO_NO_KEYCHAIN", "1");
        QStandardPaths::setTestModeEnabled(true);
    }

    void retriesWithBackOffAfterTheCrashLimit()
    {
        const QString failing = QStandardPaths::findExecutable(QStringLiteral("false"));
        QVERIFY(!failing.isEmpty());
        SoloSession session(failing);
        session.setRetryDelays(400, 1000);
        QStringList said;
        connect(&session, &SoloSession::statusChanged, this,
                [&](const QString &text) { said.append(text); });
        const auto keepsFailing
            = [&] { return said.filter(QStringLiteral("it keeps failing")).size(); };
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(keepsFailing(), 1, 15000);
        QCOMPARE(said.filter(QStringLiteral("restarting")).size(),
                 BundledServer::kMaxQuickRestarts);
        QVERIFY2(said.last().contains(QLatin1String("Trying again in 1 s")),
                 qPrintable(said.last()));
        QCOMPARE(session.pendingRetryDelay(), 400);

        // By itself after the wait: started again (its quick restarts forgotten), and when it
        // gives up again the wait has doubled.
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            said.filter(QStringLiteral("Starting the local server")).size() >= 2, 5000);
        QVERIFY(t.elapsed() >= 300);
        QTRY_COMPARE_WITH_TIMEOUT(keepsFailing(), 2, 15000);
        QCOMPARE(said.filter(QStringLiteral("restarting")).size(),
                 2 * BundledServer::kMaxQuickRestarts);
        QCOMPARE(session.pendingRetryDelay(), 800);

        // Reconnect now: no waiting for the timer.
        session.reconnect();
        QCOMPARE(session.pendingRetryDelay(), -1);
        QCOMPARE(said.last(), SoloSession::tr("Starting the local server…"));
        QTRY_COMPARE_WITH_TIMEOUT(keepsFailing(), 3, 15000);
        QCOMPARE(session.pendingRetryDelay(), 1000); // capped
        session.stop();
        QCOMPARE(session.pendingRetryDelay(), -1);
    }
};

QTEST_GUILESS_MAIN(TestSoloRetry)
#include "tst_soloretry.moc"
