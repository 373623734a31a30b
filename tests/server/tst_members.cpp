// Workspace members over REST (issue 21 item 3, docs/server.md "REST"): owners list, add,
// change and remove members; everyone else is refused; a workspace never loses its last
// owner; a change takes effect at once, on joined topics too. SQLite and PostgreSQL.
#include "channelclient.h"
#include "databasebackends.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace KyozoTest;

class TestMembers : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob, eve;

    RestResponse call(const QByteArray &method, const QString &path, const QString &token,
                      const QByteArray &body = {})
    {
        return restRequest(method, server->url(path), token, body);
    }
    static QByteArray role(const char *name) { return QByteArray(R"({"role": ")") + name + "\"}"; }
    QStringList members(const QString &token)
    {
        const RestResponse r = call("GET", "/api/v1/workspaces/lab/members", token);
        QStringList out;
        for (const QJsonValue &v : r.json.value("members").toArray())
            out.append(v["user"].toString() + ':' + v["role"].toString());
        return out;
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
        eve = server->userWithToken("eve", "elsewhere", "owner");
        QVERIFY(server->admin({ "user", "add", "cy" }) == 0); // a user of no workspace
        QVERIFY(!ada.isEmpty() && !bob.isEmpty() && !eve.isEmpty());
    }
    void cleanup() { server.reset(); }

    void ownersManageMembers()
    {
        QCOMPARE(members(ada), QStringList({ "ada:owner", "bob:editor" }));
        // Add, then change, then read one.
        RestResponse r = call("PUT", "/api/v1/workspaces/lab/members/cy", ada, role("viewer"));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json, QJsonObject({ { "user", "cy" }, { "role", "viewer" } }));
        r = call("PUT", "/api/v1/workspaces/lab/members/bob", ada, role("owner"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("role").toString(), QStringLiteral("owner"));
        QCOMPARE(members(ada), QStringList({ "ada:owner", "bob:owner", "cy:viewer" }));
        r = call("GET", "/api/v1/workspaces/lab/members/cy", bob);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json, QJsonObject({ { "user", "cy" }, { "role", "viewer" } }));
        // The change is what the server goes by from the next request on: cy, a viewer now,
        // sees the notebooks; after removal, the workspace is gone for cy.
        const QString cy = server->userWithToken("cy", {}, {});
        QVERIFY(!cy.isEmpty());
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/notebooks", cy).status, 200);
        QCOMPARE(
            call("POST", "/api/v1/workspaces/lab/notebooks", cy, R"({"title":"t","content":""})")
                .status,
            403);
        QCOMPARE(call("DELETE", "/api/v1/workspaces/lab/members/cy", ada).status, 204);
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/notebooks", cy).status, 404);
        QCOMPARE(call("DELETE", "/api/v1/workspaces/lab/members/cy", ada).status, 404);
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/members/cy", ada).status, 404);
        // The admin CLI sees the same memberships.
        QByteArray out;
        QCOMPARE(server->admin({ "user", "list" }, &out), 0);
        QVERIFY2(out.contains("bob\tlab:owner"), out.constData());
        QVERIFY2(!out.contains("cy\tlab"), out.constData());
    }

    // A change reaches the member's joined topics at once: a viewer's push is refused, a
    // removed member's joins of the workspace end with phx_close (others' stay).
    void changesReachJoinedTopics()
    {
        const RestResponse created
            = call("POST", "/api/v1/workspaces/lab/notebooks", ada, R"({"title": "t"})");
        QCOMPARE(created.status, 201);
        const QString notebook = "execution:notebook:" + created.json.value("id").toString();
        const QString workspace = QStringLiteral("execution:workspace:lab");
        ChannelClient client;
        QVERIFY(client.open(server->socketUrl(bob)));
        QCOMPARE(client.join(workspace, "1")[4].toObject().value("status").toString(),
                 QStringLiteral("ok"));
        QCOMPARE(client.join(notebook, "2")[4].toObject().value("status").toString(),
                 QStringLiteral("ok"));
        ChannelClient owner;
        QVERIFY(owner.open(server->socketUrl(ada)));
        QCOMPARE(owner.join(workspace, "1")[4].toObject().value("status").toString(),
                 QStringLiteral("ok"));

        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/bob", ada, role("viewer")).status,
                 200);
        client.send(frame("2", "3", notebook, "op",
                          QJsonObject { { "revision", 0 }, { "ops", QJsonArray { "x" } } }));
        const QJsonArray refused = client.waitForReply("3");
        QCOMPARE(refused[4].toObject().value("status").toString(), QStringLiteral("error"));
        QCOMPARE(refused[4].toObject().value("response").toObject().value("reason").toString(),
                 QStringLiteral("forbidden"));

        QCOMPARE(call("DELETE", "/api/v1/workspaces/lab/members/bob", ada).status, 204);
        QVERIFY(!client.waitForEvent(workspace, "phx_close").isEmpty());
        QVERIFY(!client.waitForEvent(notebook, "phx_close").isEmpty());
        QVERIFY(client.isOpen()); // the socket stays: bob may be a member elsewhere
        QVERIFY(owner.waitForEvent(workspace, "phx_close", 300).isEmpty());
        // And bob's presence left the owner's view of the workspace.
        QVERIFY(!owner
                     .waitFor([](const QJsonArray &f) {
                         return f[3].toString() == "presence_diff"
                             && !f[4].toObject().value("leaves").toObject().isEmpty();
                     })
                     .isEmpty());
    }

    void refusals()
    {
        // Not an owner: 403; not a member: 404 (the workspace is not there for them).
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/members", bob).status, 403);
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/bob", bob, role("owner")).status, 403);
        QCOMPARE(call("DELETE", "/api/v1/workspaces/lab/members/ada", bob).status, 403);
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/members", eve).status, 404);
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/eve", eve, role("owner")).status, 404);
        QCOMPARE(call("GET", "/api/v1/workspaces/nowhere/members", ada).status, 404);
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/members", QString()).status, 401);
        // Bad bodies and unknown users.
        for (const QByteArray &body :
             { QByteArray(R"({"role": "admin"})"), QByteArray(R"({"role": "owner", "x": 1})"),
               QByteArray("[]"), QByteArray("{"), QByteArray(R"({"role": 1})") }) {
            const RestResponse r = call("PUT", "/api/v1/workspaces/lab/members/bob", ada, body);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.errorCode(), QStringLiteral("bad_request"));
        }
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/nobody", ada, role("editor")).status,
                 404);
        // The last owner can neither leave nor step down; with a second owner they can.
        RestResponse r = call("DELETE", "/api/v1/workspaces/lab/members/ada", ada);
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), QStringLiteral("last_owner"));
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/ada", ada, role("editor")).status,
                 409);
        QCOMPARE(members(ada), QStringList({ "ada:owner", "bob:editor" }));
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/bob", ada, role("owner")).status, 200);
        QCOMPARE(call("PUT", "/api/v1/workspaces/lab/members/ada", ada, role("editor")).status,
                 200);
        QCOMPARE(call("GET", "/api/v1/workspaces/lab/members", ada).status,
                 403); // not an owner now
        QCOMPARE(members(bob), QStringList({ "ada:editor", "bob:owner" }));
    }
};

QTEST_GUILESS_MAIN(TestMembers)
#include "tst_members.moc"
