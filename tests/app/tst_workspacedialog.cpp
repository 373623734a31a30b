// File → Workspace Members… (issue 21 item 3): the dialog shows a workspace's members from
// the real kyozo-server and changes them through its members routes: a role chosen in the
// table, a user added, a member removed, each read back from the server; what the server
// refuses (the last owner, no such user, not an owner) is shown as the server says it.
// Under Xvfb, with a screenshot.
#include "net/restclient.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "workspacedialog.h"
#include "xvfbmain.h"

#include <QComboBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QTableWidget>
#include <QtTest>

using namespace Kyozo::App;

class TestWorkspaceDialog : public QObject
{
    Q_OBJECT
public:
    explicit TestWorkspaceDialog(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;
    KyozoTest::TemporaryServer m_server;
    QString m_ada, m_bob;

    // What the server holds, as "user:role".
    QStringList serverMembers()
    {
        const KyozoTest::RestResponse r = KyozoTest::restRequest(
            "GET", m_server.url(QStringLiteral("/api/v1/workspaces/lab/members")), m_ada);
        QStringList out;
        for (const QJsonValue &v : r.json.value(QStringLiteral("members")).toArray())
            out.append(v[QStringLiteral("user")].toString() + u':'
                       + v[QStringLiteral("role")].toString());
        return out;
    }
    // What the dialog shows, the same way.
    static QStringList shown(WorkspaceDialog &dialog)
    {
        QStringList out;
        for (int row = 0; row < dialog.table()->rowCount(); ++row)
            out.append(dialog.table()->item(row, 0)->text() + u':'
                       + qobject_cast<QComboBox *>(dialog.table()->cellWidget(row, 1))
                             ->currentData()
                             .toString());
        return out;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start({}, &error), qPrintable(error));
        m_ada = m_server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                       QStringLiteral("owner"));
        m_bob = m_server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                       QStringLiteral("editor"));
        QCOMPARE(m_server.admin({ "user", "add", "cy" }), 0);
        QCOMPARE(m_server.admin({ "user", "add", "jürgen@lab/b" }), 0); // '@', '/', non-ASCII
        QVERIFY(!m_ada.isEmpty() && !m_bob.isEmpty());
    }

    void ownerChangesMembers()
    {
        RestClient rest(m_server.url({}), m_ada);
        WorkspaceDialog dialog(&rest, QStringLiteral("lab"));
        QSignalSpy loaded(&dialog, &WorkspaceDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(shown(dialog), QStringList({ "ada:owner", "bob:editor" }));

        // bob becomes a viewer: chosen in his row's box.
        auto *bobRole = qobject_cast<QComboBox *>(dialog.table()->cellWidget(1, 1));
        bobRole->setCurrentIndex(2);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(serverMembers(), QStringList({ "ada:owner", "bob:viewer" }));
        QCOMPARE(shown(dialog), serverMembers());

        // cy is added as an editor; someone the operator never made is refused.
        auto *name = dialog.findChild<QLineEdit *>();
        QTest::keyClicks(name, QStringLiteral("cy"));
        QTest::keyClick(name, Qt::Key_Return);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(serverMembers(), QStringList({ "ada:owner", "bob:viewer", "cy:editor" }));
        QCOMPARE(shown(dialog), serverMembers());
        // One Return, one request: nothing else comes.
        const qsizetype reads = loaded.count();
        QTest::qWait(300);
        QCOMPARE(loaded.count(), reads);
        QVERIFY(name->text().isEmpty());
        QTest::keyClicks(name, QStringLiteral("nobody"));
        QTest::keyClick(name, Qt::Key_Return);
        QVERIFY(loaded.wait(10000));
        QVERIFY2(dialog.message().contains(QLatin1String("no user nobody")),
                 qPrintable(dialog.message()));

        // The last owner cannot step down: refused, and the box shows what the server kept.
        qobject_cast<QComboBox *>(dialog.table()->cellWidget(0, 1))->setCurrentIndex(1);
        QVERIFY(loaded.wait(10000));
        QVERIFY2(dialog.message().contains(QLatin1String("last owner")),
                 qPrintable(dialog.message()));
        QCOMPARE(shown(dialog), QStringList({ "ada:owner", "bob:viewer", "cy:editor" }));

        // A name that must be percent-encoded in the path, once.
        name->setText(QString::fromUtf8("jürgen@lab/b")); // keyClicks takes ASCII only
        QTest::keyClick(name, Qt::Key_Return);
        QVERIFY(loaded.wait(10000));
        QVERIFY2(serverMembers().contains(QString::fromUtf8("jürgen@lab/b:editor")),
                 qPrintable(dialog.message()));
        dialog.table()->selectRow(
            int(shown(dialog).indexOf(QString::fromUtf8("jürgen@lab/b:editor"))));
        for (QPushButton *b : dialog.findChildren<QPushButton *>())
            if (b->text() == WorkspaceDialog::tr("&Remove"))
                b->click();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(serverMembers(), QStringList({ "ada:owner", "bob:viewer", "cy:editor" }));

        // cy is removed.
        dialog.table()->selectRow(2);
        QPushButton *remove = nullptr;
        for (QPushButton *b : dialog.findChildren<QPushButton *>())
            if (b->text() == WorkspaceDialog::tr("&Remove"))
                remove = b;
        QVERIFY(remove && remove->isEnabled());
        remove->click();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(serverMembers(), QStringList({ "ada:owner", "bob:viewer" }));
        QCOMPARE(shown(dialog), serverMembers());

        dialog.table()->selectRow(0);
        QTest::qWait(200);
        if (!m_display.isEmpty()) {
            const QImage shot = dialog.screen()->grabWindow(dialog.winId()).toImage();
            QVERIFY(!shot.isNull());
            QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-workspace-members.png"));
        }
    }

    void othersAreRefused()
    {
        RestClient rest(m_server.url({}), m_bob);
        WorkspaceDialog dialog(&rest, QStringLiteral("lab"));
        QSignalSpy loaded(&dialog, &WorkspaceDialog::loaded);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(dialog.table()->rowCount(), 0);
        QVERIFY2(dialog.message().contains(
                     QLatin1String("only the workspace's owners manage its members")),
                 qPrintable(dialog.message()));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestWorkspaceDialog, "1024x768x24")
#include "tst_workspacedialog.moc"
