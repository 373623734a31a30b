// The menus a writer expects (issue 19 item 1): File → New and Close, View → Zoom In, Out and
// Reset and Full Screen, Help → Keyboard Shortcuts and About, each reached through its key
// in the real window and its effect checked; no two actions share a key (Qt fires neither
// of an ambiguous pair); the shortcut list is the menus' own. Under Xvfb.
#include "editor/markdownrenderer.h"
#include "editor/notebookeditor.h"
#include "mainwindow.h"
#include "panels/previewpanel.h"
#include "xvfbmain.h"

#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QScreen>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::App;

class TestMenus : public QObject
{
    Q_OBJECT
public:
    explicit TestMenus(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;
    QTemporaryDir m_dir;

    QString fileWith(const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(QStringLiteral("n.md"));
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(bytes);
        return path;
    }

private slots:
    void initTestCase() { qputenv("KYOZO_NO_KEYCHAIN", "1"); }

    void keysReachTheirActions()
    {
        auto *window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        QPointer<MainWindow> alive(window);
        window->show();
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window));
        QString error;
        QVERIFY2(window->openFile(fileWith("# Kept\n"), &error), qPrintable(error));
        NotebookEditor *editor = window->editor();
        editor->setFocus();

        // Zoom by points, and back.
        const qreal base = editor->font().pointSizeF();
        QTest::keySequence(editor, QKeySequence::ZoomIn);
        QCOMPARE(editor->font().pointSizeF(), base + 1);
        QTest::keySequence(editor, QKeySequence::ZoomIn);
        QTest::keySequence(editor, QKeySequence::ZoomOut);
        QCOMPARE(editor->font().pointSizeF(), base + 1);
        QTest::keySequence(editor, QKeySequence(QStringLiteral("Ctrl+0")));
        QCOMPARE(editor->font().pointSizeF(), base);

        // Full screen on F11 (or the platform's key), and off again.
        QTest::keyClick(editor, Qt::Key_F11);
        QTRY_VERIFY(window->windowState() & Qt::WindowFullScreen);
        QTest::keyClick(editor, Qt::Key_F11);
        QTRY_VERIFY(!(window->windowState() & Qt::WindowFullScreen));

        // New: an untitled, empty notebook (nothing was changed, so nothing is asked).
        QTest::keySequence(editor, QKeySequence::New);
        QVERIFY(editor->toPlainText().isEmpty());
        QCOMPARE(window->windowTitle(),
                 MainWindow::tr("%1[*] — Kyozo").arg(MainWindow::tr("Untitled")));

        // Close (Ctrl+W) closes the window.
        QTest::keySequence(editor, QKeySequence::Close);
        QTRY_VERIFY(alive.isNull());
    }

    void shortcutsAreTheMenusAndNoneTwice()
    {
        MainWindow window;
        const QList<std::pair<QString, QString>> list = window.shortcuts();
        QMap<QString, QString> byKeys;
        for (const auto &[action, keys] : list) {
            QVERIFY2(
                !byKeys.contains(keys),
                qPrintable(
                    QStringLiteral("%1 and %2 both on %3").arg(byKeys.value(keys), action, keys)));
            byKeys.insert(keys, action);
        }
        const auto has = [&](const QString &action, const QKeySequence &keys) {
            return byKeys.value(keys.toString(QKeySequence::NativeText)) == action;
        };
        QVERIFY(has(QStringLiteral("File → New"), QKeySequence::New));
        QVERIFY(has(QStringLiteral("File → Open…"), QKeySequence::Open));
        QVERIFY(has(QStringLiteral("Edit → Find…"), QKeySequence::Find));
        QVERIFY(has(QStringLiteral("Edit → Replace…"), QKeySequence(QStringLiteral("Ctrl+H"))));
        QVERIFY(has(QStringLiteral("Edit → Go to Line…"), QKeySequence(QStringLiteral("Ctrl+L"))));
        QVERIFY(has(QStringLiteral("View → Zoom In"), QKeySequence::ZoomIn));
        QVERIFY(has(QStringLiteral("Run → Run Cell"), QKeySequence(QStringLiteral("Ctrl+Return"))));
        QVERIFY(list.size() >= 20);

        // Help → Keyboard Shortcuts shows that list.
        window.show();
        QAction *shortcutsAction = nullptr;
        for (QAction *a : window.findChildren<QAction *>())
            if (a->text() == MainWindow::tr("&Keyboard Shortcuts"))
                shortcutsAction = a;
        QVERIFY(shortcutsAction);
        int rows = -1;
        QTimer::singleShot(200, this, [&] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            if (auto *table = dialog->findChild<QTableWidget *>())
                rows = table->rowCount();
            if (!m_display.isEmpty())
                KYOZO_SAVE_SCREENSHOT(dialog->screen()->grabWindow(dialog->winId()).toImage(),
                                      "kyozo-keyboard-shortcuts.png");
            dialog->reject();
        });
        shortcutsAction->trigger();
        QCOMPARE(rows, int(list.size()));
    }

    // Technical notes (the keychain's fallback) are details, not the status bar's message.
    void detailsStayOutOfTheStatusBar()
    {
        MainWindow window;
        window.showDetail(QStringLiteral("The desktop keychain is not available"));
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
        auto *connection = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
        QVERIFY(connection);
        QCOMPARE(connection->toolTip(), QStringLiteral("The desktop keychain is not available"));
        window.showNotice(QStringLiteral("Saved n.md"));
        QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Saved n.md"));
    }

    // What a writer sees of the sample in the preview (issue 19 item 4): the front matter a
    // small table, the JSON-LD blocks cards, the hidden run a marked diamond.
    void previewOfTheSample()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QString error;
        QVERIFY2(window.openFile(QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md"),
                                 &error),
                 qPrintable(error));
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("previewDock"));
        QVERIFY(dock);
        dock->raise();
        QTRY_VERIFY(
            window.previewPanel()->renderedHtml().contains(QLatin1String("class=\"ld-card\"")));
        QVERIFY(window.previewPanel()->renderedHtml().contains(
            QLatin1String("class=\"front-matter\"")));
        if (!m_display.isEmpty()) {
            QTest::qWait(300);
            QVERIFY(KYOZO_SAVE_SCREENSHOT(window.screen()->grabWindow(window.winId()).toImage(),
                                          "kyozo-preview.png"));
        }
    }

    void aboutSaysTheVersions()
    {
        MainWindow window;
        const QString about = window.aboutText();
        QVERIFY2(about.contains(QString::fromLatin1(qVersion())), qPrintable(about));
        // Debian 12's cmark-gfm is 0.29.0.gfm.N.
        QVERIFY2(markdownEngineVersion().startsWith(QLatin1String("0.29")),
                 qPrintable(markdownEngineVersion()));
        QVERIFY(about.contains(markdownEngineVersion()));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestMenus, "1280x800x24")
#include "tst_menus.moc"
