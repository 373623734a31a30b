// Issue 16 item 3: the implicit rules are linear on any input. Pathological inputs for the
// inline scanner (code spans, links, autolinks, e-mail addresses, dates) and the block rules
// (headings, questions, step lists, tables), each at n and 2n: the CPU time of
// `kyozo-ld extract --implicit`'s parse may grow by at most 3x (linear doubles, quadratic
// quadruples), as tst_pathological measures the other extractors.
#include "markdownld/streamparser.h"
#include "parsergrowth.h"

#include <QtTest>

using namespace Kyozo::MarkdownLD;
using KyozoTest::DocumentMaker;
using KyozoTest::times;

Q_DECLARE_METATYPE(DocumentMaker)

namespace {
// Backtick runs of lengths 1, 2, 3, … none of them closed: a scanner that looks for each
// run's closer afresh walks the rest of the text once per length.
QByteArray backtickRuns(qint64 n)
{
    QByteArray out;
    for (qint64 len = 1; out.size() < n; ++len)
        out += QByteArray(len, '`') + ' ';
    return out + '\n';
}
} // namespace

class TestImplicitLinear : public QObject
{
    Q_OBJECT
private slots:
    void linearInInputSize_data()
    {
        QTest::addColumn<DocumentMaker>("make");
        QTest::addColumn<qint64>("startN");
        QTest::newRow("unclosed backtick runs of every length")
            << DocumentMaker([](qint64 n) { return backtickRuns(n * 8); }) << qint64(1000);
        QTest::newRow("openers without closers")
            << DocumentMaker([](qint64 n) { return QByteArray(n, '[') + "\n"; }) << qint64(4000);
        QTest::newRow("link tails without ')'")
            << DocumentMaker([](qint64 n) { return "[a" + times("](x", n) + "\n"; })
            << qint64(2000);
        QTest::newRow("titles without ')'")
            << DocumentMaker([](qint64 n) { return times("[a](b \"t ", n) + "\n"; })
            << qint64(2000);
        QTest::newRow("autolinks without '>'")
            << DocumentMaker([](qint64 n) { return times("<ab:cd", n) + "\n"; }) << qint64(2000);
        QTest::newRow("at signs") << DocumentMaker([](qint64 n) {
            return times("a@", n) + "b.cd\n";
        }) << qint64(4000);
        QTest::newRow("e-mail addresses in one paragraph")
            << DocumentMaker([](qint64 n) { return times("x@example.org ", n) + "\n"; })
            << qint64(1000);
        QTest::newRow("date-like digits")
            << DocumentMaker([](qint64 n) { return times("2024-", n) + "\n"; }) << qint64(2000);
        QTest::newRow("dates") << DocumentMaker([](qint64 n) {
            return times("2024-02-29 ", n) + "\n";
        }) << qint64(1000);
        QTest::newRow("profile links") << DocumentMaker([](qint64 n) {
            return times("[Ada Lovelace](https://github.com/ada) ", n) + "\n";
        }) << qint64(500);
        QTest::newRow("question headings")
            << DocumentMaker([](qint64 n) { return times("## Why?\nBecause.\n", n); })
            << qint64(500);
        QTest::newRow("step lists")
            << DocumentMaker([](qint64 n) { return "## Steps\n" + times("1. Do it.\n", n); })
            << qint64(500);
        QTest::newRow("table rows") << DocumentMaker([](qint64 n) {
            return "| a | b |\n|---|---|\n" + times("| 2024-01-01 | x@example.org |\n", n);
        }) << qint64(500);
    }

    void linearInInputSize()
    {
        QFETCH(DocumentMaker, make);
        QFETCH(qint64, startN);
        const KyozoTest::GrowthCheck check = KyozoTest::checkParserGrowth(make, startN, true);
        qInfo().noquote() << QTest::currentDataTag() << check.describe();
        QVERIFY2(check.linear(), qPrintable(check.describe()));
    }
};

QTEST_GUILESS_MAIN(TestImplicitLinear)
#include "tst_implicitlinear.moc"
