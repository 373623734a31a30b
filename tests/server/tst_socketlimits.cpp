// The limits that bound what one client can make the server hold or do (SPEC §11 socket
// rules; issue 14 item 3): output held for a slow reader capped in bytes, per socket and in
// total, incoming bytes per second, sockets per user, topics joined per socket, and
// relayed payloads held to their documented shape. Each limit is set small in the test's
// config (every key is one of docs/server.md).
#include "channelclient.h"
#include "rawwebsocket.h"
#include "temporaryserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>

using namespace KyozoTest;

namespace {

const QString kTopic = QStringLiteral("execution:workspace:lab");
constexpr qint64 kMiB = 1024 * 1024;

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

// Resident memory of a process (VmRSS in /proc/PID/status), in bytes; -1 when unreadable.
qint64 residentBytes(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const auto m = QRegularExpression(QStringLiteral("^VmRSS:\\s+(\\d+) kB$"),
                                      QRegularExpression::MultilineOption)
                       .match(QString::fromLatin1(f.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() * 1024 : -1;
}

QJsonObject position(int line, int column)
{
    return QJsonObject { { "line", line }, { "column", column } };
}

} // namespace

class TestSocketLimits : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob;

    // The stalled readers read only once the test is done sending, so their closing sockets
    // wait longer for them (close_timeout_ms) than a server would by default.
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

    // A socket of `token` that joins the topic and then reads nothing.
    std::unique_ptr<RawWebSocket> stalledReader(const QString &token)
    {
        auto reader = std::make_unique<RawWebSocket>(4096);
        if (!reader->open(server->port(),
                          QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(token)))
            return {};
        reader->sendFrame(
            frame(QStringLiteral("1"), QStringLiteral("1"), kTopic, QStringLiteral("phx_join")));
        if (!reader->readUntil(
                [](const QList<QJsonArray> &f) {
                    return std::any_of(f.begin(), f.end(), [](const QJsonArray &a) {
                        return a[3].toString() == "phx_reply";
                    });
                },
                5000))
            return {};
        return reader;
    }

    // Moves the writer's cursor `n` times; true once the last move is answered.
    static bool moveCursor(ChannelClient &writer, int *sent, int n)
    {
        for (int i = 0; i < n; ++i) {
            ++*sent;
            writer.send(frame(QStringLiteral("1"), QString::number(*sent), kTopic,
                              QStringLiteral("cursor_move"),
                              QJsonObject { { "position", position(*sent, 1) } }));
        }
        return !writer.waitForReply(QString::number(*sent), 30000).isEmpty();
    }

    // The writer moves its cursor in batches until `closedCount` sockets ended with 1008 or
    // `maxMoves` were sent; after each batch kyozo_bytes_queued must stay within `cap`. With
    // `closedCount` 0 it only sends `maxMoves` and checks the cap.
    void relayUntilClosed(ChannelClient &writer, qint64 cap, int closedCount, int maxMoves)
    {
        const QString closed = QStringLiteral("kyozo_sockets_closed_total{code=\"1008\"}");
        int sent = 0;
        qint64 highest = 0;
        while (sent < maxMoves && (closedCount == 0 || server->metric(closed) < closedCount)) {
            QVERIFY(moveCursor(writer, &sent, 500));
            const qint64 queued = server->metric(QStringLiteral("kyozo_bytes_queued"));
            QVERIFY2(queued >= 0, "no kyozo_bytes_queued in /metrics");
            highest = qMax(highest, queued);
            QVERIFY2(
                queued <= cap,
                qPrintable(QStringLiteral("%1 bytes queued after %2 moves").arg(queued).arg(sent)));
        }
        QVERIFY2(closedCount == 0 || server->metric(closed) >= closedCount,
                 qPrintable(QStringLiteral("still open after %1 moves, %2 bytes queued at most")
                                .arg(sent)
                                .arg(highest)));
        QVERIFY2(highest > 0, "nothing was ever queued: the test did not reach the cap");
    }

private slots:
    void cleanup() { server.reset(); }

    // Before: one member sending 900 KB positions to their own non-reading second socket
    // grew the server by 760 MB in 12 s; positions passed with any keys, and the queue was
    // capped at 10,000 frames whatever their size.
    void aMembersOwnStalledSocketCannotGrowTheServer()
    {
        constexpr qint64 kCap = 1 * kMiB;
        startServer(
            QStringLiteral(
                "max_queued_frames = 1000000\nmax_queued_bytes = %1\nmessages_per_second = 100000\n"
                "message_burst = 100000\nbytes_per_second = 1000000000\nclose_timeout_ms = 20000\n")
                .arg(kCap));
        const qint64 pid = server->process().processId();
        auto reader = stalledReader(ada); // ada's second socket
        QVERIFY(reader);
        ChannelClient writer;
        QVERIFY(writer.open(server->socketUrl(ada)));
        QVERIFY(replyOk(writer.join(kTopic, QStringLiteral("1"))));
        const qint64 before = residentBytes(pid);
        QVERIFY(before > 0);

        // Big positions are not a cursor: refused, not relayed, not held.
        QJsonObject big = position(1, 1);
        big.insert(QStringLiteral("pad"), QString(500 * 1024, QLatin1Char('x')));
        for (int i = 0; i < 20; ++i) {
            const QString ref = QStringLiteral("big%1").arg(i);
            writer.send(frame(QStringLiteral("1"), ref, kTopic, QStringLiteral("cursor_move"),
                              QJsonObject { { "position", big } }));
            const QJsonArray r = writer.waitForReply(ref, 10000);
            QCOMPARE(replyReason(r), QStringLiteral("bad_payload"));
        }
        // Cursors of the right shape pile up to the byte cap, not beyond (40,000 moves are
        // about 13 MB as held frames); the socket is closed with 1008 when one would pass it.
        relayUntilClosed(writer, kCap, 0, 40000);
        if (QTest::currentTestFailed())
            return;
        // Cap, plus what the server's allocator keeps and a few frames being parsed.
        constexpr qint64 kSlack = 16 * kMiB;
        const qint64 grown = residentBytes(pid) - before;
        QVERIFY2(grown <= kCap + kSlack,
                 qPrintable(QStringLiteral("RSS grew by %1 bytes").arg(grown)));
        // Only the stalled socket may have been closed, never the writer.
        const qint64 closed
            = server->metric(QStringLiteral("kyozo_sockets_closed_total{code=\"1008\"}"));
        QVERIFY(closed <= 1); // -1: no socket ended with 1008
        QCOMPARE(server->metric(QStringLiteral("kyozo_sockets")), closed == 1 ? 1 : 2);
        QVERIFY(writer.isOpen());
    }

    void theTotalCapBindsAcrossSockets()
    {
        // Below the per-socket cap (8 MiB by default), and below what the kernel's buffers
        // leave queued on an idle machine (about 0.9 MB measured): with 1 MiB the cap was
        // never reached there.
        constexpr qint64 kTotal = 256 * 1024;
        startServer(QStringLiteral("max_queued_frames = 1000000\nmax_queued_bytes_total = "
                                   "%1\nmessages_per_second = 100000\n"
                                   "message_burst = 100000\nclose_timeout_ms = 20000\n")
                        .arg(kTotal));
        auto first = stalledReader(bob);
        auto second = stalledReader(bob);
        QVERIFY(first && second);
        ChannelClient writer;
        QVERIFY(writer.open(server->socketUrl(ada)));
        QVERIFY(replyOk(writer.join(kTopic, QStringLiteral("1"))));
        // Each holds about half the total: neither is near its own cap. Without the total cap
        // the two queues reach about 0.9 MB together on an idle machine, so the bound bites;
        // whether a socket is then closed or the kernel takes the rest first varies with the
        // machine's load, so the close itself is not required (see the lead's note, issue 14).
        relayUntilClosed(writer, kTotal, 0, 100000);
        if (QTest::currentTestFailed())
            return;
        // The one whose frame would have passed the total is closed (the other may follow in
        // the same batch, once it holds the total alone): each is closed with 1008 or open.
        first->readUntilClosed(5000);
        second->readUntilClosed(5000);
        const auto closedOrOpen = [](int code) { return code == 1008 || code == -1; };
        QVERIFY2(closedOrOpen(first->closeCode) && closedOrOpen(second->closeCode),
                 qPrintable(QStringLiteral("close codes %1 and %2")
                                .arg(first->closeCode)
                                .arg(second->closeCode)));
    }

    void incomingBytesAreRateLimited()
    {
        // 64 KiB a second, a bucket of 64 KiB; the message limit is far away.
        startServer(QStringLiteral(
            "bytes_per_second = 65536\nmax_frame_bytes = 16384\nmessages_per_second = 1000\n"
            "message_burst = 1000\n"));
        const auto heartbeat = [](int ref) {
            return frame({}, QString::number(ref), QStringLiteral("phoenix"),
                         QStringLiteral("heartbeat"),
                         QJsonObject { { "pad", QString(10000, QLatin1Char('x')) } });
        };
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        for (int i = 0; i < 4; ++i) // 40 KB: within the bucket
            c.send(heartbeat(i));
        QVERIFY(replyOk(c.waitForReply(QStringLiteral("3"))));
        QVERIFY(c.isOpen());
        for (int i = 4; i < 30; ++i) // 260 KB more at once
            c.send(heartbeat(i));
        QVERIFY(c.waitClosed(10000));
        QCOMPARE(c.closeCode(), 1008);
    }

    void aUsersSocketsAreCapped()
    {
        startServer(QStringLiteral("max_sockets_per_user = 3\n"));
        std::vector<std::unique_ptr<ChannelClient>> sockets;
        for (int i = 0; i < 3; ++i) {
            sockets.push_back(std::make_unique<ChannelClient>());
            QVERIFY(sockets.back()->open(server->socketUrl(ada)));
        }
        QTRY_COMPARE(server->metric(QStringLiteral("kyozo_sockets")), 3);
        ChannelClient fourth;
        fourth.open(server->socketUrl(ada)); // upgraded, then closed at once
        QVERIFY(fourth.waitClosed(5000));
        QCOMPARE(fourth.closeCode(), 1008);
        ChannelClient other; // another user is not affected
        QVERIFY(other.open(server->socketUrl(bob)));
        for (const auto &s : sockets)
            QVERIFY(s->isOpen());
        // A closed socket makes room for the next.
        sockets.pop_back();
        QTRY_COMPARE(server->metric(QStringLiteral("kyozo_sockets")), 3);
        ChannelClient again;
        QVERIFY(again.open(server->socketUrl(ada)));
        QVERIFY(!again.waitClosed(500));
        QVERIFY(again.isOpen());
    }

    void joinsPerSocketAreCapped()
    {
        startServer(QStringLiteral("max_joins_per_socket = 3\n"));
        const QStringList topics { kTopic, QStringLiteral("execution:workspace:w2"),
                                   QStringLiteral("execution:workspace:w3"),
                                   QStringLiteral("execution:workspace:w4") };
        for (const char *w : { "w2", "w3", "w4" })
            QCOMPARE(server->admin({ QStringLiteral("user"), QStringLiteral("add"),
                                     QStringLiteral("ada"), QStringLiteral("--workspace"),
                                     QString::fromLatin1(w), QStringLiteral("--role"),
                                     QStringLiteral("owner") }),
                     0);
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(ada)));
        for (int i = 0; i < 3; ++i)
            QVERIFY(replyOk(c.join(topics[i], QString::number(i + 1))));
        QVERIFY(replyOk(c.join(topics[0], QStringLiteral("10")))); // a rejoin does not count twice
        const QJsonArray refused = c.join(topics[3], QStringLiteral("11"));
        QVERIFY(!replyOk(refused));
        QCOMPARE(replyReason(refused), QStringLiteral("too_many_joins"));
        c.send(frame(QStringLiteral("2"), QStringLiteral("12"), topics[1],
                     QStringLiteral("phx_leave")));
        QVERIFY(replyOk(c.waitForReply(QStringLiteral("12"))));
        QVERIFY(replyOk(c.join(topics[3], QStringLiteral("13"))));
        QVERIFY(c.isOpen());
    }
};

QTEST_GUILESS_MAIN(TestSocketLimits)
#include "tst_socketlimits.moc"
