// The notebook routes of SPEC §11 REST that co-editing needs (docs/server.md "REST"): the
// workspace's list, a notebook's history, rename and delete, with who may do what and the
// 404 that hides other workspaces' notebooks; on SQLite and on a real PostgreSQL.
#include "channelclient.h"
#include "databasebackends.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace KyozoTest;

namespace {

QJsonObject replyPayload(const QJsonArray &f)
{
    return f[4].toObject();
}
bool replyOk(const QJsonArray &f)
{
    return replyPayload(f).value("status").toString() == QLatin1String("ok");
}

QStringList keysOf(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

} // namespace

class TestNotebookRoutes : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob, vic, eve;

    QString create(const QString &token, const QString &workspace, const QString &title,
                   const QString &content)
    {
        const RestResponse r = restRequest(
            "POST", server->url("/api/v1/workspaces/" + workspace + "/notebooks"), token,
            QJsonDocument(QJsonObject { { "title", title }, { "content", content } }).toJson());
        return r.status == 201 ? r.json.value("id").toString() : QString();
    }
    RestResponse get(const QString &path, const QString &token)
    {
        return restRequest("GET", server->url(path), token);
    }
    // One op appended at the end of the text at `revision` (of `length` code units).
    bool append(ChannelClient &c, const QString &topic, qint64 revision, qint64 length,
                const QString &text)
    {
        const QString ref = QStringLiteral("r%1").arg(revision);
        c.send(frame(
            "1", ref, topic, "op",
            QJsonObject { { "revision", revision },
                          { "ops", length ? QJsonArray { length, text } : QJsonArray { text } } }));
        return replyOk(c.waitForReply(ref));
    }

private slots:
    void initTestCase_data() { DatabaseBackends::addRows(); }
    void initTestCase() { backends.start(); }
    void init()
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, database);
        server = std::make_unique<TemporaryServer>(database);
        QString error;
        QVERIFY2(server->start({}, &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "owner");
        bob = server->userWithToken("bob", "lab", "editor");
        vic = server->userWithToken("vic", "lab", "viewer");
        eve = server->userWithToken("eve", "elsewhere", "owner");
        QVERIFY(!ada.isEmpty() && !bob.isEmpty() && !vic.isEmpty() && !eve.isEmpty());
    }
    void cleanup() { server.reset(); }

    void workspaceListAndHistory()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QString beta = create(ada, "lab", "Beta", "b");
        const QString alpha = create(bob, "lab", "Alpha", "");
        const QString other = create(eve, "elsewhere", "Other", "o");
        QVERIFY(!beta.isEmpty() && !alpha.isEmpty() && !other.isEmpty());

        // Members see the workspace's notebooks by title; others get 404.
        for (const QString &token : { ada, vic }) {
            const RestResponse r = get("/api/v1/workspaces/lab/notebooks", token);
            QCOMPARE(r.status, 200);
            QCOMPARE(keysOf(r.json), QStringList({ "notebooks" }));
            const QJsonArray list = r.json.value("notebooks").toArray();
            QCOMPARE(list.size(), 2);
            QCOMPARE(list[0].toObject().value("id").toString(), alpha);
            QCOMPARE(list[0].toObject().value("title").toString(), QStringLiteral("Alpha"));
            QCOMPARE(list[1].toObject().value("id").toString(), beta);
            for (const QJsonValue &v : list) {
                QCOMPARE(keysOf(v.toObject()),
                         QStringList({ "id", "revision", "title", "updated_at" }));
                QCOMPARE(v.toObject().value("revision").toInt(), 0);
                QVERIFY(v.toObject().value("updated_at").toInteger() >= before);
            }
        }
        QCOMPARE(get("/api/v1/workspaces/lab/notebooks", eve).status, 404);
        QCOMPARE(get("/api/v1/workspaces/lab/notebooks", eve).errorCode(),
                 QStringLiteral("not_found"));
        QCOMPARE(get("/api/v1/workspaces/none/notebooks", ada).status, 404);
        QCOMPARE(get("/api/v1/workspaces/elsewhere/notebooks", eve)
                     .json.value("notebooks")
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(get("/api/v1/workspaces/lab/notebooks", {}).status, 401);

        // Four operations: ada, ada, bob, ada.
        const QString topic = "execution:notebook:" + beta;
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(topic, "1")));
        QVERIFY(replyOk(b.join(topic, "1")));
        QVERIFY(append(a, topic, 0, 1, "1"));
        QVERIFY(append(a, topic, 1, 2, "2"));
        QVERIFY(append(b, topic, 2, 3, "3"));
        QVERIFY(append(a, topic, 3, 4, "4"));
        const qint64 after = QDateTime::currentMSecsSinceEpoch();

        const RestResponse listed = get("/api/v1/workspaces/lab/notebooks", ada);
        const QJsonObject betaEntry = listed.json.value("notebooks").toArray()[1].toObject();
        QCOMPARE(betaEntry.value("revision").toInt(), 4);
        QVERIFY(betaEntry.value("updated_at").toInteger() <= after);

        const RestResponse history = get("/api/v1/notebooks/" + beta + "/revisions", vic);
        QCOMPARE(history.status, 200);
        const QJsonArray revisions = history.json.value("revisions").toArray();
        QCOMPARE(revisions.size(), 4); // revision 0, the creation, is not an operation
        QStringList names;
        QList<int> numbers;
        for (const QJsonValue &v : revisions) {
            const QJsonObject o = v.toObject();
            QCOMPARE(keysOf(o), QStringList({ "name", "revision", "time", "user_id" }));
            numbers.append(o.value("revision").toInt());
            names.append(o.value("name").toString());
            QVERIFY(o.value("time").toInteger() >= before && o.value("time").toInteger() <= after);
        }
        QCOMPARE(numbers, QList<int>({ 4, 3, 2, 1 }));
        QCOMPARE(names, QStringList({ "ada", "bob", "ada", "ada" }));
        const QString adaId = revisions[0].toObject().value("user_id").toString();
        QVERIFY(!adaId.isEmpty());
        QCOMPARE(revisions[2].toObject().value("user_id").toString(), adaId);
        QVERIFY(revisions[1].toObject().value("user_id").toString() != adaId);

        const RestResponse page
            = get("/api/v1/notebooks/" + beta + "/revisions?before=3&limit=1", ada);
        QCOMPARE(page.json.value("revisions").toArray().size(), 1);
        QCOMPARE(page.json.value("revisions").toArray()[0].toObject().value("revision").toInt(), 2);
        for (const char *bad : { "?limit=0", "?limit=1001", "?before=x", "?before=-1" })
            QCOMPARE(get("/api/v1/notebooks/" + beta + "/revisions" + bad, ada).status, 400);
        QCOMPARE(get("/api/v1/notebooks/" + beta + "/revisions", eve).status, 404);
        QCOMPARE(get("/api/v1/notebooks/" + other + "/revisions", ada).status, 404);

        // Any kept revision, and the newest.
        QCOMPARE(
            get("/api/v1/notebooks/" + beta + "?revision=2", vic).json,
            QJsonObject(
                { { "id", beta }, { "title", "Beta" }, { "content", "b12" }, { "revision", 2 } }));
        QCOMPARE(
            get("/api/v1/notebooks/" + beta + "?revision=0", ada).json.value("content").toString(),
            QStringLiteral("b"));
        QCOMPARE(get("/api/v1/notebooks/" + beta, ada).json.value("content").toString(),
                 QStringLiteral("b1234"));
        QCOMPARE(get("/api/v1/notebooks/" + beta + "?revision=two", ada).status, 400);
        QCOMPARE(get("/api/v1/notebooks/" + beta + "?revision=5", ada).status, 404);
        QCOMPARE(get("/api/v1/notebooks/" + beta + "?revision=1", eve).status, 404);
    }

    // A notebook saved with a byte-order mark keeps it through the database (SQLite drops a
    // leading U+FEFF of text bound as UTF-16, which is how QSQLITE binds a QString).
    void aLeadingByteOrderMarkIsKept()
    {
        const QString content = QStringLiteral("\uFEFF# Notes\n\nBody.\n");
        const QString id = create(ada, "lab", "\uFEFFTitled", content);
        QVERIFY(!id.isEmpty());
        const auto contentOf = [&] {
            return get("/api/v1/notebooks/" + id, ada).json.value("content").toString();
        };
        QCOMPARE(contentOf(), content);
        QCOMPARE(server->stop(), 0); // what follows is read back from the database
        QString error;
        QVERIFY2(server->start({}, &error), qPrintable(error));
        QCOMPARE(contentOf(), content);
        // The raw bytes, not only what our parser makes of them.
        QVERIFY(get("/api/v1/notebooks/" + id, ada).body.contains("\"\xEF\xBB\xBF# Notes")
                || get("/api/v1/notebooks/" + id, ada).body.contains("\"\\ufeff# Notes"));
    }

    void renameAndDelete()
    {
        // Members watching the workspace's topic see its list change; another workspace's
        // members see nothing of it.
        ChannelClient lab, elsewhere;
        QVERIFY(lab.open(server->socketUrl(vic)));
        QVERIFY(elsewhere.open(server->socketUrl(eve)));
        QVERIFY(replyOk(lab.join("execution:workspace:lab", "1")));
        QVERIFY(replyOk(elsewhere.join("execution:workspace:elsewhere", "1")));
        const auto nextEvent = [](ChannelClient &c, const char *event) {
            return c.waitForEvent(QStringLiteral("execution:workspace:lab"), QLatin1String(event))
                .at(4)
                .toObject();
        };

        const QString id = create(ada, "lab", "Draft", "text");
        const QJsonObject created = nextEvent(lab, "notebook_created");
        QCOMPARE(keysOf(created), QStringList({ "id", "revision", "title", "updated_at" }));
        QCOMPARE(created.value("id").toString(), id);
        QCOMPARE(created.value("title").toString(), QStringLiteral("Draft"));
        QCOMPARE(created.value("revision").toInt(), 0);
        const QString other = create(eve, "elsewhere", "Other", "o");
        const QString path = "/api/v1/notebooks/" + id;

        const RestResponse renamed
            = restRequest("PATCH", server->url(path), bob, R"({"title":"Final \u00e9"})");
        QCOMPARE(renamed.status, 200);
        QCOMPARE(keysOf(renamed.json), QStringList({ "id", "revision", "title", "updated_at" }));
        QCOMPARE(renamed.json.value("title").toString(), QString::fromUtf8("Final \xC3\xA9"));
        const QJsonObject renamedEvent = nextEvent(lab, "notebook_renamed");
        QCOMPARE(renamedEvent.value("id").toString(), id);
        QCOMPARE(renamedEvent.value("title").toString(), QString::fromUtf8("Final \xC3\xA9"));
        QCOMPARE(get(path, vic).json.value("title").toString(),
                 QString::fromUtf8("Final \xC3\xA9"));
        QCOMPARE(restRequest("PATCH", server->url(path), vic, R"({"title":"v"})").status, 403);
        QCOMPARE(restRequest("PATCH", server->url(path), eve, R"({"title":"e"})").status, 404);
        QCOMPARE(
            restRequest("PATCH", server->url("/api/v1/notebooks/" + other), ada, R"({"title":"a"})")
                .status,
            404);
        for (const QByteArray &bad : { QByteArray("not json"), QByteArray(R"({"title":3})"),
                                       QByteArray(R"({"title":"x","content":"y"})"),
                                       QByteArray("[]"), QByteArray(R"({"title":"\ud800"})") }) {
            const RestResponse r = restRequest("PATCH", server->url(path), ada, bad);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.errorCode(), QStringLiteral("bad_request"));
        }
        QCOMPARE(get(path, ada).json.value("title").toString(),
                 QString::fromUtf8("Final \xC3\xA9"));

        // Deleting is for owners; whoever has it open gets phx_close.
        ChannelClient watcher;
        QVERIFY(watcher.open(server->socketUrl(vic)));
        const QString topic = "execution:notebook:" + id;
        QVERIFY(replyOk(watcher.join(topic, "7")));
        QCOMPARE(restRequest("DELETE", server->url(path), bob).status, 403);
        QCOMPARE(restRequest("DELETE", server->url(path), vic).status, 403);
        QCOMPARE(restRequest("DELETE", server->url(path), eve).status, 404);
        const RestResponse deleted = restRequest("DELETE", server->url(path), ada);
        QCOMPARE(deleted.status, 204);
        QVERIFY(deleted.body.isEmpty());
        const QJsonArray closed = watcher.waitForEvent(topic, "phx_close");
        QVERIFY2(!closed.isEmpty(), "no phx_close for the deleted notebook");
        QCOMPARE(closed[0].toString(), QStringLiteral("7"));
        QCOMPARE(nextEvent(lab, "notebook_deleted"), QJsonObject({ { "id", id } }));
        // Refused changes sent nothing; the other workspace saw nothing of lab's.
        QVERIFY(lab.waitForEvent("execution:workspace:lab", "notebook_renamed", 200).isEmpty());
        const QJsonArray own
            = elsewhere.waitForEvent("execution:workspace:elsewhere", "notebook_created");
        QCOMPARE(own.at(4).toObject().value("id").toString(), other);
        QVERIFY(elsewhere
                    .waitFor([](const QJsonArray &f) {
                        return f[3].toString().startsWith(QLatin1String("notebook_"));
                    }, 200)
                    .isEmpty());
        QCOMPARE(get(path, ada).status, 404);
        QCOMPARE(restRequest("DELETE", server->url(path), ada).status, 404);
        QVERIFY(get("/api/v1/workspaces/lab/notebooks", ada)
                    .json.value("notebooks")
                    .toArray()
                    .isEmpty());
        QCOMPARE(replyPayload(watcher.join(topic, "8")).value("status").toString(),
                 QStringLiteral("error"));
        QCOMPARE(get("/api/v1/notebooks/" + other, eve).status, 200); // others' untouched
    }
};

QTEST_GUILESS_MAIN(TestNotebookRoutes)
#include "tst_notebookroutes.moc"
