// bench/parser (issue 3): throughput of the Kyozo streaming parser against md4c and
// cmark-gfm on the reference corpus from ../shared/bench/make-corpus.sh, the cost of
// extraction, and the peak RSS of `kyozo-ld extract` on 10 MB and on a 1 GB stream.
//
//   build/bench/bin/parser CORPUS.md [CORPUS-10MB.md]
#include "markdownld/streamparser.h"
#include "rss.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <cmark-gfm.h>
#include <md4c.h>

#include <cstdio>
#include <functional>

using namespace Kyozo::MarkdownLD;

namespace {

class CountingListener : public StreamListener
{
public:
    void blockClosed(const BlockEvent &) override { ++blocks; }
    void itemFound(const SemanticItem &) override { ++items; }
    qint64 blocks = 0;
    qint64 items = 0;
};

// Best of `runs`, in MB/s (10^6 bytes).
double throughput(qint64 bytes, int runs, const std::function<void()> &work)
{
    qint64 best = -1;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        work();
        const qint64 ns = t.nsecsElapsed();
        if (best < 0 || ns < best)
            best = ns;
    }
    return double(bytes) / 1e6 / (double(best) / 1e9);
}

qint64 runKyozo(const QByteArray &doc, CountingListener *counts)
{
    StreamParser parser;
    CountingListener local;
    parser.addListener(counts ? counts : &local);
    constexpr qsizetype chunk = 64 * 1024;
    for (qsizetype at = 0; at < doc.size(); at += chunk)
        parser.feed(QByteArrayView(doc).sliced(at, qMin(chunk, doc.size() - at)));
    parser.finish();
    return parser.bufferedHighWaterMark();
}

int md4cEnter(MD_BLOCKTYPE, void *, void *) { return 0; }
int md4cLeave(MD_BLOCKTYPE, void *, void *) { return 0; }
int md4cSpanEnter(MD_SPANTYPE, void *, void *) { return 0; }
int md4cSpanLeave(MD_SPANTYPE, void *, void *) { return 0; }
int md4cText(MD_TEXTTYPE, const MD_CHAR *, MD_SIZE, void *) { return 0; }

void runMd4c(const QByteArray &doc, unsigned flags)
{
    MD_PARSER parser{};
    parser.flags = flags;
    parser.enter_block = md4cEnter;
    parser.leave_block = md4cLeave;
    parser.enter_span = md4cSpanEnter;
    parser.leave_span = md4cSpanLeave;
    parser.text = md4cText;
    md_parse(doc.constData(), MD_SIZE(doc.size()), &parser, nullptr);
}

void runCmark(const QByteArray &doc)
{
    cmark_node *root = cmark_parse_document(doc.constData(), size_t(doc.size()), CMARK_OPT_DEFAULT);
    cmark_node_free(root);
}

// The corpus with a JSON-LD block and an HTML metadata block inserted every ~50 KB at a
// blank line, to show what extraction costs when there is data to extract.
QByteArray withMetadata(const QByteArray &corpus, qint64 *inserted)
{
    static const QByteArray block =
            "\n```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": \"Article\", "
            "\"@id\": \"#a\", \"name\": \"Injected\", \"author\": {\"@type\": \"Person\", \"name\": \"Ada\"}}\n```\n\n"
            "<meta name=\"DC.title\" content=\"Injected\">\n<meta property=\"og:title\" content=\"Injected\">\n\n";
    QByteArray out;
    out.reserve(corpus.size() + corpus.size() / 50000 * block.size() + block.size());
    qsizetype at = 0;
    *inserted = 0;
    while (at < corpus.size()) {
        qsizetype next = corpus.indexOf("\n\n", qMin(at + 50000, corpus.size()));
        if (next < 0) {
            out += QByteArrayView(corpus).sliced(at);
            break;
        }
        out += QByteArrayView(corpus).sliced(at, next + 2 - at);
        // Only where no fence is open: a line count of ``` would be needed in general;
        // inserting after a blank line outside code is what make-corpus.sh makes likely.
        out += block;
        ++*inserted;
        at = next + 2;
    }
    return out;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(path));
        std::exit(1);
    }
    return f.readAll();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: %s CORPUS.md [CORPUS-10MB.md]\n(make one with ../shared/bench/make-corpus.sh DIR)\n",
                     qPrintable(args.first()));
        return 2;
    }
    const QString kyozoLd = QStringLiteral(KYOZO_BIN_DIR "/kyozo-ld");
    const QStringList extract = { QStringLiteral("extract"), QStringLiteral("-") };
    const QString smallPath = args.size() > 2 ? args.at(2) : args.at(1);
    const qint64 smallBytes = qMin<qint64>(QFileInfo(smallPath).size(), 10LL * 1000 * 1000);
    const long rssSmall = peakRssKiB(kyozoLd, extract, smallPath, smallBytes);
    const long rssLarge = peakRssKiB(kyozoLd, extract, args.at(1), 1000LL * 1000 * 1000);
    const long rssTrue = peakRssKiB(QStringLiteral("/bin/true"), {}, smallPath, 0);

    const QByteArray corpus = readFile(args.at(1));
    const int runs = 3;
    std::printf("corpus: %s, %.1f MB; best of %d runs, MB/s = 10^6 bytes/s\n", qPrintable(args.at(1)),
                double(corpus.size()) / 1e6, runs);

    CountingListener counts;
    const qint64 highWater = runKyozo(corpus, &counts);
    const double kyozo = throughput(corpus.size(), runs, [&] { runKyozo(corpus, nullptr); });
    const double md4c = throughput(corpus.size(), runs, [&] { runMd4c(corpus, MD_DIALECT_GITHUB); });
    const double md4cPlain = throughput(corpus.size(), runs, [&] { runMd4c(corpus, MD_DIALECT_COMMONMARK); });
    const double cmark = throughput(corpus.size(), runs, [&] { runCmark(corpus); });
    std::printf("kyozo StreamParser, all extractors : %8.1f MB/s  (%lld blocks, %lld items, buffered high-water %lld B)\n",
                kyozo, counts.blocks, counts.items, highWater);
    std::printf("md4c md_parse, empty callbacks     : %8.1f MB/s GitHub dialect, %.1f MB/s CommonMark\n", md4c, md4cPlain);
    std::printf("cmark-gfm parse only               : %8.1f MB/s\n", cmark);
    std::printf("kyozo / md4c = %.2fx GitHub, %.2fx CommonMark (target >= 1.0x); kyozo / cmark-gfm = %.2fx (target >= 5x)\n",
                kyozo / md4c, kyozo / md4cPlain, kyozo / cmark);

    qint64 inserted = 0;
    const QByteArray rich = withMetadata(corpus, &inserted);
    CountingListener richCounts;
    runKyozo(rich, &richCounts);
    const double kyozoRich = throughput(rich.size(), runs, [&] { runKyozo(rich, nullptr); });
    std::printf("kyozo with metadata every ~50 KB   : %8.1f MB/s  (%lld insertions, %lld items)\n",
                kyozoRich, inserted, richCounts.items);

    std::printf("kyozo-ld extract peak RSS: %ld KiB on %.0f MB, %ld KiB on a 1 GB stdin stream (%+.1f%%; target <= 10%%, < 32 MiB)\n",
                rssSmall, double(smallBytes) / 1e6, rssLarge,
                rssSmall > 0 ? 100.0 * double(rssLarge - rssSmall) / double(rssSmall) : 0.0);
    std::printf("  (measured with GNU time; /bin/true measures %ld KiB the same way)\n", rssTrue);
    return 0;
}
