// Behind nginx (issue 21 item 2, docs/operator.md "TLS"): Debian's nginx, started by the test
// on loopback with packaging/nginx/kyozo-server.conf (its listen and certificate lines swapped
// for a free port), in front of the real kyozo-server with [proxy] trusted_addresses. The
// unchanged `phoenix` client joins and tracks presence through it; the proxy's connections
// are not held to max_connections_per_address; X-Forwarded-For names the client only when
// it comes from a trusted proxy.
#include "requiredtool.h"
#include "restrequest.h"
#include "systemuser.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <csignal>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// nginx in the foreground with its whole state in `dir`.
class Nginx
{
public:
    ~Nginx()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            m_process.waitForFinished(5000);
        }
    }
    bool start(const QString &nginx, const QString &dir, const QByteArray &site, quint16 port,
               QString *error)
    {
        QByteArray conf = "worker_processes 1;\ndaemon off;\n";
        if (KyozoTest::runningAsRoot())
            conf += "user nobody nogroup;\n"; // root's workers would be nobody anyway
        conf += "pid " + dir.toUtf8() + "/nginx.pid;\nerror_log " + dir.toUtf8()
            + "/error.log;\n"
              "events { worker_connections 64; }\nhttp {\n  access_log off;\n";
        for (const char *temp : { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
            conf += QByteArray("  ") + temp + "_temp_path " + dir.toUtf8() + "/" + temp + ";\n";
        conf += site + "}\n";
        QFile f(dir + QStringLiteral("/nginx.conf"));
        if (!f.open(QIODevice::WriteOnly) || f.write(conf) != conf.size())
            return false;
        f.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(nginx,
                        { QStringLiteral("-p"), dir, QStringLiteral("-c"),
                          dir + QStringLiteral("/nginx.conf") });
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            if (probe.waitForConnected(200))
                return true;
            if (m_process.state() == QProcess::NotRunning)
                break;
            QTest::qWait(50);
        }
        QFile log(dir + QStringLiteral("/error.log"));
        log.open(QIODevice::ReadOnly);
        *error = QStringLiteral("nginx did not start: %1 %2")
                     .arg(QString::fromUtf8(m_process.readAll()), QString::fromUtf8(log.readAll()));
        return false;
    }

private:
    QProcess m_process;
};

// packaging/nginx/kyozo-server.conf as it would run here: plain HTTP on `port`, upstream
// kyozo-server on `upstream`.
QByteArray siteFor(quint16 port, quint16 upstream)
{
    QFile f(KyozoTest::sourcePath(QStringLiteral("packaging/nginx/kyozo-server.conf")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QByteArray out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QByteArray t = line.trimmed();
        if (t.startsWith("ssl_certificate"))
            continue;
        if (t == "listen 443 ssl;")
            out += "    listen 127.0.0.1:" + QByteArray::number(port) + ";\n";
        else
            out += QByteArray(line).replace("127.0.0.1:4000",
                                            "127.0.0.1:" + QByteArray::number(upstream))
                + '\n';
    }
    return out;
}

// packaging/caddy/Caddyfile as it would run here: plain HTTP on `port` (the site address),
// upstream kyozo-server on `upstream`, no admin endpoint, state in the test's directory.
QByteArray caddyfileFor(quint16 port, quint16 upstream)
{
    QFile f(KyozoTest::sourcePath(QStringLiteral("packaging/caddy/Caddyfile")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QByteArray out = "{\n\tadmin off\n\tauto_https off\n}\n";
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("kyozo.example.org {"))
            out += "http://127.0.0.1:" + QByteArray::number(port) + " {\n";
        else
            out += QByteArray(line).replace("127.0.0.1:4000",
                                            "127.0.0.1:" + QByteArray::number(upstream))
                + '\n';
    }
    return out;
}

bool waitForPort(quint16 port, const QProcess &process)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000 && process.state() != QProcess::NotRunning) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200))
            return true;
        QTest::qWait(50);
    }
    return false;
}

// The unchanged phoenix client joins and tracks presence through the proxy on `port`.
QByteArray phoenixThrough(quint16 port, const QString &ada, const QString &bob, bool *ok)
{
    const QDir interop(QStringLiteral(KYOZO_INTEROP_DIR));
    QProcess p;
    p.setWorkingDirectory(interop.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStandardPaths::findExecutable(QStringLiteral("node")),
            { interop.filePath(QStringLiteral("phoenix_presence_interop.mjs")),
              QStringLiteral("ws://127.0.0.1:%1/socket").arg(port), ada, bob });
    *ok = p.waitForFinished(30000);
    const QByteArray out = p.readAll();
    *ok = *ok && p.exitCode() == 0 && out.contains("ok join") && out.contains("ok presence");
    return out;
}

} // namespace

class TestReverseProxy : public QObject
{
    Q_OBJECT
private slots:
    void phoenixThroughNginx();
    void phoenixThroughCaddy();
    void forwardedForOnlyFromTrustedProxies();
};

void TestReverseProxy::phoenixThroughCaddy()
{
    const QString caddy
        = QStandardPaths::findExecutable(QStringLiteral("caddy"), { "/usr/bin", "/usr/sbin" });
    KYOZO_REQUIRE(!caddy.isEmpty(), QStringLiteral("caddy"));
    KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
                  QStringLiteral("node"));
    KYOZO_REQUIRE(
        QDir(QStringLiteral(KYOZO_INTEROP_DIR)).exists(QStringLiteral("node_modules/phoenix")),
        QStringLiteral("tests/interop/node_modules (npm ci)"));

    KyozoTest::TemporaryServer server;
    QString error;
    // The server's debug request lines name the client it believes: Caddy's X-Forwarded-*.
    QProcessEnvironment serverEnv = QProcessEnvironment::systemEnvironment();
    serverEnv.insert(QStringLiteral("QT_LOGGING_RULES"),
                     QStringLiteral("kyozo.server.http.debug=true"));
    server.process().setProcessEnvironment(serverEnv);
    QVERIFY2(server.start(QStringLiteral("[proxy]\ntrusted_addresses = [\"127.0.0.1\"]\n"
                                         "[limits]\nmax_connections_per_address = 2\n"),
                          &error),
             qPrintable(error));
    QTemporaryDir dir;
    const quint16 port = freePort();
    const QByteArray caddyfile = caddyfileFor(port, server.port());
    QVERIFY(caddyfile.contains("reverse_proxy 127.0.0.1:" + QByteArray::number(server.port())));
    QFile f(dir.filePath(QStringLiteral("Caddyfile")));
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write(caddyfile) == caddyfile.size());
    f.close();
    QProcess proxy;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *variable : { "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME" })
        env.insert(QString::fromLatin1(variable), dir.path());
    proxy.setProcessEnvironment(env);
    proxy.setProcessChannelMode(QProcess::MergedChannels);
    proxy.start(caddy,
                { QStringLiteral("run"), QStringLiteral("--adapter"), QStringLiteral("caddyfile"),
                  QStringLiteral("--config"), f.fileName() });
    const auto stopProxy = qScopeGuard([&] {
        proxy.terminate();
        proxy.waitForFinished(5000);
    });
    QVERIFY2(waitForPort(port, proxy), proxy.readAll().constData());

    const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                             QStringLiteral("owner"));
    const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                             QStringLiteral("editor"));
    bool ok = false;
    const QByteArray out = phoenixThrough(port, ada, bob, &ok);
    QVERIFY2(ok, out.constData());
    // Three sockets at once through it, over max_connections_per_address = 2: a trusted
    // proxy's connections are not capped.
    QList<std::shared_ptr<QWebSocket>> sockets;
    for (int i = 0; i < 3; ++i) {
        auto socket = std::make_shared<QWebSocket>();
        QSignalSpy connected(socket.get(), &QWebSocket::connected);
        QUrl url = server.socketUrl(ada);
        url.setPort(port);
        socket->open(url);
        QVERIFY2(connected.wait(10000), qPrintable(socket->errorString()));
        sockets.append(socket);
    }
    QCOMPARE(
        KyozoTest::restRequest(
            "GET",
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/v1/workspaces/lab/notebooks").arg(port)),
            ada)
            .status,
        200);
    QCOMPARE(
        KyozoTest::restRequest("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port)))
            .status,
        403);
    // Caddy's X-Forwarded-For is the client's address (loopback here) and X-Forwarded-Proto
    // the scheme it was reached by.
    QByteArray log;
    (void)QTest::qWaitFor(
        [&] {
            log += server.process().readAllStandardError();
            return log.contains("/notebooks 200 from");
        },
        5000);
    QVERIFY2(log.contains("/notebooks 200 from 127.0.0.1 http"), log.right(2000).constData());
}

void TestReverseProxy::phoenixThroughNginx()
{
    const QString nginx
        = QStandardPaths::findExecutable(QStringLiteral("nginx"), { "/usr/sbin", "/usr/bin" });
    KYOZO_REQUIRE(!nginx.isEmpty(), QStringLiteral("nginx"));
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    KYOZO_REQUIRE(!node.isEmpty(), QStringLiteral("node"));
    const QDir interop(QStringLiteral(KYOZO_INTEROP_DIR));
    KYOZO_REQUIRE(interop.exists(QStringLiteral("node_modules/phoenix")),
                  QStringLiteral("tests/interop/node_modules (npm ci)"));

    KyozoTest::TemporaryServer server;
    QString error;
    QVERIFY2(server.start(QStringLiteral("[proxy]\ntrusted_addresses = [\"127.0.0.1\"]\n"
                                         "[limits]\nmax_connections_per_address = 2\n"),
                          &error),
             qPrintable(error));
    QTemporaryDir dir;
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::Permissions(0x7755)));
    const quint16 port = freePort();
    Nginx proxy;
    const QByteArray site = siteFor(port, server.port());
    QVERIFY(site.contains("proxy_pass http://127.0.0.1:" + QByteArray::number(server.port())));
    QVERIFY2(proxy.start(nginx, dir.path(), site, port, &error), qPrintable(error));

    const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                             QStringLiteral("owner"));
    const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                             QStringLiteral("editor"));
    bool ok = false;
    const QByteArray out = phoenixThrough(port, ada, bob, &ok);
    QVERIFY2(ok, out.constData());

    // Three sockets through the proxy at once: the server sees three connections from
    // 127.0.0.1, over max_connections_per_address = 2, and takes them (a trusted proxy).
    QList<std::shared_ptr<QWebSocket>> sockets;
    for (int i = 0; i < 3; ++i) {
        auto socket = std::make_shared<QWebSocket>();
        QSignalSpy connected(socket.get(), &QWebSocket::connected);
        QUrl url = server.socketUrl(ada);
        url.setPort(port);
        socket->open(url);
        QVERIFY2(connected.wait(10000), qPrintable(socket->errorString()));
        sockets.append(socket);
    }
    // REST through it too, and /metrics is kept from the world as the file says.
    QCOMPARE(
        KyozoTest::restRequest(
            "GET",
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/v1/workspaces/lab/notebooks").arg(port)),
            ada)
            .status,
        200);
    QCOMPARE(
        KyozoTest::restRequest("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port)))
            .status,
        403);
}

void TestReverseProxy::forwardedForOnlyFromTrustedProxies()
{
    // The server's request lines (debug) name the client it believes.
    const auto clientSeen = [](const QString &config) {
        KyozoTest::TemporaryServer server;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_LOGGING_RULES"),
                   QStringLiteral("kyozo.server.http.debug=true"));
        server.process().setProcessEnvironment(env);
        QString error;
        if (!server.start(config, &error))
            return error;
        const KyozoTest::RestResponse r = KyozoTest::restRequest(
            "GET", server.url(QStringLiteral("/healthz")), {}, {}, "application/json", 10000,
            { { "X-Forwarded-For", "203.0.113.7" }, { "X-Forwarded-Proto", "https" } });
        if (r.status != 200)
            return QStringLiteral("status %1").arg(r.status);
        QByteArray log;
        (void)QTest::qWaitFor(
            [&] {
                log += server.process().readAllStandardError();
                return log.contains("/healthz 200 from");
            },
            5000);
        const qsizetype at = log.indexOf("/healthz 200 from ");
        return at < 0 ? QString::fromUtf8(log)
                      : QString::fromUtf8(log.mid(at + 18, log.indexOf('\n', at) - at - 18));
    };
    QCOMPARE(clientSeen(QStringLiteral("[proxy]\ntrusted_addresses = [\"127.0.0.1\"]\n")),
             QStringLiteral("203.0.113.7 https"));
    QCOMPARE(clientSeen(QString()), QStringLiteral("127.0.0.1 http"));
    QCOMPARE(clientSeen(QStringLiteral("[proxy]\ntrusted_addresses = [\"10.0.0.0/8\"]\n")),
             QStringLiteral("127.0.0.1 http"));
}

QTEST_GUILESS_MAIN(TestReverseProxy)
#include "tst_reverseproxy.moc"
