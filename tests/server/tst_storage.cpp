// Admin commands and REST (SPEC §11) against the real server, on SQLite and on a real
// PostgreSQL 15 server that this test starts itself (tests/support/postgresserver).
#include "databasebackends.h"
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

using namespace KyozoTest;

namespace {

struct Response
{
    int status = 0;
    QJsonObject json;
    QByteArray body;
    QByteArray contentType;
};

Response request(const QByteArray &method, const QUrl &url, const QString &token = {}, const QByteArray &body = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest req(url);
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    Response r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body).object();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return r;
}

QString errorCode(const Response &r) { return r.json.value("error").toObject().value("code").toString(); }

} // namespace

class TestStorage : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;

private slots:
    void initTestCase() { backends.start(); }

    void adminCommands_data() { DatabaseBackends::addRows(); }
    void adminCommands()
    {
        KYOZO_DATABASE_URL(backends, QFETCH, database);
        TemporaryServer server(database);
        QByteArray out, err;
        QCOMPARE(server.admin({ "user", "add", "ada", "--workspace", "lab", "--role", "owner" }), 0);
        QCOMPARE(server.admin({ "user", "add", "ada", "--workspace", "lab", "--role", "owner" }), 0); // idempotent
        QCOMPARE(server.admin({ "user", "add", "ada", "--workspace", "lab" }), 0); // keeps the role
        QCOMPARE(server.admin({ "user", "add", "ada", "--workspace", "docs", "--role", "viewer" }), 0);
        QCOMPARE(server.admin({ "user", "add", "bob" }), 0);
        QCOMPARE(server.admin({ "user", "list" }, &out), 0);
        QCOMPARE(out, QByteArray("ada\tdocs:viewer,lab:owner\nbob\t\n"));

        QCOMPARE(server.admin({ "token", "create", "ada" }, &out, &err), 0);
        const QList<QByteArray> lines = out.split('\n');
        QCOMPARE(lines.size(), 2); // the token alone on one line
        QVERIFY(lines[0].startsWith("kyz_"));
        QVERIFY(lines[0].size() >= 40);
        QCOMPARE(server.admin({ "token", "create", "nobody" }, &out, &err), 1);
        QCOMPARE(err.count('\n'), 1);
        QVERIFY(err.contains("nobody"));
        QCOMPARE(server.admin({ "token", "revoke", QString::fromUtf8(lines[0]) }), 0);
        QCOMPARE(server.admin({ "token", "revoke", QString::fromUtf8(lines[0]) }, &out, &err), 1); // already
        QCOMPARE(server.admin({ "token", "revoke", "kyz_unknown" }, &out, &err), 1);
        QCOMPARE(err.count('\n'), 1);
        QCOMPARE(server.admin({ "user", "add", "x", "--role", "king", "--workspace", "w" }), 2);
        QCOMPARE(server.admin({ "frobnicate" }), 2);
    }

    void tokensAreStoredHashed()
    {
        TemporaryServer server;
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        QFile db(server.databaseUrl().mid(7));
        QVERIFY(db.open(QIODevice::ReadOnly));
        QByteArray all = db.readAll();
        QFile wal(db.fileName() + QStringLiteral("-wal"));
        if (wal.open(QIODevice::ReadOnly))
            all += wal.readAll();
        QVERIFY(!all.isEmpty());
        QVERIFY2(!all.contains(token.toUtf8()), "the token itself must not be at rest");
        QVERIFY(!all.contains(token.mid(4).toUtf8()));
    }

    void rest_data() { DatabaseBackends::addRows(); }
    void rest()
    {
        KYOZO_DATABASE_URL(backends, QFETCH, database);
        TemporaryServer server(database);
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QString ada = server.userWithToken("ada", "lab", "owner");
        const QString vic = server.userWithToken("vic", "lab", "viewer");
        const QString eve = server.userWithToken("eve", "elsewhere", "owner");

        Response health = request("GET", server.url("/healthz"));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json.value("status").toString(), QStringLiteral("ok"));

        const QByteArray body = R"({"title": "Kyoto notes", "content": "# Kyoto\n\nText \u00e9"})";
        Response created = request("POST", server.url("/api/v1/workspaces/lab/notebooks"), ada, body);
        QCOMPARE(created.status, 201);
        const QString id = created.json.value("id").toString();
        QVERIFY(!id.isEmpty());

        Response got = request("GET", server.url("/api/v1/notebooks/" + id), ada);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json, QJsonObject({ { "id", id }, { "title", "Kyoto notes" },
                                         { "content", QString::fromUtf8("# Kyoto\n\nText \xC3\xA9") }, { "revision", 0 } }));
        QCOMPARE(request("GET", server.url("/api/v1/notebooks/" + id), vic).status, 200);

        // Existence does not leak: another workspace's notebook and a missing one look alike.
        Response hidden = request("GET", server.url("/api/v1/notebooks/" + id), eve);
        QCOMPARE(hidden.status, 404);
        QCOMPARE(errorCode(hidden), QStringLiteral("not_found"));
        QCOMPARE(request("GET", server.url("/api/v1/notebooks/nope"), ada).status, 404);
        QCOMPARE(request("POST", server.url("/api/v1/workspaces/lab/notebooks"), eve, body).status, 404);
        QCOMPARE(request("POST", server.url("/api/v1/workspaces/none/notebooks"), ada, body).status, 404);

        Response viewer = request("POST", server.url("/api/v1/workspaces/lab/notebooks"), vic, body);
        QCOMPARE(viewer.status, 403);
        QCOMPARE(errorCode(viewer), QStringLiteral("forbidden"));
        Response noToken = request("GET", server.url("/api/v1/notebooks/" + id));
        QCOMPARE(noToken.status, 401);
        QCOMPARE(errorCode(noToken), QStringLiteral("unauthorized"));
        QCOMPARE(request("GET", server.url("/api/v1/notebooks/" + id), "kyz_wrong").status, 401);
        for (const QByteArray &bad : { QByteArray("not json"), QByteArray("[]"), QByteArray(R"({"title": 3})") }) {
            Response r = request("POST", server.url("/api/v1/workspaces/lab/notebooks"), ada, bad);
            QCOMPARE(r.status, 400);
            QCOMPARE(errorCode(r), QStringLiteral("bad_request"));
        }
        QCOMPARE(request("GET", server.url("/api/v1/nothing-here"), ada).status, 404);

        Response metrics = request("GET", server.url("/metrics"));
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.contentType.startsWith("text/plain"));
        for (const char *name :
             { "kyozo_sockets", "kyozo_channels_joined", "kyozo_messages_in_total",
               "kyozo_messages_out_total", "kyozo_errors_total", "kyozo_frames_queued" })
            QVERIFY2(server.metric(QString::fromLatin1(name)) >= 0, name);
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
