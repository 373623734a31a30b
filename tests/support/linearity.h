#pragma once

#include <QString>

#include <functional>

namespace KyozoTest {

// Linearity without wall-clock bounds (issue 14 item 8): what a test compares is CPU time,
// which other processes on a loaded machine do not add to, at n and at 2n.

// CPU time used so far by the calling thread (CLOCK_THREAD_CPUTIME_ID), in seconds.
double threadCpuSeconds();
// CPU time (user + system) of the children this process has waited for
// (getrusage(RUSAGE_CHILDREN)), in seconds: QProcess waits for the ones it starts.
double childrenCpuSeconds();
// The calling thread's CPU seconds spent in `work`.
double threadCpuOf(const std::function<void()> &work);

struct GrowthCheck
{
    qint64 n = 0;
    int attempt = 1;
    double atN = 0; // best of three, seconds
    double at2N = 0; // best of three, seconds
    // A linear reference of the same sizes, when there is one (0 otherwise): how CPU time
    // per byte changes from n to 2n on this machine, caches and page faults included.
    double referenceAtN = 0;
    double referenceAt2N = 0;
    // The growth allowed: kMaxRatio, scaled up by as much as the reference grew past 2x, up
    // to kMaxReferenceAllowance.
    double allowedRatio() const;
    bool linear() const { return at2N <= allowedRatio() * atN; }
    QString describe() const;
    // Linear code doubles (plus noise); quadratic code quadruples.
    static constexpr double kMaxRatio = 3.0;
    static constexpr double kMaxReferenceAllowance = 1.25;
};

constexpr int kAttempts = 3;
constexpr double kRetryBudgetSeconds = 5.0;

// `run(n)` does the operation on an input of size n and returns the CPU seconds it took.
// n doubles from `startN` until one run costs at least `minSeconds` (or 2n would pass `maxN`),
// so that the comparison is not lost in timer resolution and fixed costs; then the best of
// three runs at n is compared with the best of three at 2n, interleaved. A machine shared with
// other jobs still steals cache and (in a VM) CPU time now and then, so a comparison that
// fails is made again, up to kAttempts times, and the best one is returned: quadratic work
// fails every time; no attempt is repeated once the check has cost kRetryBudgetSeconds of
// CPU. Bounded: at most log2(maxN / startN) calibration runs and 6 * kAttempts measured ones.
// With `reference` (linear work on an input of the same size), each round measures it next
// to `run` and the check allows what the reference's own growth shows: a document that
// leaves the cache at 2n costs more per byte whatever parses it.
GrowthCheck checkGrowth(const std::function<double(qint64 n)> &run, qint64 startN, qint64 maxN,
                        double minSeconds = 0.05,
                        const std::function<double(qint64 n)> &reference = {});

} // namespace KyozoTest
