// OtClient (issue 15 item 1): ot.js 0.0.15's Client state machine (lib/client.js) plus
// offline edits, the resend on reconnect with its op_id, resync and refusals. Every expected
// operation is worked out by hand with ot.js's transform and compose rules.
#include "collab/otclient.h"
#include "operationliteral.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::Collab;
using KyozoTest::compact;
using KyozoTest::op;

namespace {

// The editor's side: a document the effects are applied to.
struct Editor
{
    OtClient client;
    QString text;

    Editor(qint64 revision, const QString &content)
        : client(revision, content, "c")
        , text(content)
    {
    }

    OtEffects local(const char *operation)
    {
        text = *op(operation).apply(text);
        return client.applyLocal(op(operation));
    }
    OtEffects take(OtEffects effects)
    {
        for (const TextOperation &o : effects.apply)
            text = *o.apply(text);
        return effects;
    }
};

} // namespace

class TestOtClient : public QObject
{
    Q_OBJECT
private slots:
    void synchronizedAwaitingAckAndBuffer()
    {
        Editor e(0, "abc");
        QCOMPARE(e.client.state(), OtClient::State::Synchronized);
        OtEffects fx = e.local("[3,\"d\"]");
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 0);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([3,"d"])"));
        QCOMPARE(fx.send->opId, QStringLiteral("c:1"));
        QCOMPARE(fx.send->toJson(),
                 QJsonDocument::fromJson(R"({"revision":0,"ops":[3,"d"],"op_id":"c:1"})").object());
        QCOMPARE(e.client.state(), OtClient::State::AwaitingAck);

        // Later edits wait, composed into one buffer.
        QVERIFY(!e.local("[4,\"e\"]").send);
        QVERIFY(!e.local("[-1,4]").send);
        QCOMPARE(e.text, QStringLiteral("bcde"));
        QCOMPARE(e.client.state(), OtClient::State::AwaitingAckWithBuffer);
        QCOMPARE(compact(*e.client.buffer()), QByteArray(R"([-1,3,"e"])"));
        QCOMPARE(e.client.pendingCount(), 3);

        // Another user's "X" at the start: transformed past the outstanding op and the buffer.
        fx = e.take(e.client.applyServer(1, op(R"(["X",3])")));
        QCOMPARE(fx.apply.size(), 1u);
        QCOMPARE(compact(fx.apply[0]), QByteArray(R"(["X",4])"));
        QCOMPARE(e.text, QStringLiteral("Xbcde"));
        QCOMPARE(compact(*e.client.outstanding()), QByteArray(R"([4,"d"])"));
        QCOMPARE(compact(*e.client.buffer()), QByteArray(R"([1,-1,3,"e"])"));
        QCOMPARE(e.client.serverText(), QStringLiteral("Xabc"));
        QCOMPARE(e.client.transformServerPosition(2), 1); // after the deleted "a": collapses
        QCOMPARE(e.client.transformServerPosition(4), 5); // the end, past our "d" and "e"

        // The ack sends the buffer on the new revision.
        fx = e.client.serverAck(2);
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 2);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([1,-1,3,"e"])"));
        QCOMPARE(fx.send->opId, QStringLiteral("c:2"));
        QCOMPARE(e.client.serverText(), QStringLiteral("Xabcd"));
        QCOMPARE(e.client.pendingCount(), 2);
        fx = e.client.serverAck(3);
        QVERIFY(!fx.send && fx.error.isEmpty());
        QCOMPARE(e.client.state(), OtClient::State::Synchronized);
        QCOMPARE(e.client.serverText(), e.text);
        QCOMPARE(e.client.revision(), 3);
        QCOMPARE(e.client.pendingCount(), 0);
    }

    void eventsOutOfOrderAreErrorsThatChangeNothing()
    {
        Editor e(4, "abc");
        QVERIFY(!e.client.serverAck(5).error.isEmpty()); // nothing awaits an ack
        QVERIFY(!e.client.applyServer(6, op("[3]")).error.isEmpty()); // revision 5 missing
        QVERIFY(!e.client.applyServer(5, op("[2]")).error.isEmpty()); // not on the text
        QVERIFY(!e.client.applyLocal(op("[2]")).error.isEmpty()); // not on the document
        e.local("[3,\"d\"]");
        QVERIFY(!e.client.serverAck(7).error.isEmpty());
        QCOMPARE(e.client.revision(), 4);
        QCOMPARE(e.client.serverText(), QStringLiteral("abc"));
        QCOMPARE(e.client.state(), OtClient::State::AwaitingAck);
    }

    void offlineEditsGoOutOnceOnReconnect()
    {
        Editor e(0, "abc");
        e.client.disconnected();
        QVERIFY(!e.local("[3,\"d\"]").send);
        QVERIFY(!e.local("[4,\"e\"]").send);
        QCOMPARE(e.client.pendingCount(), 2);
        QCOMPARE(compact(*e.client.outstanding()), QByteArray(R"([3,"de"])"));
        // Meanwhile someone put "x" in front.
        OtEffects fx = e.take(e.client.reconnected(1, "xabc"));
        QCOMPARE(e.text, QStringLiteral("xabcde"));
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 1);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([4,"de"])"));
        QCOMPARE(e.client.pendingCount(), 2);
        e.client.serverAck(2);
        QCOMPARE(e.client.serverText(), e.text);
    }

    void aResendAfterALostAckIsAnsweredAsADuplicate()
    {
        Editor e(0, "abc");
        e.local("[3,\"d\"]"); // sent; the server applies it at 1, the ack is lost
        e.client.disconnected();
        e.local("[4,\"!\"]"); // typed offline
        // Revision 2: another user's "Z" in front. The server is at "Zabcd".
        OtEffects fx = e.take(e.client.reconnected(2, "Zabcd"));
        QVERIFY(fx.apply.empty()); // nothing moves until the answer
        QVERIFY(fx.send);
        // The very same push again: revision, operation, op_id.
        QCOMPARE(fx.send->revision, 0);
        QCOMPARE(fx.send->opId, QStringLiteral("c:1"));
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([3,"d"])"));
        QVERIFY(e.client.isRecovering());
        // The server knows c:1: ok with the revision it got the first time.
        fx = e.take(e.client.serverAck(1));
        QVERIFY(fx.error.isEmpty() && !fx.rejoin);
        QCOMPARE(e.text, QStringLiteral("Zabcd!")); // "d" once
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 2);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([5,"!"])"));
        QCOMPARE(fx.send->opId, QStringLiteral("c:2"));
        e.client.serverAck(3);
        QCOMPARE(e.client.serverText(), QStringLiteral("Zabcd!"));
        QCOMPARE(e.client.pendingCount(), 0);
    }

    void aResendAppliedOnlyNowAsksForARejoin()
    {
        Editor e(0, "abc");
        e.local("[3,\"d\"]"); // lost on the way
        e.client.disconnected();
        OtEffects fx = e.take(e.client.reconnected(1, "Zabc"));
        QCOMPARE(fx.send->revision, 0);
        QCOMPARE(fx.send->opId, QStringLiteral("c:1"));
        // Revision 2 (someone's "Y") arrives before the answer: held.
        fx = e.take(e.client.applyServer(2, op(R"([4,"Y"])")));
        QVERIFY(fx.apply.empty() && fx.error.isEmpty());
        // Applied at 3, past "Z" and "Y": the server's text is not known here.
        fx = e.take(e.client.serverAck(3));
        QVERIFY(fx.error.isEmpty());
        QVERIFY(fx.rejoin);
        QVERIFY(fx.apply.empty() && !fx.send);
        QVERIFY(e.client.isRecovering());
        QVERIFY(e.take(e.client.applyServer(4, op("[6]"))).apply.empty()); // ignored until then
        QVERIFY(!e.local("[4,\"!\"]").send); // typing goes on, buffered
        // The rejoin's content holds our "d".
        fx = e.take(e.client.reconnected(3, "ZabcdY"));
        QCOMPARE(e.text, QStringLiteral("Zabcd!Y"));
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 3);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([5,"!",1])"));
        QCOMPARE(fx.send->opId, QStringLiteral("c:2"));
        QVERIFY(!e.client.isRecovering());
        e.client.serverAck(4);
        QCOMPARE(e.client.serverText(), e.text);
    }

    void resyncRebasesThePendingEdits()
    {
        Editor e(0, "abc");
        e.local("[3,\"d\"]");
        OtEffects fx = e.take(e.client.resync(5, "hello abc"));
        QCOMPARE(e.text, QStringLiteral("hello abcd"));
        QVERIFY(fx.send);
        QCOMPARE(fx.send->revision, 5);
        QCOMPARE(compact(fx.send->operation), QByteArray(R"([9,"d"])"));
        QCOMPARE(fx.send->opId, QStringLiteral("c:2"));
        QCOMPARE(e.client.revision(), 5);
    }

    void aRefusalUndoesThePendingEdits()
    {
        Editor e(0, "abc");
        e.local("[3,\"d\"]");
        e.local("[-1,3]");
        QCOMPARE(e.text, QStringLiteral("bcd"));
        OtEffects fx = e.take(e.client.refused());
        QCOMPARE(compact(fx.apply.at(0)), QByteArray(R"(["a",2,-1])"));
        QCOMPARE(e.text, QStringLiteral("abc"));
        QCOMPARE(e.client.state(), OtClient::State::Synchronized);
        QCOMPARE(e.client.pendingCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestOtClient)
#include "tst_otclient.moc"
