// Issue 14 item 8: the parser runs on every keystroke and on whatever a document holds, so it
// must be linear on any input. Each case is a pathological input made at size n and 2n: the
// zero-width runs that were quadratic (one line of "a" U+200B took seconds in `kyozo-ld
// stats`), and the blocks the parser reads into items. The CPU time of parsing it as `kyozo-ld
// extract` and `kyozo-ld stats` do may grow by at most 3x (linear doubles, quadratic
// quadruples). CPU time, best of three: no wall-clock bound. cmark's own suite is in
// tst_cmarkpathological.
#include "markdownld/streamparser.h"
#include "parsergrowth.h"
#include "stego/zerowidthcodec.h"
#include "testpaths.h"

#include <QProcess>
#include <QTemporaryFile>
#include <QtTest>

using namespace Kyozo::MarkdownLD;
using KyozoTest::DocumentMaker;
using KyozoTest::GrowthCheck;
using KyozoTest::times;

namespace {

// A Kyozo payload (what `kyozo-ld stego encode` writes), its invisible run only.
QByteArray kyozoRun(const QByteArray &message)
{
    Kyozo::Stego::Container::SealOptions options;
    QString error;
    const auto sealed = Kyozo::Stego::ZeroWidthCodec::encode("w", message, options, &error);
    return sealed ? sealed->sliced(1) : QByteArray();
}

} // namespace

Q_DECLARE_METATYPE(DocumentMaker)

class TestPathological : public QObject
{
    Q_OBJECT
private slots:
    void linearInInputSize_data();
    void linearInInputSize();
    void zeroWidthRunsKeepTheirPositions();
    void payloadsKeepTheirWords();
    void cliIsLinearOnZeroWidthRuns_data();
    void cliIsLinearOnZeroWidthRuns();
};

void TestPathological::linearInInputSize_data()
{
    QTest::addColumn<DocumentMaker>("make");
    QTest::addColumn<qint64>("startN");

    // Three executables (KYOZO_PATHOLOGICAL_BLOCKS, _ANNOTATIONS), so that each stays well
    // inside its ctest timeout on a loaded machine.
#if !defined(KYOZO_PATHOLOGICAL_BLOCKS) && !defined(KYOZO_PATHOLOGICAL_ANNOTATIONS)
    // Issue 14 item 8: one line of `a` U+200B, a zero-width run after every letter.
    // From 16,000 runs on: below, the quadratic scan was still small beside the items' own cost.
    QTest::newRow("zero-width runs in one word")
        << DocumentMaker([](qint64 n) { return times("a\xE2\x80\x8B", n); }) << qint64(16000);
    QTest::newRow("zero-width runs in words")
        << DocumentMaker([](qint64 n) { return times("a\xE2\x80\x8B ", n); }) << qint64(1000);
    // Payloads that decode, many in one word: each item's `word` is what lies between it
    // and the run before, so the items' output stays linear too.
    QTest::newRow("payloads in one word") << DocumentMaker([](qint64 n) {
        static const QByteArray run = kyozoRun("hi");
        return times("a" + run, n);
    }) << qint64(2000);
    // Tag characters (4 bytes, two UTF-16 units): invisible too.
    QTest::newRow("tag characters in one word")
        << DocumentMaker([](qint64 n) { return times("a\xF3\xA0\x80\x81", n); }) << qint64(16000);
    QTest::newRow("zero-width runs in many lines") << DocumentMaker([](qint64 n) {
        return times("a\xE2\x80\x8B"
                     "b\xE2\x80\x8B\n",
                     n);
    }) << qint64(1000);

#elif defined(KYOZO_PATHOLOGICAL_ANNOTATIONS)
    // Issue 16 item 1: inline annotations on one line (one paragraph), from 10,000 on, and
    // the look-aheads an annotation scanner makes: for '}', ')', a quote, a closing backtick
    // run, the end of inline HTML.
    QTest::newRow("annotations on one line") << DocumentMaker([](qint64 n) {
        return times("[a]{typeof=schema:Thing property=schema:name} ", n) + "\n";
    }) << qint64(10000);
    QTest::newRow("annotations in one heading") << DocumentMaker([](qint64 n) {
        return "# " + times("[a]{property=schema:name} ", n) + "{#h}\n";
    }) << qint64(10000);
    QTest::newRow("unclosed attribute lists")
        << DocumentMaker([](qint64 n) { return times("[a]{property=schema:name ", n) + "\n"; })
        << qint64(1000);
    QTest::newRow("attribute lists closed at the end")
        << DocumentMaker([](qint64 n) { return times("[a]{b=c ", n) + "}\n"; }) << qint64(1000);
    QTest::newRow("unclosed quoted values")
        << DocumentMaker([](qint64 n) { return times("[a]{b=\"", n) + "}\n"; }) << qint64(1000);
    QTest::newRow("unclosed brackets")
        << DocumentMaker([](qint64 n) { return times("[", n) + times("]{property=schema:name}", n) + "\n"; })
        << qint64(1000);
    QTest::newRow("unclosed link tails")
        << DocumentMaker([](qint64 n) { return times("[a](x ", n) + ")\n"; }) << qint64(1000);
    QTest::newRow("link tails with unclosed titles")
        << DocumentMaker([](qint64 n) { return times("[a](x (t ", n) + "{\n"; }) << qint64(1000);
    QTest::newRow("nested link destinations")
        << DocumentMaker([](qint64 n) { return times("[a](x", n) + times(")", n) + "{\n"; })
        << qint64(1000);
    QTest::newRow("code span openers without closers") << DocumentMaker([](qint64 n) {
        QByteArray line;
        for (qint64 i = 1; line.size() < 8 * n; ++i)
            line += QByteArray(i % 97 + 1, '`') + " [a]{property=schema:name} ";
        return line + "\n";
    }) << qint64(1000);
    QTest::newRow("inline HTML openers")
        << DocumentMaker([](qint64 n) { return times("<a b=\"[c]{property=schema:name} ", n) + "\n"; })
        << qint64(1000);
    QTest::newRow("heading of braces")
        << DocumentMaker([](qint64 n) { return "# " + QByteArray(n, '{') + "}\n"; }) << qint64(1000);
#else
    // The other blocks the parser reads into items, and its line classification.
    QTest::newRow("long JSON-LD block") << DocumentMaker([](qint64 n) {
        return "```json-ld\n{\"@type\": \"Thing\", \"parts\": [" + times("{\"name\": \"x\"},\n", n)
            + "{}]}\n```\n";
    }) << qint64(1000);
    QTest::newRow("deep JSON-LD") << DocumentMaker([](qint64 n) {
        return "```json-ld\n" + QByteArray(n, '[') + QByteArray(n, ']') + "\n```\n";
    }) << qint64(1000);
    QTest::newRow("many JSON-LD blocks") << DocumentMaker([](qint64 n) {
        return times("```json-ld\n{\"@type\": \"Thing\", \"name\": \"x\"}\n```\n\n", n);
    }) << qint64(1000);
    QTest::newRow("HTML block of meta tags") << DocumentMaker([](qint64 n) {
        return "<div>\n" + times("<meta name=\"dc.title\" content=\"x\">\n", n) + "</div>\n";
    }) << qint64(1000);
    QTest::newRow("HTML tag with many attributes")
        << DocumentMaker([](qint64 n) { return "<div " + times("a=\"b\" ", n) + ">\n\n"; })
        << qint64(1000);
    QTest::newRow("unclosed HTML tags") << DocumentMaker([](qint64 n) {
        return "<div>\n" + times("<span itemscope itemtype=\"https://schema.org/Thing\">", n)
            + "\n</div>\n";
    }) << qint64(1000);
    QTest::newRow("unclosed HTML comment")
        << DocumentMaker([](qint64 n) { return "<!--\n" + times("- -- x\n", n); }) << qint64(1000);
    QTest::newRow("front matter") << DocumentMaker([](qint64 n) {
        return "---\n" + times("description: x\n", n) + "---\ntext\n";
    }) << qint64(1000);
    QTest::newRow("long fences") << DocumentMaker([](qint64 n) {
        return QByteArray(n, '`') + "\n" + times(QByteArray(64, '`') + "\n", n / 64 + 1);
    }) << qint64(1000);
    QTest::newRow("indentation of tabs and spaces")
        << DocumentMaker([](qint64 n) { return times(" \t", n) + "x\n"; }) << qint64(1000);
    QTest::newRow("setext underline")
        << DocumentMaker([](qint64 n) { return "Title\n" + QByteArray(n, '=') + "\n"; })
        << qint64(1000);
    QTest::newRow("list markers on one line")
        << DocumentMaker([](qint64 n) { return times("- ", n) + "x\n"; }) << qint64(1000);
#endif
}

void TestPathological::linearInInputSize()
{
    QFETCH(DocumentMaker, make);
    QFETCH(qint64, startN);
    const GrowthCheck check = KyozoTest::checkParserGrowth(make, startN);
    qInfo().noquote() << QTest::currentDataTag() << check.describe();
    QVERIFY2(check.linear(), qPrintable(check.describe()));
}

void TestPathological::zeroWidthRunsKeepTheirPositions()
{
    // Written by hand from SPEC §2.2 item 5 and §3: "a" U+200B three times. Each run is its
    // own suspicious item: bytes 1-4, 5-8, 9-12; columns (code points, 1-based) 2, 4, 6.
    StreamParser parser;
    struct Ranges : StreamListener
    {
        QList<SourceRange> ranges;
        void itemFound(const SemanticItem &item) override { ranges.append(item.range); }
    } ranges;
    parser.addListener(&ranges);
    parser.feed("x\n" + times("a\xE2\x80\x8B", 3)
                + "\xF3\xA0\x80\x81"
                  "b\xE2\x80\x8B\n");
    parser.finish();
    QCOMPARE(ranges.ranges.size(), 4);
    const qint64 line2 = 2; // after "x\n"
    const QList<std::array<qint64, 3>> expected
        = { { 3, 6, 2 }, { 7, 10, 4 }, { 11, 18, 6 }, { 19, 22, 9 } };
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(ranges.ranges[i].startByte, expected[i][0]);
        QCOMPARE(ranges.ranges[i].endByte, expected[i][1]);
        QCOMPARE(ranges.ranges[i].startColumn, expected[i][2]);
        QCOMPARE(ranges.ranges[i].startLine, line2);
    }
}

void TestPathological::payloadsKeepTheirWords()
{
    // SPEC §3: a Kyozo payload stays attached to the word it follows: the text since the
    // last space or the last invisible run before it. Payloads after "one", after "two",
    // and after the "x" that follows the second payload in the same word.
    const QByteArray run = kyozoRun("hi");
    QVERIFY(!run.isEmpty());
    StreamParser parser;
    struct Words : StreamListener
    {
        QStringList words;
        void itemFound(const SemanticItem &item) override
        {
            if (item.kind == ItemKind::HiddenData)
                words.append(item.properties.value(QLatin1String("word")).toString());
        }
    } words;
    parser.addListener(&words);
    parser.feed("say one" + run + " and\ttwo" + run + "x" + run + " done\n");
    parser.finish();
    QCOMPARE(words.words,
             QStringList({ QStringLiteral("one"), QStringLiteral("two"),
                           QStringLiteral("x") }));
}

void TestPathological::cliIsLinearOnZeroWidthRuns_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("stats") << QStringLiteral("stats");
    QTest::newRow("extract") << QStringLiteral("extract");
}

void TestPathological::cliIsLinearOnZeroWidthRuns()
{
    // The real `kyozo-ld` on the input of issue 14 item 8, the CPU time of its process
    // (rusage), which includes its start-up: that only makes the ratio smaller.
    QFETCH(QString, command);
#if defined(KYOZO_PATHOLOGICAL_BLOCKS) || defined(KYOZO_PATHOLOGICAL_ANNOTATIONS)
    QSKIP("run by tst_pathological");
#endif
    const QString program = KyozoTest::binaryPath(QStringLiteral("kyozo-ld"));
    QVERIFY2(QFileInfo(program).isExecutable(), qPrintable(program));
    QString failure;
    auto run = [&](qint64 n) {
        QTemporaryFile file;
        if (!file.open()) {
            failure = file.errorString();
            return 0.0;
        }
        file.write(times("a\xE2\x80\x8B", n) + "\n");
        file.close();
        QProcess process;
        process.setStandardOutputFile(QProcess::nullDevice());
        const double before = KyozoTest::childrenCpuSeconds();
        process.start(program, { command, file.fileName() });
        if (!process.waitForFinished(60000) || process.exitCode() != 0)
            failure = QStringLiteral("kyozo-ld %1 failed: %2").arg(command, process.errorString());
        return KyozoTest::childrenCpuSeconds() - before;
    };
    // At most 256 Ki runs: the line stays under the 1 MiB block cap, so all of it is read.
    const GrowthCheck check = KyozoTest::checkGrowth(run, 16384, 256 * 1024);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    qInfo().noquote() << command << check.describe();
    QVERIFY2(check.linear(), qPrintable(check.describe()));
}

QTEST_GUILESS_MAIN(TestPathological)
#include "tst_pathological.moc"
