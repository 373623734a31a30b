// Protocol::parseJson: JSON as QJsonDocument reads it, but a U+FEFF at the start of a string
// survives (a notebook's text may begin with one, and Qt 6.4's parser drops it there).
#include "protocol/json.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using Kyozo::Protocol::parseJson;

class TestProtocolJson : public QObject
{
    Q_OBJECT
private slots:
    void keepsALeadingByteOrderMarkInStrings();
    void skipsOneAtTheDocumentStart();
    void outsideAStringItIsAnError();
    void withoutOneItIsQtsParser();
    void wholeNumbersWithinWhatADoubleHolds();
};

void TestProtocolJson::keepsALeadingByteOrderMarkInStrings()
{
    const QJsonDocument doc
        = parseJson("{\"content\":\"\xEF\xBB\xBF# Notes\\r\\n\",\"ops\":[\"\xEF\xBB\xBF\",7],"
                    "\"\xEF\xBB\xBFkey\":\"a\xEF\xBB\xBF\"}");
    const QJsonObject o = doc.object();
    QCOMPARE(o.value(QLatin1String("content")).toString(), QStringLiteral("\uFEFF# Notes\r\n"));
    QCOMPARE(o.value(QLatin1String("ops")).toArray(), (QJsonArray { QStringLiteral("\uFEFF"), 7 }));
    QCOMPARE(o.value(QStringLiteral("\uFEFFkey")).toString(), QStringLiteral("a\uFEFF"));
    // What the fix is for: Qt's own parser loses the first two.
    const QJsonObject qt = QJsonDocument::fromJson("{\"content\":\"\xEF\xBB\xBFx\"}").object();
    QCOMPARE(qt.value(QLatin1String("content")).toString(), QStringLiteral("x"));
}

void TestProtocolJson::skipsOneAtTheDocumentStart()
{
    QJsonParseError error;
    const QJsonDocument doc = parseJson("\xEF\xBB\xBF[\"\xEF\xBB\xBF\"]", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.array(), (QJsonArray { QStringLiteral("\uFEFF") }));
}

void TestProtocolJson::outsideAStringItIsAnError()
{
    QJsonParseError error;
    parseJson("[1,\xEF\xBB\xBF 2]", &error);
    QVERIFY(error.error != QJsonParseError::NoError);
}

void TestProtocolJson::withoutOneItIsQtsParser()
{
    const QByteArray json = "{\"a\":[1,\"\\u00e9\",null,{\"b\":true}],\"c\":\"\\ufeff\"}";
    QJsonParseError error;
    QCOMPARE(parseJson(json, &error), QJsonDocument::fromJson(json));
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parseJson(json).object().value(QLatin1String("c")).toString(),
             QStringLiteral("\uFEFF"));
}

// Integers from hostile JSON (fuzz_billing: a signedDate of 1.8e79 cast to qint64 is undefined
// behaviour): whole numbers up to 2^53 either way, fractions cut towards zero, else nothing.
void TestProtocolJson::wholeNumbersWithinWhatADoubleHolds()
{
    using Kyozo::Protocol::jsonInt64;
    const QJsonObject o
        = Kyozo::Protocol::parseJson(
              R"({"ms": 1767225600000, "max": 9007199254740992, "neg": -9007199254740992,
                                      "over": 9007199254740994, "huge": 17777777777777777777777777777777777777777777777777777777777777777777767225600000,
                                      "frac": 12.9, "negfrac": -12.9, "text": "12", "null": null})")
              .object();
    QCOMPARE(jsonInt64(o["ms"]), std::optional<qint64>(1767225600000));
    QCOMPARE(jsonInt64(o["max"]), std::optional<qint64>(9007199254740992));
    QCOMPARE(jsonInt64(o["neg"]), std::optional<qint64>(-9007199254740992));
    QCOMPARE(jsonInt64(o["over"]), std::nullopt);
    QCOMPARE(jsonInt64(o["huge"]), std::nullopt);
    QCOMPARE(jsonInt64(o["frac"]), std::optional<qint64>(12));
    QCOMPARE(jsonInt64(o["negfrac"]), std::optional<qint64>(-12));
    QCOMPARE(jsonInt64(o["text"]), std::nullopt);
    QCOMPARE(jsonInt64(o["null"]), std::nullopt);
    QCOMPARE(jsonInt64(o["missing"]), std::nullopt);
    QCOMPARE(jsonInt64(QJsonValue(qQNaN())), std::nullopt);
    QCOMPARE(jsonInt64(QJsonValue(qInf())), std::nullopt);
}

QTEST_GUILESS_MAIN(TestProtocolJson)
#include "tst_protocoljson.moc"
