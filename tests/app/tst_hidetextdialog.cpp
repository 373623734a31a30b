// Insert → Hide text in selection… (issue 19 item 6): the passphrase is entered twice and
// Hide waits until they agree, saying why; the dialog is wide enough for its title and hint.
// Through the real window: the text hidden in the selection is what the Hidden data panel
// reads back, sealed by the confirmed passphrase. Under Xvfb, with a screenshot.
#include "editor/notebookeditor.h"
#include "hidetextdialog.h"
#include "mainwindow.h"
#include "panels/hiddendatapanel.h"
#include "xvfbmain.h"

#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTreeWidget>
#include <QtTest>

using namespace Kyozo::App;

class TestHideTextDialog : public QObject
{
    Q_OBJECT
public:
    explicit TestHideTextDialog(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;

private slots:
    void initTestCase() { qputenv("KYOZO_NO_KEYCHAIN", "1"); }

    void hideWaitsForMatchingPassphrases()
    {
        HideTextDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(!dialog.okButton()->isEnabled());
        QCOMPARE(dialog.problem(), HideTextDialog::tr("Enter the text to hide."));
        dialog.secretEdit()->setText(QStringLiteral("meet at noon"));
        QVERIFY(dialog.okButton()->isEnabled()); // no passphrase: not encrypted
        dialog.passphraseEdit()->setText(QStringLiteral("correct horse"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QCOMPARE(dialog.problem(), HideTextDialog::tr("Enter the passphrase again to confirm it."));
        dialog.confirmEdit()->setText(QStringLiteral("correct hose"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QCOMPARE(dialog.problem(), HideTextDialog::tr("The passphrases differ."));
        dialog.confirmEdit()->setText(QStringLiteral("correct horse"));
        QVERIFY(dialog.okButton()->isEnabled());
        QVERIFY(dialog.problem().isEmpty());
        QCOMPARE(dialog.passphrase(), QStringLiteral("correct horse"));
        // Wide enough for its title and its hint, not the 227-pixel box it was.
        QVERIFY(dialog.width() >= 440);
        if (!m_display.isEmpty()) {
            dialog.confirmEdit()->setText(QStringLiteral("correct hors"));
            QTest::qWait(200);
            const QImage shot = dialog.screen()->grabWindow(dialog.winId()).toImage();
            QVERIFY(!shot.isNull());
            QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-hide-text.png"));
        }
    }

    void throughTheWindow()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("n.md"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write("Plain words carry it.\n") > 0);
        f.close();
        MainWindow window;
        window.show();
        QString error;
        QVERIFY2(window.openFile(path, &error), qPrintable(error));
        QTextCursor cursor(window.editor()->document()->firstBlock());
        cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        window.editor()->setTextCursor(cursor);
        QAction *hide = nullptr;
        for (QAction *a : window.findChildren<QAction *>())
            if (a->text() == MainWindow::tr("&Hide text in selection…"))
                hide = a;
        QVERIFY(hide);
        bool filled = false;
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<HideTextDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->secretEdit()->setText(QStringLiteral("meet at noon"));
            dialog->passphraseEdit()->setText(QStringLiteral("pass phrase"));
            dialog->confirmEdit()->setText(QStringLiteral("pass phrase"));
            filled = dialog->okButton()->isEnabled();
            dialog->okButton()->click();
        });
        hide->trigger(); // runs the dialog until the timer above accepts it
        QVERIFY(filled);
        window.refreshPanels();
        HiddenDataPanel *panel = window.hiddenDataPanel();
        QCOMPARE(panel->topLevelItemCount(), 1);
        const qint64 column = panel->topLevelItem(0)->data(0, Qt::UserRole).toLongLong();
        QCOMPARE(window.editor()->openHiddenData(1, column, QStringLiteral("pass phrase"), &error),
                 std::optional<QString>(QStringLiteral("meet at noon")));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestHideTextDialog, "1024x768x24")
#include "tst_hidetextdialog.moc"
