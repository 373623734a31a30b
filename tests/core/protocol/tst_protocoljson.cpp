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

QTEST_GUILESS_MAIN(TestProtocolJson)
#include "tst_protocoljson.moc"
