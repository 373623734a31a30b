// bench/stego (issue 5): detect and decode throughput over 100 MB of text, with no
// invisible runs and with a Kyozo run every ~1 KB, against memchr over the same buffer
// (the floor: one pass that finds nothing). Prints MB/s (10^6 bytes/s), best of three.
//
//   build/bench/bin/stego-bench [CORPUS.md]   (default: generated prose)
#include "stego/invisiblerun.h"
#include "stego/zerowidthcodec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <cstring>
#include <functional>

using namespace Kyozo::Stego;

namespace {

double mbps(qint64 bytes, const std::function<void()> &work)
{
    qint64 best = -1;
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        work();
        best = best < 0 ? t.nsecsElapsed() : qMin(best, t.nsecsElapsed());
    }
    return double(bytes) / 1e6 / (double(best) / 1e9);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QByteArray base;
    if (argc > 1) {
        QFile f(app.arguments().at(1));
        if (f.open(QIODevice::ReadOnly))
            base = f.read(100 * 1000 * 1000);
    }
    if (base.isEmpty()) {
        const QByteArray sentence = "Linked data in plain Markdown, with \xE2\x80\x9Cquotes\xE2\x80\x9D \xE2\x80\x94 and caf\xC3\xA9 text.\n";
        while (base.size() < 100 * 1000 * 1000)
            base += sentence;
    }
    QString error;
    Container::SealOptions options;
    options.compress = false;
    const QByteArray run = [&] {
        const auto hidden = ZeroWidthCodec::encode("x y", "hidden!", options, &error);
        return hidden->mid(1, hidden->size() - 3); // the run alone
    }();
    QByteArray withRuns;
    withRuns.reserve(base.size() + base.size() / 1000 * run.size());
    // A run after the word that ends at the first space past every ~1,000 bytes.
    for (qsizetype at = 0; at < base.size();) {
        const qsizetype cut = base.indexOf(' ', qMin(at + 1000, base.size()));
        if (cut < 0) {
            withRuns += QByteArrayView(base).sliced(at);
            break;
        }
        withRuns += QByteArrayView(base).sliced(at, cut - at);
        withRuns += run;
        at = cut;
    }
    volatile qsizetype sink = 0;
    auto floor = [&](const QByteArray &b) {
        return mbps(b.size(), [&] { sink = sink + (std::memchr(b.constData(), '\x01', size_t(b.size())) != nullptr); });
    };
    std::printf("%-28s %12s %12s %12s\n", "text", "memchr MB/s", "detect MB/s", "decode MB/s");
    for (const auto &[name, text] : { std::pair{ "no runs", &base }, std::pair{ "a run every ~1 KB", &withRuns } }) {
        qsizetype runs = 0, payloads = 0;
        const double f = floor(*text);
        const double d = mbps(text->size(), [&] { runs = detectRuns(*text).size(); });
        const double c = mbps(text->size(), [&] { payloads = ZeroWidthCodec::decode(*text).size(); });
        std::printf("%-28s %12.0f %12.1f %12.1f   (%lld runs, %lld payloads, %.1f MB)\n", name, f, d, c,
                    qint64(runs), qint64(payloads), double(text->size()) / 1e6);
    }
    std::printf("targets: detect >= 1000 MB/s with no runs, >= 300 MB/s with a run every ~1 KB\n");
    return int(sink & 0);
}
