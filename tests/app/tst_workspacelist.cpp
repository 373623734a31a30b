// Team mode's notebook list follows the workspace (issue 17 item 4, issue 15's live list):
// another member creates, renames and deletes notebooks through the REST API, and the list
// of a window following the workspace's topic shows each change without a reload.
#include "mainwindow.h"
#include "net/channelconnection.h"
#include "net/restclient.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QJsonDocument>
#include <QListWidget>
#include <QtTest>

using namespace Kyozo::App;

class TestWorkspaceList : public QObject
{
    Q_OBJECT
private slots:
    void listFollowsTheWorkspace();

private:
    QStringList titles(MainWindow &window) const
    {
        QStringList out;
        auto *list = window.findChild<QListWidget *>(QStringLiteral("notebookList"));
        for (int i = 0; list && i < list->count(); ++i)
            out.append(list->item(i)->text());
        return out;
    }
};

void TestWorkspaceList::listFollowsTheWorkspace()
{
    KyozoTest::TemporaryServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                             QStringLiteral("owner"));
    const QString vic = server.userWithToken(QStringLiteral("vic"), QStringLiteral("lab"),
                                             QStringLiteral("viewer"));
    QVERIFY(!ada.isEmpty() && !vic.isEmpty());
    const auto rest = [&](const QByteArray &method, const QString &path, const QByteArray &body) {
        return KyozoTest::restRequest(method, server.url(path), ada, body);
    };
    const auto createBody = [](const char *title) {
        return QJsonDocument(QJsonObject { { "title", title }, { "content", "x" } }).toJson();
    };
    QCOMPARE(rest("POST", QStringLiteral("/api/v1/workspaces/lab/notebooks"), createBody("Beta"))
                 .status,
             201);

    // vic's window, as `kyozo --server … --workspace lab` makes it.
    MainWindow window;
    RestClient client(server.url({}), vic);
    ChannelConnection workspace;
    window.followWorkspace(&workspace);
    window.setTeam(&client, QStringLiteral("lab"));
    workspace.open(server.url({}), vic, QStringLiteral("execution:workspace:lab"));
    QTRY_COMPARE_WITH_TIMEOUT(titles(window), QStringList { QStringLiteral("Beta") }, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(workspace.state() == ChannelConnection::State::Connected, 10000);

    const QString alpha
        = rest("POST", QStringLiteral("/api/v1/workspaces/lab/notebooks"), createBody("Alpha"))
              .json.value(QLatin1String("id"))
              .toString();
    QVERIFY(!alpha.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(titles(window),
                              (QStringList { QStringLiteral("Alpha"), QStringLiteral("Beta") }),
                              10000);
    QCOMPARE(rest("PATCH", QStringLiteral("/api/v1/notebooks/") + alpha, R"({"title":"Gamma"})")
                 .status,
             200);
    QTRY_COMPARE_WITH_TIMEOUT(titles(window),
                              (QStringList { QStringLiteral("Beta"), QStringLiteral("Gamma") }),
                              10000);
    QCOMPARE(rest("DELETE", QStringLiteral("/api/v1/notebooks/") + alpha, {}).status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(titles(window), QStringList { QStringLiteral("Beta") }, 10000);
}

QTEST_MAIN(TestWorkspaceList)
#include "tst_workspacelist.moc"
