// A notebook edited together, in the editor (issue 15 item 3), against the real kyozo-server
// with a second writer speaking the channel protocol: typed keys become operations with the
// notebook's own line endings, the other's operations arrive without moving the user's
// cursor, Undo takes back only the user's own edit, and edits made while the server is down
// are counted as waiting and reach it once when it is back.
#include "channelclient.h"
#include "editor/notebookeditor.h"
#include "net/sharednotebook.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "testpaths.h"

#include <QJsonDocument>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;
using KyozoTest::ChannelClient;
using KyozoTest::frame;

class TestSharedNotebook : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void typingUndoAndTheOtherWriter();
    void editsMadeOfflineGoOutOnce();

private:
    QString createNotebook(const QString &content);
    QString serverContent(const QString &id);

    KyozoTest::TemporaryServer m_server;
    QString m_ada;
    QString m_bob;
};

void TestSharedNotebook::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_ada = m_server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                   QStringLiteral("editor"));
    m_bob = m_server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                   QStringLiteral("editor"));
    QVERIFY(!m_ada.isEmpty() && !m_bob.isEmpty());
}

QString TestSharedNotebook::createNotebook(const QString &content)
{
    const auto created = KyozoTest::restRequest(
        "POST", m_server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), m_ada,
        QJsonDocument(QJsonObject { { QStringLiteral("title"), QStringLiteral("t") },
                                    { QStringLiteral("content"), content } })
            .toJson());
    return created.json.value(QLatin1String("id")).toString();
}

QString TestSharedNotebook::serverContent(const QString &id)
{
    return KyozoTest::restRequest("GET", m_server.url(QStringLiteral("/api/v1/notebooks/") + id),
                                  m_ada)
        .json.value(QLatin1String("content"))
        .toString();
}

void TestSharedNotebook::typingUndoAndTheOtherWriter()
{
    const QString content = QStringLiteral("one\r\ntwo\r\n");
    const QString id = createNotebook(content);
    QVERIFY(!id.isEmpty());
    NotebookEditor editor;
    editor.show();
    SharedNotebook shared(&editor);
    shared.open(m_server.url({}), m_ada, id);
    QTRY_VERIFY_WITH_TIMEOUT(shared.isLoaded(), 10000);
    QCOMPARE(editor.notebookText(), content);
    QVERIFY(editor.hasOwnUndo());

    const QString topic = QStringLiteral("execution:notebook:") + id;
    ChannelClient bob;
    QVERIFY(bob.open(m_server.socketUrl(m_bob)));
    QCOMPARE(bob.join(topic, QStringLiteral("1"))
                 .at(4)
                 .toObject()
                 .value(QLatin1String("status"))
                 .toString(),
             QStringLiteral("ok"));

    // ada types "A" after "one": retain 3, insert, retain the 7 code units of "\r\ntwo\r\n".
    QTextCursor cursor(editor.document());
    cursor.setPosition(3);
    editor.setTextCursor(cursor);
    QTest::keyClicks(&editor, QStringLiteral("A"));
    const QJsonObject typed = bob.waitForEvent(topic, QStringLiteral("op"), 10000).at(4).toObject();
    QCOMPARE(typed.value(QLatin1String("ops")).toArray(),
             (QJsonArray { 3, QStringLiteral("A"), 7 }));
    QCOMPARE(typed.value(QLatin1String("revision")).toInteger(), 1);

    // bob writes "B" at the start; ada's cursor stays after her "A".
    bob.send(
        frame(QStringLiteral("1"), QStringLiteral("2"), topic, QStringLiteral("op"),
              QJsonObject { { QStringLiteral("revision"), 1 },
                            { QStringLiteral("ops"), QJsonArray { QStringLiteral("B"), 11 } } }));
    QCOMPARE(bob.waitForReply(QStringLiteral("2"))
                 .at(4)
                 .toObject()
                 .value(QLatin1String("status"))
                 .toString(),
             QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(editor.notebookText(), QStringLiteral("BoneA\r\ntwo\r\n"), 10000);
    QCOMPARE(editor.textCursor().position(), 5);
    QVERIFY(!editor.document()->isUndoAvailable()); // bob's edit is in no undo stack of Qt's

    // Undo takes back ada's "A" only; bob's "B" stays. Redo brings the "A" back.
    QTest::keySequence(&editor, QKeySequence::Undo);
    QCOMPARE(editor.notebookText(), QStringLiteral("Bone\r\ntwo\r\n"));
    QTRY_COMPARE_WITH_TIMEOUT(serverContent(id), QStringLiteral("Bone\r\ntwo\r\n"), 10000);
    QTest::keySequence(&editor, QKeySequence::Redo);
    QCOMPARE(editor.notebookText(), QStringLiteral("BoneA\r\ntwo\r\n"));
    QTRY_COMPARE_WITH_TIMEOUT(serverContent(id), QStringLiteral("BoneA\r\ntwo\r\n"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(shared.pendingCount(), 0, 10000);

    // A new line takes the notebook's ending, as the file would.
    cursor.setPosition(editor.document()->findBlockByNumber(1).position() + 3);
    editor.setTextCursor(cursor);
    QTest::keyClick(&editor, Qt::Key_Return);
    QTest::keyClicks(&editor, QStringLiteral("three"));
    QTRY_COMPARE_WITH_TIMEOUT(serverContent(id), QStringLiteral("BoneA\r\ntwo\r\nthree\r\n"),
                              10000);
}

void TestSharedNotebook::editsMadeOfflineGoOutOnce()
{
    const QString content = QStringLiteral("offline\n");
    const QString id = createNotebook(content);
    NotebookEditor editor;
    editor.show();
    SharedNotebook shared(&editor);
    QSignalSpy pending(&shared, &SharedNotebook::pendingChanged);
    shared.open(m_server.url({}), m_ada, id);
    QTRY_VERIFY_WITH_TIMEOUT(shared.isLoaded(), 10000);

    // The server goes away (kill -9), the writer keeps typing.
    const quint16 port = m_server.port();
    m_server.process().kill();
    QVERIFY(m_server.process().waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(shared.connection()->state(), ChannelConnection::State::Disconnected,
                              10000);
    QTextCursor cursor(editor.document());
    cursor.movePosition(QTextCursor::End);
    editor.setTextCursor(cursor);
    QTest::keyClicks(&editor, QStringLiteral("kept"));
    QCOMPARE(editor.notebookText(), QStringLiteral("offline\nkept"));
    QVERIFY(shared.pendingCount() > 0);
    QVERIFY(!pending.isEmpty() && pending.last().at(0).toInt() > 0);

    // Back on the same port and database: the edits go out, once.
    QProcess again;
    again.start(KyozoTest::binaryPath(QStringLiteral("kyozo-server")),
                { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                  QStringLiteral("--database"), m_server.databaseUrl() });
    QVERIFY(again.waitForStarted(5000));
    QTRY_COMPARE_WITH_TIMEOUT(shared.pendingCount(), 0, 20000);
    QCOMPARE(pending.last().at(0).toInt(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(serverContent(id), QStringLiteral("offline\nkept"), 10000);
    QCOMPARE(editor.notebookText(), QStringLiteral("offline\nkept"));
    again.terminate();
    again.waitForFinished(10000);
}

QTEST_MAIN(TestSharedNotebook)
#include "tst_sharednotebook.moc"
