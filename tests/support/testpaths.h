#pragma once

#include <QString>

namespace KyozoTest {
// The source tree (committed test data) and build tree (executables under test).
QString sourcePath(const QString &relative);
QString binaryPath(const QString &executable);
} // namespace KyozoTest
