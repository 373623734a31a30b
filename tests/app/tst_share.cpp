// "Share…" in solo mode (issue 15 item 3) under a private Xvfb: the bundled server is
// restarted on the address and port chosen in the dialog, the dialog's line names a URL there
// and a guest's token, and that token lets a second client (the channel protocol, and the real
// `kyozo` started with the line) join the mirrored notebook and edit it as an editor; Copy
// puts the line on the clipboard; Stop Sharing revokes the token and puts the server back on
// loopback. The dialog's screenshot is saved for docs/screenshots.
#include "appprocess.h"
#include "channelclient.h"
#include "editor/notebookeditor.h"
#include "mainwindow.h"
#include "restrequest.h"
#include "solo/bundledserver.h"
#include "solo/sharedialog.h"
#include "solo/solosession.h"
#include "temporaryserver.h"
#include "testpaths.h"
#include "xvfbmain.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::App;
using KyozoTest::ChannelClient;
using KyozoTest::frame;

class TestShare : public QObject
{
    Q_OBJECT
public:
    explicit TestShare(QString display) : m_display(std::move(display)) { }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void aGuestJoinsWithTheLine();

private:
    QString m_display; // empty: offscreen, without Xvfb
    QTemporaryDir m_home;
    std::unique_ptr<SoloSession> m_solo;
};

void TestShare::initTestCase()
{
    KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
    QVERIFY(m_home.isValid());
    KyozoTest::useOwnAppHome(m_home.path());
    m_solo = std::make_unique<SoloSession>(KyozoTest::binaryPath(QStringLiteral("kyozo-server")));
    m_solo->start();
    QTRY_VERIFY_WITH_TIMEOUT(!m_solo->serverUrl().isEmpty() && !m_solo->token().isEmpty(), 30000);
}

void TestShare::cleanupTestCase()
{
    m_solo.reset();
}

void TestShare::aGuestJoinsWithTheLine()
{
    const QString path = m_home.filePath(QStringLiteral("Field notes.md"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# Field notes\n\nShared with a guest.\n");
    }
    MainWindow window;
    window.setSolo(m_solo.get());
    QString error;
    QVERIFY2(window.openFile(path, &error), qPrintable(error));
    window.show();
    window.share();
    ShareDialog *dialog = window.shareDialog();
    QVERIFY(dialog && dialog->isVisible());

    // The machine's network address when it has one (as the dialog proposes), else loopback;
    // a port free on it now.
    QHostAddress chosen = SoloSession::firstNetworkAddress();
    if (chosen.isNull())
        chosen = QHostAddress::LocalHost;
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(chosen, 0));
        port = probe.serverPort();
    }
    auto *address = dialog->findChild<QComboBox *>(QStringLiteral("shareAddress"));
    auto *portBox = dialog->findChild<QSpinBox *>(QStringLiteral("sharePort"));
    QVERIFY(address && portBox);
    if (!SoloSession::firstNetworkAddress().isNull())
        QCOMPARE(address->currentText(), chosen.toString()); // the default
    QCOMPARE(portBox->value(), 4000);
    address->setCurrentText(chosen.toString());
    portBox->setValue(port);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("shareButton")),
                      Qt::LeftButton);

    // kyozo --server http://ADDRESS:PORT --workspace local --notebook ID --token TOKEN
    QTRY_VERIFY_WITH_TIMEOUT(dialog->commandLine().contains(QLatin1String("--notebook")), 30000);
    const QString line = dialog->commandLine();
    qInfo("the line: %s", qPrintable(line));
    const QStringList words = line.split(u' ');
    QCOMPARE(words.size(), 9);
    QCOMPARE(words[0], QStringLiteral("kyozo"));
    QCOMPARE(words[1], QStringLiteral("--server"));
    const QUrl url(words[2]);
    QCOMPARE(url.scheme(), QStringLiteral("http"));
    QCOMPARE(QHostAddress(url.host()), chosen);
    QCOMPARE(url.port(), int(port));
    QCOMPARE(words.mid(3, 2),
             (QStringList { QStringLiteral("--workspace"), QStringLiteral("local") }));
    QCOMPARE(words[5], QStringLiteral("--notebook"));
    const QString id = words[6];
    QCOMPARE(id, window.mirroredNotebookId());
    QCOMPARE(words[7], QStringLiteral("--token"));
    const QString token = words[8];
    QVERIFY(!token.isEmpty() && token != m_solo->token());

    QTest::qWait(200); // the repaint after the line arrived
    QVERIFY(KYOZO_SAVE_SCREENSHOT(dialog->grab().toImage(), "kyozo-share.png"));

    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("shareCopy")),
                      Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), line);

    // A second client at that URL with that token: joins the notebook's topic and edits it,
    // which a viewer could not (docs/server.md: `forbidden`).
    QUrl socket(QStringLiteral("ws://%1:%2/socket/websocket?vsn=2.0.0&token=%3")
                    .arg(url.host())
                    .arg(port)
                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(token))));
    ChannelClient guest;
    QVERIFY(guest.open(socket, 10000));
    const QString topic = QStringLiteral("execution:notebook:") + id;
    const QJsonObject joined = guest.join(topic, QStringLiteral("1")).at(4).toObject();
    QCOMPARE(joined.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
    const QJsonObject at = joined.value(QLatin1String("response")).toObject();
    const QString content = at.value(QLatin1String("content")).toString();
    QCOMPARE(content, QStringLiteral("# Field notes\n\nShared with a guest.\n"));
    guest.send(frame(
        QStringLiteral("1"), QStringLiteral("2"), topic, QStringLiteral("op"),
        QJsonObject {
            { QStringLiteral("revision"), at.value(QLatin1String("revision")) },
            { QStringLiteral("ops"),
              QJsonArray { int(content.size()), QStringLiteral("Hello from the guest.\n") } } }));
    QCOMPARE(guest.waitForReply(QStringLiteral("2"), 10000)
                 .at(4)
                 .toObject()
                 .value(QLatin1String("status"))
                 .toString(),
             QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(
        window.editor()->notebookText(),
        QStringLiteral("# Field notes\n\nShared with a guest.\nHello from the guest.\n"), 10000);
    // The guest edits but runs no code on the writer's machine: the bundled server lets
    // owners only (docs/server.md, run_role).
    guest.send(frame(QStringLiteral("1"), QStringLiteral("3"), topic, QStringLiteral("execute"),
                     QJsonObject { { QStringLiteral("type"), QStringLiteral("notebook") } }));
    const QJsonObject refused = guest.waitForReply(QStringLiteral("3"), 10000).at(4).toObject();
    QCOMPARE(refused.value(QLatin1String("response")).toObject().value(QLatin1String("reason")),
             QJsonValue(QStringLiteral("forbidden")));
    QByteArray users;
    QCOMPARE(KyozoTest::serverAdmin(m_solo->server()->databaseUrl(),
                                    { QStringLiteral("user"), QStringLiteral("list") }, &users),
             0);
    QVERIFY2(users.contains("guest\tlocal:editor"), users.constData());
    QVERIFY(QSettings()
                .value(QStringLiteral("share/guests"))
                .toStringList()
                .contains(QStringLiteral("guest")));

    // The real editor started with the line's arguments opens the notebook as the guest.
    KyozoTest::AppProcess app;
    app.start(words.mid(1));
    QVERIFY2(app.waitForLine(QStringLiteral("kyozo.coediting: loaded ") + id, 60000) >= 0,
             qPrintable(app.output()));

    // Stop Sharing: the guest's token is revoked and the server is on loopback only again.
    QSignalSpy ready(m_solo.get(), &SoloSession::serverReady);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("stopSharingButton")),
                      Qt::LeftButton);
    QVERIFY(dialog->commandLine().isEmpty());
    QVERIFY(ready.wait(30000));
    QCOMPARE(m_solo->server()->listen(), BundledServer::kLoopback);
    QUrl health = url;
    health.setPath(QStringLiteral("/healthz"));
    QCOMPARE(KyozoTest::restRequest("GET", health).status, 0); // nothing listens there now
    QCOMPARE(QHostAddress(m_solo->serverUrl().host()), QHostAddress(QHostAddress::LocalHost));
    QUrl rest = m_solo->serverUrl();
    rest.setPath(QStringLiteral("/api/v1/notebooks/") + id);
    QCOMPARE(KyozoTest::restRequest("GET", rest, token).status, 401);
    QCOMPARE(KyozoTest::restRequest("GET", rest, m_solo->token()).status, 200);
}

KYOZO_TEST_MAIN_UNDER_XVFB(TestShare, "1400x900x24")

#include "tst_share.moc"
