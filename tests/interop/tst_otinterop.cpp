// Differential test of core/collab's TextOperation against ot.js 0.0.15 (issue 15, "Proven
// by"): random texts with astral-plane characters, CRLF and empty texts, random pairs of
// operations on them; ot.js's apply, compose, transform and invert, run by node on the same
// operations, must give JSON identical to ours. Operations never split a surrogate pair
// (ot.js counts code units and knows nothing of pairs; ours refuses such splits).
// KYOZO_SEED=n reruns with another seed; a failure prints the seed, the case and both sides.
#include "collab/textoperation.h"
#include "randomoperation.h"
#include "requiredtool.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using Kyozo::Collab::TextOperation;

namespace {

struct Case
{
    QString text;
    TextOperation a, b, c; // a and b on text, c on a's result
};

QByteArray compact(const QJsonValue &value)
{
    return QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
}

quint32 seedFromEnvironment(quint32 fallback)
{
    bool ok = false;
    const quint32 seed = qEnvironmentVariable("KYOZO_SEED").toUInt(&ok);
    return ok ? seed : fallback;
}

} // namespace

class TestOtInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
                      QStringLiteral("node"));
        KYOZO_REQUIRE(
            QDir(QStringLiteral(KYOZO_INTEROP_DIR)).exists(QStringLiteral("node_modules/ot")),
            QStringLiteral("tests/interop/node_modules (npm ci)"));
    }

    void textOperationsAgreeWithOtJs()
    {
        const quint32 seed = seedFromEnvironment(20261202);
        QRandomGenerator random(seed);
        constexpr int kCases = 12000;
        QList<Case> cases;
        QJsonArray input;
        for (int i = 0; i < kCases; ++i) {
            Case c;
            // Mostly short texts (where the interesting overlaps are), some empty, some long.
            const int size = i % 10 == 0 ? 0 : (i % 10 == 1 ? 80 : 16);
            c.text = KyozoTest::randomText(random, size);
            c.a = KyozoTest::randomOperation(random, c.text, 1 + random.bounded(5));
            c.b = KyozoTest::randomOperation(random, c.text, 1 + random.bounded(5));
            const auto afterA = c.a.apply(c.text);
            QVERIFY2(afterA, "generated operation does not apply");
            c.c = KyozoTest::randomOperation(random, *afterA, 1 + random.bounded(5));
            input.append(QJsonObject { { "text", c.text },
                                       { "a", c.a.toJson() },
                                       { "b", c.b.toJson() },
                                       { "c", c.c.toJson() } });
            cases.append(c);
        }

        QProcess node;
        node.setWorkingDirectory(QStringLiteral(KYOZO_INTEROP_DIR));
        node.start(
            QStandardPaths::findExecutable(QStringLiteral("node")),
            { QDir(QStringLiteral(KYOZO_INTEROP_DIR)).filePath(QStringLiteral("ot_interop.mjs")),
              QStringLiteral("textoperation") });
        QVERIFY(node.waitForStarted(10000));
        node.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
        node.closeWriteChannel();
        QVERIFY(node.waitForFinished(90000));
        QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
        QJsonParseError parseError;
        const QJsonArray results
            = QJsonDocument::fromJson(node.readAllStandardOutput(), &parseError).array();
        QVERIFY2(parseError.error == QJsonParseError::NoError,
                 qPrintable(parseError.errorString()));
        QCOMPARE(results.size(), kCases);

        int compared = 0;
        for (int i = 0; i < kCases; ++i) {
            const Case &c = cases.at(i);
            const QJsonObject theirs = results.at(i).toObject();
            const auto where = [&](const char *what, const QJsonValue &ours,
                                   const QJsonValue &expected) {
                return QStringLiteral("seed %1 case %2 %3 differs: ours %4, ot.js %5; case %6")
                    .arg(seed)
                    .arg(i)
                    .arg(QLatin1StringView(what), QString::fromUtf8(compact(ours)),
                         QString::fromUtf8(compact(expected)),
                         QString::fromUtf8(compact(input.at(i))));
            };
            QVERIFY2(
                !theirs.contains(QLatin1StringView("error")),
                qPrintable(where("ot.js refused", {}, theirs.value(QLatin1StringView("error")))));
            const QJsonValue applyA = *c.a.apply(c.text);
            QVERIFY2(
                applyA == theirs.value(QLatin1StringView("applyA")),
                qPrintable(where("apply(a)", applyA, theirs.value(QLatin1StringView("applyA")))));
            const QJsonValue applyB = *c.b.apply(c.text);
            QVERIFY2(
                applyB == theirs.value(QLatin1StringView("applyB")),
                qPrintable(where("apply(b)", applyB, theirs.value(QLatin1StringView("applyB")))));
            const auto composed = c.a.compose(c.c);
            QVERIFY(composed);
            QVERIFY2(composed->toJson() == theirs.value(QLatin1StringView("compose")),
                     qPrintable(where("compose(a, c)", composed->toJson(),
                                      theirs.value(QLatin1StringView("compose")))));
            const auto transformed = TextOperation::transform(c.a, c.b);
            QVERIFY(transformed);
            const QJsonArray pair { transformed->first.toJson(), transformed->second.toJson() };
            QVERIFY2(pair == theirs.value(QLatin1StringView("transform")),
                     qPrintable(where("transform(a, b)", pair,
                                      theirs.value(QLatin1StringView("transform")))));
            const QJsonArray inverse = c.a.invert(c.text).toJson();
            QVERIFY2(
                inverse == theirs.value(QLatin1StringView("invert")),
                qPrintable(where("invert(a)", inverse, theirs.value(QLatin1StringView("invert")))));
            // And the transformed pair converges on our side too, surrogate checks included.
            const auto viaA = transformed->second.apply(*c.a.apply(c.text));
            const auto viaB = transformed->first.apply(*c.b.apply(c.text));
            QVERIFY2(viaA && viaB && *viaA == *viaB,
                     qPrintable(where("convergence", applyA, applyB)));
            ++compared;
        }
        qInfo(
            "compared %d cases (apply a, apply b, compose, transform, invert) with ot.js, seed %u",
            compared, seed);
    }
};

QTEST_GUILESS_MAIN(TestOtInterop)
#include "tst_otinterop.moc"
