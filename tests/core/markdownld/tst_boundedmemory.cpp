// SPEC §2.1: memory is O(1) in document size. Over 200 MB fed in chunks the parser never
// holds more than maxBlockBytes plus the documented line-prefix slack, whatever the input
// does: huge paragraphs, a JSON-LD block over the cap, a line longer than the cap, an
// endless unclosed fence. Oversized blocks yield an error item and parsing carries on.
#include "markdownld/streamparser.h"

#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

class Counter : public StreamListener
{
public:
    void itemFound(const SemanticItem &item) override
    {
        if (item.kind == ItemKind::JsonLd)
            ++jsonLd;
        else if (item.kind == ItemKind::Error)
            ++errors;
    }
    qint64 jsonLd = 0;
    qint64 errors = 0;
};

constexpr qsizetype kCap = 64 * 1024;

// One period of the input; every period holds exactly one JSON-LD item and one oversized
// JSON-LD block (an error item).
QByteArray period()
{
    QByteArray p;
    p += "# Section\n\n";
    for (int i = 0; i < 3000; ++i) // one paragraph of ~150 KB: longer than the cap
        p += "A line of prose that keeps one paragraph going and going, on and on.\n";
    p += "\n```json-ld\n{\"@type\": \"Thing\", \"name\": \"kept\"}\n```\n\n";
    p += "```json-ld\n{\"@type\": \"Thing\", \"text\": \"";
    p += QByteArray(kCap + 100, 'x'); // a single line longer than the cap, in a JSON-LD block
    p += "\"}\n```\n\n";
    p += "<div>\n";
    for (int i = 0; i < 1500; ++i)
        p += "<p>html line</p>\n";
    p += "</div>\n\n";
    return p;
}

} // namespace

class TestBoundedMemory : public QObject
{
    Q_OBJECT
private slots:
    void twoHundredMegabytesInChunks()
    {
        StreamParser::Options options;
        options.maxBlockBytes = kCap;
        StreamParser parser(options);
        Counter counter;
        parser.addListener(&counter);
        const QByteArray p = period();
        const qint64 total = 200LL * 1000 * 1000;
        qint64 fed = 0, periods = 0;
        QRandomGenerator random(7);
        while (fed < total) {
            // Feed the period in uneven chunks so that lines straddle chunk boundaries.
            for (qsizetype at = 0; at < p.size();) {
                const qsizetype n = qMin<qsizetype>(1 + random.bounded(70000), p.size() - at);
                parser.feed(QByteArrayView(p).sliced(at, n));
                at += n;
                QVERIFY2(parser.bufferedBytes() <= kCap + StreamParser::kLinePrefixBytes,
                         qPrintable(QString::number(parser.bufferedBytes())));
            }
            fed += p.size();
            ++periods;
        }
        // An unclosed fence to the end: it never needs more than the cap either.
        parser.feed("```json-ld\n");
        for (int i = 0; i < 20000; ++i)
            parser.feed("{\"unclosed\": true}\n");
        parser.finish();
        qInfo("fed %lld bytes in %lld periods, buffered high-water mark %lld bytes (cap %lld)",
              fed, periods, qint64(parser.bufferedHighWaterMark()), qint64(kCap));
        QVERIFY(parser.bufferedHighWaterMark() <= kCap + StreamParser::kLinePrefixBytes);
        QVERIFY(parser.bufferedHighWaterMark() > kCap / 2); // it did buffer big blocks
        QCOMPARE(counter.jsonLd, periods);
        QCOMPARE(counter.errors, periods + 1); // each oversized block, and the unclosed one
    }
};

QTEST_GUILESS_MAIN(TestBoundedMemory)
#include "tst_boundedmemory.moc"
