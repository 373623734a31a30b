// A client that reads slower than the server sends: the server holds what the kernel cannot
// take yet, counts it in /metrics, and hands it over in order and complete once the client
// reads again, or before a close frame; a client more than max_queued_frames behind is
// closed with 1008 and what was held for it dropped.
#include "channelclient.h"
#include "rawwebsocket.h"
#include "temporaryserver.h"

#include <QJsonDocument>
#include <QtTest>

using namespace KyozoTest;

namespace {

const QString kTopic = QStringLiteral("execution:workspace:lab");
// Relays are sent in batches until some wait on the server: how much the kernel buffers for
// a socket depends on the machine (about 2.5 MB, 17,000 relays, here).
constexpr int kBatch = 2000;
constexpr int kMaxCursors
    = 100000; // ~15 MB of relays: far more than a stalled socket's kernel buffers

// The relayed cursors' lines, in the order they arrived.
QList<int> cursorLines(const QList<QJsonArray> &frames)
{
    QList<int> lines;
    for (const QJsonArray &f : frames)
        if (f[3].toString() == QLatin1String("cursor"))
            lines.append(f[4].toObject().value("position").toObject().value("line").toInt());
    return lines;
}

QList<int> oneTo(int n)
{
    QList<int> l;
    for (int i = 1; i <= n; ++i)
        l.append(i);
    return l;
}

} // namespace

class TestSlowReader : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob;
    std::unique_ptr<RawWebSocket> reader;
    std::unique_ptr<ChannelClient> writer;

    int sent = 0; // cursor moves relayed to the stalled reader, lines 1…sent

    // ada moves her cursor n more times (lines sent+1…sent+n); true once all are answered.
    bool relay(int n)
    {
        for (int i = 0; i < n; ++i) {
            ++sent;
            writer->send(frame(
                QStringLiteral("1"), QString::number(sent), kTopic, QStringLiteral("cursor_move"),
                QJsonObject { { "position", QJsonObject { { "line", sent }, { "column", 1 } } } }));
        }
        return !writer->waitForReply(QString::number(sent), 30000).isEmpty();
    }

    // bob stalls on the topic; ada moves her cursor, lines 1, 2, …, every move answered (so
    // its relay to bob has been sent or queued), `batch` at a time, until some relays wait
    // on the server.
    void stallAndRelay(int batch = kBatch)
    {
        reader = std::make_unique<RawWebSocket>(4096); // a few KiB: the server's side fills up
        QVERIFY(reader->open(server->port(),
                             QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(bob)));
        reader->sendText(QJsonDocument(frame(QStringLiteral("1"), QStringLiteral("1"), kTopic,
                                             QStringLiteral("phx_join")))
                             .toJson(QJsonDocument::Compact));
        QVERIFY(reader->readUntil(
            [](const QList<QJsonArray> &f) {
                return std::any_of(f.begin(), f.end(), [](const QJsonArray &a) {
                    return a[3].toString() == "phx_reply";
                });
            },
            5000));
        writer = std::make_unique<ChannelClient>();
        QVERIFY(writer->open(server->socketUrl(ada)));
        QCOMPARE(writer->join(kTopic, QStringLiteral("1"))[4].toObject().value("status").toString(),
                 QStringLiteral("ok"));
        sent = 0;
        while (sent < kMaxCursors && server->metric(QStringLiteral("kyozo_frames_queued")) <= 0)
            QVERIFY(relay(batch));
        QVERIFY2(sent < kMaxCursors, "nothing ever waited on the server for the stalled socket");
    }

    void startServer(const QString &limits = {})
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        QVERIFY2(
            server->start(
                QStringLiteral("[limits]\nmessages_per_second = 100000\nmessage_burst = 100000\n"
                               "revocation_poll_ms = 100\n")
                    + limits,
                &error),
            qPrintable(error));
        ada = server->userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                    QStringLiteral("owner"));
        bob = server->userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                    QStringLiteral("viewer"));
        QVERIFY(!ada.isEmpty() && !bob.isEmpty());
    }

private slots:
    void init() { startServer(); }
    void cleanup()
    {
        writer.reset();
        reader.reset();
        server.reset();
    }

    void everyFrameArrivesInOrderOnceTheReaderCatchesUp()
    {
        stallAndRelay();
        if (QTest::currentTestFailed())
            return;
        // Until the last relay (a check of the last frame only: the whole list each time
        // would make reading 20,000 frames quadratic).
        QVERIFY2(
            reader->readUntil(
                [this](const QList<QJsonArray> &f) {
                    return !f.isEmpty() && f.last()[3].toString() == QLatin1String("cursor")
                        && f.last()[4].toObject().value("position").toObject().value("line").toInt()
                        == sent;
                },
                30000),
            qPrintable(QStringLiteral("%1 of %2 relays arrived")
                           .arg(cursorLines(reader->texts).size())
                           .arg(sent)));
        QCOMPARE(cursorLines(reader->texts), oneTo(sent));
        QTRY_COMPARE_WITH_TIMEOUT(server->metric(QStringLiteral("kyozo_frames_queued")), 0, 5000);
        // The socket is still in working order.
        reader->sendText(QJsonDocument(frame({}, QStringLiteral("hb"), QStringLiteral("phoenix"),
                                             QStringLiteral("heartbeat")))
                             .toJson(QJsonDocument::Compact));
        QVERIFY(reader->readUntil(
            [](const QList<QJsonArray> &f) { return f.last()[1].toString() == "hb"; }, 5000));
    }

    void framesQueuedBeforeACloseGoOutBeforeTheCloseFrame()
    {
        stallAndRelay();
        if (QTest::currentTestFailed())
            return;
        // The revocation closes bob's socket while his relays still wait on the server.
        QCOMPARE(server->admin({ QStringLiteral("token"), QStringLiteral("revoke"), bob }), 0);
        QTest::qWait(500);
        reader->readUntil([](const QList<QJsonArray> &) { return false; }, 30000);
        QCOMPARE(reader->closeCode, 1008);
        QCOMPARE(cursorLines(reader->texts.first(reader->textsBeforeClose)), oneTo(sent));
    }

    void aReaderTooFarBehindIsClosedWith1008()
    {
        startServer(QStringLiteral("max_queued_frames = 100\n"));
        stallAndRelay(50); // below the cap: the socket is behind but still open
        if (QTest::currentTestFailed())
            return;
        QVERIFY(server->metric(QStringLiteral("kyozo_frames_queued")) <= 100);
        QVERIFY(relay(200));
        // What was held for it is dropped with the socket, not kept.
        QCOMPARE(server->metric(QStringLiteral("kyozo_frames_queued")), 0);
        reader->readUntil([](const QList<QJsonArray> &) { return false; }, 30000);
        QCOMPARE(reader->closeCode, 1008);
        const QList<int> got = cursorLines(reader->texts.first(reader->textsBeforeClose));
        QVERIFY(!got.isEmpty() && got.size() < sent);
        QCOMPARE(got, oneTo(int(got.size()))); // what did arrive is a gapless prefix
        // The others carry on.
        writer->send(frame({}, QStringLiteral("hb"), QStringLiteral("phoenix"),
                           QStringLiteral("heartbeat")));
        QVERIFY(!writer->waitForReply(QStringLiteral("hb")).isEmpty());
    }

    void aCapBelowOneIsRefusedAtStart()
    {
        TemporaryServer bad;
        QString error;
        QVERIFY(!bad.start(QStringLiteral("[limits]\nmax_queued_frames = 0\n"), &error));
        QVERIFY2(error.contains(QLatin1String("a [limits] value is out of range")),
                 qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSlowReader)
#include "tst_slowreader.moc"
