// Bounds of the HTTP front against the real kyozo-server over loopback (issue 14 items 1
// and 2): head and body caps before authentication, head/idle timeouts, the per-address
// cap, descriptor exhaustion and the listen backlog. Timeouts in these configs are <= 1 s.
#include "httpclient.h"
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <sys/resource.h>
#include <unistd.h>

#include <memory>

using namespace KyozoTest;

namespace {

const QString kShortTimeouts
    = QStringLiteral("[limits]\nheader_timeout_ms = 800\nidle_timeout_ms = 1000\n");

// VmRSS of a process in KiB (proc(5)).
qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// Time the process's main thread was running or waiting to run, in seconds
// (/proc/PID/schedstat: on-CPU ns, run-queue ns). A thread that spins is always one or the
// other, however loaded the machine; one that waits in poll() is neither. utime + stime
// alone cannot tell a spin on a busy 2-core VM, where a spinning thread gets a fraction of a
// core, from real work.
double runnableSeconds(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/schedstat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = f.readAll().simplified().split(' ');
    return double(fields.value(0).toLongLong() + fields.value(1).toLongLong()) / 1e9;
}

// utime + stime of a process in seconds (proc(5): fields 14 and 15 of /proc/PID/stat).
double cpuSeconds(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray all = f.readAll();
    const QList<QByteArray> fields = all.mid(all.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime 15.
    return double(fields.value(11).toLongLong() + fields.value(12).toLongLong())
        / double(sysconf(_SC_CLK_TCK));
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

// A WebSocket opening handshake (RFC 6455 §4.1) with `eol` as its line ending.
QByteArray upgradeRequest(const QString &token, const QByteArray &eol)
{
    QByteArray r;
    for (const QByteArray &line :
         { "GET /socket/websocket?vsn=2.0.0&token=" + token.toLatin1() + " HTTP/1.1",
           QByteArray("Host: 127.0.0.1"), QByteArray("Upgrade: websocket"),
           QByteArray("Connection: Upgrade"),
           QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="),
           QByteArray("Sec-WebSocket-Version: 13"), QByteArray() })
        r += line + eol;
    return r;
}

int status(RawClient &c, int timeoutMs = 5000)
{
    return c.read(timeoutMs).value_or(RawResponse {}).status;
}

int healthz(quint16 port, int timeoutMs = 5000)
{
    RawClient c;
    if (!c.connect(port))
        return 0;
    c.send(get("/healthz"));
    return status(c, timeoutMs);
}

// Writes `chunk` until an answer arrives or `maxBytes` were sent; returns the bytes sent
// before the answer was there (or -1 if none came).
qint64 sendUntilAnswered(RawClient &c, const QByteArray &chunk, qint64 maxBytes,
                         RawResponse *answer)
{
    qint64 sent = 0;
    while (sent < maxBytes) {
        if (c.socket().bytesAvailable() > 0 || c.socket().waitForReadyRead(5)) {
            if (auto r = c.read(5000)) {
                *answer = *r;
                return sent;
            }
            return -1;
        }
        if (c.socket().state() != QAbstractSocket::ConnectedState)
            return -1;
        c.socket().write(chunk);
        c.socket().waitForBytesWritten(1000);
        sent += chunk.size();
    }
    return -1;
}

} // namespace

class TestHttpLimits : public QObject
{
    Q_OBJECT

private slots:
    // Item 1: a head over 64 KiB is 431, whatever follows, and the server does not keep it.
    void oversizedHeadIs431AndNotKept()
    {
        TemporaryServer server;
        QVERIFY(server.start());
        QCOMPARE(healthz(server.port()), 200);
        const qint64 before = rssKiB(server.process().processId());
        QVERIFY(before > 0);
        QList<qint64> sentBeforeAnswer;
        for (int i = 0; i < 4; ++i) {
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
            RawResponse answer;
            // Up to 16 MiB of header lines each; the answer must come long before.
            const qint64 sent = sendUntilAnswered(
                c, QByteArray("X-Pad: ") + QByteArray(16 * 1024 - 9, 'a') + "\r\n", 16 << 20,
                &answer);
            QVERIFY2(sent >= 0, "no answer to 16 MiB of headers");
            QCOMPARE(answer.status, 431);
            QCOMPARE(QJsonDocument::fromJson(answer.body)
                         .object()
                         .value("error")
                         .toObject()
                         .value("code")
                         .toString(),
                     QStringLiteral("header_too_large"));
            sentBeforeAnswer.append(sent);
        }
        const qint64 after = rssKiB(server.process().processId());
        // 4 x 16 MiB offered; what the server holds of it stays within a few MiB.
        QVERIFY2(after - before < 8 * 1024,
                 qPrintable(QStringLiteral("RSS %1 -> %2 KiB").arg(before).arg(after)));
        for (qint64 sent : sentBeforeAnswer)
            QVERIFY2(sent < 8 << 20, qPrintable(QString::number(sent)));
        // A head just under the cap is fine.
        RawClient ok;
        QVERIFY(ok.connect(server.port()));
        ok.send(get("/healthz", "X-Pad: " + QByteArray(60 * 1024, 'a') + "\r\n"));
        QCOMPARE(status(ok), 200);
        QCOMPARE(healthz(server.port()), 200);
    }

    // Item 1: a body over its route's cap is 413 before it is read, with no token at all.
    void largeBodyIs413BeforeItIsRead()
    {
        TemporaryServer server;
        QVERIFY(server.start(QStringLiteral("[limits]\nmax_notebook_bytes = 4194304\n")));
        const QString ada = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!ada.isEmpty());
        const QByteArray notebooks = "/api/v1/workspaces/lab/notebooks";
        {
            // 300 MB declared, no token: 413 after the head, while the client is still sending.
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("POST " + notebooks
                   + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                     "300000000\r\n\r\n");
            RawResponse answer;
            const qint64 sent = sendUntilAnswered(c, QByteArray(64 * 1024, ' '), 16 << 20, &answer);
            QVERIFY2(sent >= 0 && sent < 8 << 20, qPrintable(QString::number(sent)));
            QCOMPARE(answer.status, 413);
            QCOMPARE(QJsonDocument::fromJson(answer.body)
                         .object()
                         .value("error")
                         .toObject()
                         .value("code")
                         .toString(),
                     QStringLiteral("payload_too_large"));
            QVERIFY(c.waitClosed(5000));
        }
        {
            // Any other route: 1 MiB (max_body_bytes).
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n");
            QCOMPARE(status(c), 413);
        }
        {
            // A chunked body has no declared length: its running total is capped.
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            RawResponse answer;
            const QByteArray chunk = "10000\r\n" + QByteArray(0x10000, 'a') + "\r\n";
            const qint64 sent = sendUntilAnswered(c, chunk, 16 << 20, &answer);
            QVERIFY2(sent >= 0 && sent < 8 << 20, qPrintable(QString::number(sent)));
            QCOMPARE(answer.status, 413);
        }
        {
            // A notebook may be larger than max_body_bytes, up to max_notebook_bytes.
            const QByteArray body
                = "{\"title\":\"big\",\"content\":\"" + QByteArray(3 << 20, 'x') + "\"}";
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("POST " + notebooks + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                   + ada.toUtf8() + "\r\nContent-Length: " + QByteArray::number(body.size())
                   + "\r\n\r\n" + body);
            QCOMPARE(status(c, 20000), 201);
            const QByteArray tooBig
                = "{\"title\":\"big\",\"content\":\"" + QByteArray(4 << 20, 'x') + "\"}";
            RawClient d;
            QVERIFY(d.connect(server.port()));
            d.send("POST " + notebooks + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                   + ada.toUtf8() + "\r\nContent-Length: " + QByteArray::number(tooBig.size())
                   + "\r\n\r\n");
            QCOMPARE(status(d), 413);
        }
        {
            // Within the cap but without a token: 401 after the head, the body left unread.
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send("POST " + notebooks + " HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n");
            QCOMPARE(status(c), 401);
        }
    }

    // Item 2: one header line a second never completes a head; it is closed at header_timeout_ms.
    void slowlorisIsClosedAfterHeaderTimeout()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts));
        RawClient slow;
        QVERIFY(slow.connect(server.port()));
        RawClient silent;
        QVERIFY(silent.connect(server.port()));
        slow.send("GET /healthz HTTP/1.1\r\n");
        QElapsedTimer t;
        t.start();
        bool closed = false;
        for (int i = 0; i < 100 && !closed; ++i) { // a line every 100 ms, for up to 10 s
            slow.send("X-" + QByteArray::number(i) + ": a\r\n");
            closed = slow.waitClosed(100);
        }
        QVERIFY2(closed, "a trickled head kept the connection open for 10 s");
        QVERIFY2(t.elapsed() < 8000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(slow.pending().startsWith("HTTP/1.1 408 "), slow.pending().left(40).constData());
        QVERIFY(silent.waitClosed(5000)); // a connection that never sent a byte, too
        QCOMPARE(healthz(server.port()), 200);
    }

    // A body trickled a few bytes at a time never pauses longer than header_timeout_ms, so
    // the gap timeout alone would keep it open for ever; below min_body_rate it gets 408. A
    // body sent at a normal pace on the same server is taken.
    void slowBodyIsRefusedBelowTheMinimumRate()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts + QStringLiteral("min_body_rate = 500\n")));
        const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                                   QStringLiteral("editor"));
        QVERIFY(!token.isEmpty());
        const QByteArray content
            = "{\"title\":\"t\",\"content\":\"" + QByteArray(3000, 'x') + "\"}";
        const QByteArray head = "POST /api/v1/workspaces/lab/notebooks HTTP/1.1\r\nHost: x\r\n"
                                "Authorization: Bearer "
            + token.toLatin1() + "\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(content.size()) + "\r\n\r\n";

        RawClient fast;
        QVERIFY(fast.connect(server.port()));
        fast.send(head + content);
        QCOMPARE(status(fast), 201);

        // 10 bytes every 100 ms is 100 bytes a second: allowed 800 ms + 2 ms a byte, the
        // body falls behind after about a second; it would take 30 s to finish.
        RawClient slow;
        QVERIFY(slow.connect(server.port()));
        slow.send(head);
        QElapsedTimer t;
        t.start();
        bool closed = false;
        for (qsizetype sent = 0; sent < content.size() && !closed; sent += 10) {
            slow.send(content.mid(sent, 10));
            closed = slow.waitClosed(100);
        }
        QVERIFY2(closed, "a body trickled at 100 bytes a second was read to its end");
        QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(slow.pending().startsWith("HTTP/1.1 408 "), slow.pending().left(40).constData());
    }

    // RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, is 400; HTTP/1.0 needs none.
    void hostHeaderIsRequiredInHttp11()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts));
        for (const QByteArray &request :
             { QByteArray("GET /healthz HTTP/1.1\r\n\r\n"),
               QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") }) {
            RawClient c;
            QVERIFY(c.connect(server.port()));
            c.send(request);
            const std::optional<RawResponse> r = c.read(5000);
            QVERIFY(r);
            QCOMPARE(r->status, 400);
            QVERIFY2(r->body.contains("Host"), r->body.constData());
        }
        RawClient old;
        QVERIFY(old.connect(server.port()));
        old.send("GET /healthz HTTP/1.0\r\n\r\n");
        QCOMPARE(status(old), 200);
    }

    // A request target over 65535 bytes is 414 from the running server, not only the parser
    // (with the head cap raised, as the default 64 KiB would answer 431 first).
    void longTargetIs414()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts + QStringLiteral("max_header_bytes = 81920\n")));
        RawClient c;
        QVERIFY(c.connect(server.port()));
        c.send(get("/healthz?" + QByteArray(70000, 'a')));
        QCOMPARE(status(c), 414);
        QCOMPARE(healthz(server.port()), 200);
    }

    // RFC 6455 §4.1: a client waits for the handshake's answer before it sends frames. Bytes
    // right behind the upgrade request would be dropped by QWebSocketServer; they get 400.
    void bytesAfterTheUpgradeRequestAre400()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts));
        const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                                   QStringLiteral("editor"));
        const QByteArray upgrade = upgradeRequest(token, "\r\n");
        RawClient eager;
        QVERIFY(eager.connect(server.port()));
        eager.send(upgrade + "\x81\x85\x01\x02\x03\x04hello"); // a masked text frame
        QCOMPARE(status(eager), 400);

        RawClient patient; // the same request alone is upgraded
        QVERIFY(patient.connect(server.port()));
        patient.send(upgrade);
        QCOMPARE(status(patient), 101);
    }

    // A handshake the WebSocket layer never finishes (it wants CRLF CRLF; http-parser takes
    // bare LF) is closed after header_timeout_ms, as a head that never arrives is.
    void unfinishedHandshakeIsClosed()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts));
        const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                                   QStringLiteral("editor"));
        RawClient c;
        QVERIFY(c.connect(server.port()));
        c.send(upgradeRequest(token, "\n"));
        QVERIFY2(c.waitClosed(8000), "a handshake with bare LF line ends stayed open for 8 s");
        QCOMPARE(healthz(server.port()), 200);
    }

    // Item 2: a keep-alive connection without a request closes after idle_timeout_ms.
    void idleKeepAliveIsClosed()
    {
        TemporaryServer server;
        QVERIFY(server.start(kShortTimeouts));
        RawClient c;
        QVERIFY(c.connect(server.port()));
        for (int i = 0; i < 3; ++i) { // requests within the timeout keep it open
            c.send(get("/healthz"));
            QCOMPARE(status(c), 200);
            QTest::qWait(300);
        }
        QElapsedTimer t;
        t.start();
        QVERIFY2(c.waitClosed(8000), "an idle keep-alive connection stayed open for 8 s");
        QVERIFY(t.elapsed() > 500); // not at once: after the idle timeout
    }

    // Item 2: max_connections_per_address; other addresses are still served.
    void connectionsPerAddressAreCapped()
    {
        TemporaryServer server;
        QVERIFY(server.start(QStringLiteral("[limits]\nmax_connections_per_address = 8\n")));
        const QHostAddress a(QStringLiteral("127.0.0.2")), b(QStringLiteral("127.0.0.3"));
        std::vector<std::unique_ptr<RawClient>> open;
        for (int i = 0; i < 8; ++i) {
            open.push_back(std::make_unique<RawClient>());
            QVERIFY(open.back()->connect(server.port(), a));
        }
        // Each of the 8 is served (and so counted) before the 9th comes.
        for (auto &c : open) {
            c->send(get("/healthz"));
            QCOMPARE(status(*c), 200);
        }
        RawClient ninth;
        QVERIFY(ninth.connect(server.port(), a));
        const auto refused = ninth.read();
        QVERIFY(refused);
        QCOMPARE(refused->status, 503);
        QCOMPARE(QJsonDocument::fromJson(refused->body)
                     .object()
                     .value("error")
                     .toObject()
                     .value("code")
                     .toString(),
                 QStringLiteral("too_many_connections"));
        QVERIFY(ninth.waitClosed(5000));
        RawClient other;
        QVERIFY(other.connect(server.port(), b));
        other.send(get("/healthz"));
        QCOMPARE(status(other), 200);
        // One of the 8 goes: a new one from that address is served again.
        open.front()->socket().abort();
        open.erase(open.begin());
        bool served = false;
        for (int attempt = 0; attempt < 50 && !served; ++attempt) {
            RawClient again;
            QVERIFY(again.connect(server.port(), a));
            again.send(get("/healthz"));
            served = status(again) == 200;
            if (!served)
                QTest::qWait(100);
        }
        QVERIFY(served);
    }

    void defaultCapIs256PerAddress()
    {
        TemporaryServer server;
        QVERIFY(server.start());
        const QHostAddress a(QStringLiteral("127.0.0.4"));
        std::vector<std::unique_ptr<RawClient>> open;
        for (int i = 0; i < 256; ++i) {
            open.push_back(std::make_unique<RawClient>());
            QVERIFY(open.back()->connect(server.port(), a));
        }
        // The server has taken all 256 once the last one is answered.
        open.back()->send(get("/healthz"));
        QCOMPARE(status(*open.back()), 200);
        RawClient over;
        QVERIFY(over.connect(server.port(), a));
        QCOMPARE(over.read().value_or(RawResponse {}).status, 503);
    }

    // Item 2: out of descriptors, accept() fails with EMFILE; the server must neither spin
    // nor stop: open connections are served, and new ones once descriptors are free.
    void descriptorExhaustionNeitherSpinsNorStops()
    {
        TemporaryServer server;
        server.process().setChildProcessModifier([] {
            const rlimit limit { 64, 64 };
            setrlimit(RLIMIT_NOFILE, &limit);
        });
        QVERIFY(server.start(
            QStringLiteral("[limits]\nheader_timeout_ms = 1000\nidle_timeout_ms = 1000\n"
                           "max_connections_per_address = 1000\n")));
        const qint64 pid = server.process().processId();
        RawClient served;
        QVERIFY(served.connect(server.port()));
        served.send(get("/healthz"));
        QCOMPARE(status(served), 200);
        // More idle connections than the server has descriptors.
        std::vector<std::unique_ptr<RawClient>> idle;
        for (int i = 0; i < 100; ++i) {
            idle.push_back(std::make_unique<RawClient>());
            QVERIFY(idle.back()->connect(server.port(), QHostAddress(QStringLiteral("127.0.0.5"))));
        }
        QTest::qWait(200);
        const double cpuBefore = cpuSeconds(pid);
        const double runnableBefore = runnableSeconds(pid);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 3; ++i) { // the open connection is served meanwhile
            served.send(get("/healthz"));
            QCOMPARE(status(served), 200);
            QTest::qWait(250);
        }
        const double cpu = cpuSeconds(pid) - cpuBefore;
        const double runnable = runnableSeconds(pid) - runnableBefore;
        const double wall = double(t.elapsed()) / 1000.0;
        qInfo("out of descriptors for %.2f s: server CPU %.2f s, running or runnable %.2f s", wall,
              cpu, runnable);
        QVERIFY2(cpu < 0.5 * wall,
                 qPrintable(QStringLiteral("server used %1 s CPU in %2 s").arg(cpu).arg(wall)));
        QVERIFY2(
            runnable < 0.5 * wall,
            qPrintable(QStringLiteral("server was runnable %1 s of %2 s").arg(runnable).arg(wall)));
        // The idle ones time out; the waiting ones get accepted and time out too; then a new
        // client is answered.
        bool answered = false;
        for (int attempt = 0; attempt < 20 && !answered; ++attempt)
            answered = healthz(server.port(), 1000) == 200;
        QVERIFY2(answered, "no /healthz answer after the idle connections timed out");
    }

    // Item 2: the listen backlog is listen_backlog (1024 by default), not Qt's 50. For a
    // listening socket ss(8) shows the backlog as Send-Q.
    void listenBacklogIsConfigured()
    {
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("ss")).isEmpty(),
                      QStringLiteral("ss (iproute2)"));
        for (const auto &[config, expected] :
             { std::pair { QString(), 1024 },
               std::pair { QStringLiteral("[limits]\nlisten_backlog = 777\n"), 777 } }) {
            TemporaryServer server;
            QVERIFY(server.start(config));
            QProcess ss;
            ss.start(QStringLiteral("ss"),
                     { QStringLiteral("-ltnH"), QStringLiteral("sport = :%1").arg(server.port()) });
            QVERIFY(ss.waitForFinished(10000));
            const QList<QByteArray> cols = ss.readAllStandardOutput().simplified().split(' ');
            // State Recv-Q Send-Q Local Peer
            QVERIFY2(cols.size() >= 4, cols.join(' ').constData());
            QCOMPARE(cols[2].toInt(), expected);
        }
    }

    void outOfRangeLimitsAreRefused()
    {
        for (const char *bad :
             { "max_header_bytes = 100", "max_header_bytes = 1000000", "header_timeout_ms = 0",
               "max_connections_per_address = 0", "listen_backlog = 0", "max_body_bytes = -1",
               "min_body_rate = -1" }) {
            TemporaryServer server;
            QString error;
            QVERIFY2(
                !server.start(QStringLiteral("[limits]\n%1\n").arg(QLatin1String(bad)), &error),
                bad);
            QVERIFY2(error.contains(QLatin1String("[limits]")), qPrintable(error));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpLimits)
#include "tst_httplimits.moc"
