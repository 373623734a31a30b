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
    QMap<qint64, QByteArray> prose; // plain paragraphs of the same sizes
    // Each size is made once, outside the measurement; only the current step's two are kept.
    auto kept = [](QMap<qint64, QByteArray> &sizes, qint64 n,
                   const std::function<QByteArray()> &makeIt) -> const QByteArray & {
        if (!sizes.contains(n)) {
            while (sizes.size() >= 2)
                sizes.erase(sizes.begin());
            sizes.insert(n, makeIt());
        }
        return sizes[n];
    };
    int repeats = 1;
    int referenceRepeats = 1;
    auto parse = [&](const QByteArray &document, int count) {
        return threadCpuOf([&] {
            for (int i = 0; i < count; ++i)
                extractAndStats(document, 2 * document.size() + 1024 * 1024, includeImplicit);
        });
    };
    auto document = [&](qint64 n) -> const QByteArray & {
        return kept(made, n, [&] { return make(n); });
    };
    auto run = [&](qint64 n) { return parse(document(n), repeats); };
    // Plain prose is the linear reference: the parser's cheapest path, so what grows in it
    // from n to 2n is the machine's cost per byte (a 3 MB document leaves a 1 MB L2 cache), not
    // the parser's.
    auto reference = [&](qint64 n) {
        const QByteArray &same = kept(prose, n, [&] {
            const QByteArrayView paragraph("Plain words in a paragraph, and one more line of them.\n\n");
            const qsizetype bytes = document(n).size();
            return times(paragraph, bytes / paragraph.size() + 1).left(bytes);
        });
        return parse(same, referenceRepeats);
    };
    // The size first, then as many parses per measurement as make it cost the minimum.
    constexpr double kMinSeconds = 0.05;
    qint64 n = startN;
    double cost = run(n);
    while (n * 4 <= maxN && cost < kMinSeconds)
        cost = run(n *= 2);
    // The first parse of a size is cold (its document just made, the heap not yet grown): a
    // warm one sets the repeats, or a measurement could cost half the minimum and be noise.
    cost = qMin(cost, run(n));
    const auto repeatsFor = [](double cost) {
        return int(qBound(1.0, std::ceil(kMinSeconds / qMax(cost, 1e-6)), 1000.0));
    };
    repeats = repeatsFor(cost);
    // The reference is timed as long, or its growth would be timer noise.
    referenceRepeats = repeatsFor(qMin(reference(n), reference(n)));
    return checkGrowth(run, n, 2 * n, kMinSeconds, reference);
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
