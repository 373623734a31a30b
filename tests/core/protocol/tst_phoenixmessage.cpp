// The Phoenix Channels v2 JSON frame (SPEC §4) and topic names, from frames written by hand
// in the shape phoenix.js sends them.
#include "protocol/phoenixmessage.h"
#include "protocol/topic.h"

#include <QJsonObject>
#include <QtTest>

using namespace Kyozo::Protocol;

class TestPhoenixMessage : public QObject
{
    Q_OBJECT
private slots:
    void decodesWhatPhoenixJsSends()
    {
        QString error;
        const auto join = PhoenixMessage::decode(R"(["3","3","execution:notebook:n1","phx_join",{"token":"x"}])", &error);
        QVERIFY2(join, qPrintable(error));
        QCOMPARE(*join->joinRef, QStringLiteral("3"));
        QCOMPARE(*join->ref, QStringLiteral("3"));
        QCOMPARE(join->topic, QStringLiteral("execution:notebook:n1"));
        QCOMPARE(join->event, QStringLiteral("phx_join"));
        QCOMPARE(join->payload.toObject().value("token").toString(), QStringLiteral("x"));
        const auto heartbeat = PhoenixMessage::decode(R"([null,"12","phoenix","heartbeat",{}])", &error);
        QVERIFY(heartbeat);
        QVERIFY(!heartbeat->joinRef);
        QCOMPARE(*heartbeat->ref, QStringLiteral("12"));
    }

    void encodesNullRefsAsNull()
    {
        const PhoenixMessage m{ std::nullopt, std::nullopt, QStringLiteral("t"), QStringLiteral("e"), QJsonObject{} };
        QCOMPARE(m.encode(), QByteArray(R"([null,null,"t","e",{}])"));
        PhoenixMessage request{ QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("t"), QStringLiteral("x"), {} };
        QCOMPARE(reply(request, false, QJsonObject{ { "reason", "nope" } }).encode(),
                 QByteArray(R"(["1","2","t","phx_reply",{"response":{"reason":"nope"},"status":"error"}])"));
    }

    void encodesPreEncodedPayloads()
    {
        const QByteArray payload = R"({"u":{"metas":[]}})";
        // An ordinary literal: moc's tokenizer mishandles a backslash inside a raw string.
        const QByteArray expected = "[\"1\",null,\"t\\\"x\",\"presence_state\",{\"u\":{\"metas\":[]}}]";
        const QByteArray got = encodeFrame(QStringLiteral("1"), std::nullopt, QStringLiteral("t\"x"),
                                           QStringLiteral("presence_state"), payload);
        QCOMPARE(got, expected);
    }

    void refusesMalformedFrames()
    {
        for (const char *bad : { "", "nope", "{}", "[]", R"([null,null,"t","e"])", R"([null,null,"t","e",{},1])",
                                 R"([{},null,"t","e",{}])", R"([null,null,"","e",{}])", R"([null,null,"t",3,{}])" }) {
            QString error;
            QVERIFY2(!PhoenixMessage::decode(QByteArray(bad), &error), bad);
            QVERIFY(!error.isEmpty());
        }
    }

    void topics()
    {
        const auto t = Topic::parse(QStringLiteral("execution:file:a:b"));
        QVERIFY(t);
        QCOMPARE(t->kind, Topic::Kind::File);
        QCOMPARE(t->id, QStringLiteral("a:b"));
        QCOMPARE(t->toString(), QStringLiteral("execution:file:a:b"));
        QCOMPARE(Topic::parse(QStringLiteral("execution:workspace:lab"))->kind, Topic::Kind::Workspace);
        QCOMPARE(Topic::parse(QStringLiteral("execution:container:c"))->kind, Topic::Kind::Container);
        QCOMPARE(Topic::parse(QStringLiteral("execution:notebook:n"))->kind, Topic::Kind::Notebook);
        for (const char *bad : { "execution:notebook:", "execution:chat:x", "room:lobby", "execution", "" })
            QVERIFY2(!Topic::parse(QString::fromLatin1(bad)), bad);
    }
};

QTEST_GUILESS_MAIN(TestPhoenixMessage)
#include "tst_phoenixmessage.moc"
