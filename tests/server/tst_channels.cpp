// Phoenix Channels v2 rules of SPEC §4 and §11 (socket rules) against the real
// kyozo-server on a loopback port.
#include "channelclient.h"
#include "databasebackends.h"
#include "rawwebsocket.h"
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QtTest>

using namespace KyozoTest;

namespace {

// The HTTP status line a WebSocket handshake gets, read from a raw socket.
QByteArray handshakeStatus(quint16 port, const QString &pathAndQuery)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(
        QStringLiteral(
            "GET %1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            .arg(pathAndQuery)
            .toLatin1());
    QByteArray got;
    while (!got.contains("\r\n") && s.waitForReadyRead(5000))
        got += s.readAll();
    return got.left(got.indexOf("\r\n"));
}

QJsonObject replyPayload(const QJsonArray &f)
{
    return f[4].toObject();
}
bool replyOk(const QJsonArray &f)
{
    return replyPayload(f).value("status").toString() == QLatin1String("ok");
}
QString replyReason(const QJsonArray &f)
{
    return replyPayload(f).value("response").toObject().value("reason").toString();
}

const QString kTopic = QStringLiteral("execution:workspace:lab");

} // namespace

class TestChannels : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    DatabaseBackends backends;
    QString ada, bob, eve;

private slots:
    // Every rule runs on SQLite and on a real PostgreSQL: joins authorise and revocations
    // are found through the database.
    void initTestCase_data() { DatabaseBackends::addRows(); }
    void initTestCase() { backends.start(); }
    void init()
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, database);
        server = std::make_unique<TemporaryServer>(database);
        // Short limits so that timeouts are testable; every key is one of docs/server.md.
        QString error;
        QVERIFY2(
            server->start(
                QStringLiteral(
                    "[limits]\nheartbeat_timeout_ms = 1500\nmax_frame_bytes = 4096\n"
                    "messages_per_second = 20\nmessage_burst = 40\nrevocation_poll_ms = 100\n"),
                &error),
            qPrintable(error));
        ada = server->userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                    QStringLiteral("owner"));
        bob = server->userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                    QStringLiteral("viewer"));
        eve = server->userWithToken(QStringLiteral("eve"), QStringLiteral("elsewhere"),
                                    QStringLiteral("owner"));
        QVERIFY(!ada.isEmpty() && !bob.isEmpty() && !eve.isEmpty());
    }
    void cleanup() { server.reset(); }

    void badTokensAreRefusedWith403BeforeTheUpgrade()
    {
        QVERIFY(handshakeStatus(server->port(), QStringLiteral("/socket/websocket?vsn=2.0.0"))
                    .contains(" 403 "));
        QVERIFY(handshakeStatus(server->port(),
                                QStringLiteral("/socket/websocket?vsn=2.0.0&token=kyz_nope"))
                    .contains(" 403 "));
        QVERIFY(handshakeStatus(server->port(),
                                QStringLiteral("/socket/websocket?vsn=2.0.0&token=") + ada)
                    .contains(" 101 "));
        QVERIFY(server->admin({ QStringLiteral("token"), QStringLiteral("revoke"), ada }) == 0);
        QVERIFY(handshakeStatus(server->port(),
                                QStringLiteral("/socket/websocket?vsn=2.0.0&token=") + ada)
                    .contains(" 403 "));
    }

    void heartbeatRepliesWithItsRef()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        c.send(
            frame({}, QStringLiteral("7"), QStringLiteral("phoenix"), QStringLiteral("heartbeat")));
        const QJsonArray r = c.waitForReply(QStringLiteral("7"));
        QCOMPARE(
            r,
            QJsonArray({ QJsonValue::Null, "7", "phoenix", "phx_reply",
                         QJsonObject { { "status", "ok" }, { "response", QJsonObject {} } } }));
    }

    void joinEchoesRefsAndChecksRights()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        const QJsonArray ok = c.join(kTopic, QStringLiteral("3"));
        QCOMPARE(ok[0].toString(), QStringLiteral("3"));
        QCOMPARE(ok[1].toString(), QStringLiteral("3"));
        QVERIFY(replyOk(ok));
        const QJsonArray denied
            = c.join(QStringLiteral("execution:workspace:elsewhere"), QStringLiteral("4"));
        QVERIFY(!replyOk(denied));
        QCOMPARE(replyReason(denied), QStringLiteral("unauthorized"));
        const QJsonArray missing
            = c.join(QStringLiteral("execution:notebook:no-such-id"), QStringLiteral("5"));
        QCOMPARE(replyReason(missing), QStringLiteral("unauthorized"));
        const QJsonArray unknown = c.join(QStringLiteral("chat:lobby"), QStringLiteral("6"));
        QCOMPARE(replyReason(unknown), QStringLiteral("unmatched topic"));
    }

    void secondJoinClosesTheFirst()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("1"))));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("2"))));
        const QJsonArray closed = c.waitForEvent(kTopic, QStringLiteral("phx_close"));
        QCOMPARE(closed[0].toString(), QStringLiteral("1")); // the old join's ref
        // The socket is still subscribed once: one relay arrives, not two.
        ChannelClient other;
        QVERIFY(other.open(server->socketUrl(bob)));
        QVERIFY(replyOk(other.join(kTopic, QStringLiteral("1"))));
        other.send(
            frame(QStringLiteral("1"), QStringLiteral("2"), kTopic, QStringLiteral("cursor_move"),
                  QJsonObject { { "position", QJsonObject { { "line", 1 }, { "column", 2 } } } }));
        QVERIFY(!c.waitForEvent(kTopic, QStringLiteral("cursor")).isEmpty());
        QVERIFY(c.waitForEvent(kTopic, QStringLiteral("cursor"), 500).isEmpty());
    }

    void leaveRepliesAndCloses()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("1"))));
        c.send(
            frame(QStringLiteral("1"), QStringLiteral("2"), kTopic, QStringLiteral("phx_leave")));
        QVERIFY(replyOk(c.waitForReply(QStringLiteral("2"))));
        QCOMPARE(c.waitForEvent(kTopic, QStringLiteral("phx_close"))[0].toString(),
                 QStringLiteral("1"));
        // After leaving, a push is for a topic the socket is not in.
        c.send(
            frame(QStringLiteral("1"), QStringLiteral("3"), kTopic, QStringLiteral("cursor_move"),
                  QJsonObject { { "position", QJsonObject { { "line", 1 }, { "column", 1 } } } }));
        QCOMPARE(replyReason(c.waitForReply(QStringLiteral("3"))),
                 QStringLiteral("unmatched topic"));
    }

    void cursorAndSelectionAreRelayedToTheOthers()
    {
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(kTopic, QStringLiteral("1"))));
        QVERIFY(replyOk(b.join(kTopic, QStringLiteral("1"))));
        const QJsonObject position { { "line", 3 }, { "column", 14 } };
        a.send(frame(QStringLiteral("1"), QStringLiteral("2"), kTopic,
                     QStringLiteral("cursor_move"), QJsonObject { { "position", position } }));
        QVERIFY(replyOk(a.waitForReply(QStringLiteral("2"))));
        const QJsonObject cursor = b.waitForEvent(kTopic, QStringLiteral("cursor"))[4].toObject();
        QCOMPARE(cursor.value("name").toString(), QStringLiteral("ada"));
        QCOMPARE(cursor.value("position").toObject(), position);
        QVERIFY(!cursor.value("user_id").toString().isEmpty());
        QVERIFY(cursor.value("color").toString().startsWith(QLatin1Char('#')));
        QVERIFY(a.waitForEvent(kTopic, QStringLiteral("cursor"), 300).isEmpty()); // not echoed
        const QJsonObject anchor { { "line", 1 }, { "column", 1 } },
            head { { "line", 2 }, { "column", 5 } };
        b.send(frame(QStringLiteral("1"), QStringLiteral("3"), kTopic, QStringLiteral("selection"),
                     QJsonObject { { "anchor", anchor }, { "head", head } }));
        const QJsonObject sel = a.waitForEvent(kTopic, QStringLiteral("selection"))[4].toObject();
        QCOMPARE(sel.value("name").toString(), QStringLiteral("bob"));
        QCOMPARE(sel.value("anchor").toObject(), anchor);
        QCOMPARE(sel.value("head").toObject(), head);
        // The integers co-editing adds are relayed as they are (SPEC §11).
        a.send(
            frame(QStringLiteral("1"), QStringLiteral("5"), kTopic, QStringLiteral("cursor_move"),
                  QJsonObject { { "position", position }, { "revision", 12 }, { "offset", 345 } }));
        const QJsonObject withOffsets
            = b.waitForEvent(kTopic, QStringLiteral("cursor"))[4].toObject();
        QCOMPARE(withOffsets.value("position").toObject(), position);
        QCOMPARE(withOffsets.value("revision").toInteger(), 12);
        QCOMPARE(withOffsets.value("offset").toInteger(), 345);
        b.send(frame(QStringLiteral("1"), QStringLiteral("6"), kTopic, QStringLiteral("selection"),
                     QJsonObject { { "anchor", anchor },
                                   { "head", head },
                                   { "revision", 3 },
                                   { "anchor_offset", 0 },
                                   { "head_offset", 9 } }));
        const QJsonObject selWithOffsets
            = a.waitForEvent(kTopic, QStringLiteral("selection"))[4].toObject();
        QCOMPARE(selWithOffsets.keys(),
                 QStringList({ "anchor", "anchor_offset", "color", "head", "head_offset", "name",
                               "revision", "user_id" }));
        QCOMPARE(selWithOffsets.value("head_offset").toInteger(), 9);
    }

    // Before: cursor_move relayed any extra keys inside `position` (900 KB of them), and
    // numbers of any kind.
    void payloadsOfAnotherShapeAreRefusedAndNotRelayed()
    {
        const QList<std::pair<const char *, const char *>> cases {
            { "cursor_move", "{}" },
            { "cursor_move",
              R"({"position":{"line":1,"column":2,"pad":"xxxxxxxx"}})" }, // extra key in position
            { "cursor_move", R"({"position":{"line":1,"column":2},"html":"<b>"})" },
            { "cursor_move", R"({"position":{"line":1.5,"column":2}})" },
            { "cursor_move", R"({"position":{"line":"1","column":2}})" },
            { "cursor_move", R"({"position":{"line":1e20,"column":2}})" },
            { "cursor_move", R"({"position":{"line":1,"column":2},"offset":-1})" },
            { "cursor_move", "[1,2]" },
            { "selection", R"({"anchor":{"line":1,"column":1}})" },
            { "selection",
              R"({"anchor":{"line":1,"column":1},"head":{"line":1,"column":1,"x":[]}})" },
            { "selection",
              R"({"anchor":{"line":1,"column":1},"head":{"line":1,"column":1},"head_offset":2.5})" },
        };
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(kTopic, QStringLiteral("1"))));
        QVERIFY(replyOk(b.join(kTopic, QStringLiteral("1"))));
        int ref = 1;
        for (const auto &[event, payload] : cases) {
            const QString r = QString::number(++ref);
            a.send(frame(QStringLiteral("1"), r, kTopic, QString::fromLatin1(event),
                         QJsonDocument::fromJson(QByteArray("[") + payload + "]").array().at(0)));
            const QJsonArray reply = a.waitForReply(r);
            QVERIFY2(!replyOk(reply), payload);
            QCOMPARE(replyReason(reply), QStringLiteral("bad_payload"));
        }
        // None was relayed; a good one still is, after them.
        a.send(frame(
            QStringLiteral("1"), QStringLiteral("good"), kTopic, QStringLiteral("cursor_move"),
            QJsonObject { { "position", QJsonObject { { "line", 7 }, { "column", 7 } } } }));
        const QJsonArray first = b.waitFor([](const QJsonArray &f) {
            return f[3].toString() == QLatin1String("cursor")
                || f[3].toString() == QLatin1String("selection");
        });
        QCOMPARE(first[4].toObject().value("position").toObject().value("line").toInt(), 7);
        QVERIFY(a.isOpen());
    }

    void executeBelongsToNotebookTopics()
    {
        // Cells run on notebook topics (tst_execution); a workspace has none.
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("1"))));
        for (const char *event : { "execute", "cancel" }) {
            c.send(frame(QStringLiteral("1"), QString::fromLatin1(event), kTopic,
                         QString::fromLatin1(event)));
            const QJsonArray r = c.waitForReply(QString::fromLatin1(event));
            QCOMPARE(replyPayload(r).value("status").toString(), QStringLiteral("error"));
            QCOMPARE(replyReason(r), QStringLiteral("unknown event"));
        }
        // Co-editing's op belongs to notebook topics (tst_coediting).
        c.send(frame(QStringLiteral("1"), QStringLiteral("op"), kTopic, QStringLiteral("op")));
        QCOMPARE(replyReason(c.waitForReply(QStringLiteral("op"))),
                 QStringLiteral("unknown event"));
    }

    void badFramesGetAnErrorAndKeepTheSocket()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        for (const char *bad :
             { "not json", "[1,2,3]", "{\"topic\":\"x\"}", "[null,null,\"\",\"e\",{}]" }) {
            c.sendText(QString::fromLatin1(bad));
            const QJsonArray e
                = c.waitForEvent(QStringLiteral("phoenix"), QStringLiteral("phx_error"));
            QVERIFY2(!e.isEmpty(), bad);
            QVERIFY(!e[4].toObject().value("reason").toString().isEmpty());
        }
        c.send(
            frame({}, QStringLiteral("9"), QStringLiteral("phoenix"), QStringLiteral("heartbeat")));
        QVERIFY(replyOk(c.waitForReply(QStringLiteral("9"))));
    }

    void oversizedFrameClosesWith1009()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        c.send(frame({}, QStringLiteral("1"), QStringLiteral("phoenix"),
                     QStringLiteral("heartbeat"),
                     QJsonObject { { "pad", QString(8000, QLatin1Char('x')) } }));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1009);
    }

    void floodClosesWith1008()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        for (int i = 0; i < 200; ++i)
            c.send(frame({}, QString::number(i), QStringLiteral("phoenix"),
                         QStringLiteral("heartbeat")));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1008);
    }

    void missedHeartbeatsCloseWith1000()
    {
        ChannelClient quiet, beating;
        QVERIFY(quiet.open(server->socketUrl(ada)));
        QVERIFY(beating.open(server->socketUrl(bob)));
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 8 && !quiet.waitClosed(400); ++i)
            beating.send(frame({}, QString::number(i), QStringLiteral("phoenix"),
                               QStringLiteral("heartbeat")));
        QVERIFY(quiet.waitClosed(3000));
        QCOMPARE(quiet.closeCode(), 1000);
        QVERIFY(t.elapsed() >= 1000);
        QVERIFY(beating.isOpen());
    }

    void revokingATokenClosesItsSocketsWithinOneSecond()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(bob)));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("1"))));
        QElapsedTimer t;
        t.start();
        QCOMPARE(server->admin({ QStringLiteral("token"), QStringLiteral("revoke"), bob }), 0);
        const qint64 revokedAfter = t.elapsed();
        QVERIFY(c.waitClosed(2000));
        QVERIFY2(t.elapsed() - revokedAfter <= 1000,
                 qPrintable(QString::number(t.elapsed() - revokedAfter)));
        QCOMPARE(c.closeCode(), 1008);
    }

    void metricsCountSocketsChannelsMessagesAndErrors()
    {
        const auto metric
            = [this](const char *name) { return server->metric(QString::fromLatin1(name)); };
        for (const char *name :
             { "kyozo_sockets", "kyozo_channels_joined", "kyozo_messages_in_total",
               "kyozo_messages_out_total", "kyozo_errors_total" })
            QCOMPARE(metric(name), 0);
        ChannelClient a;
        auto b = std::make_unique<ChannelClient>();
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b->open(server->socketUrl(bob)));
        QTRY_COMPARE(metric("kyozo_sockets"), 2);

        QVERIFY(replyOk(a.join(kTopic, QStringLiteral("1"))));
        QVERIFY(replyOk(b->join(kTopic, QStringLiteral("1"))));
        QCOMPARE(replyReason(
                     b->join(QStringLiteral("execution:workspace:elsewhere"), QStringLiteral("2"))),
                 QStringLiteral("unauthorized"));
        a.sendText(QStringLiteral("not json"));
        QVERIFY(!a.waitForEvent(QStringLiteral("phoenix"), QStringLiteral("phx_error")).isEmpty());
        a.send(
            frame(QStringLiteral("1"), QStringLiteral("3"), kTopic, QStringLiteral("cursor_move"),
                  QJsonObject { { "position", QJsonObject { { "line", 1 }, { "column", 1 } } } }));
        QVERIFY(replyOk(a.waitForReply(QStringLiteral("3"))));
        QVERIFY(!b->waitForEvent(kTopic, QStringLiteral("cursor")).isEmpty());
        QCOMPARE(metric("kyozo_channels_joined"), 2);
        QCOMPARE(metric("kyozo_messages_in_total"), 5); // three joins, the bad frame, the cursor
        QCOMPARE(metric("kyozo_errors_total"), 2); // the refused join, the bad frame
        // Every frame counted went out and nothing else did, presence diffs included: at
        // least the replies, both presence_states, the error, the relay and one diff. The
        // diff is merged for presence_batch_ms (50 ms), so wait for it before counting.
        QVERIFY(!a.waitForEvent(kTopic, QStringLiteral("presence_diff")).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(metric("kyozo_messages_out_total"),
                                  qint64(a.received() + b->received()), 2000);
        QVERIFY(a.received() + b->received() >= 9);

        a.send(
            frame(QStringLiteral("1"), QStringLiteral("4"), kTopic, QStringLiteral("phx_leave")));
        QVERIFY(replyOk(a.waitForReply(QStringLiteral("4"))));
        QCOMPARE(metric("kyozo_channels_joined"), 1);
        QVERIFY(!a.waitForEvent(kTopic, QStringLiteral("phx_close")).isEmpty());
        QVERIFY(!b->waitFor([](const QJsonArray &f) {
                      return f[3].toString() == QLatin1String("presence_diff")
                          && !f[4].toObject().value("leaves").toObject().isEmpty();
                  }).isEmpty());
        const qint64 sentSoFar = a.received() + b->received();
        QCOMPARE(metric("kyozo_messages_out_total"), sentSoFar);
        QCOMPARE(metric("kyozo_sockets_opened_total"), 2);
        QCOMPARE(metric("kyozo_sockets_closed_total{code=\"1001\"}"),
                 -1); // no socket has ended yet
        b.reset(); // QWebSocket's destructor closes with 1001 (going away)
        QTRY_COMPARE(metric("kyozo_sockets"), 1);
        QCOMPARE(metric("kyozo_sockets_closed_total{code=\"1001\"}"), 1);
        QCOMPARE(metric("kyozo_messages_out_total"),
                 sentSoFar); // a closed socket's frames still count
        QCOMPARE(metric("kyozo_channels_joined"), 0);
        QCOMPARE(metric("kyozo_messages_in_total"), 6);
        QCOMPARE(metric("kyozo_errors_total"), 2);

        // A flood ends with the server's 1008; a socket dropped without a close frame, 1006.
        ChannelClient flooder;
        QVERIFY(flooder.open(server->socketUrl(ada)));
        for (int i = 0; i < 200; ++i)
            flooder.send(frame({}, QString::number(i), QStringLiteral("phoenix"),
                               QStringLiteral("heartbeat")));
        QVERIFY(flooder.waitClosed());
        QTRY_COMPARE(metric("kyozo_sockets_closed_total{code=\"1008\"}"), 1);
        RawWebSocket dropped;
        QVERIFY(dropped.open(server->port(),
                             QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(ada)));
        QTRY_COMPARE(metric("kyozo_sockets"), 2);
        dropped.dropConnection();
        QTRY_COMPARE(metric("kyozo_sockets_closed_total{code=\"1006\"}"), 1);
        QCOMPARE(metric("kyozo_sockets_opened_total"), 4);
        QCOMPARE(metric("kyozo_sockets_closed_total{code=\"1001\"}"), 1);
    }

    void sigtermClosesSocketsWith1001AndExitsZero()
    {
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        QVERIFY(replyOk(c.join(kTopic, QStringLiteral("1"))));
        QCOMPARE(server->stop(), 0);
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1001);
    }
};

QTEST_GUILESS_MAIN(TestChannels)
#include "tst_channels.moc"
