// Issue 14 item 8: cmark's and cmark-gfm's pathological inputs (their
// test/pathological_tests.py: the cases, not the code), which caught quadratic paths in
// cmark's inline and block parsers, made at size n and 2n. The CPU time of parsing each as
// `kyozo-ld extract` and `kyozo-ld stats` do may grow by at most 3x (linear doubles,
// quadratic quadruples). Sizes grow by input bytes: cmark's cases that grow quadratically
// in bytes (nesting by indentation, backtick runs of every length) are repeated or cut by
// size instead.
#include "parsergrowth.h"

#include <QtTest>

using KyozoTest::DocumentMaker;
using KyozoTest::GrowthCheck;
using KyozoTest::times;

Q_DECLARE_METATYPE(DocumentMaker)

namespace {

#if KYOZO_CMARK_CASES == 1
// One "e" then a backtick run one longer each time, until the document holds n bytes: code
// spans of every length (cmark's "backticks", grown by size rather than by run length).
QByteArray backticks(qint64 n)
{
    QByteArray out;
    for (qint64 x = 1; out.size() < n; ++x)
        out += "e" + QByteArray(x, '`');
    return out;
}

#else
// cmark's "reference collisions": labels that all land in one bucket of cmark's 16-entry
// reference map (its hash, from test/pathological_tests.py), each defined and then used.
QByteArray referenceCollisions(qint64 n)
{
    auto badHash = [](const QByteArray &key) {
        quint32 h = 0;
        for (char c : key)
            h = quint32(uchar(c)) + (h << 6) + (h << 16) - h;
        return h % 16 == 0;
    };
    QList<QByteArray> keys;
    for (qint64 i = 0; keys.size() < n + 1; ++i) {
        const QByteArray key = "x" + QByteArray::number(i);
        if (badHash(key))
            keys.append(key);
    }
    QByteArray out;
    for (qsizetype i = 1; i < keys.size(); ++i)
        out += "[" + keys[i] + "]: /url\n\n[" + keys[0] + "]\n\n";
    return out;
}

#endif

} // namespace

class TestCmarkPathological : public QObject
{
    Q_OBJECT
private slots:
    void linearInInputSize_data();
    void linearInInputSize();
};

void TestCmarkPathological::linearInInputSize_data()
{
    QTest::addColumn<DocumentMaker>("make");
    QTest::addColumn<qint64>("startN");

    // Two executables, so that each stays well inside its ctest timeout on a loaded machine.
#if KYOZO_CMARK_CASES == 1
    // cmark's test/pathological_tests.py: inline constructs (to this parser, paragraph text).
    QTest::newRow("nested strong emph")
        << DocumentMaker([](qint64 n) { return times("*a **a ", n) + "b" + times(" a** a*", n); })
        << qint64(1000);
    QTest::newRow("many emph closers with no openers")
        << DocumentMaker([](qint64 n) { return times("a_ ", n); }) << qint64(1000);
    QTest::newRow("many emph openers with no closers")
        << DocumentMaker([](qint64 n) { return times("_a ", n); }) << qint64(1000);
    QTest::newRow("many link closers with no openers")
        << DocumentMaker([](qint64 n) { return times("a]", n); }) << qint64(1000);
    QTest::newRow("many link openers with no closers")
        << DocumentMaker([](qint64 n) { return times("[a", n); }) << qint64(1000);
    QTest::newRow("mismatched openers and closers")
        << DocumentMaker([](qint64 n) { return times("*a_ ", n); }) << qint64(1000);
    QTest::newRow("issue #389") << DocumentMaker([](qint64 n) {
        return times("*a ", n) + times("_a*_ ", n);
    }) << qint64(1000);
    QTest::newRow("openers and closers multiple of 3")
        << DocumentMaker([](qint64 n) { return "a**b" + times("c* ", n); }) << qint64(1000);
    QTest::newRow("link openers and emph closers")
        << DocumentMaker([](qint64 n) { return times("[ a_", n); }) << qint64(1000);
    QTest::newRow("pattern [ (]( repeated")
        << DocumentMaker([](qint64 n) { return times("[ (](", n); }) << qint64(1000);
    QTest::newRow("pattern ![[]() repeated")
        << DocumentMaker([](qint64 n) { return times("![[]()", n); }) << qint64(1000);
    QTest::newRow("nested brackets")
        << DocumentMaker([](qint64 n) { return QByteArray(n, '[') + "a" + QByteArray(n, ']'); })
        << qint64(1000);
    QTest::newRow("U+0000 in input")
        << DocumentMaker([](qint64 n) { return times(QByteArrayView("abc\0de\0", 7), n); })
        << qint64(1000);
    QTest::newRow("backticks") << DocumentMaker(backticks) << qint64(100000);
    QTest::newRow("unclosed links A")
        << DocumentMaker([](qint64 n) { return times("[a](<b", n); }) << qint64(1000);
    QTest::newRow("unclosed links B")
        << DocumentMaker([](qint64 n) { return times("[a](b", n); }) << qint64(1000);
    QTest::newRow("unclosed <!--")
        << DocumentMaker([](qint64 n) { return "</" + times("<!--", n); }) << qint64(1000);
#else
    // cmark's test/pathological_tests.py: block structure.
    QTest::newRow("nested block quotes")
        << DocumentMaker([](qint64 n) { return times("> ", n) + "a"; }) << qint64(1000);
    // cmark nests 500 lists deep, which is 250,000 bytes of indentation: here that document
    // n times over, so that size and n grow together.
    QTest::newRow("deeply nested lists") << DocumentMaker([](qint64 n) {
        QByteArray one;
        for (int depth = 0; depth < 500; ++depth)
            one += QByteArray(2 * depth, ' ') + "* a\n";
        return times(one + "\nend\n\n", n);
    }) << qint64(1);
    QTest::newRow("empty lines in deeply nested lists")
        << DocumentMaker([](qint64 n) { return times("- ", n) + "x" + QByteArray(n, '\n'); })
        << qint64(1000);
    QTest::newRow("empty lines in deeply nested lists in blockquote")
        << DocumentMaker([](qint64 n) { return "> " + times("- ", n) + "x\n" + times(">\n", n); })
        << qint64(1000);
    QTest::newRow("emph in deep blockquote")
        << DocumentMaker([](qint64 n) { return QByteArray(n, '>') + times("a*", n); })
        << qint64(1000);
    QTest::newRow("reference collisions") << DocumentMaker(referenceCollisions) << qint64(1000);
    QTest::newRow("many references") << DocumentMaker([](qint64 n) {
        QByteArray out;
        for (qint64 i = 1; i < 16 * n; ++i)
            out += "[" + QByteArray::number(i) + "]: u\n";
        return out + times("[0] ", n);
    }) << qint64(100);

    // cmark-gfm's test/pathological_tests.py, and tables as GFM makes them (SPEC §2.1).
    QTest::newRow("tables") << DocumentMaker([](qint64 n) { return times("aaa\rbbb\n-\v\n", n); })
                            << qint64(1000);
    QTest::newRow("many table rows") << DocumentMaker([](qint64 n) {
        return "| a | b |\n| --- | --- |\n" + times("| c | d |\n", n);
    }) << qint64(1000);
    QTest::newRow("wide table") << DocumentMaker([](qint64 n) {
        return times("| a ", n) + "|\n" + times("| - ", n) + "|\n"
            + times(times("| c ", n) + "|\n", 4);
    }) << qint64(1000);
    QTest::newRow("rows wider than the header") << DocumentMaker([](qint64 n) {
        return "| a |\n| - |\n" + times(times("| c ", 1000) + "|\n", n);
    }) << qint64(10);
    QTest::newRow("many tables") << DocumentMaker([](qint64 n) {
        return times("a | b\n- | -\nc | d\n\n", n);
    }) << qint64(1000);

#endif
}

void TestCmarkPathological::linearInInputSize()
{
    QFETCH(DocumentMaker, make);
    QFETCH(qint64, startN);
    const GrowthCheck check = KyozoTest::checkParserGrowth(make, startN);
    qInfo().noquote() << QTest::currentDataTag() << check.describe();
    QVERIFY2(check.linear(), qPrintable(check.describe()));
}

QTEST_GUILESS_MAIN(TestCmarkPathological)
#include "tst_cmarkpathological.moc"
