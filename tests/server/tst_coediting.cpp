// Co-editing on execution:notebook:{id} (SPEC §5, §11 "Co-editing", docs/server.md
// "Co-editing") against the real kyozo-server, on SQLite and on a real PostgreSQL. Expected
// texts are worked out by hand from ot.js's transform rules (the pushed operation's insert
// goes first on a tie, as in ot.js's Server.receiveOperation).
#include "channelclient.h"
#include "collab/textoperation.h"
#include "databasebackends.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "storage/database.h"
#include "temporaryserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
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
QJsonObject response(const QJsonArray &f)
{
    return replyPayload(f).value("response").toObject();
}
QString reason(const QJsonArray &f)
{
    return response(f).value("reason").toString();
}

QString topicOf(const QString &id)
{
    return QStringLiteral("execution:notebook:") + id;
}

// "op" pushed on `topic` (join ref "1"), and its reply.
QJsonArray pushOp(ChannelClient &c, const QString &topic, const QString &ref,
                  const QJsonObject &payload)
{
    c.send(frame(QStringLiteral("1"), ref, topic, QStringLiteral("op"), payload));
    return c.waitForReply(ref);
}

QJsonObject op(double revision, const QJsonArray &ops)
{
    return QJsonObject { { "revision", revision }, { "ops", ops } };
}

// Every frame the socket was sent up to now: a heartbeat's reply comes after all of them.
bool drained(ChannelClient &c, const QString &ref)
{
    c.send(frame({}, ref, QStringLiteral("phoenix"), QStringLiteral("heartbeat")));
    return replyOk(c.waitForReply(ref));
}

bool hasEvent(const ChannelClient &c, const QString &event)
{
    for (const QJsonArray &f : c.pending())
        if (f[3].toString() == event)
            return true;
    return false;
}

} // namespace

class TestCoediting : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;
    std::unique_ptr<TemporaryServer> server;
    QString ada, bob, vic, eve;

    QString create(const QString &content)
    {
        const RestResponse r = restRequest(
            "POST", server->url("/api/v1/workspaces/lab/notebooks"), ada,
            QJsonDocument(QJsonObject { { "title", "t" }, { "content", content } }).toJson());
        return r.status == 201 ? r.json.value("id").toString() : QString();
    }

    QJsonObject latest(const QString &id)
    {
        return restRequest("GET", server->url("/api/v1/notebooks/" + id), ada).json;
    }

    void startServer(const QString &config)
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, database);
        server = std::make_unique<TemporaryServer>(database);
        QString error;
        QVERIFY2(server->start(config, &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "owner");
        bob = server->userWithToken("bob", "lab", "editor");
        vic = server->userWithToken("vic", "lab", "viewer");
        eve = server->userWithToken("eve", "elsewhere", "owner");
        QVERIFY(!ada.isEmpty() && !bob.isEmpty() && !vic.isEmpty() && !eve.isEmpty());
    }

private slots:
    void initTestCase_data() { DatabaseBackends::addRows(); }
    void initTestCase() { backends.start(); }
    void init()
    {
        // Small caps so that too_large is testable (docs/server.md "Co-editing").
        startServer(QStringLiteral("[coediting]\nmax_insert_bytes = 1000\n"
                                   "[limits]\nmax_notebook_bytes = 1100\n"));
    }
    void cleanup() { server.reset(); }

    void joinReplyHoldsTheExactText()
    {
        // CRLF, a lone CR, an astral character and no final newline survive as they are.
        const QString text = QString::fromUtf8("# T\r\nline\rnext \xF0\x9F\x98\x80 end");
        const QString id = create(text);
        QVERIFY(!id.isEmpty());
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(bob)));
        const QJsonArray r = c.join(topicOf(id), "1");
        QVERIFY(replyOk(r));
        QCOMPARE(response(r), QJsonObject({ { "revision", 0 }, { "content", text } }));
        // Not a member of the notebook's workspace: refused like any topic.
        ChannelClient outsider;
        QVERIFY(outsider.open(server->socketUrl(eve)));
        QCOMPARE(reason(outsider.join(topicOf(id), "1")), QStringLiteral("unauthorized"));
    }

    // A join reply of 1.2 MB of three-byte characters reaches a Qt client: sent as one frame,
    // since Qt 6.4's receiver closes with 1007 on a frame that ends inside a UTF-8 sequence.
    void aLargeNonAsciiNotebookJoins()
    {
        server.reset();
        startServer(QString());
        const QString text = QString(400000, QChar(0x20AC)) + QStringLiteral("\n");
        const QString id = create(text);
        QVERIFY(!id.isEmpty());
        ChannelClient c;
        QVERIFY(c.open(server->socketUrl(bob)));
        const QJsonArray r = c.join(topicOf(id), "1", {});
        QVERIFY2(replyOk(r), qPrintable(QStringLiteral("closed %1").arg(c.closeCode())));
        QCOMPARE(response(r).value("content").toString(), text);
        QVERIFY(c.isOpen());
    }

    void opIsAcknowledgedAndBroadcastToTheOthersOnly()
    {
        const QString id = create("abc");
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QVERIFY(replyOk(b.join(topicOf(id), "1")));
        // ada's user id, as the relay tells it
        a.send(
            frame("1", "c", topicOf(id), "cursor_move",
                  QJsonObject { { "position", QJsonObject { { "line", 1 }, { "column", 1 } } } }));
        const QString adaId
            = b.waitForEvent(topicOf(id), "cursor")[4].toObject().value("user_id").toString();
        QVERIFY(!adaId.isEmpty());

        const QJsonArray ack = pushOp(a, topicOf(id), "p1", op(0, { 3, "d" }));
        QVERIFY2(replyOk(ack), QJsonDocument(ack).toJson());
        QCOMPARE(response(ack), QJsonObject({ { "revision", 1 } }));
        const QJsonArray got = b.waitForEvent(topicOf(id), "op");
        QCOMPARE(
            got[4].toObject(),
            QJsonObject(
                { { "revision", 1 }, { "ops", QJsonArray { 3, "d" } }, { "user_id", adaId } }));
        QVERIFY(got[0].isNull() && got[1].isNull()); // a broadcast: no refs
        QVERIFY(drained(a, "h1"));
        QVERIFY2(!hasEvent(a, "op"), "the sender got its own operation back");
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("abcd"));
        QCOMPARE(latest(id).value("revision").toInt(), 1);
        // A later joiner starts from the new revision.
        ChannelClient late;
        QVERIFY(late.open(server->socketUrl(vic)));
        QCOMPARE(response(late.join(topicOf(id), "1")),
                 QJsonObject({ { "revision", 1 }, { "content", "abcd" } }));
    }

    // A group commit whose transaction fails (written on the server's commit writer
    // thread, docs/server.md "Storage"): its push is refused `unavailable`, nothing of it
    // is answered, broadcast or kept in memory, and the next push gets the revision the
    // failed one would have had, on the text as it was. The failure is a trigger another
    // connection adds, refusing operations that insert "BOOM".
    void failedCommitIsRefusedAndRolledBack()
    {
        const QString id = create("abc");
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QVERIFY(replyOk(b.join(topicOf(id), "1")));
        QVERIFY(replyOk(pushOp(a, topicOf(id), "p1", op(0, { 3, "d" }))));
        QCOMPARE(b.waitForEvent(topicOf(id), "op")[4].toObject().value("revision").toInt(), 1);
        {
            Kyozo::Server::Database db;
            QString error;
            QVERIFY2(
                db.open(*Kyozo::Server::DatabaseUrl::parse(server->databaseUrl(), &error), &error),
                qPrintable(error));
            QSqlQuery q(db.connection());
            if (server->databaseUrl().startsWith(QLatin1String("sqlite:"))) {
                QVERIFY2(q.exec("CREATE TRIGGER refuse_boom BEFORE INSERT ON notebook_operations "
                                "WHEN NEW.ops LIKE '%BOOM%' BEGIN "
                                "SELECT RAISE(ABORT, 'refused by the test'); END"),
                         qPrintable(q.lastError().text()));
            } else {
                QVERIFY2(q.exec("CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql "
                                "AS $$ BEGIN IF NEW.ops LIKE '%BOOM%' THEN "
                                "RAISE EXCEPTION 'refused by the test'; END IF; "
                                "RETURN NEW; END $$"),
                         qPrintable(q.lastError().text()));
                QVERIFY2(q.exec("CREATE TRIGGER refuse_boom BEFORE INSERT ON notebook_operations "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_boom()"),
                         qPrintable(q.lastError().text()));
            }
        }
        QJsonObject boom = op(1, { 4, "BOOM" });
        boom.insert("op_id", "boom-1");
        QCOMPARE(reason(pushOp(a, topicOf(id), "p2", boom)), QStringLiteral("unavailable"));
        QVERIFY(drained(b, "h1"));
        for (const QJsonArray &f : b.pending())
            QVERIFY2(f[3].toString() != QLatin1String("op")
                         || f[4].toObject().value("revision").toInt() == 1,
                     "a failed operation was broadcast");
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("abcd"));
        QCOMPARE(latest(id).value("revision").toInt(), 1);
        ChannelClient late;
        QVERIFY(late.open(server->socketUrl(vic)));
        QCOMPARE(response(late.join(topicOf(id), "1")),
                 QJsonObject({ { "revision", 1 }, { "content", "abcd" } }));
        // Rolled back: revision 2 again, on "abcd" (base length 4); the op_id of the failed
        // push is not taken either, so its resend is applied.
        const QJsonArray next = pushOp(a, topicOf(id), "p3", op(1, { 4, "e" }));
        QVERIFY2(replyOk(next), QJsonDocument(next).toJson());
        QCOMPARE(response(next), QJsonObject({ { "revision", 2 } }));
        QJsonObject resend = op(2, { 5, "!" });
        resend.insert("op_id", "boom-1");
        QCOMPARE(response(pushOp(a, topicOf(id), "p4", resend)),
                 QJsonObject({ { "revision", 3 } }));
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("abcde!"));
        QCOMPARE(latest(id).value("revision").toInt(), 3);
        const QJsonArray got = late.waitForEvent(topicOf(id), "op");
        QCOMPARE(got[4].toObject().value("revision").toInt(), 2);
    }

    // U+0000 is refused where a notebook's text or title comes in over REST (400), on both
    // databases alike: PostgreSQL TEXT cannot store it, and CommonMark (§2.3) reads it as U+FFFD.
    void nulIsRefusedOverRest()
    {
        const QByteArray withNul
            = QJsonDocument(QJsonObject { { "title", "t" },
                                          { "content", QStringLiteral("a") + QChar(0) + "b" } })
                  .toJson(QJsonDocument::Compact);
        QVERIFY(withNul.contains("\\u0000"));
        const RestResponse created
            = restRequest("POST", server->url("/api/v1/workspaces/lab/notebooks"), ada, withNul);
        QCOMPARE(created.status, 400);
        QCOMPARE(created.errorCode(), QStringLiteral("bad_request"));
        const QString id = create("ok");
        QVERIFY(!id.isEmpty());
        const RestResponse renamed = restRequest(
            "PATCH", server->url("/api/v1/notebooks/" + id), ada,
            QJsonDocument(QJsonObject { { "title", QStringLiteral("x") + QChar(0) } }).toJson());
        QCOMPARE(renamed.status, 400);
        QCOMPARE(latest(id).value("title").toString(), QStringLiteral("t"));
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("ok"));
    }

    void concurrentOperationsAreTransformed()
    {
        // ada and bob both edit revision 0 of "abcdef"; ada's arrives first.
        const QString id = create("abcdef");
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QVERIFY(replyOk(b.join(topicOf(id), "1")));
        // ada deletes "bcd" -> "aef" (1); bob deletes "cde" from revision 0: only the "e" is
        // left to delete -> "af" (2), and ada is sent that as [1, -1, 1].
        QCOMPARE(
            response(pushOp(a, topicOf(id), "a1", op(0, { 1, -3, 2 }))).value("revision").toInt(),
            1);
        QCOMPARE(
            response(pushOp(b, topicOf(id), "b1", op(0, { 2, -3, 1 }))).value("revision").toInt(),
            2);
        QCOMPARE(b.waitForEvent(topicOf(id), "op")[4].toObject().value("ops").toArray(),
                 QJsonArray({ 1, -3, 2 }));
        QCOMPARE(a.waitForEvent(topicOf(id), "op")[4].toObject().value("ops").toArray(),
                 QJsonArray({ 1, -1, 1 }));
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("af"));

        // Both insert at 0 of "af" (revision 2): the one transformed later goes first, as in
        // ot.js's server -> "BAaf". Then ada, still at revision 3, appends after "f":
        // transformed over bob's "B" -> [4, "!"] -> "BAaf!".
        QVERIFY(replyOk(pushOp(a, topicOf(id), "a2", op(2, { "A", 2 }))));
        QCOMPARE(
            response(pushOp(b, topicOf(id), "b2", op(2, { "B", 2 }))).value("revision").toInt(), 4);
        QCOMPARE(a.waitForEvent(topicOf(id), "op")[4].toObject().value("ops").toArray(),
                 QJsonArray({ "B", 3 }));
        QCOMPARE(
            response(pushOp(a, topicOf(id), "a3", op(3, { 3, "!" }))).value("revision").toInt(), 5);
        QCOMPARE(b.waitForEvent(topicOf(id), "op")[4].toObject().value("ops").toArray(),
                 QJsonArray({ "A", 2 }));
        QCOMPARE(b.waitForEvent(topicOf(id), "op")[4].toObject().value("ops").toArray(),
                 QJsonArray({ 4, "!" }));
        QCOMPARE(
            latest(id),
            QJsonObject(
                { { "id", id }, { "title", "t" }, { "content", "BAaf!" }, { "revision", 5 } }));
        // An astral character is two code units: inserting after it retains 2.
        QVERIFY(replyOk(
            pushOp(b, topicOf(id), "b3", op(5, { 5, QString::fromUtf8("\xF0\x9F\x98\x80") }))));
        QVERIFY(replyOk(pushOp(a, topicOf(id), "a4", op(6, { 7, "x" }))));
        QCOMPARE(latest(id).value("content").toString(),
                 QString::fromUtf8("BAaf!\xF0\x9F\x98\x80x"));
    }

    void broadcastsFollowRevisionOrder()
    {
        // Two writers push without waiting, all on revision 0; a third client applies what it
        // is sent, in the order sent, and must end with the server's text.
        const QString id = create("abc");
        ChannelClient a, b, watcher;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(watcher.open(server->socketUrl(vic)));
        for (ChannelClient *c : { &a, &b, &watcher })
            QVERIFY(replyOk(c->join(topicOf(id), "1")));
        constexpr int kEach = 20;
        for (int i = 0; i < kEach; ++i) {
            a.send(
                frame("1", QStringLiteral("a%1").arg(i), topicOf(id), "op", op(0, { 1, "A", 2 })));
            b.send(frame("1", QStringLiteral("b%1").arg(i), topicOf(id), "op", op(0, { 3, "B" })));
        }
        QString text = QStringLiteral("abc");
        for (int revision = 1; revision <= 2 * kEach; ++revision) {
            const QJsonArray f = watcher.waitForEvent(topicOf(id), "op");
            QVERIFY2(!f.isEmpty(),
                     qPrintable(QStringLiteral("no op for revision %1").arg(revision)));
            QCOMPARE(f[4].toObject().value("revision").toInteger(), revision);
            QString error;
            const auto operation
                = Kyozo::Collab::TextOperation::fromJson(f[4].toObject().value("ops"), &error);
            QVERIFY2(operation, qPrintable(error));
            const std::optional<QString> next = operation->apply(text, &error);
            QVERIFY2(next, qPrintable(error));
            text = *next;
        }
        QCOMPARE(text.count(u'A'), kEach);
        QCOMPARE(text.count(u'B'), kEach);
        QCOMPARE(latest(id).value("content").toString(), text);
        QCOMPARE(latest(id).value("revision").toInt(), 2 * kEach);
    }

    void refusalsApplyNothingAndKeepTheSocket()
    {
        const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80"); // two code units
        const QString id = create("a" + emoji + "b");
        ChannelClient a, viewer;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(viewer.open(server->socketUrl(vic)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QVERIFY(replyOk(viewer.join(topicOf(id), "1")));
        QVERIFY(replyOk(pushOp(a, topicOf(id), "ok", op(0, { 4, "c" })))); // "a😀bc", revision 1

        const QString x1000(1000, u'x');
        const struct
        {
            const char *name;
            QJsonObject payload;
            const char *reason;
        } cases[] = {
            { "ops not an array", QJsonObject { { "revision", 1 }, { "ops", "x" } }, "bad_op" },
            { "a zero part", op(1, { 0, 5 }), "bad_op" },
            { "a fraction", op(1, { 2.5, 2.5 }), "bad_op" },
            { "no ops", QJsonObject { { "revision", 1 } }, "bad_op" },
            { "an unknown key",
              QJsonObject { { "revision", 1 }, { "ops", QJsonArray { 5 } }, { "x", 1 } },
              "bad_op" },
            { "op_id not a string",
              QJsonObject { { "revision", 1 }, { "ops", QJsonArray { 5 } }, { "op_id", 7 } },
              "bad_op" },
            { "base length too short", op(1, { 4 }), "bad_op" },
            { "base length too long", op(1, { 6 }), "bad_op" },
            { "base length at an old revision", op(0, { 5, "x" }), "bad_op" },
            { "insert inside a surrogate pair", op(1, { 2, "x", 3 }), "bad_op" },
            { "delete half a surrogate pair", op(1, { 1, -1, 3 }), "bad_op" },
            // PostgreSQL TEXT cannot hold U+0000 (libpq passes C strings): never stored.
            { "an insert holding U+0000", op(1, { 5, QStringLiteral("a") + QChar(0) + "b" }),
              "bad_op" },
            { "a future revision", op(2, { 5 }), "bad_revision" },
            { "a negative revision", op(-1, { 5 }), "bad_revision" },
            { "a fractional revision", op(0.5, { 5 }), "bad_revision" },
            { "no revision", QJsonObject { { "ops", QJsonArray { 5 } } }, "bad_revision" },
            // 501 "é" are 501 code units but 1002 UTF-8 bytes: over max_insert_bytes = 1000.
            { "an insert over max_insert_bytes", op(1, { 5, QString(501, QChar(0xe9)) }),
              "too_large" },
            { "an insert over max_insert_bytes at once", op(1, { x1000 + "y", 5 }), "too_large" },
        };
        int ref = 0;
        for (const auto &c : cases) {
            const QJsonArray r = pushOp(a, topicOf(id), QString::number(++ref), c.payload);
            QVERIFY2(!replyOk(r), c.name);
            QCOMPARE(reason(r), QString::fromLatin1(c.reason));
        }
        // A lone surrogate can only come as a JSON escape.
        a.sendText(QStringLiteral(R"(["1","lone","%1","op",{"revision":1,"ops":[5,"\ud800"]}])")
                       .arg(topicOf(id)));
        QCOMPARE(reason(a.waitForReply("lone")), QStringLiteral("bad_op"));
        // A viewer may join and move a cursor but not edit.
        const QJsonArray denied = pushOp(viewer, topicOf(id), "v", op(1, { 5, "v" }));
        QCOMPARE(reason(denied), QStringLiteral("forbidden"));
        viewer.send(
            frame("1", "vc", topicOf(id), "cursor_move",
                  QJsonObject { { "position", QJsonObject { { "line", 1 }, { "column", 0 } } } }));
        QVERIFY(replyOk(viewer.waitForReply("vc")));
        QVERIFY(drained(a, "h"));
        QVERIFY(a.isOpen());
        QCOMPARE(latest(id).value("revision").toInt(), 1);
        QCOMPARE(latest(id).value("content").toString(), "a" + emoji + "bc");

        // max_notebook_bytes = 1100 (UTF-8): "a😀bc" is 7 bytes in 5 code units; 1,000 more
        // are fine, 93 more reach the cap exactly, one more byte passes it.
        QCOMPARE(
            response(pushOp(a, topicOf(id), "big", op(1, { 5, x1000 }))).value("revision").toInt(),
            2);
        QVERIFY(replyOk(pushOp(a, topicOf(id), "edge", op(2, { 1005, QString(93, u'y') }))));
        const QJsonArray over = pushOp(a, topicOf(id), "over", op(3, { 1098, "z" }));
        QCOMPARE(reason(over), QStringLiteral("too_large"));
        QCOMPARE(latest(id).value("revision").toInt(), 3);
        // A delete and an insert of the same size keep it at the cap: allowed.
        QVERIFY(replyOk(pushOp(a, topicOf(id), "swap", op(3, { -1, "q", 1097 }))));
        QVERIFY(a.isOpen());
        // op on a topic that is not a notebook's
        QVERIFY(replyOk(a.join("execution:workspace:lab", "2")));
        a.send(frame("2", "w", "execution:workspace:lab", "op", op(0, { 1 })));
        QCOMPARE(reason(a.waitForReply("w")), QStringLiteral("unknown event"));
    }

    void duplicateOpIdIsAppliedOnce()
    {
        const QString id = create("abc");
        ChannelClient a, b;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QVERIFY(replyOk(b.join(topicOf(id), "1")));
        QJsonObject first = op(0, { 3, "!" });
        first.insert("op_id", "ada-1");
        QCOMPARE(response(pushOp(a, topicOf(id), "1", first)), QJsonObject({ { "revision", 1 } }));
        QCOMPARE(b.waitForEvent(topicOf(id), "op")[4].toObject().value("revision").toInt(), 1);
        // bob edits meanwhile; ada's resend (same revision 0, same op_id) on a new socket, as
        // after a lost acknowledgement, gets the first revision and changes nothing.
        QCOMPARE(response(pushOp(b, topicOf(id), "b", op(1, { "<", 4 }))).value("revision").toInt(),
                 2);
        ChannelClient again;
        QVERIFY(again.open(server->socketUrl(ada)));
        QVERIFY(replyOk(again.join(topicOf(id), "1")));
        QCOMPARE(response(pushOp(again, topicOf(id), "2", first)),
                 QJsonObject({ { "revision", 1 } }));
        // Rebased onto the revision it rejoined at (a client may do so): its first copy lies
        // before that revision, and is still found.
        QJsonObject rebased = op(2, { 4, "!" });
        rebased.insert("op_id", "ada-1");
        QCOMPARE(response(pushOp(again, topicOf(id), "3", rebased)),
                 QJsonObject({ { "revision", 1 } }));
        QVERIFY(drained(b, "h"));
        QVERIFY2(!hasEvent(b, "op"), "a duplicate was broadcast");
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("<abc!"));
        QCOMPARE(latest(id).value("revision").toInt(), 2);
        // The same op_id from another user is another operation.
        QJsonObject bobs = op(2, { 5, "?" });
        bobs.insert("op_id", "ada-1");
        QCOMPARE(response(pushOp(b, topicOf(id), "b2", bobs)).value("revision").toInt(), 3);
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("<abc!?"));
    }

    void batchJoinsGetRunsOfRevisions()
    {
        // bob and vic join with {"batch": true}; ada does not. ada pushes a burst, bob one
        // operation among it.
        const QString id = create("abc");
        const QString topic = topicOf(id);
        ChannelClient a, b, w;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(b.open(server->socketUrl(bob)));
        QVERIFY(w.open(server->socketUrl(vic)));
        QVERIFY(replyOk(a.join(topic, "1")));
        QVERIFY(replyOk(b.join(topic, "1", QJsonObject { { "batch", true } })));
        QVERIFY(replyOk(w.join(topic, "1", QJsonObject { { "batch", true } })));
        constexpr int kBurst = 10;
        // bob's comes after ada's first five are stored, most likely within the same 20 ms.
        for (int i = 0; i < kBurst; ++i) {
            a.send(frame("1", QStringLiteral("a%1").arg(i), topic, "op", op(0, { 3, "x" })));
            if (i == kBurst / 2 - 1) {
                QVERIFY(replyOk(a.waitForReply(QStringLiteral("a%1").arg(i))));
                b.send(frame("1", "bob", topic, "op", op(0, { "B", 3 })));
            }
        }
        constexpr int kRevisions = kBurst + 1;
        // What a batch client is sent, in order: runs of revisions and its own answers.
        // (`text` null: only the revisions, for a client whose own operation is not sent.)
        const auto sequence = [&](ChannelClient &c, QString *text, int *largestRun) {
            QList<qint64> revisions;
            *largestRun = 0;
            while (revisions.size() < kRevisions) {
                const QJsonArray f = c.waitFor([&](const QJsonArray &m) {
                    return m[3].toString() == QLatin1String("ops")
                        || (m[3].toString() == QLatin1String("phx_reply")
                            && m[1].toString() == QLatin1String("bob"));
                });
                if (f.isEmpty())
                    return revisions;
                const QJsonObject p = f[4].toObject();
                if (f[3].toString() == QLatin1String("phx_reply")) {
                    revisions.append(p.value("response").toObject().value("revision").toInteger());
                    continue;
                }
                const QJsonArray ops = p.value("ops").toArray();
                const qint64 from = p.value("from").toInteger();
                const qint64 to = p.value("to").toInteger();
                if (to - from + 1 != ops.size()
                    || p.value("user_ids").toArray().size() != ops.size())
                    return QList<qint64> { -1 }; // not one entry per revision
                *largestRun = std::max(*largestRun, int(ops.size()));
                for (qint64 r = from; r <= to; ++r) {
                    revisions.append(r);
                    if (!text)
                        continue;
                    QString error;
                    const auto operation
                        = Kyozo::Collab::TextOperation::fromJson(ops[r - from], &error);
                    const auto next = operation ? operation->apply(*text, &error) : std::nullopt;
                    if (!next)
                        return QList<qint64> { -2 };
                    *text = *next;
                }
            }
            return revisions;
        };
        QList<qint64> all;
        for (int r = 1; r <= kRevisions; ++r)
            all.append(r);
        QString watched = QStringLiteral("abc");
        int largest = 0;
        QCOMPARE(sequence(w, &watched, &largest), all);
        QVERIFY2(largest > 1, "a burst of 11 operations came one frame each");
        QCOMPARE(latest(id).value("content").toString(), watched);
        QCOMPARE(latest(id).value("content").toString().count(u'x'), kBurst);
        // bob's own operation is not in its runs: its answer stands in its place.
        const QList<qint64> bobSequence = sequence(b, nullptr, &largest);
        QCOMPARE(bobSequence, all);
        QVERIFY(!hasEvent(b, "op"));
        // ada, who did not ask, got one op per revision: bob's only.
        const QJsonArray single = a.waitForEvent(topic, "op");
        QCOMPARE(single[4].toObject().value("ops").toArray().first().toString(),
                 QStringLiteral("B"));
        QVERIFY(drained(a, "h"));
        QVERIFY(!hasEvent(a, "op") && !hasEvent(a, "ops"));
    }

    void historyIsTrimmedToSnapshots()
    {
        // keep_operations = 3, a snapshot every 2 revisions. After revision 8: snapshots 4, 6,
        // 8 and the operations 5..8 are kept (the newest snapshot that leaves the last 3
        // operations is 4); a push based on 3 must resync, one based on 4 is transformed.
        cleanup();
        startServer(QStringLiteral("[coediting]\nkeep_operations = 3\nsnapshot_interval = 2\n"));
        const QString id = create("");
        ChannelClient a;
        QVERIFY(a.open(server->socketUrl(ada)));
        QVERIFY(replyOk(a.join(topicOf(id), "1")));
        QString text;
        for (int i = 1; i <= 8; ++i) {
            const QString digit = QString::number(i);
            QJsonObject push = op(i - 1,
                                  text.isEmpty() ? QJsonArray { digit }
                                                 : QJsonArray { int(text.size()), digit });
            push.insert("op_id", "d" + digit);
            QCOMPARE(response(pushOp(a, topicOf(id), digit, push)).value("revision").toInt(), i);
            text += digit;
        }
        {
            Kyozo::Server::Database db;
            QString error;
            QVERIFY2(
                db.open(*Kyozo::Server::DatabaseUrl::parse(server->databaseUrl(), &error), &error),
                qPrintable(error));
            QSqlQuery q(db.connection());
            QList<int> snapshots, operations;
            QVERIFY(q.exec("SELECT revision FROM notebook_snapshots ORDER BY revision"));
            while (q.next())
                snapshots.append(q.value(0).toInt());
            QVERIFY(q.exec("SELECT revision FROM notebook_operations ORDER BY revision"));
            while (q.next())
                operations.append(q.value(0).toInt());
            QCOMPARE(snapshots, QList<int>({ 4, 6, 8 }));
            QCOMPARE(operations, QList<int>({ 5, 6, 7, 8 }));
        }
        const QJsonArray stale = pushOp(a, topicOf(id), "stale", op(3, { 3, "x" }));
        QCOMPARE(reason(stale), QStringLiteral("resync"));
        QCOMPARE(
            response(stale),
            QJsonObject({ { "reason", "resync" }, { "revision", 8 }, { "content", "12345678" } }));
        // Based on 4 ("1234"): an insert at its end lands before the 5678 typed since (it
        // was at the end when made; ot.js puts the later-transformed insert first on a tie).
        QCOMPARE(
            response(pushOp(a, topicOf(id), "four", op(4, { 4, "x" }))).value("revision").toInt(),
            9);
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("1234x5678"));
        // The content at a kept revision, and none before the kept history.
        const auto at = [&](int r) {
            return restRequest(
                "GET",
                server->url(QStringLiteral("/api/v1/notebooks/%1?revision=%2").arg(id).arg(r)),
                ada);
        };
        QCOMPARE(at(4).json.value("content").toString(), QStringLiteral("1234"));
        QCOMPARE(at(4).json.value("revision").toInt(), 4);
        QCOMPARE(at(7).json.value("content").toString(), QStringLiteral("1234567"));
        QCOMPARE(at(9).json.value("content").toString(), QStringLiteral("1234x5678"));
        QCOMPARE(at(3).status, 404);
        QCOMPARE(at(3).errorCode(), QStringLiteral("not_found"));
        QCOMPARE(at(10).status, 404);

        // After a restart the text is rebuilt from the newest snapshot and what follows it.
        QCOMPARE(server->stop(), 0);
        QString error;
        QVERIFY2(server->start(
                     QStringLiteral("[coediting]\nkeep_operations = 3\nsnapshot_interval = 2\n"),
                     &error),
                 qPrintable(error));
        ChannelClient after;
        QVERIFY(after.open(server->socketUrl(ada)));
        QCOMPARE(response(after.join(topicOf(id), "1")),
                 QJsonObject({ { "revision", 9 }, { "content", "1234x5678" } }));
        QCOMPARE(reason(pushOp(after, topicOf(id), "old", op(3, { 3 }))), QStringLiteral("resync"));
        // Operation 5 is no longer in memory (after a start only those after the newest
        // snapshot, 8, are): its op_id is found in the database.
        QJsonObject resend = op(9, { 9, "5" });
        resend.insert("op_id", "d5");
        QCOMPARE(response(pushOp(after, topicOf(id), "d5", resend)),
                 QJsonObject({ { "revision", 5 } }));
        QCOMPARE(response(pushOp(after, topicOf(id), "new", op(9, { 9, "!" })))
                     .value("revision")
                     .toInt(),
                 10);
        QCOMPARE(latest(id).value("content").toString(), QStringLiteral("1234x5678!"));
    }
};

QTEST_GUILESS_MAIN(TestCoediting)
#include "tst_coediting.moc"
