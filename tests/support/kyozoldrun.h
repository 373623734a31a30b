#pragma once

#include <QByteArray>
#include <QStringList>

namespace KyozoTest {

// One run of the real kyozo-ld, as a user or a script runs it: `args`, `stdinData` on
// standard input, at most `timeoutMs`.
struct KyozoLdRun
{
    int exitCode = -1; // -1: it did not start, crashed or ran out of time
    QByteArray out;
    QByteArray err;
};

KyozoLdRun runKyozoLd(const QStringList &args, const QByteArray &stdinData = {},
                      int timeoutMs = 30000);

} // namespace KyozoTest
