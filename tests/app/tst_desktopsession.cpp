// The real app on a real X server (Xvfb) with its real bundled server (issue 6): it shows
// "connected", a screenshot of the screen goes into the build tree, and a second client
// joining the workspace sees the app's user present.
#include "appprocess.h"
#include "presencecheck.h"
#include "requiredtool.h"
#include "testpaths.h"
#include "xvfbmain.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QScreen>
#include <QSet>
#include <QtTest>

using KyozoTest::AppProcess;

class TestDesktopSession : public QObject
{
    Q_OBJECT
public:
    explicit TestDesktopSession(QString display) : m_display(std::move(display)) { }

private slots:
    void appOnXvfbConnectsAndIsPresent();

private:
    QString m_display;
};

void TestDesktopSession::appOnXvfbConnectsAndIsPresent()
{
    KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), m_display);
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the app finds the display as a desktop would
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    AppProcess app;
    app.start({ KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")) }, env);
    QVERIFY2(app.waitForLine(QStringLiteral("kyozo.status: Connected to the local server"), 60000) >= 0,
             qPrintable(app.output()));

    const QJsonArray metas = presenceOf(app.serverUrl(), app.observerToken(QStringLiteral("observer")), QStringLiteral("ada"));
    QCOMPARE(metas.size(), 1);
    QCOMPARE(metas[0].toObject().value(QLatin1String("client")).toString(), QStringLiteral("kyozo-desktop"));

    // The screen as a person would see it, taken by this process from the same X server.
    QScreen *screen = QGuiApplication::primaryScreen();
    QVERIFY(screen);
    QImage shot;
    // Painted means more than a background: wait for text, docks and highlighting to appear.
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 shot = screen->grabWindow(0).toImage();
                                 QSet<QRgb> colours;
                                 for (int y = 0; y < shot.height(); y += 3)
                                     for (int x = 0; x < shot.width(); x += 3)
                                         colours.insert(shot.pixel(x, y));
                                 return colours.size() > 40;
                             }()),
                             20000);
    QTest::qWait(1500); // the code cell's colours arrive from kate-syntax-highlighter
    shot = screen->grabWindow(0).toImage();
    QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-main-window.png"));
}

KYOZO_TEST_MAIN_UNDER_XVFB(TestDesktopSession, "1400x900x24")

#include "tst_desktopsession.moc"
