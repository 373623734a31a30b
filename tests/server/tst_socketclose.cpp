// How sockets end (SPEC §11 socket rules; issue 14 items 4 and 5): every socket gets its
// close code, on SIGTERM (1001), on revocation (1008, all in the same poll) and after a
// flood (1008), including to a client that floods without reading.
#include "channelclient.h"
#include "rawwebsocket.h"
#include "temporaryserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>
#include <QtTest>

#include <memory>
#include <vector>

using namespace KyozoTest;

namespace {

const QString kTopic = QStringLiteral("execution:workspace:lab");

// Many plain QWebSockets, opened together; each remembers when and how the server closed it.
class SocketCrowd
{
public:
    ~SocketCrowd()
    {
        for (const auto &s : sockets)
            s->disconnect(); // their destructors close them: not into the vectors gone by then
    }
    bool open(const QUrl &url, int count, int timeoutMs)
    {
        codes.assign(count, -1);
        closedAtMs.assign(count, -1);
        for (int i = 0; i < count; ++i) {
            auto s = std::make_unique<QWebSocket>();
            const int index = i;
            QObject::connect(s.get(), &QWebSocket::disconnected, s.get(), [this, index] {
                closedAtMs[index] = clock.elapsed();
                codes[index] = int(sockets[index]->closeCode());
            });
            s->open(url);
            sockets.push_back(std::move(s));
        }
        clock.start();
        return spinUntil([this] { return connected() == int(sockets.size()); }, timeoutMs);
    }
    int connected() const
    {
        return int(std::count_if(sockets.begin(), sockets.end(), [](const auto &s) {
            return s->state() == QAbstractSocket::ConnectedState;
        }));
    }
    int closed() const
    {
        return int(std::count_if(codes.begin(), codes.end(), [](int c) { return c >= 0; }));
    }
    int withCode(int code) const { return int(std::count(codes.begin(), codes.end(), code)); }

    std::vector<std::unique_ptr<QWebSocket>> sockets;
    std::vector<int> codes;
    std::vector<qint64> closedAtMs;
    QElapsedTimer clock;
};

} // namespace

class TestSocketClose : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob;

    void startServer(const QString &limits)
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        QVERIFY2(server->start(QStringLiteral("[limits]\n") + limits, &error), qPrintable(error));
        ada = server->userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                    QStringLiteral("owner"));
        bob = server->userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                    QStringLiteral("editor"));
        QVERIFY(!ada.isEmpty() && !bob.isEmpty());
    }

private slots:
    void cleanup() { server.reset(); }

    // Before: closeAll iterated the set of sessions while a close removed from it, and the
    // process quit after a fixed 200 ms: on 500 sockets, 100 got 1006 instead of 1001.
    void sigtermClosesEverySocketWith1001()
    {
        constexpr int kSockets = 400;
        startServer(
            QStringLiteral("max_sockets_per_user = 1000\nmax_connections_per_address = 1000\n"));
        SocketCrowd crowd;
        QVERIFY2(crowd.open(server->socketUrl(ada), kSockets, 30000),
                 qPrintable(QString::number(crowd.connected())));
        QTRY_COMPARE_WITH_TIMEOUT(server->metric(QStringLiteral("kyozo_sockets")), qint64(kSockets),
                                  10000);
        QCOMPARE(server->stop(), 0);
        QVERIFY(spinUntil([&] { return crowd.closed() == kSockets; }, 10000));
        QCOMPARE(crowd.withCode(1001), kSockets);
    }

    // Before: checkRevocations iterated the sessions the same way; some revoked sockets
    // were closed only by a later poll.
    void revocationClosesEverySocketOfTheTokenInOnePoll()
    {
        constexpr int kRevoked = 50;
        constexpr int kPollMs = 1000;
        startServer(QStringLiteral("revocation_poll_ms = %1\n").arg(kPollMs));
        SocketCrowd revoked, kept;
        QVERIFY(revoked.open(server->socketUrl(bob), kRevoked, 20000));
        QVERIFY(kept.open(server->socketUrl(ada), 5, 20000));
        QCOMPARE(server->admin({ QStringLiteral("token"), QStringLiteral("revoke"), bob }), 0);
        QVERIFY(spinUntil([&] { return revoked.closed() == kRevoked; }, 3 * kPollMs + 5000));
        QCOMPARE(revoked.withCode(1008), kRevoked);
        // All in the same poll: a socket missed by one is closed a whole poll later.
        const auto [first, last]
            = std::minmax_element(revoked.closedAtMs.begin(), revoked.closedAtMs.end());
        QVERIFY2(*last - *first < kPollMs / 2,
                 qPrintable(QStringLiteral("closes spread over %1 ms").arg(*last - *first)));
        QCOMPARE(kept.closed(), 0);
    }

    // Before: the TCP connection was closed right after the close frame while the client's
    // data was unread, so the kernel sent RST and the client never saw 1008.
    void aFloodingClientThatDoesNotReadStillGets1008()
    {
        startServer(QStringLiteral("messages_per_second = 20\nmessage_burst = 40\n"));
        RawWebSocket flooder(4096);
        QVERIFY(flooder.open(server->port(),
                             QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(ada)));
        // Far beyond the burst, without reading a byte: the server's replies and its close
        // frame pile up behind a full receive window while the heartbeats keep coming.
        const QByteArray heartbeat
            = QJsonDocument(frame({}, QStringLiteral("1"), QStringLiteral("phoenix"),
                                  QStringLiteral("heartbeat"),
                                  QJsonObject { { "pad", QString(200, QLatin1Char('x')) } }))
                  .toJson(QJsonDocument::Compact);
        int sent = 0;
        while (sent < 20000 && flooder.trySendText(heartbeat, 300))
            ++sent;
        QVERIFY2(sent > 40, qPrintable(QString::number(sent)));
        flooder.readUntilClosed(10000);
        QVERIFY2(!flooder.reset || flooder.closeCode >= 0,
                 "the connection was reset before the close frame");
        QCOMPARE(flooder.closeCode, 1008);
    }
};

QTEST_GUILESS_MAIN(TestSocketClose)
#include "tst_socketclose.moc"
