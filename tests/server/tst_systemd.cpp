// The systemd side of operations (issue 21 item 3): packaging/kyozo-server.service passes
// `systemd-analyze verify` against an installed tree and fails when its ExecStart binary is
// missing; the real kyozo-server tells systemd it is ready, reloading and stopping over
// NOTIFY_SOCKET (sd_notify(3), what Type=notify waits for), read here from the socket.
#include "requiredtool.h"
#include "system/systemdnotify.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include <csignal>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// systemd's side of NOTIFY_SOCKET: a datagram socket bound to a path.
class NotifySocket
{
public:
    explicit NotifySocket(const QString &path)
        : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray p = path.toLocal8Bit();
        if (m_fd >= 0 && size_t(p.size()) < sizeof address.sun_path) {
            std::memcpy(address.sun_path, p.constData(), size_t(p.size()));
            m_bound
                = ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
        }
    }
    ~NotifySocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool isBound() const { return m_bound; }
    // The next datagram within `timeoutMs`, else empty.
    QByteArray next(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        char buffer[4096];
        while (timer.elapsed() < timeoutMs) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0)
                return QByteArray(buffer, n);
            QTest::qWait(20);
        }
        return {};
    }

private:
    QString m_path;
    int m_fd = -1;
    bool m_bound = false;
};

} // namespace

class TestSystemd : public QObject
{
    Q_OBJECT
private slots:
    void unitVerifiesAgainstAnInstalledTree();
    void readinessReloadAndStopReachSystemd();
};

void TestSystemd::unitVerifiesAgainstAnInstalledTree()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    KYOZO_REQUIRE(!analyze.isEmpty(), QStringLiteral("systemd-analyze (systemd)"));
    QFile unit(KyozoTest::sourcePath(QStringLiteral("packaging/kyozo-server.service")));
    QVERIFY(unit.open(QIODevice::ReadOnly));
    QByteArray text = unit.readAll();
    QVERIFY(text.contains("ExecStart=/usr/bin/kyozo-server "));
    // The tree as the package installs it, below a temporary root: the unit's paths follow.
    QTemporaryDir root;
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("usr/bin")));
    const QString binary = root.filePath(QStringLiteral("usr/bin/kyozo-server"));
    QVERIFY(QFile::copy(KyozoTest::binaryPath(QStringLiteral("kyozo-server")), binary));
    text.replace("=/usr/bin/", QByteArray("=") + root.path().toUtf8() + "/usr/bin/");
    const QString installed = root.filePath(QStringLiteral("kyozo-server.service"));
    QFile out(installed);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(text);
    out.close();
    const auto verify = [&] {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(analyze, { QStringLiteral("verify"), QStringLiteral("--man=no"), installed });
        p.waitForFinished(60000);
        return std::make_pair(p.exitCode(), p.readAll());
    };
    const auto [ok, log] = verify();
    QVERIFY2(ok == 0, log.constData());
    // Nothing said about our unit (unknown directives and bad values are warnings, exit 0).
    QVERIFY2(!log.contains("kyozo-server.service"), log.constData());
    QVERIFY(QFile::remove(binary));
    const auto [missing, why] = verify();
    QVERIFY(missing != 0);
    QVERIFY2(why.contains("is not executable"), why.constData());
}

void TestSystemd::readinessReloadAndStopReachSystemd()
{
    KYOZO_REQUIRE(Kyozo::Server::canNotifySystemd(), QStringLiteral("libsystemd-dev (sd_notify)"));
    QTemporaryDir dir;
    NotifySocket systemd(dir.filePath(QStringLiteral("notify")));
    QVERIFY(systemd.isBound());
    KyozoTest::TemporaryServer server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NOTIFY_SOCKET"), dir.filePath(QStringLiteral("notify")));
    server.process().setProcessEnvironment(env);
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    QCOMPARE(systemd.next(5000),
             "READY=1\nSTATUS=listening on http://127.0.0.1:" + QByteArray::number(server.port()));

    // SIGHUP (systemctl reload): reloading, then ready again; the server goes on.
    ::kill(pid_t(server.process().processId()), SIGHUP);
    QCOMPARE(systemd.next(5000), QByteArray("RELOADING=1"));
    QVERIFY(systemd.next(5000).startsWith("READY=1\n"));
    QTest::qWait(200);
    QCOMPARE(server.process().state(), QProcess::Running);

    // SIGTERM (systemctl stop): stopping, then exit 0.
    ::kill(pid_t(server.process().processId()), SIGTERM);
    QCOMPARE(systemd.next(5000), QByteArray("STOPPING=1"));
    QVERIFY(server.process().waitForFinished(10000));
    QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.process().exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestSystemd)
#include "tst_systemd.moc"
