// File → Connect to Server… (issue 21 item 2): a server's address, its workspace, a token and
// a private CA file. Connect stays off, with the reason shown, until what was entered can be
// used: an http(s) URL with a host, a workspace, a CA file that holds a certificate (and only
// for https). Connecting keeps the token in the token store (not on the command line), keeps
// the rest for next time, and starts the new window's process with the command line the app
// itself takes (`--server`, `--workspace`, `--ca-file`). Under Xvfb, with a screenshot.
#include "connectdialog.h"
#include "net/tokenstore.h"
#include "tlstestcertificates.h"
#include "xvfbmain.h"

#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::App;

class TestConnectDialog : public QObject
{
    Q_OBJECT
public:
    explicit TestConnectDialog(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        // Settings and the token store in the test's own directories.
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("KYOZO_NO_KEYCHAIN", "1");
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("KyozoTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectdialog"));
        QSettings().clear();
    }

    void connectWaitsForWhatCanBeUsed()
    {
        const KyozoTest::TlsTestCertificates certificates;
        QVERIFY(certificates.writeTo(m_home.path()));
        const QString ca = m_home.filePath(QStringLiteral("ca.pem"));
        const QString notCa = m_home.filePath(QStringLiteral("notes.txt"));
        QFile text(notCa);
        QVERIFY(text.open(QIODevice::WriteOnly) && text.write("not a certificate\n") > 0);
        text.close();

        ConnectDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(!dialog.connectButton()->isEnabled());
        QCOMPARE(dialog.problem(), ConnectDialog::tr("Enter the server's address."));

        const auto expectProblem = [&](const QString &server, const QString &workspace,
                                       const QString &caFile, const QString &problem) {
            dialog.serverEdit()->setText(server);
            dialog.workspaceEdit()->setText(workspace);
            dialog.caFileEdit()->setText(caFile);
            return dialog.problem().contains(problem)
                && dialog.connectButton()->isEnabled() == problem.isEmpty();
        };
        QVERIFY(expectProblem("ftp://kyozo.example.org", "lab", {}, "https://"));
        QVERIFY(expectProblem("https://", "lab", {}, "https://"));
        QVERIFY(expectProblem("https://kyozo.example.org", "", {}, "workspace"));
        QVERIFY(expectProblem("https://kyozo.example.org", "lab", notCa,
                              "holds no PEM or DER certificate"));
        QVERIFY(expectProblem("https://kyozo.example.org", "lab",
                              m_home.filePath(QStringLiteral("missing.pem")), "Cannot read"));
        QVERIFY(expectProblem("http://kyozo.example.org", "lab", ca, "for an https:// server"));
        QVERIFY(expectProblem("https://kyozo.example.org:4443", "lab", ca, {}));
        QVERIFY(dialog.problem().isEmpty());

        dialog.tokenEdit()->setText(QStringLiteral("  secret-token "));
        if (!m_display.isEmpty()) {
            QTest::qWait(200);
            const QImage shot = dialog.screen()->grabWindow(dialog.winId()).toImage();
            QVERIFY(!shot.isNull());
            QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-connect-dialog.png"));
        }

        QStringList launched;
        dialog.launch = [&](const QStringList &arguments) {
            launched = arguments;
            return true;
        };
        dialog.connectButton()->click();
        QCOMPARE(launched,
                 QStringList({ "--server", "https://kyozo.example.org:4443", "--workspace", "lab",
                               "--ca-file", ca }));
        QVERIFY(!launched.join(' ').contains(QLatin1String("secret-token")));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        // The token where the new process looks for it: under the server it is given.
        QCOMPARE(TokenStore(QStringLiteral("https://kyozo.example.org:4443")).read(),
                 std::optional<QString>(QStringLiteral("secret-token")));

        // Offered again next time; the token is not kept in the settings.
        ConnectDialog again;
        QCOMPARE(again.serverEdit()->text(), QStringLiteral("https://kyozo.example.org:4443"));
        QCOMPARE(again.workspaceEdit()->text(), QStringLiteral("lab"));
        QCOMPARE(again.caFileEdit()->text(), ca);
        QVERIFY(again.tokenEdit()->text().isEmpty());
        QVERIFY(again.connectButton()->isEnabled());
        for (const QString &key : QSettings().allKeys())
            QVERIFY2(!QSettings().value(key).toString().contains(QLatin1String("secret")),
                     qPrintable(key));
    }

    void aProcessThatCannotStartIsSaid()
    {
        ConnectDialog dialog;
        dialog.serverEdit()->setText(QStringLiteral("kyozo.example.org"));
        dialog.caFileEdit()->clear();
        QVERIFY(dialog.connectButton()->isEnabled()); // a bare name is http(s) by fromUserInput
        dialog.launch = [](const QStringList &) { return false; };
        dialog.connectButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QCOMPARE(dialog.problem(), ConnectDialog::tr("Could not start a new window."));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestConnectDialog, "1024x768x24")
#include "tst_connectdialog.moc"
