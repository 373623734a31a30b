// Issue 21 item 2, the editor's side: a team server with a certificate from a private CA is
// refused until the CA file is trusted (kyozo --ca-file), then REST and the channel socket
// (wss://) both work. The server is the real kyozo-server with [tls].
#include "net/channelconnection.h"
#include "net/privateca.h"
#include "net/restclient.h"
#include "temporaryserver.h"
#include "tlstestcertificates.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::App;

class TestPrivateCa : public QObject
{
    Q_OBJECT
private slots:
    void teamServerOfAPrivateCa();
    void fileWithoutCertificatesIsRefused();
};

void TestPrivateCa::teamServerOfAPrivateCa()
{
    QTemporaryDir dir;
    const KyozoTest::TlsTestCertificates certificates;
    QVERIFY(certificates.writeTo(dir.path()));
    KyozoTest::TemporaryServer server;
    QString error;
    QVERIFY2(server.start(
                 QStringLiteral(
                     "[tls]\ncertificate = \"%1/server.pem\"\nprivate_key = \"%1/server.key\"\n")
                     .arg(dir.path()),
                 &error),
             qPrintable(error));
    const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                               QStringLiteral("owner"));
    const QUrl url = server.url(QString());
    QCOMPARE(url.scheme(), QStringLiteral("https"));

    const auto listNotebooks = [&] {
        RestClient rest(url, token);
        std::optional<QString> outcome;
        rest.get(QStringLiteral("/api/v1/workspaces/lab/notebooks"), {},
                 [&](const QJsonObject &, const QString &why) { outcome = why; });
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 20000))
            return QStringLiteral("no answer");
        return *outcome;
    };
    // Not trusted yet: refused, and the user is told why.
    const QString refused = listNotebooks();
    QVERIFY2(!refused.isEmpty(), "an untrusted certificate was accepted");

    QVERIFY2(trustPrivateCa(dir.filePath(QStringLiteral("ca.pem")), &error), qPrintable(error));
    QCOMPARE(listNotebooks(), QString());
    ChannelConnection channel;
    QSignalSpy joined(&channel, &ChannelConnection::joined);
    channel.open(url, token, QStringLiteral("execution:workspace:lab"));
    QVERIFY(joined.wait(20000));
    QCOMPARE(server.stop(), 0);
}

void TestPrivateCa::fileWithoutCertificatesIsRefused()
{
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("no certificate here\n");
    f.close();
    QString error;
    QVERIFY(!trustPrivateCa(f.fileName(), &error));
    QVERIFY2(error.contains(QLatin1String("no PEM or DER certificate")), qPrintable(error));
    QVERIFY(!trustPrivateCa(dir.filePath(QStringLiteral("missing.pem")), &error));
    QVERIFY2(error.contains(QLatin1String("Cannot read")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestPrivateCa)
#include "tst_privateca.moc"
