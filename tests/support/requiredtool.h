#pragma once

#include <QString>
#include <QtTest>

namespace KyozoTest {

// True in CI (CI=true), where a test that would skip for a missing tool must fail instead.
bool runningInCi();

// Skips the current test when `what` is missing, or fails it under CI=true.
#define KYOZO_REQUIRE(condition, what)                                                       \
    do {                                                                                     \
        if (!(condition)) {                                                                  \
            if (KyozoTest::runningInCi())                                                    \
                QFAIL(qPrintable(QStringLiteral("missing in CI: %1").arg(what)));            \
            QSKIP(qPrintable(QStringLiteral("missing: %1").arg(what)));                      \
        }                                                                                    \
    } while (false)

} // namespace KyozoTest
