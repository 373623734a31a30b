#include "linearity.h"

#include <sys/resource.h>

#include <algorithm>
#include <ctime>
#include <limits>

namespace KyozoTest {

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double childrenCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_CHILDREN, &usage);
    auto seconds = [](const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double threadCpuOf(const std::function<void()> &work)
{
    const double before = threadCpuSeconds();
    work();
    return threadCpuSeconds() - before;
}

double GrowthCheck::allowedRatio() const
{
    if (referenceAtN <= 0 || referenceAt2N <= 0)
        return kMaxRatio;
    // At most 1.25x more: a noisy reference must not let quadratic work (x4) through.
    return kMaxRatio * std::clamp(referenceAt2N / referenceAtN / 2, 1.0, kMaxReferenceAllowance);
}

QString GrowthCheck::describe() const
{
    const QString reference = referenceAtN > 0
        ? QStringLiteral("; linear reference x%1").arg(referenceAt2N / referenceAtN, 0, 'f', 2)
        : QString();
    return QStringLiteral("n = %1: %2 ms CPU, 2n: %3 ms CPU (x%4, linear allows x%5%6; attempt %7)")
        .arg(n)
        .arg(atN * 1000, 0, 'f', 1)
        .arg(at2N * 1000, 0, 'f', 1)
        .arg(atN > 0 ? at2N / atN : 0, 0, 'f', 2)
        .arg(allowedRatio(), 0, 'f', 2)
        .arg(reference)
        .arg(attempt);
}

GrowthCheck checkGrowth(const std::function<double(qint64 n)> &run, qint64 startN, qint64 maxN,
                        double minSeconds, const std::function<double(qint64 n)> &reference)
{
    GrowthCheck best;
    qint64 n = std::max<qint64>(1, startN);
    while (n * 4 <= maxN && run(n) < minSeconds)
        n *= 2;
    const double started = threadCpuSeconds() + childrenCpuSeconds();
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        if (attempt > 0
            && threadCpuSeconds() + childrenCpuSeconds() - started > kRetryBudgetSeconds)
            break; // slow enough to be measured well: no noise to retry for
        // Interleaved, so that a busy moment of the machine lands on both sizes alike.
        GrowthCheck check;
        check.n = n;
        check.attempt = attempt + 1;
        check.atN = check.at2N = std::numeric_limits<double>::max();
        if (reference)
            check.referenceAtN = check.referenceAt2N = std::numeric_limits<double>::max();
        for (int i = 0; i < 3; ++i) {
            check.atN = std::min(check.atN, run(n));
            if (reference)
                check.referenceAtN = std::min(check.referenceAtN, reference(n));
            check.at2N = std::min(check.at2N, run(2 * n));
            if (reference)
                check.referenceAt2N = std::min(check.referenceAt2N, reference(2 * n));
        }
        // The attempt with the most headroom under what it allows.
        if (attempt == 0
            || check.at2N / (check.atN * check.allowedRatio())
                < best.at2N / (best.atN * best.allowedRatio()))
            best = check;
        if (best.linear())
            break;
    }
    return best;
}

} // namespace KyozoTest
