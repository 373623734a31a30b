// HTTP conformance of the front (issue 14 item 6; SPEC §11 REST; RFC 9110/9112) against the
// real kyozo-server over loopback, byte for byte through RawClient.
#include "billing/stripesignature.h"
#include "httpclient.h"
#include "temporaryserver.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace KyozoTest;

namespace {

QByteArray request(const QByteArray &method, const QByteArray &target, const QString &token = {},
                   const QByteArray &body = {}, const QByteArray &extraHeaders = {})
{
    QByteArray r = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token.toUtf8() + "\r\n";
    r += extraHeaders;
    if (!body.isNull())
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

QJsonObject json(const RawResponse &r)
{
    return QJsonDocument::fromJson(r.body).object();
}
QString errorCode(const RawResponse &r)
{
    return json(r).value("error").toObject().value("code").toString();
}

} // namespace

class TestHttp : public QObject
{
    Q_OBJECT
    TemporaryServer server;
    QString ada, bob;

    RawResponse exchange(const QByteArray &bytes, bool head = false)
    {
        RawClient c;
        if (!c.connect(server.port()))
            return {};
        c.send(bytes);
        return c.read(5000, head).value_or(RawResponse {});
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(server.start(
                     QStringLiteral("[limits]\nheader_timeout_ms = 1000\nidle_timeout_ms = 1000\n"
                                    "[billing]\nstripe_webhook_secrets = [\"whsec_http\"]\n"),
                     &error),
                 qPrintable(error));
        ada = server.userWithToken("ada", "team", "owner");
        QVERIFY(!ada.isEmpty());
        QCOMPARE(server.admin({ "user", "add", "ada", "--workspace", "te%61m", "--role", "owner" }),
                 0);
        bob = server.userWithToken("bob", "team", "editor");
        QVERIFY(!bob.isEmpty());
    }

    void postWithoutContentIsAnEmptyNotebook()
    {
        const RawResponse created = exchange(
            request("POST", "/api/v1/workspaces/team/notebooks", ada, R"({"title":"t"})"));
        QCOMPARE(created.status, 201);
        const QString id = json(created).value("id").toString();
        QVERIFY(!id.isEmpty());
        const RawResponse got = exchange(request("GET", "/api/v1/notebooks/" + id.toUtf8(), ada));
        QCOMPARE(got.status, 200);
        QCOMPARE(json(got).value("content"), QJsonValue(QString()));
        QCOMPARE(json(got).value("title"), QJsonValue("t"));
    }

    void headHasTheGetsLengthAndNoBody()
    {
        RawClient c;
        QVERIFY(c.connect(server.port()));
        // Pipelined: a body after the HEAD's head would be read as the next answer.
        c.send(request("HEAD", "/healthz") + request("GET", "/healthz"));
        const auto head = c.read(5000, true);
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QVERIFY(head->body.isEmpty());
        const auto get = c.read();
        QVERIFY2(get, c.pending().constData());
        QCOMPARE(get->status, 200);
        QCOMPARE(get->body, QByteArray(R"({"status":"ok"})"));
        QCOMPARE(head->header("content-length").toInt(), get->body.size());
        QCOMPARE(head->header("content-type"), get->header("content-type"));
        // HEAD of a REST route, and of a refusal, likewise carries no body.
        c.send(request("HEAD", "/api/v1/notebooks/nope", ada) + request("GET", "/healthz"));
        const auto missing = c.read(5000, true);
        QVERIFY(missing);
        QCOMPARE(missing->status, 404);
        QVERIFY(missing->header("content-length").toInt() > 0);
        QCOMPARE(c.read().value_or(RawResponse {}).status, 200);
    }

    void methodNotAllowedListsAllow()
    {
        const RawResponse r = exchange(request("DELETE", "/healthz"));
        QCOMPARE(r.status, 405);
        QCOMPARE(errorCode(r), QStringLiteral("method_not_allowed"));
        QCOMPARE(r.header("allow"), QByteArray("GET, HEAD"));
        const RawResponse post
            = exchange(request("PUT", "/api/v1/workspaces/team/notebooks", ada, "{}"));
        QCOMPARE(post.status, 405);
        QVERIFY(post.header("allow").split(',').contains("POST")
                || post.header("allow").contains("POST"));
    }

    void unauthorizedNamesBearer()
    {
        const RawResponse none = exchange(request("GET", "/api/v1/notebooks/x"));
        QCOMPARE(none.status, 401);
        QCOMPARE(errorCode(none), QStringLiteral("unauthorized"));
        QVERIFY2(none.header("www-authenticate").startsWith("Bearer"),
                 none.header("www-authenticate").constData());
        const RawResponse wrong
            = exchange(request("GET", "/api/v1/notebooks/x", QStringLiteral("kyz_wrong")));
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.header("www-authenticate").startsWith("Bearer"));
        QVERIFY(wrong.header("www-authenticate").contains("invalid_token")); // RFC 6750 §3.1
    }

    void explicitNonJsonTypeIs415()
    {
        const QByteArray body = R"({"title":"x","content":"y"})";
        const QByteArray path = "/api/v1/workspaces/team/notebooks";
        for (const QByteArray &type : { QByteArray("text/plain"), QByteArray("application/xml"),
                                        QByteArray("multipart/form-data; boundary=x") }) {
            const RawResponse r
                = exchange(request("POST", path, ada, body, "Content-Type: " + type + "\r\n"));
            QCOMPARE(r.status, 415);
            QCOMPARE(errorCode(r), QStringLiteral("unsupported_media_type"));
        }
        for (const QByteArray &type : { QByteArray(), QByteArray("application/json"),
                                        QByteArray("Application/JSON; charset=utf-8"),
                                        QByteArray("application/x-www-form-urlencoded") }) {
            const QByteArray extra
                = type.isEmpty() ? QByteArray() : "Content-Type: " + type + "\r\n";
            QCOMPARE(exchange(request("POST", path, ada, body, extra)).status, 201);
        }
    }

    void workspaceIsPercentDecodedOnce()
    {
        // "te%2561m" decodes once to the workspace "te%61m" (which ada is in, bob is not),
        // never twice to "team".
        const RawResponse once = exchange(
            request("POST", "/api/v1/workspaces/te%2561m/notebooks", ada, R"({"title":"a"})"));
        QCOMPARE(once.status, 201);
        const QByteArray id = json(once).value("id").toString().toUtf8();
        QCOMPARE(exchange(request("GET", "/api/v1/notebooks/" + id, ada)).status, 200);
        QCOMPARE(exchange(request("GET", "/api/v1/notebooks/" + id, bob)).status, 404);
        const RawResponse bobs = exchange(
            request("POST", "/api/v1/workspaces/te%2561m/notebooks", bob, R"({"title":"a"})"));
        QCOMPARE(bobs.status, 404);
        // "te%61m" decodes to "team".
        const RawResponse team = exchange(
            request("POST", "/api/v1/workspaces/te%61m/notebooks", bob, R"({"title":"b"})"));
        QCOMPARE(team.status, 201);
    }

    void loneSurrogateIsRefused()
    {
        for (const QByteArray &body : { QByteArray(R"({"title":"t","content":"a\ud800b"})"),
                                        QByteArray(R"({"title":"\udc00","content":""})"),
                                        QByteArray(R"({"title":"t","content":"\ud800"})") }) {
            const RawResponse r
                = exchange(request("POST", "/api/v1/workspaces/team/notebooks", ada, body));
            QCOMPARE(r.status, 400);
            QCOMPARE(errorCode(r), QStringLiteral("bad_request"));
        }
        // A proper pair is text (U+1F600), stored and returned as such.
        const RawResponse ok = exchange(request("POST", "/api/v1/workspaces/team/notebooks", ada,
                                                R"({"title":"t","content":"\ud83d\ude00"})"));
        QCOMPARE(ok.status, 201);
        const RawResponse got = exchange(
            request("GET", "/api/v1/notebooks/" + json(ok).value("id").toString().toUtf8(), ada));
        QCOMPARE(json(got).value("content").toString(), QString::fromUtf8("\xF0\x9F\x98\x80"));
    }

    void keepAliveAndClose()
    {
        RawClient c;
        QVERIFY(c.connect(server.port()));
        for (int i = 0; i < 3; ++i) {
            c.send(request("GET", "/healthz"));
            const auto r = c.read();
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QVERIFY(r->header("connection").isNull());
        }
        c.send(request("GET", "/healthz", {}, {}, "Connection: close\r\n"));
        const auto last = c.read();
        QVERIFY(last);
        QCOMPARE(last->header("connection").toLower(), QByteArray("close"));
        QVERIFY(c.waitClosed(5000));

        RawClient old;
        QVERIFY(old.connect(server.port()));
        old.send("GET /healthz HTTP/1.0\r\n\r\n");
        QCOMPARE(old.read().value_or(RawResponse {}).status, 200);
        QVERIFY(old.waitClosed(5000)); // HTTP/1.0 closes by default

        RawClient old2;
        QVERIFY(old2.connect(server.port()));
        old2.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const auto kept = old2.read();
        QVERIFY(kept);
        QCOMPARE(kept->header("connection").toLower(), QByteArray("keep-alive"));
        old2.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QCOMPARE(old2.read().value_or(RawResponse {}).status, 200);
    }

    void pipelinedAnswersKeepTheirOrder()
    {
        RawClient c;
        QVERIFY(c.connect(server.port()));
        c.send(request("GET", "/healthz") + request("GET", "/nope") + request("GET", "/metrics")
               + request("POST", "/healthz", {}, "abc") + request("GET", "/api/v1/notebooks/x"));
        QCOMPARE(c.read().value_or(RawResponse {}).status, 200);
        QCOMPARE(c.read().value_or(RawResponse {}).status, 404);
        const auto metrics = c.read();
        QVERIFY(metrics);
        QVERIFY(metrics->body.contains("kyozo_sockets "));
        QCOMPARE(c.read().value_or(RawResponse {}).status, 405);
        QCOMPARE(c.read().value_or(RawResponse {}).status, 401);
    }

    // Webhooks are answered later (stored with the others of their event-loop turn, docs/
    // billing.md): behind and before other requests on one connection, answers keep their
    // order, whether the answer comes later (a stored event) or at once (a refusal).
    void answersGivenLaterKeepTheirOrder()
    {
        const QByteArray event = R"({"id":"evt_http","object":"event","type":"customer.created",)"
                                 R"("created":1700000000,"data":{"object":{"id":"cus_1"}}})";
        const QByteArray signature = Kyozo::Billing::StripeSignatureCheck::sign(
            event, "whsec_http", QDateTime::currentSecsSinceEpoch());
        const QByteArray webhook = "POST /api/v1/billing/webhooks/stripe HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/json\r\nStripe-Signature: "
            + signature + "\r\nContent-Length: " + QByteArray::number(event.size()) + "\r\n\r\n"
            + event;
        RawClient c;
        QVERIFY(c.connect(server.port()));
        c.send(request("GET", "/healthz") + webhook
               + request("POST", "/api/v1/billing/webhooks/stripe", {}, "{}") + webhook
               + request("GET", "/nope"));
        QCOMPARE(c.read().value_or(RawResponse {}).status, 200);
        const RawResponse stored = c.read().value_or(RawResponse {});
        QCOMPARE(stored.status, 200);
        QCOMPARE(json(stored).value("outcome").toString(), QStringLiteral("ignored"));
        QCOMPARE(c.read().value_or(RawResponse {}).status, 400); // unsigned, refused at once
        QCOMPARE(c.read().value_or(RawResponse {}).status, 200);
        QCOMPARE(c.read().value_or(RawResponse {}).status, 404);
        // A client that leaves before its answer: the server answers the next one as before.
        {
            RawClient gone;
            QVERIFY(gone.connect(server.port()));
            gone.send(webhook);
        }
        QCOMPARE(exchange(request("GET", "/healthz")).status, 200);
    }

    void malformedIs400AndCloses()
    {
        RawClient c;
        QVERIFY(c.connect(server.port()));
        c.send("GET / HTTP/1.1\r\nBad\x01Header: x\r\n\r\n");
        const auto r = c.read();
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QCOMPARE(errorCode(*r), QStringLiteral("bad_request"));
        QVERIFY(c.waitClosed(5000));
    }

    void expectContinue()
    {
        RawClient c;
        QVERIFY(c.connect(server.port()));
        const QByteArray body = R"({"title":"c"})";
        c.send(
            "POST /api/v1/workspaces/team/notebooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + ada.toUtf8() + "\r\nExpect: 100-continue\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n");
        QVERIFY(c.socket().waitForReadyRead(5000));
        QVERIFY(c.socket().peek(64).startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        c.send(body);
        QCOMPARE(c.read().value_or(RawResponse {}).status, 201);
    }

    void perRequestLogsStayAtDebugLevel()
    {
        QTest::qWait(300);
        server.process().readAllStandardError();
        for (int i = 0; i < 20; ++i)
            QCOMPARE(exchange(request("GET", i % 2 ? "/healthz" : "/nope")).status,
                     i % 2 ? 200 : 404);
        QTest::qWait(300);
        QCOMPARE(server.process().readAllStandardError(), QByteArray());
    }
};

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
