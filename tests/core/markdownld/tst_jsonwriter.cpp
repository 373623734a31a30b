// Issue 16 (throughput): `kyozo-ld extract` writes items through JsonWriter instead of
// QJsonObject + QJsonDocument. Its output must stay byte for byte what QJsonDocument writes
// (the CLI's data cases compare against hand-written text). Expectations: RFC 8259 escapes
// written by hand, and QJsonDocument::toJson(Compact) itself as the outside oracle.
#include "markdownld/jsonwriter.h"
#include "markdownld/semanticitem.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

QByteArray written(const QJsonValue &v)
{
    QByteArray out;
    JsonWriter::appendValue(out, v);
    return out;
}

QByteArray qtWritten(const QJsonValue &v)
{
    // QJsonDocument holds an object or array only: unwrap [v].
    const QByteArray a = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return a.sliced(1, a.size() - 2);
}

} // namespace

class TestJsonWriter : public QObject
{
    Q_OBJECT
private slots:
    void escapesByHand_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("plain") << QStringLiteral("abc") << QByteArray("\"abc\"");
        QTest::newRow("quote, backslash, slash")
            << QStringLiteral("a\"b\\c/d") << QByteArray("\"a\\\"b\\\\c/d\"");
        QTest::newRow("short escapes")
            << QStringLiteral("\b\f\n\r\t") << QByteArray("\"\\b\\f\\n\\r\\t\"");
        QTest::newRow("other controls") << (QString(QChar(0)) + QChar(0x1f) + QChar(0x0b))
                                        << QByteArray("\"\\u0000\\u001f\\u000b\"");
        QTest::newRow("DEL stays") << QString(QChar(0x7f)) << QByteArray("\"\x7f\"");
        QTest::newRow("non-ASCII as UTF-8")
            << QStringLiteral("é€😀") << QByteArray("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
        QTest::newRow("U+2028 stays") << QString(QChar(0x2028)) << QByteArray("\"\xe2\x80\xa8\"");
        QTest::newRow("lone surrogates")
            << (QString(QChar(0xd83d)) + u'x' + QChar(0xde00)) << QByteArray("\"\\ud83dx\\ude00\"");
        QTest::newRow("high surrogate last")
            << (u'a' + QString(QChar(0xdbff))) << QByteArray("\"a\\udbff\"");
        QTest::newRow("empty") << QString() << QByteArray("\"\"");
    }
    void escapesByHand()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, json);
        QByteArray out = "x";
        JsonWriter::appendString(out, text);
        QCOMPARE(out, "x" + json);
        QCOMPARE(qtWritten(text), json); // the oracle agrees with the hand-written text
    }

    void numbersAsQtWritesThem()
    {
        // Integers (also doubles holding one) in decimal, fractions shortest, ±inf/NaN null.
        const QByteArray doc = "[1000000,1e6,1000000.0,-0,-0.0,0.98,1e-7,12345678901234567890,"
                               "-42,9007199254740993,0.1,3.0e2,true,false,null]";
        const QJsonArray parsed = QJsonDocument::fromJson(doc).array();
        QCOMPARE(parsed.size(), 15);
        for (const QJsonValue &v : parsed)
            QCOMPARE(written(v), qtWritten(v));
        QCOMPARE(written(parsed),
                 QByteArray("[1000000,1000000,1000000,0,0,0.98,1e-07,12345678901234567000,"
                            "-42,9007199254740993,0.1,300,true,false,null]"));
        for (double d : { 1.0, 0.0, 0.5, 0.88, 1e15, 1e16, 9007199254740992.0, 9007199254740994.0,
                          1e18, -1e18, 1e19, 2.5e-300, qInf(), -qInf(), qQNaN() }) {
            QByteArray out;
            JsonWriter::appendDouble(out, d);
            QCOMPARE(out, qtWritten(QJsonValue(d)));
        }
    }

    void nestedValuesAsQtWritesThem()
    {
        const QByteArray doc = "{\"z\":{\"b\":[1,{\"y\":\"\\u0001\",\"x\":[]}],\"a\":{}},\"@id\":"
                               "\"é\",\"\":null,\"A\":\"\\ud800\"}";
        const QJsonObject o = QJsonDocument::fromJson(doc).object();
        QVERIFY(!o.isEmpty());
        QByteArray out;
        JsonWriter::appendObject(out, o);
        QCOMPARE(out, QJsonDocument(o).toJson(QJsonDocument::Compact));
        // Keys sorted, as QJsonObject keeps them.
        QCOMPARE(out,
                 QByteArray("{\"\":null,\"@id\":\"é\",\"A\":\"\\ud800\",\"z\":{\"a\":{},\"b\":[1,{"
                            "\"x\":[],\"y\":\"\\u0001\"}]}}"));
    }

    void randomStringsAsQtWritesThem()
    {
        // Every UTF-16 unit class (controls, ASCII, 2- and 3-byte, surrogates paired or not).
        QRandomGenerator rng(16);
        for (int round = 0; round < 2000; ++round) {
            QString s;
            const int n = int(rng.bounded(12));
            for (int i = 0; i < n; ++i) {
                switch (rng.bounded(5)) {
                case 0:
                    s.append(QChar(char16_t(rng.bounded(0x80))));
                    break;
                case 1:
                    s.append(QChar(char16_t(0x80 + rng.bounded(0x780))));
                    break;
                case 2:
                    s.append(QChar(char16_t(0x800 + rng.bounded(0xd000))));
                    break;
                case 3:
                    s.append(QChar(char16_t(0xd800 + rng.bounded(0x800))));
                    break;
                default:
                    s.append(QChar(char16_t(0xe000 + rng.bounded(0x2000))));
                    break;
                }
            }
            QCOMPARE(written(s), qtWritten(s));
        }
    }

    void itemAsToJsonWritesIt()
    {
        SemanticItem item;
        item.kind = ItemKind::Implicit;
        item.type = QStringLiteral("schema:HowTo");
        item.id = QStringLiteral("mailto:a@b");
        item.properties
            = QJsonObject { { "schema:name", "Tea \"quick\"\n" },
                            { "schema:step",
                              QJsonArray { QJsonObject { { "schema:position", 1 } } } } };
        item.range = { 3, 90, 2, 7, 1 };
        item.confidence = 0.98;
        item.inferred = true;
        item.rule = QStringLiteral("howto");
        item.index = 4;
        item.relations
            = { { ItemRelation::Type::Contains, 1 }, { ItemRelation::Type::LinksTo, 2 } };
        item.context = QStringLiteral("## Steps\n1. boil");
        item.errors = { { QStringLiteral("bad\tthing"), 3, 9 } };
        auto check = [](const SemanticItem &i) {
            QByteArray out;
            i.appendJson(out);
            QCOMPARE(out, QJsonDocument(i.toJson()).toJson(QJsonDocument::Compact));
        };
        check(item);
        QByteArray out;
        item.appendJson(out);
        QCOMPARE(out,
                 QByteArray(
                     "{\"confidence\":0.98,\"context\":\"## Steps\\n1. "
                     "boil\",\"errors\":[{\"column\":9,\"line\":3,\"message\":\"bad\\tthing\"}],"
                     "\"id\":\"mailto:a@b\",\"kind\":\"implicit\",\"n\":4,\"origin\":\"inferred\","
                     "\"properties\":{\"schema:name\":\"Tea "
                     "\\\"quick\\\"\\n\",\"schema:step\":[{\"schema:position\":1}]},"
                     "\"range\":{\"endByte\":90,\"endLine\":7,\"startByte\":3,\"startLine\":2},"
                     "\"relations\":[{\"n\":1,\"type\":\"contains\"},{\"n\":2,\"type\":\"links-"
                     "to\"}],\"rule\":\"howto\",\"type\":\"schema:HowTo\"}"));
        // The plainest item: nulls, no optional keys, confidence 1 written as an integer.
        SemanticItem plain;
        check(plain);
        plain.type = QJsonArray { "a", "b" };
        check(plain);
    }
};

QTEST_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
