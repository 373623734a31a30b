// libFuzzer target (issue 14 item 11): the streaming parser on any bytes (invalid UTF-8, NULs,
// lone '\r', a BOM anywhere). SPEC §2.1 is the oracle: the output is identical for every
// chunking, so each input is parsed once whole and then fed in chunks whose sizes the input's
// own bytes choose (deterministic per input, so a crash file reproduces, and the fuzzer steers
// the split points by mutating the bytes where they fall). Block events, items (serialised as
// tests/core/markdownld/tst_chunkinvariance does, through tests/support's CollectingListener)
// and the `kyozo-ld stats` figures must agree; the buffered bytes must stay within
// maxBlockBytes plus the documented line-prefix slack. Each input runs under the default cap
// and under a small one, so the "block larger than maxBlockBytes" paths are reached too.
#include "collectinglistener.h"
#include "markdownld/documentstats.h"
#include "markdownld/streamparser.h"

#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace Kyozo::MarkdownLD;
using KyozoTest::CollectingListener;

namespace {

struct Output
{
    CollectingListener listener;
    QJsonObject stats;
    qsizetype highWater = 0;
};

// Chunk sizes 1..modulus, read from the byte at which each chunk starts. A small modulus splits
// at nearly every boundary (inside UTF-8 sequences, "\r\n", fence markers, the BOM); a large one
// gives long chunks that still cut lines at varied places.
QList<qsizetype> chunkSizes(QByteArrayView input, int modulus)
{
    QList<qsizetype> sizes;
    for (qsizetype pos = 0; pos < input.size();) {
        const qsizetype n = 1 + quint8(input[pos]) % modulus;
        sizes.append(n);
        pos += n;
    }
    return sizes;
}

Output parse(QByteArrayView input, const QList<qsizetype> &sizes, qsizetype maxBlockBytes)
{
    Output out;
    StreamParser::Options options;
    options.maxBlockBytes = maxBlockBytes;
    StreamParser parser(options);
    DocumentStats stats;
    parser.addListener(&out.listener);
    parser.addListener(&stats);
    if (sizes.isEmpty()) {
        parser.feed(input);
        stats.addBytes(input);
    } else {
        qsizetype pos = 0;
        for (const qsizetype n : sizes) {
            const QByteArrayView chunk = input.sliced(pos, qMin(n, input.size() - pos));
            parser.feed(chunk);
            stats.addBytes(chunk);
            pos += n;
        }
    }
    parser.finish();
    out.stats = stats.toJson();
    out.highWater = parser.bufferedHighWaterMark();
    return out;
}

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_parser: %s\n", what);
        __builtin_trap();
    }
}

void checkSame(const Output &whole, const Output &split, const char *what)
{
    if (whole.listener.events != split.listener.events) {
        for (qsizetype i = 0; i < qMax(whole.listener.events.size(), split.listener.events.size());
             ++i) {
            const QString a = whole.listener.events.value(i), b = split.listener.events.value(i);
            if (a != b) {
                std::fprintf(stderr, "event %lld\n whole: %s\n split: %s\n", qint64(i),
                             qPrintable(a), qPrintable(b));
                break;
            }
        }
    }
    check(whole.listener.events == split.listener.events, what);
    check(whole.listener.items == split.listener.items, what);
    check(whole.stats == split.stats, what);
}

void run(QByteArrayView input, qsizetype maxBlockBytes)
{
    const Output whole = parse(input, {}, maxBlockBytes);
    check(whole.highWater <= maxBlockBytes + StreamParser::kLinePrefixBytes,
          "buffered bytes exceed maxBlockBytes + kLinePrefixBytes");
    checkSame(whole, parse(input, chunkSizes(input, 64), maxBlockBytes),
              "chunks of 1..64 bytes changed the output (SPEC §2.1)");
    checkSame(whole, parse(input, chunkSizes(input, 3), maxBlockBytes),
              "chunks of 1..3 bytes changed the output (SPEC §2.1)");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    run(input, StreamParser::Options {}.maxBlockBytes);
    run(input, 96); // smaller than most JSON-LD blocks, front matter and HTML blocks
    return 0;
}
