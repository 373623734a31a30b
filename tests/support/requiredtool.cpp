#include "requiredtool.h"

namespace KyozoTest {

bool runningInCi() { return qEnvironmentVariable("CI") == QLatin1String("true"); }

} // namespace KyozoTest
