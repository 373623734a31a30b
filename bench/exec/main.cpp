// bench/exec (issue 17 "Benchmark"): one CellRun at a time, as the scheduler drives it.
//   start latency: start() → started(), start() → first output(), over N runs of
//   `sh -c 'echo hi'`, with and without bubblewrap, p50/p99;
//   throughput: one run printing ~100 MB, MB/s of output() text from the first chunk to
//   finished().
// As root the cells run as `nobody`, as the server's default. Prints figures; never part of
// ctest's pass/fail.
#include "execution/cellrun.h"
#include "execution/processusage.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <unistd.h>
#include <vector>

using namespace Kyozo::Server;

namespace {

struct Timing
{
    double startedMs = -1;
    double firstOutputMs = -1;
    double finishedMs = -1;
    qint64 bytes = 0;
    RunStatus status = RunStatus::Running;
};

Timing runOnce(RunSpec spec)
{
    Timing t;
    QEventLoop loop;
    QElapsedTimer clock;
    CellRun cell(std::move(spec));
    QObject::connect(&cell, &CellRun::started, &loop,
                     [&] { t.startedMs = clock.nsecsElapsed() / 1e6; });
    QString lastText; // what a run that fails said, for the report
    QObject::connect(&cell, &CellRun::output, &loop, [&](const QString &, const QString &text) {
        lastText += text.left(300);
        if (t.firstOutputMs < 0)
            t.firstOutputMs = clock.nsecsElapsed() / 1e6;
        t.bytes += text.size(); // ASCII output: UTF-16 units are bytes
    });
    QObject::connect(&cell, &CellRun::finished, &loop,
                     [&](RunStatus status, int exitCode, const QString &, bool, qint64,
                         const QString &message) {
                         t.finishedMs = clock.nsecsElapsed() / 1e6;
                         t.status = status;
                         static int reported = 0;
                         if (status != RunStatus::Completed && reported++ < 3)
                             std::fprintf(stderr, "run not completed: exit %d, %s: %s\n", exitCode,
                                          qPrintable(message), qPrintable(lastText));
                         loop.quit();
                     });
    QTimer::singleShot(120'000, &loop, &QEventLoop::quit); // a bound, should it hang
    clock.start();
    cell.start();
    loop.exec();
    return t;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int runs = 200;
    qint64 bulkBytes = 100'000'000;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--runs")
            runs = args[++i].toInt();
        else if (args[i] == u"--bytes")
            bulkBytes = args[++i].toLongLong();
    }
    QTemporaryDir root;
    // The run's user must reach its working directory (docs/server.md "Running a cell").
    if (!root.isValid()
        || !QFile::setPermissions(root.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                                          | QFileDevice::ExeOther))
        return 1;
    const QString bwrap = QStandardPaths::findExecutable(QStringLiteral("bwrap"));
    RunSpec base;
    base.runAs = ::geteuid() == 0 ? QStringLiteral("nobody") : QString();
    base.workingDirectory = root.filePath(QStringLiteral("wd"));
    std::printf("exec-bench: %d runs of sh -c 'echo hi' each way, then %lld bytes of output; "
                "run_as %s\n",
                runs, bulkBytes, base.runAs.isEmpty() ? "(self)" : qPrintable(base.runAs));

    for (const bool sandboxed : { false, true }) {
        becomeSubreaper(sandboxed); // as kyozo-server: a subreaper when cells run in bwrap
        if (sandboxed && bwrap.isEmpty()) {
            std::printf("bwrap: not installed, skipped\n");
            continue;
        }
        RunSpec spec = base;
        spec.bwrap = sandboxed ? bwrap : QString();
        spec.command = { QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi") };
        std::vector<double> started, firstOutput, finished;
        int failures = 0;
        for (int i = 0; i < runs; ++i) {
            const Timing t = runOnce(spec);
            if (t.status != RunStatus::Completed || t.firstOutputMs < 0) {
                ++failures;
                continue;
            }
            started.push_back(t.startedMs);
            firstOutput.push_back(t.firstOutputMs);
            finished.push_back(t.finishedMs);
        }
        const char *mode = sandboxed ? "bwrap" : "plain";
        std::printf("%s start latency (ms, %zu runs, %d failed): start->started p50 %.2f p99 "
                    "%.2f | start->first output p50 %.2f p99 %.2f | start->finished p50 %.2f "
                    "p99 %.2f\n",
                    mode, started.size(), failures, percentile(started, 0.5),
                    percentile(started, 0.99), percentile(firstOutput, 0.5),
                    percentile(firstOutput, 0.99), percentile(finished, 0.5),
                    percentile(finished, 0.99));

        spec.command = { QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("yes 012345678901234567890123456789012345678901234567890"
                                        "1234567890123456789012345678 | head -c %1")
                             .arg(bulkBytes) };
        spec.limits.outputBytes = bulkBytes + 1;
        const Timing bulk = runOnce(spec);
        const double seconds = (bulk.finishedMs - bulk.firstOutputMs) / 1000.0;
        std::printf("%s throughput: %lld bytes in %.3f s from the first chunk to finished: %.1f "
                    "MB/s (%s)\n",
                    mode, bulk.bytes, seconds, bulk.bytes / 1e6 / seconds,
                    qPrintable(runStatusName(bulk.status)));
    }
    return 0;
}
