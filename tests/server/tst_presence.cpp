// Presence exactly as the phoenix client's Presence consumes it (SPEC §4, §11): a
// presence_state after the join reply, then presence_diff {joins, leaves}; one key per
// user, one meta per connection, each meta with phx_ref, name, color, online_at, client.
#include "channelclient.h"
#include "protocol/presencestate.h"
#include "temporaryserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <functional>
#include <QtTest>

using namespace KyozoTest;
using Kyozo::Protocol::PresenceState;

namespace {
const QString kTopic = QStringLiteral("execution:workspace:lab");

// Follows a client's view of presence the way phoenix.js does (state, then diffs) until
// `done` holds; diffs may arrive merged, so the test waits for a state, not a count.
QJsonObject view(ChannelClient &c, QJsonObject state, const std::function<bool(const QJsonObject &)> &done)
{
    while (!done(state)) {
        const QJsonArray d = c.waitForEvent(kTopic, QStringLiteral("presence_diff"));
        if (d.isEmpty())
            return {};
        state = PresenceState::applyDiff(state, d[4].toObject());
    }
    return state;
}

QStringList metaRefs(const QJsonObject &state, const QString &key)
{
    QStringList refs;
    for (const QJsonValue &m : state.value(key).toObject().value("metas").toArray())
        refs.append(m.toObject().value("phx_ref").toString());
    return refs;
}
} // namespace

class TestPresence : public QObject
{
    Q_OBJECT
private slots:
    void presenceStateUnit()
    {
        PresenceState p;
        const QJsonObject meta1{ { "phx_ref", "1" }, { "name", "ada" } };
        const QJsonObject diff = p.join(QStringLiteral("u1"), meta1);
        QCOMPARE(diff, QJsonObject({ { "joins", QJsonObject{ { "u1", QJsonObject{ { "metas", QJsonArray{ meta1 } } } } } },
                                     { "leaves", QJsonObject{} } }));
        p.join(QStringLiteral("u1"), QJsonObject{ { "phx_ref", "2" } });
        QCOMPARE(p.metaCount(QStringLiteral("u1")), 2);
        // Client side: a join already in the state is not counted twice.
        const QJsonObject state = p.state();
        QStringList refs = metaRefs(PresenceState::applyDiff(state, diff), QStringLiteral("u1"));
        refs.sort();
        QCOMPARE(refs, QStringList({ "1", "2" }));
        QVERIFY(p.leave(QStringLiteral("u1"), QStringLiteral("404")).isEmpty());
        const QJsonObject left = p.leave(QStringLiteral("u1"), QStringLiteral("1"));
        QCOMPARE(left.value("leaves").toObject().value("u1").toObject().value("metas").toArray().first().toObject(), meta1);
        QCOMPARE(p.metaCount(QStringLiteral("u1")), 1);
        p.join(QStringLiteral("u\"2"), QJsonObject{ { "phx_ref", "3" }, { "name", QString::fromUtf8("\xC3\xA9") } });
        // The spliced text is the same JSON as the object form.
        QCOMPARE(QJsonDocument::fromJson(p.encodedState()).object(), p.state());
        p.leave(QStringLiteral("u\"2"), QStringLiteral("3"));
        p.leave(QStringLiteral("u1"), QStringLiteral("2"));
        QVERIFY(p.isEmpty());
        QCOMPARE(p.encodedState(), QByteArray("{}"));
        QVERIFY(p.state().isEmpty());
    }

    void twoUsersOneOnTwoSockets()
    {
        TemporaryServer server;
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"), QStringLiteral("owner"));
        const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"), QStringLiteral("editor"));

        ChannelClient a1;
        QVERIFY(a1.open(server.socketUrl(ada)));
        QVERIFY(!a1.join(kTopic, QStringLiteral("1")).isEmpty());
        // presence_state comes to the joiner, with its own join_ref, and holds itself.
        const QJsonArray state = a1.waitForEvent(kTopic, QStringLiteral("presence_state"));
        QCOMPARE(state[0].toString(), QStringLiteral("1"));
        QJsonObject a1view = state[4].toObject();
        QCOMPARE(a1view.size(), 1);
        const QString adaId = a1view.keys().first();
        const QJsonObject meta = a1view.value(adaId).toObject().value("metas").toArray().first().toObject();
        for (const char *key : { "phx_ref", "name", "color", "online_at", "client" })
            QVERIFY2(meta.contains(QLatin1String(key)), key);
        QCOMPARE(meta.value("name").toString(), QStringLiteral("ada"));
        // Its own join arrives as a diff too; the ref is not counted twice.
        QVERIFY(!a1.waitForEvent(kTopic, QStringLiteral("presence_diff")).isEmpty());
        QCOMPARE(metaRefs(a1view, adaId).size(), 1);

        QUrl secondWindow = server.socketUrl(ada);
        QUrlQuery q(secondWindow);
        q.addQueryItem(QStringLiteral("client"), QStringLiteral("second-window"));
        secondWindow.setQuery(q);
        ChannelClient a2, b;
        QVERIFY(a2.open(secondWindow));
        QVERIFY(!a2.join(kTopic, QStringLiteral("1")).isEmpty());
        QVERIFY(b.open(server.socketUrl(bob)));
        QVERIFY(!b.join(kTopic, QStringLiteral("1")).isEmpty());
        const QJsonObject bview = b.waitForEvent(kTopic, QStringLiteral("presence_state"))[4].toObject();
        QCOMPARE(bview.size(), 2);                         // two users…
        QCOMPARE(metaRefs(bview, adaId).size(), 2);        // …ada with two connections
        QStringList clients;
        for (const QJsonValue &m : bview.value(adaId).toObject().value("metas").toArray())
            clients.append(m.toObject().value("client").toString());
        QVERIFY(clients.contains(QStringLiteral("second-window")));

        a1view = view(a1, a1view, [](const QJsonObject &v) { return v.size() == 2; }); // bob
        a1view = view(a1, a1view, [&](const QJsonObject &v) { return metaRefs(v, adaId).size() == 2; });
        QCOMPARE(a1view.size(), 2);
        QCOMPARE(metaRefs(a1view, adaId).size(), 2);

        a2.send(frame(QStringLiteral("1"), QStringLiteral("2"), kTopic, QStringLiteral("phx_leave")));
        a1view = view(a1, a1view, [&](const QJsonObject &v) { return metaRefs(v, adaId).size() == 1; });
        QCOMPARE(a1view.size(), 2); // ada still present through the first socket

        // A socket that goes away leaves presence.
        QStringList others = a1view.keys();
        others.removeOne(adaId);
        const QString bobId = others.first();
        QCOMPARE(metaRefs(a1view, bobId).size(), 1);
        auto gone = std::make_unique<ChannelClient>();
        QVERIFY(gone->open(server.socketUrl(bob)));
        QVERIFY(!gone->join(kTopic, QStringLiteral("1")).isEmpty());
        a1view = view(a1, a1view, [&](const QJsonObject &v) { return metaRefs(v, bobId).size() == 2; });
        QVERIFY(!a1view.isEmpty());
        gone.reset();
        a1view = view(a1, a1view, [&](const QJsonObject &v) { return metaRefs(v, bobId).size() == 1; });
        QCOMPARE(metaRefs(a1view, bobId).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestPresence)
#include "tst_presence.moc"
