// Solo mode with the real app and its real bundled server (SPEC §9, §11; issue 6), on the
// offscreen platform: connected and present, restarted after a crash, gone after SIGTERM.
#include "appprocess.h"
#include "presencecheck.h"
#include "requiredtool.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
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
    void commandLine();
    void firstRunOpensACopyOfTheSample();
    void keychainFailureFallsBackToAFile();
    void teamModeJoinsARemoteServer();
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

void TestSoloSession::commandLine()
{
    // SPEC §11: kyozo [--solo|--server URL] [FILE.md…]; bad usage exits 2 with one line.
    AppProcess help;
    help.start({ QStringLiteral("--help") });
    QVERIFY(help.process().waitForFinished(10000));
    help.waitForLine(QStringLiteral("--server"), 1000);
    QCOMPARE(help.process().exitCode(), 0);
    QVERIFY(help.output().contains(QLatin1String("--solo")));
    QVERIFY(help.output().contains(QLatin1String("--server <URL>")));
    QCOMPARE(help.serverPid(), -1);

    AppProcess both;
    both.start({ QStringLiteral("--solo"), QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:1") });
    QVERIFY(both.process().waitForFinished(10000));
    both.waitForLine(QStringLiteral("kyozo"), 1000);
    QCOMPARE(both.process().exitCode(), 2);
    QCOMPARE(both.lines(), QStringList{ QStringLiteral("kyozo: --solo and --server exclude each other") });
    QCOMPARE(both.serverPid(), -1);
}

void TestSoloSession::firstRunOpensACopyOfTheSample()
{
    AppProcess app;
    app.start({});
    QVERIFY2(app.waitForLine(kConnected, 30000) >= 0, qPrintable(app.output()));
    // In a folder the user sees (issue 19 item 3), not the app's hidden data folder.
    QFile copy(app.home() + QStringLiteral("/Documents/Kyozo/Welcome.md"));
    QVERIFY(!QFile::exists(app.dataHome() + QStringLiteral("/kyozo/kyozo/Welcome.md")));
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QFile sample(KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), sample.readAll());
}

void TestSoloSession::keychainFailureFallsBackToAFile()
{
    AppProcess app;
    app.useUnreachableKeychain();
    app.start(sampleArgs());
    QVERIFY2(app.waitForLine(kConnected, 30000) >= 0, qPrintable(app.output()));
    const QStringList notices = app.lines().filter(QStringLiteral("kyozo.status: The desktop keychain is not available ("));
    QCOMPARE(notices.size(), 1);
    QVERIFY2(!notices[0].contains(QLatin1String("KYOZO_NO_KEYCHAIN")), qPrintable(notices[0])); // QtKeychain's own error
    QFile token(app.configHome() + QStringLiteral("/kyozo/kyozo/token-solo"));
    QVERIFY(token.open(QIODevice::ReadOnly));
    const QByteArray saved = token.readAll();
    // What `kyozo-server token create` prints: "kyz_" and 256 bits in unpadded base64url (43).
    QVERIFY(saved.startsWith("kyz_"));
    QCOMPARE(saved.size(), 4 + 43);
    QCOMPARE(token.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
}

void TestSoloSession::teamModeJoinsARemoteServer()
{
    KyozoTest::TemporaryServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString token = server.userWithToken(QStringLiteral("grace"), QStringLiteral("lab"), QStringLiteral("editor"));
    const QString observer = server.userWithToken(QStringLiteral("observer"), QStringLiteral("lab"), QStringLiteral("viewer"));
    const QUrl url = server.url(QString());

    AppProcess app;
    // The token as a previous sign-in left it (no keychain in tests: the 0600 file).
    QString name = url.toString();
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    QDir().mkpath(app.configHome() + QStringLiteral("/kyozo/kyozo"));
    QFile file(app.configHome() + QStringLiteral("/kyozo/kyozo/token-") + name);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(token.toUtf8());
    file.close();

    app.start({ QStringLiteral("--server"), url.toString(), QStringLiteral("--workspace"), QStringLiteral("lab"),
                KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")) });
    QVERIFY2(app.waitForLine(QStringLiteral("kyozo.status: Connected to ") + url.host(), 30000) >= 0, qPrintable(app.output()));
    QCOMPARE(app.serverPid(), -1); // no bundled server in team mode

    const QJsonArray metas = presenceOf(url, observer, QStringLiteral("grace"), QStringLiteral("lab"));
    QCOMPARE(metas.size(), 1);
    QCOMPARE(metas[0].toObject().value(QLatin1String("client")).toString(), QStringLiteral("kyozo-desktop"));
}

QTEST_GUILESS_MAIN(TestSoloSession)
#include "tst_solosession.moc"
