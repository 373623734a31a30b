// TextOperation (issue 15 item 1): ot.js 0.0.15's TextOperation semantics over UTF-16 code
// units. Every expected value is worked out by hand from ot.js's documented behaviour
// (lib/text-operation.js: its builders' canonical form, apply, compose, transform with the
// first operation's insert first, invert; lib/selection.js for positions).
#include "collab/textoperation.h"
#include "operationliteral.h"
#include "randomoperation.h"

#include <QJsonDocument>
#include <QtTest>

using Kyozo::Collab::TextOperation;
using KyozoTest::compact;
using KyozoTest::op;

namespace {

QJsonArray json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    Q_ASSERT(error.error == QJsonParseError::NoError && doc.isArray());
    return doc.array();
}

const QString kGrinning = QString::fromUcs4(U"\U0001F600"); // two code units

} // namespace

class TestTextOperation : public QObject
{
    Q_OBJECT
private slots:
    void buildersKeepOtJsCanonicalForm()
    {
        QCOMPARE(compact(TextOperation().retain(2).retain(3)), QByteArray("[5]"));
        QCOMPARE(compact(TextOperation().insert("a").insert("b")), QByteArray(R"(["ab"])"));
        QCOMPARE(compact(TextOperation().remove(1).remove(2)), QByteArray("[-3]"));
        // An insert after a delete goes before it, and merges with an insert before that.
        QCOMPARE(compact(TextOperation().retain(1).remove(2).insert("x")),
                 QByteArray(R"([1,"x",-2])"));
        QCOMPARE(compact(TextOperation().insert("a").remove(2).insert("b")),
                 QByteArray(R"(["ab",-2])"));
        QCOMPARE(compact(TextOperation().retain(0).insert("").remove(0)), QByteArray("[]"));

        const TextOperation o = TextOperation().retain(2).insert("abc").remove(4).retain(1);
        QCOMPARE(o.baseLength(), 7);
        QCOMPARE(o.targetLength(), 6);
        // Lengths are UTF-16 code units: an emoji is two.
        QCOMPARE(TextOperation().insert(kGrinning).targetLength(), 2);
    }

    void equalityIsOfTheCanonicalForm()
    {
        QVERIFY(TextOperation().remove(2).insert("x") == TextOperation().insert("x").remove(2));
        QVERIFY(!(TextOperation().retain(1) == TextOperation().retain(2)));
        QVERIFY(!(TextOperation().insert("a") == TextOperation().insert("b")));
    }

    void noop()
    {
        QVERIFY(TextOperation().isNoop());
        QVERIFY(op("[5]").isNoop());
        QVERIFY(!op(R"(["a"])").isNoop());
        QVERIFY(!op("[1,-1]").isNoop());
    }

    void jsonRoundTripsAndIsMergedAsOtJsFromJsonDoes()
    {
        const TextOperation o = op(R"([5,"h\u00e9llo",-3])");
        QCOMPARE(o.baseLength(), 8);
        QCOMPARE(o.targetLength(), 10);
        QCOMPARE(o.toJson(), json(R"([5,"h\u00e9llo",-3])"));
        QCOMPARE(compact(op(R"([1,2,"a","b",-1,-2])")), QByteArray(R"([3,"ab",-3])"));
        QCOMPARE(compact(op(R"([-2,"x"])")), QByteArray(R"(["x",-2])"));
        QCOMPARE(compact(op("[]")), QByteArray("[]"));
    }

    void fromJsonRefusesOtherShapes_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("object") << QByteArray(R"([{"ops":[1]}])") << "array";
        QTest::newRow("string") << QByteArray(R"(["abc"])") << "array";
        QTest::newRow("zero") << QByteArray("[[1,0]]") << "part 1";
        QTest::newRow("fraction") << QByteArray("[[1.5]]") << "part 0";
        QTest::newRow("empty insert") << QByteArray(R"([[2,""]])") << "part 1";
        QTest::newRow("null") << QByteArray("[[null]]") << "part 0";
        QTest::newRow("bool") << QByteArray("[[true]]") << "part 0";
        QTest::newRow("nested") << QByteArray("[[[1]]]") << "part 0";
        QTest::newRow("object part") << QByteArray("[[{}]]") << "part 0";
        QTest::newRow("huge retain") << QByteArray("[[1e15]]") << "part 0";
        QTest::newRow("huge delete") << QByteArray("[[-1099511627777]]") << "part 0";
        // Each part within bounds, the sum not.
        QTest::newRow("huge sum") << QByteArray("[[1099511627776,1099511627776]]") << "part 1";
    }
    void fromJsonRefusesOtherShapes()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, mentions);
        QString error;
        const QJsonValue value = QJsonDocument::fromJson(payload).array().at(0);
        QVERIFY(!TextOperation::fromJson(value, &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void apply()
    {
        QCOMPARE(*op(R"([5," world"])").apply("hello"), QStringLiteral("hello world"));
        QCOMPARE(*op(R"([6,-5,"kyozo"])").apply("hello world"), QStringLiteral("hello kyozo"));
        QCOMPARE(*op(R"(["abc"])").apply(""), QStringLiteral("abc"));
        QCOMPARE(*op("[-3]").apply("abc"), QString());
        // "\r\n" is two code units.
        QCOMPARE(*op(R"([1,"\n",-2,1])").apply("a\r\nb"), QStringLiteral("a\nb"));
        // x, the two halves of U+1F600, y: deleting the whole pair is fine.
        const QString text = "x" + kGrinning + "y";
        QCOMPARE(*op("[1,-2,1]").apply(text), QStringLiteral("xy"));
        QCOMPARE(*op(R"([1,"\ud83d\ude00",3])").apply(text), "x" + kGrinning + kGrinning + "y");
    }

    void applyRefusesWhatWouldBreakTheText_data()
    {
        QTest::addColumn<QByteArray>("operation");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        const QString text = "x" + kGrinning + "y";
        QTest::newRow("shorter") << QByteArray("[2]") << "abc"
                                 << "base length";
        QTest::newRow("longer") << QByteArray("[4]") << "abc"
                                << "base length";
        QTest::newRow("delete ends in a pair") << QByteArray("[2,-2]") << text << "surrogate pair";
        QTest::newRow("delete starts in a pair")
            << QByteArray("[1,-1,2]") << text << "surrogate pair";
        QTest::newRow("insert inside a pair")
            << QByteArray(R"([1,"a",1])") << kGrinning << "surrogate pair";
        QTest::newRow("lone high") << QByteArray(R"([1,"\ud83d",3])") << text << "lone surrogate";
        QTest::newRow("lone low") << QByteArray(R"(["a\ude00"])") << QString() << "lone surrogate";
        QTest::newRow("reversed pair")
            << QByteArray(R"(["\ude00\ud83d"])") << QString() << "lone surrogate";
    }
    void applyRefusesWhatWouldBreakTheText()
    {
        QFETCH(QByteArray, operation);
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QString error;
        QVERIFY(!op(operation.constData()).apply(text, &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void compose()
    {
        // "abcde" -> "abcx" -> "bcxyz"
        const TextOperation a = op(R"([3,"x",-2])");
        const TextOperation b = op(R"([-1,3,"yz"])");
        QCOMPARE(*a.apply("abcde"), QStringLiteral("abcx"));
        const auto ab = a.compose(b);
        QVERIFY(ab);
        QCOMPARE(compact(*ab), QByteArray(R"([-1,2,"xyz",-2])"));
        QCOMPARE(*ab->apply("abcde"), QStringLiteral("bcxyz"));
        // An insert deleted by the next operation leaves nothing.
        QCOMPARE(compact(*op(R"(["abc"])").compose(op("[-3]"))), QByteArray("[]"));
        // Part of an insert kept, part deleted.
        QCOMPARE(compact(*op(R"(["abc",2])").compose(op("[1,-1,3]"))), QByteArray(R"(["ac",2])"));
        QVERIFY(!op("[3]").compose(op("[2]")));
    }

    void transformPutsTheFirstInsertFirst()
    {
        const auto pair = TextOperation::transform(op(R"(["x"])"), op(R"(["y"])"));
        QVERIFY(pair);
        QCOMPARE(compact(pair->first), QByteArray(R"(["x",1])"));
        QCOMPARE(compact(pair->second), QByteArray(R"([1,"y"])"));

        const TextOperation a = op(R"([1,"x",2])"), b = op(R"([1,"y",2])");
        const auto p = TextOperation::transform(a, b);
        QCOMPARE(compact(p->first), QByteArray(R"([1,"x",3])"));
        QCOMPARE(compact(p->second), QByteArray(R"([2,"y",2])"));
        QCOMPARE(*p->second.apply(*a.apply("abc")), QStringLiteral("axybc"));
        QCOMPARE(*p->first.apply(*b.apply("abc")), QStringLiteral("axybc"));
    }

    void transformOfDeletes()
    {
        // Overlapping deletes of "bcd" and "cde" in "abcdef": each then deletes only what
        // the other left.
        const auto overlap = TextOperation::transform(op("[1,-3,2]"), op("[2,-3,1]"));
        QCOMPARE(compact(overlap->first), QByteArray("[1,-1,1]"));
        QCOMPARE(compact(overlap->second), QByteArray("[1,-1,1]"));
        // A delete around an insert keeps the insert.
        const auto around = TextOperation::transform(op("[1,-2,1]"), op(R"([2,"X",2])"));
        QCOMPARE(compact(around->first), QByteArray("[1,-1,1,-1,1]"));
        QCOMPARE(compact(around->second), QByteArray(R"([1,"X",1])"));
        QCOMPARE(*around->first.apply("abXcd"), QStringLiteral("aXd"));
        QVERIFY(!TextOperation::transform(op("[1]"), op("[2]")));
    }

    void invert()
    {
        const TextOperation o = op(R"([1,"XY",-2,2])");
        const TextOperation inverse = o.invert("abcde");
        QCOMPARE(compact(inverse), QByteArray(R"([1,"bc",-2,2])"));
        QCOMPARE(*inverse.apply(*o.apply("abcde")), QStringLiteral("abcde"));
    }

    void diffIsAShortestEditOverCodePoints()
    {
        QCOMPARE(compact(TextOperation::diff("abc", "axc")), QByteArray(R"([1,"x",-1,1])"));
        QCOMPARE(compact(TextOperation::diff("hello world", "hello brave world")),
                 QByteArray(R"([6,"brave ",5])"));
        QCOMPARE(compact(TextOperation::diff("axbycz", "abc")), QByteArray("[1,-1,1,-1,1,-1]"));
        QCOMPARE(compact(TextOperation::diff("", "")), QByteArray("[]"));
        QCOMPARE(compact(TextOperation::diff("abc", "")), QByteArray("[-3]"));
        // U+1F600 and U+1F601 share their high surrogate: still one whole replacement.
        const QString grinning = kGrinning, beaming = QString::fromUcs4(U"\U0001F601");
        QCOMPARE(TextOperation::diff(grinning, beaming).toJson(), QJsonArray({ beaming, -2 }));
        QCOMPARE(TextOperation::diff("a" + grinning + "b", "a" + beaming + "b").toJson(),
                 QJsonArray({ 1, beaming, -2, 1 }));
        // Beyond MaxDiffCodePoints the differing stretch is one replacement.
        const QString longFrom = "<" + QString(5000, 'a') + ">",
                      longTo = "<" + QString(5000, 'b') + ">";
        QCOMPARE(TextOperation::diff(longFrom, longTo).toJson(),
                 QJsonArray({ 1, QString(5000, 'b'), -5000, 1 }));
    }

    void diffGivesTheOtherText()
    {
        QRandomGenerator random(15);
        for (int i = 0; i < 3000; ++i) {
            const QString from = KyozoTest::randomText(random, 30);
            const QString to = i % 3 == 0 ? KyozoTest::randomText(random, 30)
                                          : *KyozoTest::randomOperation(random, from).apply(from);
            QString error;
            const auto result = TextOperation::diff(from, to).apply(from, &error);
            QVERIFY2(result, qPrintable(QStringLiteral("case %1: %2").arg(i).arg(error)));
            QCOMPARE(*result, to);
        }
    }

    void transformPosition()
    {
        // ot.js Selection.Range.transform: an insert at the position moves it right.
        const TextOperation insert = op(R"([2,"ab",3])");
        QCOMPARE(insert.transformPosition(0), 0);
        QCOMPARE(insert.transformPosition(1), 1);
        QCOMPARE(insert.transformPosition(2), 4);
        QCOMPARE(insert.transformPosition(5), 7);
        QCOMPARE(op(R"([3,"x"])").transformPosition(3), 4);
        // A deleted range collapses to where it started.
        const TextOperation remove = op("[1,-2,2]");
        const QList<qsizetype> expected { 0, 1, 1, 1, 2, 3 };
        for (qsizetype position = 0; position <= 5; ++position)
            QCOMPARE(remove.transformPosition(position), expected.at(position));
    }
};

QTEST_GUILESS_MAIN(TestTextOperation)
#include "tst_textoperation.moc"
