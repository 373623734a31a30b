// Issue 16 item 4: the implicit rules measured on the hand-labelled corpus
// (tests/data/semantics-corpus, labels written before the rules). Per rule: precision (of
// what it found, how much a reader labelled) and recall (of what was labelled, how much it
// found); the test fails under the floors below, which docs/semantics.md states, and when a
// rule's committed confidence is more than 0.05 from its measured precision.
#include "collectinglistener.h"
#include "markdownld/implicitextractor.h"
#include "testpaths.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

struct Floors
{
    const char *rule;
    double precision;
    double recall;
};

// The floors docs/semantics.md states ("Measured"). Precision: 0.9 for every rule (the
// issue's aim) but profile-link, which reaches 0.875: a GitHub account or a Wikipedia article
// of an organisation with a name like a person's ("Hugging Face", "Google Brain") is taken
// for a person. Recall: what the rules reach today less about 0.05, so that a change that
// loses what they find fails here.
constexpr Floors kFloors[] = {
    { "outline", 0.9, 0.95 },      { "howto", 0.9, 0.9 },  { "question", 0.9, 0.85 },
    { "faq-page", 0.9, 0.8 },      { "code", 0.9, 0.85 },  { "table", 0.9, 0.95 },
    { "date", 0.9, 0.95 },         { "email", 0.9, 0.95 }, { "mailto-name", 0.9, 0.95 },
    { "profile-link", 0.85, 0.8 },
};

struct Count
{
    int truePositives = 0;
    int falsePositives = 0;
    int falseNegatives = 0;
};

QString ruleForLabel(const QString &type, const QByteArray &line)
{
    if (type == QLatin1String("schema:Article"))
        return QStringLiteral("outline");
    if (type == QLatin1String("schema:HowTo"))
        return QStringLiteral("howto");
    if (type == QLatin1String("schema:Question"))
        return QStringLiteral("question");
    if (type == QLatin1String("schema:FAQPage"))
        return QStringLiteral("faq-page");
    if (type == QLatin1String("schema:SoftwareSourceCode"))
        return QStringLiteral("code");
    if (type == QLatin1String("schema:Dataset"))
        return QStringLiteral("table");
    if (type == QLatin1String("schema:Date"))
        return QStringLiteral("date");
    if (type == QLatin1String("schema:ContactPoint"))
        return QStringLiteral("email");
    // A person or organisation the rules missed: by the link on its line.
    return line.contains("mailto:") ? QStringLiteral("mailto-name")
                                    : QStringLiteral("profile-link");
}

} // namespace

class TestImplicitCorpus : public QObject
{
    Q_OBJECT
private slots:
    void precisionAndRecallPerRule()
    {
        const QDir dir(KyozoTest::sourcePath(QStringLiteral("tests/data/semantics-corpus")));
        const QStringList names
            = dir.entryList({ QStringLiteral("*.md") }, QDir::Files, QDir::Name);
        QVERIFY2(names.size() >= 80, "issue 16 item 4 asks for at least 80 notebooks");
        QHash<QString, Count> counts;
        QStringList misses;
        for (const QString &name : names) {
            if (name == QLatin1String("README.md"))
                continue;
            QFile md(dir.filePath(name));
            QFile labelsFile(
                dir.filePath(QFileInfo(name).completeBaseName() + QStringLiteral(".labels.json")));
            QVERIFY(md.open(QIODevice::ReadOnly));
            QVERIFY2(labelsFile.open(QIODevice::ReadOnly), qPrintable(labelsFile.fileName()));
            const QByteArray doc = md.readAll();
            const QList<QByteArray> lines = doc.split('\n');
            QJsonParseError error;
            const QJsonArray labels = QJsonDocument::fromJson(labelsFile.readAll(), &error)
                                          .object()
                                          .value(QLatin1String("items"))
                                          .toArray();
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(labelsFile.fileName()));
            // (type, line) → how many labels are still unmatched.
            QHash<QPair<QString, int>, int> open;
            for (const QJsonValue &l : labels)
                ++open[{ l[QLatin1String("type")].toString(),
                         l[QLatin1String("startLine")].toInt() }];
            const QJsonArray items = KyozoTest::parse(doc, {}, 1024 * 1024, true).items;
            for (const QJsonValue &v : items) {
                const QJsonObject item = v.toObject();
                if (item[QLatin1String("kind")].toString() != QLatin1String("implicit"))
                    continue;
                const QString rule = item[QLatin1String("rule")].toString();
                QVERIFY2(!rule.isEmpty(), "every implicit item names its rule");
                const QPair<QString, int> key {
                    item[QLatin1String("type")].toString(),
                    item[QLatin1String("range")][QLatin1String("startLine")].toInt()
                };
                if (open.value(key) > 0) {
                    --open[key];
                    ++counts[rule].truePositives;
                } else {
                    ++counts[rule].falsePositives;
                    misses.append(QStringLiteral("%1:%2 %3 (%4) not labelled")
                                      .arg(name)
                                      .arg(key.second)
                                      .arg(key.first, rule));
                }
            }
            for (auto it = open.cbegin(); it != open.cend(); ++it) {
                for (int k = 0; k < it.value(); ++k) {
                    const QByteArray line = it.key().second - 1 < lines.size()
                        ? lines[it.key().second - 1]
                        : QByteArray();
                    ++counts[ruleForLabel(it.key().first, line)].falseNegatives;
                    misses.append(QStringLiteral("%1:%2 %3 missed")
                                      .arg(name)
                                      .arg(it.key().second)
                                      .arg(it.key().first));
                }
            }
        }
        misses.sort();
        for (const QString &m : std::as_const(misses))
            qInfo().noquote() << "  " << m;
        qInfo().noquote() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7")
                                 .arg(QStringLiteral("rule"), -13)
                                 .arg(QStringLiteral("TP"), 4)
                                 .arg(QStringLiteral("FP"), 4)
                                 .arg(QStringLiteral("FN"), 4)
                                 .arg(QStringLiteral("precision"), 10)
                                 .arg(QStringLiteral("recall"), 7)
                                 .arg(QStringLiteral("confidence"), 11);
        QStringList failures;
        for (const ImplicitRuleInfo &info : implicitRules()) {
            const QString rule = QLatin1String(info.name);
            const Count c = counts.value(rule);
            const int found = c.truePositives + c.falsePositives;
            const int labelled = c.truePositives + c.falseNegatives;
            const double precision = found > 0 ? double(c.truePositives) / found : 0.0;
            const double recall = labelled > 0 ? double(c.truePositives) / labelled : 0.0;
            qInfo().noquote() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7")
                                     .arg(rule, -13)
                                     .arg(c.truePositives, 4)
                                     .arg(c.falsePositives, 4)
                                     .arg(c.falseNegatives, 4)
                                     .arg(precision, 10, 'f', 3)
                                     .arg(recall, 7, 'f', 3)
                                     .arg(info.confidence, 11, 'f', 2);
            const auto floors
                = std::find_if(std::begin(kFloors), std::end(kFloors),
                               [&](const Floors &f) { return rule == QLatin1String(f.rule); });
            if (floors == std::end(kFloors)) {
                failures.append(rule + QStringLiteral(": no floors"));
                continue;
            }
            if (found < 5 || labelled < 5)
                failures.append(
                    QStringLiteral("%1: too few cases in the corpus (%2 found, %3 labelled)")
                        .arg(rule)
                        .arg(found)
                        .arg(labelled));
            if (precision < floors->precision)
                failures.append(QStringLiteral("%1: precision %2 < %3")
                                    .arg(rule)
                                    .arg(precision)
                                    .arg(floors->precision));
            if (recall < floors->recall)
                failures.append(
                    QStringLiteral("%1: recall %2 < %3").arg(rule).arg(recall).arg(floors->recall));
            if (qAbs(info.confidence - precision) > 0.05 + 1e-9)
                failures.append(
                    QStringLiteral(
                        "%1: committed confidence %2 is more than 0.05 from its precision %3")
                        .arg(rule)
                        .arg(info.confidence)
                        .arg(precision, 0, 'f', 3));
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1String("\n"))));
    }
};

QTEST_GUILESS_MAIN(TestImplicitCorpus)
#include "tst_implicitcorpus.moc"
