// [proxy] trusted_addresses (issue 21 item 2): X-Forwarded-For and X-Forwarded-Proto are
// believed from the configured proxies only, walked right to left as RFC 7239 §5.2 and
// nginx's realip module do; expected values written by hand from those rules.
#include "http/trustedproxies.h"

#include <QtTest>

using Kyozo::Server::HttpRequest;
using Kyozo::Server::TrustedProxies;

namespace {
HttpRequest withHeaders(const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    HttpRequest r;
    r.headers = headers;
    return r;
}
} // namespace

class TestTrustedProxies : public QObject
{
    Q_OBJECT
private slots:
    void parse()
    {
        TrustedProxies proxies;
        QString error;
        QVERIFY(proxies.parse({ "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8" }, &error));
        QVERIFY(proxies.contains(QHostAddress("127.0.0.1")));
        QVERIFY(proxies.contains(QHostAddress("::ffff:127.0.0.1"))); // a dual-stack socket's view
        QVERIFY(proxies.contains(QHostAddress("10.200.3.4")));
        QVERIFY(proxies.contains(QHostAddress("fd12::5")));
        QVERIFY(!proxies.contains(QHostAddress("127.0.0.2")));
        QVERIFY(!proxies.contains(QHostAddress("11.0.0.1")));
        for (const QString &bad :
             { QStringLiteral("localhost"), QStringLiteral("10.0.0.0/99"), QStringLiteral("") }) {
            QVERIFY(!proxies.parse({ bad }, &error));
            QVERIFY2(error.contains(QLatin1String("not an address")), qPrintable(error));
        }
    }

    void clientOf_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QList<QByteArray>>("forwardedFor"); // one header each
        QTest::addColumn<QString>("client");
        QTest::newRow("no proxy: the header is anyone's")
            << "198.51.100.9" << QList<QByteArray> { "203.0.113.7" } << "198.51.100.9";
        QTest::newRow("trusted proxy")
            << "127.0.0.1" << QList<QByteArray> { "203.0.113.7" } << "203.0.113.7";
        QTest::newRow("trusted proxy, no header")
            << "127.0.0.1" << QList<QByteArray> {} << "127.0.0.1";
        QTest::newRow("a client's own spoofed entry stays left")
            << "127.0.0.1" << QList<QByteArray> { "6.6.6.6, 203.0.113.7" } << "203.0.113.7";
        QTest::newRow("chain of trusted hops")
            << "127.0.0.1" << QList<QByteArray> { "203.0.113.7, 10.1.1.1, 10.2.2.2" }
            << "203.0.113.7";
        QTest::newRow("several headers are one list")
            << "127.0.0.1" << QList<QByteArray> { "203.0.113.7", "10.1.1.1" } << "203.0.113.7";
        QTest::newRow("garbage ends the walk")
            << "127.0.0.1" << QList<QByteArray> { "203.0.113.7, unknown, 10.1.1.1" } << "10.1.1.1";
        QTest::newRow("IPv6 in brackets")
            << "127.0.0.1" << QList<QByteArray> { "[2001:db8::7]" } << "2001:db8::7";
        QTest::newRow("all trusted: the farthest")
            << "127.0.0.1" << QList<QByteArray> { "10.9.9.9" } << "10.9.9.9";
    }

    void clientOf()
    {
        QFETCH(QString, peer);
        QFETCH(QList<QByteArray>, forwardedFor);
        QFETCH(QString, client);
        TrustedProxies proxies;
        QString error;
        QVERIFY(proxies.parse({ "127.0.0.1", "10.0.0.0/8" }, &error));
        QList<std::pair<QByteArray, QByteArray>> headers;
        for (const QByteArray &value : forwardedFor)
            headers.append({ "x-forwarded-for", value });
        QCOMPARE(proxies.clientOf(QHostAddress(peer), withHeaders(headers)), QHostAddress(client));
    }

    void schemeOf()
    {
        TrustedProxies proxies;
        QString error;
        QVERIFY(proxies.parse({ "127.0.0.1" }, &error));
        const HttpRequest https = withHeaders({ { "x-forwarded-proto", "https" } });
        QCOMPARE(proxies.schemeOf(QHostAddress("127.0.0.1"), https, false), QByteArray("https"));
        QCOMPARE(proxies.schemeOf(QHostAddress("198.51.100.9"), https, false), QByteArray("http"));
        QCOMPARE(proxies.schemeOf(QHostAddress("127.0.0.1"),
                                  withHeaders({ { "x-forwarded-proto", "gopher" } }), true),
                 QByteArray("https"));
        QCOMPARE(proxies.schemeOf(QHostAddress("127.0.0.1"),
                                  withHeaders({ { "x-forwarded-proto", "HTTP, https" } }), true),
                 QByteArray("http"));
    }
};

QTEST_GUILESS_MAIN(TestTrustedProxies)
#include "tst_trustedproxies.moc"
