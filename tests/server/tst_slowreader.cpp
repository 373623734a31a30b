// A client that reads slower than the server sends: the server holds what the kernel cannot
// take yet, counts it in /metrics, and hands it over in order and complete once the client
// reads again, or before a close frame; a client more than max_queued_frames behind is
// closed with 1008 and what was held for it dropped.
#include "channelclient.h"
#include "temporaryserver.h"

#include <QJsonDocument>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace KyozoTest;

namespace {

const QString kTopic = QStringLiteral("execution:workspace:lab");
// Relays are sent in batches until some wait on the server: how much the kernel buffers for
// a socket depends on the machine (about 2.5 MB, 17,000 relays, here).
constexpr int kBatch = 2000;
constexpr int kMaxCursors = 100000; // ~15 MB of relays: far more than a stalled socket's kernel buffers

// A WebSocket client on a plain blocking socket whose receive buffer is a few KiB: while
// it does not read, what the server sends piles up on the server's side.
class StalledReader
{
public:
    ~StalledReader()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool open(quint16 port, const QString &pathAndQuery)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        const int size = 4096; // before connect, so that the window offered stays small
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
            return false;
        writeAll(QStringLiteral("GET %1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                         .arg(pathAndQuery)
                         .toLatin1());
        while (!m_in.contains("\r\n\r\n"))
            if (!receive(5000))
                return false;
        const qsizetype end = m_in.indexOf("\r\n\r\n") + 4;
        const bool switched = m_in.startsWith("HTTP/1.1 101");
        m_in.remove(0, end);
        return switched;
    }

    // A masked text frame (a zero mask: the payload goes as it is), under 64 KiB.
    void sendText(const QByteArray &payload)
    {
        Q_ASSERT(payload.size() < 65536);
        QByteArray f("\x81", 1);
        if (payload.size() < 126) {
            f += char(0x80 | payload.size());
        } else {
            f += char(0x80 | 126);
            f += char(payload.size() >> 8);
            f += char(payload.size() & 0xff);
        }
        f += QByteArray(4, '\0');
        writeAll(f + payload);
    }

    // Reads until `done` holds for the text frames received so far or the close frame came.
    bool readUntil(const std::function<bool(const QList<QJsonArray> &)> &done, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            parseFrames();
            if (done(texts) || closeCode >= 0)
                return done(texts);
            if (t.elapsed() > timeoutMs || !receive(int(timeoutMs - t.elapsed())))
                return false;
        }
    }

    QList<QJsonArray> texts;
    int closeCode = -1;
    qsizetype textsBeforeClose = -1;

private:
    void writeAll(const QByteArray &data)
    {
        for (qsizetype done = 0; done < data.size();) {
            const ssize_t n = ::send(m_fd, data.constData() + done, size_t(data.size() - done), MSG_NOSIGNAL);
            if (n <= 0)
                return;
            done += n;
        }
    }

    bool receive(int timeoutMs)
    {
        pollfd p{ m_fd, POLLIN, 0 };
        if (::poll(&p, 1, std::max(0, timeoutMs)) <= 0)
            return false;
        char buf[65536];
        const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        m_in.append(buf, n);
        return true;
    }

    // Server frames are not masked: opcode, length (7 bits, 16 or 64), payload.
    void parseFrames()
    {
        for (;;) {
            if (m_in.size() < 2)
                return;
            const int opcode = uchar(m_in[0]) & 0x0f;
            quint64 len = uchar(m_in[1]) & 0x7f;
            qsizetype header = 2;
            if (len == 126) {
                if (m_in.size() < 4)
                    return;
                len = (quint64(uchar(m_in[2])) << 8) | uchar(m_in[3]);
                header = 4;
            } else if (len == 127) {
                if (m_in.size() < 10)
                    return;
                len = 0;
                for (int i = 2; i < 10; ++i)
                    len = (len << 8) | uchar(m_in[i]);
                header = 10;
            }
            if (quint64(m_in.size() - header) < len)
                return;
            const QByteArray payload = m_in.mid(header, qsizetype(len));
            m_in.remove(0, header + qsizetype(len));
            if (opcode == 0x1) {
                texts.append(QJsonDocument::fromJson(payload).array());
            } else if (opcode == 0x8) {
                closeCode = payload.size() >= 2 ? (uchar(payload[0]) << 8) | uchar(payload[1]) : 1005;
                textsBeforeClose = texts.size();
            }
        }
    }

    int m_fd = -1;
    QByteArray m_in;
};

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
    std::unique_ptr<StalledReader> reader;
    std::unique_ptr<ChannelClient> writer;

    int sent = 0; // cursor moves relayed to the stalled reader, lines 1…sent

    // ada moves her cursor n more times (lines sent+1…sent+n); true once all are answered.
    bool relay(int n)
    {
        for (int i = 0; i < n; ++i) {
            ++sent;
            writer->send(frame(QStringLiteral("1"), QString::number(sent), kTopic, QStringLiteral("cursor_move"),
                               QJsonObject{ { "position", QJsonObject{ { "line", sent }, { "column", 1 } } } }));
        }
        return !writer->waitForReply(QString::number(sent), 30000).isEmpty();
    }

    // bob stalls on the topic; ada moves her cursor, lines 1, 2, …, every move answered (so
    // its relay to bob has been sent or queued), `batch` at a time, until some relays wait
    // on the server.
    void stallAndRelay(int batch = kBatch)
    {
        reader = std::make_unique<StalledReader>();
        QVERIFY(reader->open(server->port(), QStringLiteral("/socket/websocket?vsn=2.0.0&token=%1").arg(bob)));
        reader->sendText(QJsonDocument(frame(QStringLiteral("1"), QStringLiteral("1"), kTopic,
                                             QStringLiteral("phx_join")))
                                 .toJson(QJsonDocument::Compact));
        QVERIFY(reader->readUntil([](const QList<QJsonArray> &f) {
            return std::any_of(f.begin(), f.end(), [](const QJsonArray &a) { return a[3].toString() == "phx_reply"; });
        }, 5000));
        writer = std::make_unique<ChannelClient>();
        QVERIFY(writer->open(server->socketUrl(ada)));
        QCOMPARE(writer->join(kTopic, QStringLiteral("1"))[4].toObject().value("status").toString(), QStringLiteral("ok"));
        sent = 0;
        while (sent < kMaxCursors && server->metric(QStringLiteral("kyozo_frames_queued")) <= 0)
            QVERIFY(relay(batch));
        QVERIFY2(sent < kMaxCursors, "nothing ever waited on the server for the stalled socket");
    }

    void startServer(const QString &limits = {})
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        QVERIFY2(server->start(QStringLiteral("[limits]\nmessages_per_second = 100000\nmessage_burst = 100000\n"
                                              "revocation_poll_ms = 100\n")
                                       + limits,
                               &error),
                 qPrintable(error));
        ada = server->userWithToken(QStringLiteral("ada"), QStringLiteral("lab"), QStringLiteral("owner"));
        bob = server->userWithToken(QStringLiteral("bob"), QStringLiteral("lab"), QStringLiteral("viewer"));
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
        QVERIFY(reader->readUntil([this](const QList<QJsonArray> &f) { return cursorLines(f).size() >= sent; }, 30000));
        QCOMPARE(cursorLines(reader->texts), oneTo(sent));
        QTRY_COMPARE_WITH_TIMEOUT(server->metric(QStringLiteral("kyozo_frames_queued")), 0, 5000);
        // The socket is still in working order.
        reader->sendText(QJsonDocument(frame({}, QStringLiteral("hb"), QStringLiteral("phoenix"), QStringLiteral("heartbeat")))
                                 .toJson(QJsonDocument::Compact));
        QVERIFY(reader->readUntil([](const QList<QJsonArray> &f) { return f.last()[1].toString() == "hb"; }, 5000));
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
        writer->send(frame({}, QStringLiteral("hb"), QStringLiteral("phoenix"), QStringLiteral("heartbeat")));
        QVERIFY(!writer->waitForReply(QStringLiteral("hb")).isEmpty());
    }

    void aCapBelowOneIsRefusedAtStart()
    {
        TemporaryServer bad;
        QString error;
        QVERIFY(!bad.start(QStringLiteral("[limits]\nmax_queued_frames = 0\n"), &error));
        QVERIFY2(error.contains(QLatin1String("a [limits] value is out of range")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSlowReader)
#include "tst_slowreader.moc"
