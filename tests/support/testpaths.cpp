#include "testpaths.h"

#include <QDir>

namespace KyozoTest {

QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(KYOZO_SOURCE_DIR)).filePath(relative);
}

QString binaryPath(const QString &executable)
{
    // ctest sets KYOZO_BIN_DIR (cmake/KyozoTesting.cmake); run by hand, the build's own.
    const QString dir = qEnvironmentVariable("KYOZO_BIN_DIR", QStringLiteral(KYOZO_DEFAULT_BIN_DIR));
    return QDir(dir).filePath(executable);
}

} // namespace KyozoTest
