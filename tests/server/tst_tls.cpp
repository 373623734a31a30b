// Native TLS (issue 21 item 2, docs/server.md "TLS"): with [tls] the one port speaks HTTPS
// and WSS with the configured certificate, refuses plain HTTP, will not start with a
// certificate no client would accept (one line, exit 1), and reads the files again on
// SIGHUP. The certificates are made in the test with OpenSSL (tlstestcertificates).
#include "temporaryserver.h"
#include "tlstestcertificates.h"

#include <QSslCertificate>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <csignal>

using KyozoTest::TemporaryServer;
using KyozoTest::TlsTestCertificates;

namespace {

struct HttpsAnswer
{
    bool encrypted = false;
    QString error;
    QByteArray response;
    QSslCertificate peer;
};

// GET `path` over TLS, trusting `caPem` only.
HttpsAnswer httpsGet(quint16 port, const QByteArray &caPem, const QByteArray &path)
{
    HttpsAnswer answer;
    QSslSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromData(caPem, QSsl::Pem));
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    answer.encrypted = socket.waitForEncrypted(10000);
    if (!answer.encrypted) {
        answer.error = socket.errorString();
        return answer;
    }
    answer.peer = socket.peerCertificate();
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 10000)
        if (socket.waitForReadyRead(500))
            answer.response += socket.readAll();
    answer.response += socket.readAll();
    return answer;
}

QString tlsConfig(const QString &dir, const QString &key = QStringLiteral("server.key"))
{
    return QStringLiteral("[tls]\ncertificate = \"%1/server.pem\"\nprivate_key = \"%1/%2\"\n")
        .arg(dir, key);
}

// Runs kyozo-server until it exits; its exit code and stderr.
std::pair<int, QByteArray> refusedStart(const QString &configToml)
{
    TemporaryServer server;
    if (server.start(configToml)) // no error asked for: it would take the stderr
        return { 0, "started" };
    QProcess &p = server.process();
    p.waitForFinished(10000);
    return { p.exitCode(), p.readAllStandardError() };
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT
private slots:
    void httpsAndWssOnOnePort();
    void plainHttpIsRefused();
    void certificatesNoClientWouldAcceptStopTheStart_data();
    void certificatesNoClientWouldAcceptStopTheStart();
    void sighupReloadsTheCertificate();
};

void TestTls::httpsAndWssOnOnePort()
{
    QTemporaryDir dir;
    const TlsTestCertificates certificates;
    QVERIFY(certificates.writeTo(dir.path()));
    TemporaryServer server;
    QString error;
    QVERIFY2(server.start(tlsConfig(dir.path()), &error), qPrintable(error));
    QCOMPARE(server.url(QStringLiteral("/")).scheme(), QStringLiteral("https"));

    const HttpsAnswer answer = httpsGet(server.port(), certificates.caPem, "/healthz");
    QVERIFY2(answer.encrypted, qPrintable(answer.error));
    QCOMPARE(answer.peer, QSslCertificate(certificates.certificatePem, QSsl::Pem));
    QVERIFY2(answer.response.startsWith("HTTP/1.1 200"), answer.response.constData());

    // A client that does not trust the CA refuses the server: it really is that certificate.
    const HttpsAnswer untrusted = httpsGet(server.port(), TlsTestCertificates().caPem, "/healthz");
    QVERIFY(!untrusted.encrypted);

    // WSS on the same port: a Phoenix join (the `phoenix` client does the same in
    // tst_phoenixinterop).
    const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                               QStringLiteral("owner"));
    QWebSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromData(certificates.caPem, QSsl::Pem));
    socket.setSslConfiguration(configuration);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy received(&socket, &QWebSocket::textMessageReceived);
    socket.open(server.socketUrl(token));
    QCOMPARE(server.socketUrl(token).scheme(), QStringLiteral("wss"));
    QVERIFY(connected.wait(10000));
    socket.sendTextMessage(QStringLiteral(R"(["1","1","execution:workspace:lab","phx_join",{}])"));
    QVERIFY(received.wait(10000));
    QVERIFY2(received.first().first().toString().contains(QLatin1String(R"("status":"ok")")),
             qPrintable(received.first().first().toString()));
    socket.close();
    QCOMPARE(server.stop(), 0);
}

void TestTls::plainHttpIsRefused()
{
    QTemporaryDir dir;
    const TlsTestCertificates certificates;
    QVERIFY(certificates.writeTo(dir.path()));
    TemporaryServer server;
    QString error;
    QVERIFY2(server.start(tlsConfig(dir.path()), &error), qPrintable(error));
    // Plain HTTP to the TLS port: closed, with nothing answered in the clear.
    QTcpSocket plain;
    plain.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(plain.waitForConnected(5000));
    plain.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QElapsedTimer timer;
    timer.start();
    QByteArray got;
    while (plain.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 5000) {
        plain.waitForReadyRead(200);
        got += plain.readAll();
    }
    QCOMPARE(plain.state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(!got.contains("HTTP/1.1"), got.constData());
    QVERIFY2(timer.elapsed() < 5000, "the connection was not closed");
    // And the server goes on serving.
    const HttpsAnswer answer = httpsGet(server.port(), certificates.caPem, "/healthz");
    QVERIFY2(answer.response.startsWith("HTTP/1.1 200"), qPrintable(answer.error));
}

void TestTls::certificatesNoClientWouldAcceptStopTheStart_data()
{
    QTest::addColumn<qint64>("notBefore");
    QTest::addColumn<qint64>("notAfter");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("line");
    QTest::newRow("expired") << qint64(-86400) << qint64(-60) << "server.key"
                             << "the certificate expired on";
    QTest::newRow("not yet valid") << qint64(3600) << qint64(86400) << "server.key"
                                   << "is not valid before";
    QTest::newRow("another certificate's key") << qint64(-60) << qint64(86400) << "other.key"
                                               << "is not the key of the certificate";
    QTest::newRow("no key file") << qint64(-60) << qint64(86400) << "missing.key"
                                 << "missing.key";
}

void TestTls::certificatesNoClientWouldAcceptStopTheStart()
{
    QFETCH(qint64, notBefore);
    QFETCH(qint64, notAfter);
    QFETCH(QString, key);
    QFETCH(QString, line);
    QTemporaryDir dir;
    QVERIFY(TlsTestCertificates({ notBefore, notAfter }).writeTo(dir.path()));
    const auto [code, err] = refusedStart(tlsConfig(dir.path(), key));
    QCOMPARE(code, 1);
    const QByteArray text = err.trimmed();
    QVERIFY2(!text.contains('\n'), text.constData()); // one line
    QVERIFY2(text.startsWith("kyozo-server: ") && text.contains(line.toUtf8()), text.constData());
    // [tls] with only one of the two files is a configuration error.
    if (QTest::currentDataTag() == QByteArray("expired")) {
        const auto [usage, why] = refusedStart(
            QStringLiteral("[tls]\ncertificate = \"%1/server.pem\"\n").arg(dir.path()));
        QCOMPARE(usage, 2);
        QVERIFY2(why.contains("private_key"), why.constData());
    }
}

void TestTls::sighupReloadsTheCertificate()
{
    QTemporaryDir dir;
    const TlsTestCertificates first({ -60, 86400, 2 });
    QVERIFY(first.writeTo(dir.path()));
    TemporaryServer server;
    QString error;
    QVERIFY2(server.start(tlsConfig(dir.path()), &error), qPrintable(error));
    QCOMPARE(httpsGet(server.port(), first.caPem, "/healthz").peer.serialNumber(),
             QByteArray("02"));

    // A renewed certificate (another CA here, serial 7) in the same files, then SIGHUP.
    const TlsTestCertificates renewed({ -60, 86400, 7 });
    QVERIFY(renewed.writeTo(dir.path()));
    ::kill(pid_t(server.process().processId()), SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(
        httpsGet(server.port(), renewed.caPem, "/healthz").peer.serialNumber(), QByteArray("07"),
        10000);

    // A broken renewal is not taken: the server keeps serving with the one it has.
    QFile broken(dir.filePath(QStringLiteral("server.pem")));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("not a certificate\n");
    broken.close();
    ::kill(pid_t(server.process().processId()), SIGHUP);
    QByteArray log;
    QTRY_VERIFY2_WITH_TIMEOUT((log += server.process().readAllStandardError())
                                  .contains("kept the TLS certificate in use"),
                              log.constData(), 10000);
    const HttpsAnswer still = httpsGet(server.port(), renewed.caPem, "/healthz");
    QCOMPARE(still.peer.serialNumber(), QByteArray("07"));
    QVERIFY(still.response.startsWith("HTTP/1.1 200"));
    QCOMPARE(server.stop(), 0);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
