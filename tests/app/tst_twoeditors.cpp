// Two real editors, one server (issue 15, "Two real editors"): two `kyozo` processes under one
// Xvfb open the same notebook of a real kyozo-server as two users; keys typed into one
// (xdotool, through the X server as a person's) appear in the other, both type at once, and
// both end with the server's text, byte for byte. A screenshot of the second editor shows
// the first one's cursor with its name label; it goes into the build tree on every run.
#include "appprocess.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "xvfbmain.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QScreen>
#include <QStandardPaths>
#include <QtTest>

using KyozoTest::AppProcess;
using KyozoTest::xdotool;

namespace {

QString digest(const QString &text)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// The app's latest "text <sha256> pending <n>" line (kyozo.coediting debug).
std::pair<QString, int> latestText(const AppProcess &app)
{
    static const QRegularExpression line(
        QStringLiteral("kyozo\\.coediting: text ([0-9a-f]{64}) pending (\\d+)"));
    const QStringList lines = app.lines();
    for (qsizetype i = lines.size() - 1; i >= 0; --i)
        if (const auto m = line.match(lines[i]); m.hasMatch())
            return { m.captured(1), m.captured(2).toInt() };
    return {};
}

// The colour the app drew a writer's cursor in ("cursor of NAME #rrggbb at N").
QColor cursorColour(const AppProcess &app, const QString &name)
{
    const QRegularExpression line(
        QStringLiteral("kyozo\\.coediting: cursor of %1 (#[0-9a-f]{6})").arg(name));
    QColor colour;
    for (const QString &l : app.lines())
        if (const auto m = line.match(l); m.hasMatch())
            colour = QColor(m.captured(1));
    return colour;
}

} // namespace

class TestTwoEditors : public QObject
{
    Q_OBJECT
public:
    explicit TestTwoEditors(QString display)
        : m_display(std::move(display))
    {
    }

private slots:
    void twoEditorsTypeIntoOneNotebook();

private:
    // Starts `app` as the user whose token it is, on the server's notebook `id`.
    void startEditor(AppProcess &app, const QString &token, const QString &id);
    // The editor's top-level window, moved to x.
    QString placeWindow(AppProcess &app, int x);
    // Clicks into the editor of `window`, goes to the end of the text and types `text`.
    void typeAtEnd(const QString &window, const QString &text);

    QString m_display;
    KyozoTest::TemporaryServer m_server;
};

void TestTwoEditors::startEditor(AppProcess &app, const QString &token, const QString &id)
{
    const QString url = m_server.url({}).toString(QUrl::StripTrailingSlash);
    // TokenStore's file when there is no keychain: the app finds the user's token there.
    QString account = url;
    account.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    const QString tokenFile = app.configHome() + QStringLiteral("/kyozo/kyozo/token-") + account;
    QDir().mkpath(QFileInfo(tokenFile).absolutePath());
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(token.toUtf8());
    file.close();
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), m_display);
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("kyozo.coediting.debug=true"));
    app.start({ QStringLiteral("--server"), url, QStringLiteral("--workspace"),
                QStringLiteral("lab"), QStringLiteral("--notebook"), id },
              env);
}

QString TestTwoEditors::placeWindow(AppProcess &app, int x)
{
    bool ok = false;
    const QString window = KyozoTest::windowOfProcess(m_display, app.process().processId());
    if (window.isEmpty())
        return {};
    xdotool(m_display,
            { QStringLiteral("windowsize"), window, QStringLiteral("1280"), QStringLiteral("860") },
            &ok);
    xdotool(m_display,
            { QStringLiteral("windowmove"), window, QString::number(x), QStringLiteral("0") }, &ok);
    return ok ? window : QString();
}

void TestTwoEditors::typeAtEnd(const QString &window, const QString &text)
{
    bool ok = false;
    // The editor is the window's central widget, between the docks.
    xdotool(m_display,
            { QStringLiteral("mousemove"), QStringLiteral("--window"), window,
              QStringLiteral("640"), QStringLiteral("200"), QStringLiteral("click"),
              QStringLiteral("1") },
            &ok);
    QVERIFY(ok);
    xdotool(
        m_display,
        { QStringLiteral("key"), QStringLiteral("--clearmodifiers"), QStringLiteral("ctrl+End") },
        &ok);
    QVERIFY(ok);
    xdotool(m_display,
            { QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("30"), text }, &ok);
    QVERIFY(ok);
}

void TestTwoEditors::twoEditorsTypeIntoOneNotebook()
{
    KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
    KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty(),
                  QStringLiteral("xdotool"));
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    const QString ada = m_server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                               QStringLiteral("editor"));
    const QString bob = m_server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                               QStringLiteral("editor"));
    QVERIFY(!ada.isEmpty() && !bob.isEmpty());
    // CRLF endings: the notebook's text, not the editor's, is what both must end with.
    const QString content = QStringLiteral("# Shared notes\r\n\r\nTwo writers, one notebook.\r\n");
    const auto created = KyozoTest::restRequest(
        "POST", m_server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), ada,
        QJsonDocument(QJsonObject { { QStringLiteral("title"), QStringLiteral("Shared notes") },
                                    { QStringLiteral("content"), content } })
            .toJson());
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QLatin1String("id")).toString();

    AppProcess first;
    AppProcess second;
    startEditor(first, ada, id);
    startEditor(second, bob, id);
    QVERIFY2(first.waitForLine(QStringLiteral("kyozo.coediting: loaded"), 60000) >= 0,
             qPrintable(first.output()));
    QVERIFY2(second.waitForLine(QStringLiteral("kyozo.coediting: loaded"), 60000) >= 0,
             qPrintable(second.output()));
    const QString left = placeWindow(first, 0);
    const QString right = placeWindow(second, 1300);
    QVERIFY2(!left.isEmpty() && !right.isEmpty(), "xdotool found no window of the editors");

    // Typing in the first appears in the second.
    const QString typed = QStringLiteral("Ada was here.");
    typeAtEnd(left, typed);
    const QString expected = digest(content + typed);
    QTRY_VERIFY2_WITH_TIMEOUT(latestText(second).first == expected,
                              qPrintable(second.output().right(2000)), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(latestText(first), std::pair(expected, 0), 30000);
    // The keys reached the first editor (its own edits waited for acks), not the second.
    QVERIFY2(first.output().contains(QLatin1String(" pending 1")),
             qPrintable(first.output().right(2000)));
    QVERIFY2(!second.output().contains(QLatin1String(" pending 1")),
             qPrintable(second.output().right(2000)));

    // What a person sees in the second: ada's cursor and name, in ada's colour.
    QTRY_VERIFY_WITH_TIMEOUT(cursorColour(second, QStringLiteral("ada")).isValid(), 15000);
    const QColor colour = cursorColour(second, QStringLiteral("ada"));
    QTest::qWait(300); // the repaint after the cursor moved
    const QImage shot = QGuiApplication::primaryScreen()->grabWindow(right.toULongLong()).toImage();
    int inColour = 0;
    for (int y = 0; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x)
            inColour += QColor(shot.pixel(x, y)).rgb() == colour.rgb();
    QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-two-editors.png"));
    qInfo("%d pixels in ada's colour %s", inColour, qPrintable(colour.name()));
    QVERIFY2(inColour > 300, "the second editor does not show ada's cursor with its label");

    // Both at once: each types at the end, the keystrokes interleaved.
    for (int round = 1; round <= 3; ++round) {
        typeAtEnd(right, QStringLiteral(" B%1").arg(round));
        typeAtEnd(left, QStringLiteral(" A%1").arg(round));
    }
    // Both end with the server's text.
    QString serverText;
    QTRY_VERIFY2_WITH_TIMEOUT(
        ([&] {
            const auto now = KyozoTest::restRequest(
                "GET", m_server.url(QStringLiteral("/api/v1/notebooks/") + id), ada);
            serverText = now.json.value(QLatin1String("content")).toString();
            const QString d = digest(serverText);
            return latestText(first) == std::pair(d, 0) && latestText(second) == std::pair(d, 0);
        }()),
        qPrintable(serverText), 30000);
    QVERIFY(serverText.startsWith(content + typed));
    for (int round = 1; round <= 3; ++round) {
        QVERIFY2(serverText.contains(QStringLiteral("A%1").arg(round)), qPrintable(serverText));
        QVERIFY2(serverText.contains(QStringLiteral("B%1").arg(round)), qPrintable(serverText));
    }
    qInfo("both editors and the server: %s", qPrintable(serverText.toHtmlEscaped()));
}

KYOZO_TEST_MAIN_UNDER_XVFB(TestTwoEditors, "2600x880x24")

#include "tst_twoeditors.moc"
