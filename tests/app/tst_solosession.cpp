// Solo mode with the real app and its real bundled server (SPEC §9, §11; issue 6), on the
// offscreen platform: connected and present, restarted after a crash, gone after SIGTERM.
#include "appprocess.h"
#include "presencecheck.h"
#include "requiredtool.h"
#include "testpaths.h"

#include <QFile>
#include <QtTest>

#include <csignal>

using KyozoTest::AppProcess;
using KyozoTest::processAlive;

namespace {
const QString kConnected = QStringLiteral("kyozo.status: Connected to the local server");
QStringList sampleArgs()
{
    return { KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")) };
}
} // namespace

class TestSoloSession : public QObject
{
    Q_OBJECT
private slots:
    void connectsAndShowsInPresence();
    void restartsAServerThatDied();
    void sigtermStopsTheBundledServer();
    void noDisplayExitsTwo();
};

void TestSoloSession::connectsAndShowsInPresence()
{
    AppProcess app;
    app.start(sampleArgs());
    QVERIFY2(app.waitForLine(kConnected, 30000) >= 0, qPrintable(app.output()));
    QVERIFY(app.serverPid() > 0 && processAlive(app.serverPid()));
    QVERIFY(app.serverUrl().host() == QLatin1String("127.0.0.1")); // loopback only

    const QJsonArray metas = presenceOf(app.serverUrl(), app.observerToken(QStringLiteral("observer")), QStringLiteral("ada"));
    QCOMPARE(metas.size(), 1);
    QCOMPARE(metas[0].toObject().value(QLatin1String("client")).toString(), QStringLiteral("kyozo-desktop"));
    QVERIFY(app.waitForLine(QStringLiteral("kyozo.status: presence: "), 5000) >= 0);

    // Without a keychain the token went to a file only the user can read, and the app said so once.
    QFile token(app.configHome() + QStringLiteral("/kyozo/kyozo/token-solo"));
    QVERIFY(token.exists());
    QCOMPARE(token.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QCOMPARE(app.lines().filter(QStringLiteral("keychain is not available")).size(), 1);
}

void TestSoloSession::restartsAServerThatDied()
{
    AppProcess app;
    app.start(sampleArgs());
    const int connected = app.waitForLine(kConnected, 30000);
    QVERIFY2(connected >= 0, qPrintable(app.output()));
    const qint64 first = app.serverPid();
    QVERIFY(::kill(pid_t(first), SIGKILL) == 0);

    const int stopped = app.waitForLine(QStringLiteral("kyozo.status: Local server stopped"), 10000, connected);
    QVERIFY2(stopped > connected, qPrintable(app.output()));
    QVERIFY(app.lines().at(stopped).contains(QLatin1String("restarting")));
    const int again = app.waitForLine(kConnected, 30000, stopped);
    QVERIFY2(again > stopped, qPrintable(app.output()));
    QVERIFY(app.serverPid() != first);
    QVERIFY(processAlive(app.serverPid()));
    const QJsonArray metas = presenceOf(app.serverUrl(), app.observerToken(QStringLiteral("observer")), QStringLiteral("ada"));
    QCOMPARE(metas.size(), 1);
}

void TestSoloSession::sigtermStopsTheBundledServer()
{
    AppProcess app;
    app.start(sampleArgs());
    QVERIFY2(app.waitForLine(kConnected, 30000) >= 0, qPrintable(app.output()));
    const qint64 server = app.serverPid();
    QVERIFY(processAlive(server));
    app.process().terminate(); // SIGTERM
    QVERIFY(app.process().waitForFinished(5000));
    QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.process().exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(server), 5000); // SPEC §11: within 5 s
}

void TestSoloSession::noDisplayExitsTwo()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    AppProcess app;
    app.start(sampleArgs(), env);
    QVERIFY(app.process().waitForFinished(10000));
    app.waitForLine(QStringLiteral("kyozo"), 1000);
    QCOMPARE(app.process().exitCode(), 2);
    const QStringList lines = app.lines();
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].startsWith(QLatin1String("kyozo: no display")), qPrintable(lines[0]));
    QCOMPARE(app.serverPid(), -1); // nothing was started
}

QTEST_GUILESS_MAIN(TestSoloSession)
#include "tst_solosession.moc"
