#include "kyozoldrun.h"

#include "testpaths.h"

#include <QProcess>

namespace KyozoTest {

KyozoLdRun runKyozoLd(const QStringList &args, const QByteArray &stdinData, int timeoutMs)
{
    QProcess p;
    p.start(binaryPath(QStringLiteral("kyozo-ld")), args);
    if (!p.waitForStarted(10000))
        return {};
    p.write(stdinData);
    p.closeWriteChannel();
    p.waitForFinished(timeoutMs);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
             p.readAllStandardError() };
}

} // namespace KyozoTest
