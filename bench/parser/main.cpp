// bench/parser (issue 3): throughput of the Kyozo streaming parser against md4c and
// cmark-gfm on the reference corpus from ../shared/bench/make-corpus.sh, the cost of
// extraction, the peak RSS of `kyozo-ld extract` on 10 MB and on a 1 GB stream, and
// (issue 14 item 9) `kyozo-ld stats` and `extract` as whole processes against md4c
// parse-only, measured in turns in the same run.
//
//   build/bench/bin/parser [--whole-process-only] [--runs N] [--kyozo-ld PATH] CORPUS.md
//   [CORPUS-10MB.md]
#include "childtime.h"
#include "markdownld/streamparser.h"
#include "rss.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <cmark-gfm.h>
#include <md4c.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

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

int md4cEnter(MD_BLOCKTYPE, void *, void *)
{
    return 0;
}
int md4cLeave(MD_BLOCKTYPE, void *, void *)
{
    return 0;
}
int md4cSpanEnter(MD_SPANTYPE, void *, void *)
{
    return 0;
}
int md4cSpanLeave(MD_SPANTYPE, void *, void *)
{
    return 0;
}
int md4cText(MD_TEXTTYPE, const MD_CHAR *, MD_SIZE, void *)
{
    return 0;
}

void runMd4c(const QByteArray &doc, unsigned flags)
{
    MD_PARSER parser {};
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
    static const QByteArray block
        = "\n```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": \"Article\", "
          "\"@id\": \"#a\", \"name\": \"Injected\", \"author\": {\"@type\": \"Person\", \"name\": "
          "\"Ada\"}}\n```\n\n"
          "<meta name=\"DC.title\" content=\"Injected\">\n<meta property=\"og:title\" "
          "content=\"Injected\">\n\n";
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

qint64 processCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Samples
{
    std::vector<qint64> wallNs;
    std::vector<qint64> cpuNs;
    static qint64 best(std::vector<qint64> v) { return *std::min_element(v.begin(), v.end()); }
    static qint64 median(std::vector<qint64> v)
    {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

double mbPerSecond(qint64 bytes, qint64 ns)
{
    return double(bytes) / 1e6 / (double(ns) / 1e9);
}

// `kyozo-ld stats FILE` and `kyozo-ld extract FILE` (whole processes: start, read, UTF-8
// check, parse, print) against md4c's md_parse on the same bytes already in memory, one of
// each per round so that all three see the same load on this shared VM. Throughput of the
// best and of the median round, from wall time and from CPU time (user + system).
void wholeProcess(const QString &kyozoLd, const QString &path, const QByteArray &corpus, int runs)
{
    Samples md4c, stats, extract, implicit;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        const qint64 cpu0 = processCpuNs();
        t.start();
        runMd4c(corpus, MD_DIALECT_GITHUB);
        md4c.wallNs.push_back(t.nsecsElapsed());
        md4c.cpuNs.push_back(processCpuNs() - cpu0);
        // Issue 16: `extract --implicit` beside plain extract, in the same rounds.
        for (auto [samples, command] :
             { std::pair { &stats, "stats" }, std::pair { &extract, "extract" },
               std::pair { &implicit, "extract --implicit" } }) {
            QStringList args = QString::fromLatin1(command).split(QLatin1Char(' '));
            args.append(path);
            const ChildTime c = timeChild(kyozoLd, args);
            if (!c.ok) {
                std::fprintf(stderr, "kyozo-ld %s %s failed\n", command, qPrintable(path));
                std::exit(1);
            }
            samples->wallNs.push_back(c.wallNs);
            samples->cpuNs.push_back(c.cpuNs);
        }
    }
    const qint64 bytes = corpus.size();
    std::printf(
        "whole process, %d rounds (md4c md_parse GitHub dialect in memory; kyozo-ld reads %s):\n",
        runs, qPrintable(path));
    std::printf("  %-30s %12s %12s %12s %12s\n", "MB/s", "best wall", "median wall", "best CPU",
                "median CPU");
    for (auto [name, s] :
         { std::pair { "md4c parse-only", &md4c }, std::pair { "kyozo-ld stats", &stats },
           std::pair { "kyozo-ld extract", &extract },
           std::pair { "kyozo-ld extract --implicit", &implicit } })
        std::printf("  %-30s %12.1f %12.1f %12.1f %12.1f\n", name,
                    mbPerSecond(bytes, Samples::best(s->wallNs)),
                    mbPerSecond(bytes, Samples::median(s->wallNs)),
                    mbPerSecond(bytes, Samples::best(s->cpuNs)),
                    mbPerSecond(bytes, Samples::median(s->cpuNs)));
    auto ratio = [](const std::vector<qint64> &base, const std::vector<qint64> &other,
                    qint64 (*pick)(std::vector<qint64>)) {
        return double(pick(base)) / double(pick(other));
    };
    std::printf("  stats / md4c = %.2fx best wall, %.2fx median wall, %.2fx best CPU, %.2fx median "
                "CPU (target >= 1.0x)\n",
                ratio(md4c.wallNs, stats.wallNs, Samples::best),
                ratio(md4c.wallNs, stats.wallNs, Samples::median),
                ratio(md4c.cpuNs, stats.cpuNs, Samples::best),
                ratio(md4c.cpuNs, stats.cpuNs, Samples::median));
    std::printf("  extract --implicit / md4c = %.2fx best wall, %.2fx median wall, %.2fx best CPU, "
                "%.2fx median CPU (target >= 1.0x)\n",
                ratio(md4c.wallNs, implicit.wallNs, Samples::best),
                ratio(md4c.wallNs, implicit.wallNs, Samples::median),
                ratio(md4c.cpuNs, implicit.cpuNs, Samples::best),
                ratio(md4c.cpuNs, implicit.cpuNs, Samples::median));
    std::printf("  extract / md4c = %.2fx best wall, %.2fx best CPU\n",
                ratio(md4c.wallNs, extract.wallNs, Samples::best),
                ratio(md4c.cpuNs, extract.cpuNs, Samples::best));
    std::printf("  stats / extract = %.2fx best wall, %.2fx best CPU\n",
                ratio(extract.wallNs, stats.wallNs, Samples::best),
                ratio(extract.cpuNs, stats.cpuNs, Samples::best));
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
    QStringList args = app.arguments();
    const bool wholeProcessOnly = args.removeAll(QStringLiteral("--whole-process-only")) > 0;
    int wholeProcessRuns = 5;
    if (const qsizetype at = args.indexOf(QStringLiteral("--runs"));
        at > 0 && at + 1 < args.size()) {
        wholeProcessRuns = qMax(1, args.at(at + 1).toInt());
        args.remove(at, 2);
    }
    QString kyozoLd = QStringLiteral(KYOZO_BIN_DIR "/kyozo-ld");
    if (const qsizetype at = args.indexOf(QStringLiteral("--kyozo-ld"));
        at > 0 && at + 1 < args.size()) {
        kyozoLd = args.at(at + 1); // another build, for before/after figures
        args.remove(at, 2);
    }
    if (args.size() < 2) {
        std::fprintf(stderr,
                     "usage: %s [--whole-process-only] [--runs N] [--kyozo-ld PATH] CORPUS.md "
                     "[CORPUS-10MB.md]\n"
                     "(make one with ../shared/bench/make-corpus.sh DIR)\n",
                     qPrintable(args.first()));
        return 2;
    }
    if (wholeProcessOnly) {
        wholeProcess(kyozoLd, args.at(1), readFile(args.at(1)), wholeProcessRuns);
        return 0;
    }
    const QStringList extract = { QStringLiteral("extract"), QStringLiteral("-") };
    const QString smallPath = args.size() > 2 ? args.at(2) : args.at(1);
    const qint64 smallBytes = qMin<qint64>(QFileInfo(smallPath).size(), 10LL * 1000 * 1000);
    const long rssSmall = peakRssKiB(kyozoLd, extract, smallPath, smallBytes);
    const long rssLarge = peakRssKiB(kyozoLd, extract, args.at(1), 1000LL * 1000 * 1000);
    const long rssTrue = peakRssKiB(QStringLiteral("/bin/true"), {}, smallPath, 0);

    const QByteArray corpus = readFile(args.at(1));
    const int runs = 3;
    std::printf("corpus: %s, %.1f MB; best of %d runs, MB/s = 10^6 bytes/s\n",
                qPrintable(args.at(1)), double(corpus.size()) / 1e6, runs);

    CountingListener counts;
    const qint64 highWater = runKyozo(corpus, &counts);
    const double kyozo = throughput(corpus.size(), runs, [&] { runKyozo(corpus, nullptr); });
    const double md4c
        = throughput(corpus.size(), runs, [&] { runMd4c(corpus, MD_DIALECT_GITHUB); });
    const double md4cPlain
        = throughput(corpus.size(), runs, [&] { runMd4c(corpus, MD_DIALECT_COMMONMARK); });
    const double cmark = throughput(corpus.size(), runs, [&] { runCmark(corpus); });
    std::printf("kyozo StreamParser, all extractors : %8.1f MB/s  (%lld blocks, %lld items, "
                "buffered high-water %lld B)\n",
                kyozo, counts.blocks, counts.items, highWater);
    std::printf(
        "md4c md_parse, empty callbacks     : %8.1f MB/s GitHub dialect, %.1f MB/s CommonMark\n",
        md4c, md4cPlain);
    std::printf("cmark-gfm parse only               : %8.1f MB/s\n", cmark);
    std::printf("kyozo / md4c = %.2fx GitHub, %.2fx CommonMark (target >= 1.0x); kyozo / cmark-gfm "
                "= %.2fx (target >= 5x)\n",
                kyozo / md4c, kyozo / md4cPlain, kyozo / cmark);

    qint64 inserted = 0;
    const QByteArray rich = withMetadata(corpus, &inserted);
    CountingListener richCounts;
    runKyozo(rich, &richCounts);
    const double kyozoRich = throughput(rich.size(), runs, [&] { runKyozo(rich, nullptr); });
    std::printf("kyozo with metadata every ~50 KB   : %8.1f MB/s  (%lld insertions, %lld items)\n",
                kyozoRich, inserted, richCounts.items);

    std::printf("kyozo-ld extract peak RSS: %ld KiB on %.0f MB, %ld KiB on a 1 GB stdin stream "
                "(%+.1f%%; target <= 10%%, < 32 MiB)\n",
                rssSmall, double(smallBytes) / 1e6, rssLarge,
                rssSmall > 0 ? 100.0 * double(rssLarge - rssSmall) / double(rssSmall) : 0.0);
    std::printf("  (measured with GNU time; /bin/true measures %ld KiB the same way)\n", rssTrue);
    wholeProcess(kyozoLd, args.at(1), corpus, wholeProcessRuns);
    return 0;
}
