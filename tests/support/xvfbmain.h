#pragma once

// What the app tests that a person would look at share: their own QApplication on a private
// Xvfb, and screenshots saved where docs/screenshots is refreshed from. Header-only: it needs
// QtWidgets, which the test support library does not link, and the test's build directory.
#include "requiredtool.h"
#include "xvfbserver.h"

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QtTest>

namespace KyozoTest {

// Before the test's QApplication exists: a private Xvfb of `screen` for it. Without Xvfb,
// Qt's offscreen platform and an empty display: tests that need a real one then
// KYOZO_REQUIRE it (a failure under CI=true).
inline QString useXvfb(XvfbServer &xvfb, const char *screen)
{
    if (!xvfb.start(screen)) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return {};
    }
    qputenv("DISPLAY", xvfb.display().toUtf8());
    qputenv("QT_QPA_PLATFORM", "xcb");
    return xvfb.display();
}

// The image as <test build dir>/screenshots/<name>, the path logged for whoever looks at it.
inline bool saveScreenshot(const QImage &image, const QString &name, const QString &buildDir)
{
    const QString dir = buildDir + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    if (image.isNull() || !image.save(dir + u'/' + name))
        return false;
    qInfo("screenshot: %s/%s", qPrintable(dir), qPrintable(name));
    return true;
}

} // namespace KyozoTest

#define KYOZO_SAVE_SCREENSHOT(image, name)                                                   \
    KyozoTest::saveScreenshot((image), QStringLiteral(name),                                 \
                              QStringLiteral(QT_TESTCASE_BUILDDIR))

// main() for a test class constructed with the display (empty when offscreen).
#define KYOZO_TEST_MAIN_UNDER_XVFB(TestClass, screen)                                        \
    int main(int argc, char *argv[])                                                         \
    {                                                                                        \
        KyozoTest::XvfbServer xvfb;                                                          \
        const QString display = KyozoTest::useXvfb(xvfb, screen);                            \
        QApplication app(argc, argv);                                                        \
        TestClass test(display);                                                             \
        return QTest::qExec(&test, argc, argv);                                              \
    }
