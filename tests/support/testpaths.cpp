#include "testpaths.h"

#include <QDir>

namespace KyozoTest {

QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(KYOZO_SOURCE_DIR)).filePath(relative);
}

QString binaryPath(const QString &executable)
{
    // ctest sets KYOZO_BIN_DIR (cmake/KyozoTesting.cmake).
    return QDir(qEnvironmentVariable("KYOZO_BIN_DIR")).filePath(executable);
}

} // namespace KyozoTest
