#include "parsergrowth.h"

#include "markdownld/documentstats.h"
#include "markdownld/streamparser.h"

#include <QJsonDocument>
#include <QMap>

#include <cmath>
#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Kyozo::MarkdownLD;

namespace KyozoTest {

namespace {

    class ItemPrinter : public StreamListener
    {
    public:
        void itemFound(const SemanticItem &item) override
        {
            result->outputBytes
                += QJsonDocument(item.toJson()).toJson(QJsonDocument::Compact).size() + 1;
            ++result->items;
        }
        ExtractAndStats *result = nullptr;
    };

    // glibc returns big blocks to the system when they are freed (mmap'd ones at once, the top of
    // the heap past a threshold that moves with what was freed), so a parse may fault in fresh
    // zeroed pages for its buffers or reuse warm ones depending on the sizes freed before it:
    // twice the CPU time for the same work. With fixed thresholds every block under 32 MiB comes
    // from a heap that is never trimmed, and repeated parses cost the same.
    void keepFreedMemory()
    {
#ifdef __GLIBC__
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
    }

} // namespace

ExtractAndStats extractAndStats(const QByteArray &document, qsizetype maxBlockBytes,
                                bool includeImplicit)
{
    ExtractAndStats result;
    StreamParser::Options options;
    options.maxBlockBytes = maxBlockBytes;
    options.includeImplicit = includeImplicit;
    StreamParser parser(options);
    ItemPrinter printer;
    printer.result = &result;
    DocumentStats stats;
    parser.addListener(&printer);
    parser.addListener(&stats);
    constexpr qsizetype kChunk = 64 * 1024;
    for (qsizetype at = 0; at < document.size(); at += kChunk) {
        const QByteArrayView chunk
            = QByteArrayView(document).sliced(at, qMin(kChunk, document.size() - at));
        stats.addBytes(chunk);
        parser.feed(chunk);
    }
    parser.finish();
    result.stats = stats.toJson();
    return result;
}

GrowthCheck checkParserGrowth(const DocumentMaker &make, qint64 startN, bool includeImplicit)
{
    keepFreedMemory();
    const qsizetype bytesAtStart = qMax<qsizetype>(1, make(startN).size());
    const qint64 maxN = qMax<qint64>(2 * startN, startN * (kMaxDocumentBytes / bytesAtStart));
    QMap<qint64, QByteArray> made; // the sizes of the current step: n and 2n
    int repeats = 1;
    auto run = [&](qint64 n) {
        if (!made.contains(n)) {
            while (made.size() >= 2)
                made.erase(made.begin());
            made.insert(n, make(n));
        }
        const QByteArray &document = made[n];
        return threadCpuOf([&] {
            for (int i = 0; i < repeats; ++i)
                extractAndStats(document, 2 * document.size() + 1024 * 1024, includeImplicit);
        });
    };
    // The size first, then as many parses per measurement as make it cost the minimum.
    constexpr double kMinSeconds = 0.05;
    qint64 n = startN;
    double cost = run(n);
    while (n * 4 <= maxN && cost < kMinSeconds)
        cost = run(n *= 2);
    repeats = int(qBound(1.0, std::ceil(kMinSeconds / qMax(cost, 1e-6)), 1000.0));
    return checkGrowth(run, n, 2 * n, kMinSeconds);
}

QByteArray times(QByteArrayView piece, qint64 n)
{
    QByteArray out;
    out.reserve(piece.size() * n);
    for (qint64 i = 0; i < n; ++i)
        out.append(piece);
    return out;
}

} // namespace KyozoTest
