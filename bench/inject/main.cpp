// bench/inject (issue 18): `kyozo-ld inject` beside `kyozo-ld extract` on the same corpus,
// as whole processes in turns (one extract, one inject per round) so both see the same
// load; then inject's peak RSS on 10 MB and on 1 GB (the corpus repeated into a temporary
// file), which must stay flat. Prints figures; never part of ctest.
#include "childtime.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

namespace {

double mbPerSecond(qint64 bytes, qint64 ns)
{
    return ns > 0 ? double(bytes) / 1e6 / (double(ns) / 1e9) : 0;
}

qint64 median(QList<qint64> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("kyozo-ld inject against extract"));
    parser.addHelpOption();
    const QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Rounds (default 5)."),
                                  QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption kyozoLd(
        QStringLiteral("kyozo-ld"), QStringLiteral("The kyozo-ld to measure."),
        QStringLiteral("PATH"), QStringLiteral(KYOZO_BIN_DIR "/kyozo-ld"));
    const QCommandLineOption gigabyte(QStringLiteral("no-1gb"),
                                      QStringLiteral("Skip the 1 GB RSS run."));
    parser.addOptions({ runs, kyozoLd, gigabyte });
    parser.addPositionalArgument(QStringLiteral("CORPUS"), QStringLiteral("corpus.md (100 MB)"));
    parser.addPositionalArgument(QStringLiteral("SMALL"), QStringLiteral("corpus-10mb.md"));
    parser.process(app);
    if (parser.positionalArguments().size() != 2) {
        std::fprintf(stderr, "usage: inject-bench CORPUS SMALL (make-corpus.sh builds both)\n");
        return 2;
    }
    const QString corpus = parser.positionalArguments().at(0);
    const QString small = parser.positionalArguments().at(1);
    const QString ld = parser.value(kyozoLd);
    QTemporaryDir dir;
    QFile data(dir.filePath(QStringLiteral("data.json")));
    if (!data.open(QIODevice::WriteOnly))
        return 1;
    data.write(
        R"({"@context":"https://schema.org","@id":"urn:bench","@type":"Dataset","name":"Bench"})");
    data.close();
    const qint64 bytes = QFileInfo(corpus).size();

    QList<qint64> extractWall, injectWall, extractCpu, injectCpu;
    for (int round = 0; round < parser.value(runs).toInt(); ++round) {
        const ChildTime e = timeChild(ld, { QStringLiteral("extract"), corpus });
        const ChildTime i
            = timeChild(ld,
                        { QStringLiteral("inject"), QStringLiteral("--data"), data.fileName(),
                          QStringLiteral("--position"), QStringLiteral("end"), corpus });
        if (!e.ok || !i.ok) {
            std::fprintf(stderr, "inject-bench: a run failed\n");
            return 1;
        }
        extractWall.append(e.wallNs);
        injectWall.append(i.wallNs);
        extractCpu.append(e.cpuNs);
        injectCpu.append(i.cpuNs);
    }
    const auto line = [&](const char *what, const QList<qint64> &wall, const QList<qint64> &cpu) {
        std::printf("%-8s best %7.1f MB/s, median %7.1f MB/s (wall); median %7.1f MB/s (cpu)\n",
                    what, mbPerSecond(bytes, *std::min_element(wall.begin(), wall.end())),
                    mbPerSecond(bytes, median(wall)), mbPerSecond(bytes, median(cpu)));
    };
    std::printf("corpus: %lld bytes, %d rounds\n", bytes, int(extractWall.size()));
    line("extract", extractWall, extractCpu);
    line("inject", injectWall, injectCpu);
    std::printf("inject / extract: %.2f (median wall), %.2f (median cpu); target >= 0.8\n",
                double(median(extractWall)) / double(median(injectWall)),
                double(median(extractCpu)) / double(median(injectCpu)));

    // Peak RSS: inject reads a file twice, standard input once into a spool.
    const auto rss = [&](const QString &file) {
        return timeChild(ld,
                         { QStringLiteral("inject"), QStringLiteral("--data"), data.fileName(),
                           QStringLiteral("--position"), QStringLiteral("end"), file })
            .maxRssKb;
    };
    std::printf("peak RSS: 10 MB %lld KiB", rss(small));
    if (!parser.isSet(gigabyte)) {
        QFile big(dir.filePath(QStringLiteral("big.md")));
        QFile in(corpus);
        if (!big.open(QIODevice::WriteOnly) || !in.open(QIODevice::ReadOnly))
            return 1;
        while (big.size() < 1000000000) {
            in.seek(0);
            while (!in.atEnd() && big.size() < 1000000000)
                big.write(in.read(1 << 20));
        }
        big.close();
        std::printf(", 1 GB %lld KiB", rss(big.fileName()));
    }
    std::printf("\n");
    return 0;
}
