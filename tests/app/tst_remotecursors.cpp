// The other writers in the editor (issue 15 item 3), on the offscreen platform: their
// cursors move with the text, their name labels show while they are active and fade after,
// remote edits leave the user's cursor and view alone, "Follow" keeps a cursor in view until
// the user types, and the presence list shows who is here and jumps to them.
#include "editor/notebookeditor.h"
#include "editor/remotecursors.h"
#include "panels/presencepanel.h"

#include <QJsonArray>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;

namespace {

QByteArray lines(int count, const char *ending = "\r\n")
{
    QByteArray text;
    for (int i = 1; i <= count; ++i)
        text += "line " + QByteArray::number(i) + ending;
    return text;
}

// Pixels of exactly `color` in the editor's viewport as drawn now.
int pixelsOf(NotebookEditor *editor, const QColor &color)
{
    const QImage image = editor->viewport()->grab().toImage();
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            count += QColor(image.pixel(x, y)).rgb() == color.rgb();
    return count;
}

} // namespace

class TestRemoteCursors : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void cursorsMoveWithTheText();
    void labelShowsWhileActiveThenFades();
    void labelIsDrawnInTheWritersColour();
    void remoteEditsKeepTheUsersCursorAndView();
    void remoteEditsStayOutOfTheUndoStack();
    void followKeepsTheCursorInViewUntilTheUserTypes();
    void presenceListShowsWritersAndJumps();

private:
    NotebookEditor *m_editor = nullptr;
    qint64 m_now = 1000;
};

void TestRemoteCursors::init()
{
    m_editor = new NotebookEditor;
    m_editor->resize(700, 400);
    m_editor->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_editor));
    m_now = 1000;
    m_editor->remoteCursors()->setClock([this] { return m_now; });
}

void TestRemoteCursors::cleanup()
{
    delete m_editor;
}

void TestRemoteCursors::cursorsMoveWithTheText()
{
    QString error;
    QVERIFY(m_editor->loadBytes("alpha\r\nbeta\r\ngamma", &error));
    RemoteCursors *cursors = m_editor->remoteCursors();
    const int gamma = m_editor->document()->findBlockByNumber(2).position();
    cursors->place(QStringLiteral("u2"), QStringLiteral("bob"), QColor(0xe9, 0x1e, 0x63), gamma + 1,
                   gamma + 3); // g[am]ma
    // A local edit above: the selection stays on "am".
    QTextCursor local(m_editor->document());
    local.insertText(QStringLiteral("new\n"));
    // A remote edit before it on its own line.
    QVERIFY(m_editor->applyRemoteEdit(
        { m_editor->notebookText().indexOf(u"gamma"), 0, QStringLiteral("> ") }, &error));
    const QTextCursor &moved = cursors->find(QStringLiteral("u2"))->cursor;
    QCOMPARE(moved.selectedText(), QStringLiteral("am"));
    QCOMPARE(moved.block().text(), QStringLiteral("> gamma"));
    // Deleting the line they are on collapses the cursor to where the line was.
    const qsizetype start = m_editor->notebookText().indexOf(u"> gamma");
    QVERIFY(m_editor->applyRemoteEdit({ start, 7, {} }, &error));
    QVERIFY(!moved.hasSelection());
    QCOMPARE(m_editor->mirror()->notebookOffset(moved.position()), start);
}

void TestRemoteCursors::labelShowsWhileActiveThenFades()
{
    RemoteCursors *cursors = m_editor->remoteCursors();
    cursors->place(QStringLiteral("u2"), QStringLiteral("bob"), Qt::red, 0, 0);
    QCOMPARE(cursors->labelOpacity(QStringLiteral("u2")), 1.0);
    m_now += RemoteCursors::kLabelIdleMs; // idle, but not long enough
    QCOMPARE(cursors->labelOpacity(QStringLiteral("u2")), 1.0);
    m_now += RemoteCursors::kLabelFadeMs / 2;
    QCOMPARE(cursors->labelOpacity(QStringLiteral("u2")), 0.5);
    cursors->touch(QStringLiteral("u2")); // they typed: the label is back
    QCOMPARE(cursors->labelOpacity(QStringLiteral("u2")), 1.0);
    m_now += RemoteCursors::kLabelIdleMs + RemoteCursors::kLabelFadeMs;
    QCOMPARE(cursors->labelOpacity(QStringLiteral("u2")), 0.0);
    QCOMPARE(cursors->labelOpacity(QStringLiteral("nobody")), 0.0);
}

void TestRemoteCursors::labelIsDrawnInTheWritersColour()
{
    QString error;
    QVERIFY(m_editor->loadBytes(lines(20), &error));
    const QColor pink(0xe9, 0x1e, 0x63);
    QCOMPARE(pixelsOf(m_editor, pink), 0);
    m_editor->remoteCursors()->place(QStringLiteral("u2"), QStringLiteral("Bob Writer"), pink, 40,
                                     40);
    const int withLabel = pixelsOf(m_editor, pink);
    // The label is a filled box around the name (several hundred pixels); the caret two
    // pixels by one line.
    QVERIFY2(withLabel > 300, qPrintable(QString::number(withLabel)));
    m_now += RemoteCursors::kLabelIdleMs + RemoteCursors::kLabelFadeMs + 1;
    m_editor->viewport()->update();
    const int caretOnly = pixelsOf(m_editor, pink);
    QVERIFY2(caretOnly > 0 && caretOnly < 100, qPrintable(QString::number(caretOnly)));
}

void TestRemoteCursors::remoteEditsKeepTheUsersCursorAndView()
{
    QString error;
    QVERIFY(m_editor->loadBytes(lines(300), &error));
    QTextCursor cursor(m_editor->document()->findBlockByNumber(150));
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 2);
    cursor.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor, 3); // li[ne ]151
    m_editor->setTextCursor(cursor);
    m_editor->centerCursor();
    const QString topBefore = m_editor->cursorForPosition(QPoint(2, 2)).block().text();
    QVERIFY(topBefore != QStringLiteral("line 1"));
    // Ten lines above the view, one inside the user's line before the selection, some below.
    QVERIFY(m_editor->applyRemoteEdit({ 0, 0, QString::fromLatin1(lines(10, "\n")) }, &error));
    const qsizetype line151 = m_editor->notebookText().indexOf(u"line 151\r\n");
    QVERIFY(m_editor->applyRemoteEdit({ line151, 0, QStringLiteral("» ") }, &error));
    QVERIFY(m_editor->applyRemoteEdit(
        { m_editor->notebookText().indexOf(u"line 290"), 0, QStringLiteral("x\r\n") }, &error));
    QCOMPARE(m_editor->cursorForPosition(QPoint(2, 2)).block().text(), topBefore);
    QCOMPARE(m_editor->textCursor().selectedText(), QStringLiteral("ne "));
    QCOMPARE(m_editor->textCursor().block().text(), QStringLiteral("» line 151"));
}

void TestRemoteCursors::remoteEditsStayOutOfTheUndoStack()
{
    QString error;
    QVERIFY(m_editor->loadBytes("one\ntwo\n", &error));
    m_editor->setOwnUndo(true);
    QTest::keyClicks(m_editor, QStringLiteral("abc"));
    QVERIFY(m_editor->applyRemoteEdit({ 4, 0, QStringLiteral("remote ") }, &error));
    QVERIFY(!m_editor->document()->isUndoAvailable());
    // The standard Undo key asks for the shared undo instead of QTextDocument's.
    QSignalSpy undo(m_editor, &NotebookEditor::undoRequested);
    QSignalSpy redo(m_editor, &NotebookEditor::redoRequested);
    const QString before = m_editor->notebookText();
    QTest::keySequence(m_editor, QKeySequence::Undo);
    QTest::keySequence(m_editor, QKeySequence::Redo);
    QCOMPARE(undo.size(), 1);
    QCOMPARE(redo.size(), 1);
    QCOMPARE(m_editor->notebookText(), before);
    // Alone again, Qt's undo is back.
    m_editor->setOwnUndo(false);
    QTest::keyClicks(m_editor, QStringLiteral("d"));
    QVERIFY(m_editor->document()->isUndoAvailable());
}

void TestRemoteCursors::followKeepsTheCursorInViewUntilTheUserTypes()
{
    QString error;
    QVERIFY(m_editor->loadBytes(lines(400), &error));
    RemoteCursors *cursors = m_editor->remoteCursors();
    auto inView = [this](const QString &user) {
        return m_editor->viewport()->rect().contains(
            m_editor->cursorRect(m_editor->remoteCursors()->find(user)->cursor));
    };
    auto placeAtLine = [&](int line) {
        const int at = m_editor->document()->findBlockByNumber(line).position();
        cursors->place(QStringLiteral("u2"), QStringLiteral("bob"), Qt::blue, at, at);
    };
    placeAtLine(10);
    QSignalSpy following(m_editor, &NotebookEditor::followingChanged);
    m_editor->showRemoteCursor(QStringLiteral("u2"), true);
    QCOMPARE(m_editor->followedUser(), QStringLiteral("u2"));
    QCOMPARE(following.size(), 1);
    placeAtLine(300);
    QVERIFY(inView(QStringLiteral("u2")));
    // Their typing moves the cursor down through remote edits: still in view.
    const qsizetype at = m_editor->mirror()->notebookOffset(
        cursors->find(QStringLiteral("u2"))->cursor.position());
    QVERIFY(m_editor->applyRemoteEdit({ at, 0, QString::fromLatin1(lines(60, "\r\n")) }, &error));
    QVERIFY(inView(QStringLiteral("u2")));
    // The user types: following stops and the view stays where the user is.
    QTest::keyClicks(m_editor, QStringLiteral("x"));
    QVERIFY(m_editor->followedUser().isEmpty());
    QCOMPARE(following.size(), 2);
    const int value = m_editor->verticalScrollBar()->value();
    placeAtLine(5);
    QCOMPARE(m_editor->verticalScrollBar()->value(), value);
    QVERIFY(!inView(QStringLiteral("u2")));
}

void TestRemoteCursors::presenceListShowsWritersAndJumps()
{
    QString error;
    QVERIFY(m_editor->loadBytes(lines(400), &error));
    PresencePanel panel;
    panel.resize(300, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto meta = [](const char *name, const char *color, const char *client) {
        return QJsonObject {
            { QStringLiteral("metas"),
              QJsonArray { QJsonObject { { QStringLiteral("name"), QString::fromUtf8(name) },
                                         { QStringLiteral("color"), QString::fromUtf8(color) },
                                         { QStringLiteral("client"), QString::fromUtf8(client) },
                                         { QStringLiteral("phx_ref"), QStringLiteral("1") } } } }
        };
    };
    panel.setPresence({ { QStringLiteral("1"), meta("Ada Lovelace", "#1f77b4", "kyozo-desktop") },
                        { QStringLiteral("2"), meta("bob", "#e91e63", "phoenix.js") } });
    QCOMPARE(panel.list()->count(), 2);
    QCOMPARE(panel.list()->item(0)->text(), QStringLiteral("Ada Lovelace — kyozo-desktop"));
    QCOMPARE(panel.list()->item(1)->text(), QStringLiteral("bob — phoenix.js"));
    QCOMPARE(PresencePanel::initials(QStringLiteral("Ada Lovelace")), QStringLiteral("AL"));
    QCOMPARE(PresencePanel::initials(QStringLiteral("bob")), QStringLiteral("B"));
    // The avatar is a disc of the writer's colour.
    const QImage avatar = panel.list()->item(1)->icon().pixmap(24, 24).toImage();
    QCOMPARE(QColor(avatar.pixel(4, 12)).name(), QStringLiteral("#e91e63"));

    connect(&panel, &PresencePanel::jumpRequested, m_editor,
            [this](const QString &user) { m_editor->showRemoteCursor(user); });
    const int at = m_editor->document()->findBlockByNumber(350).position();
    m_editor->remoteCursors()->place(QStringLiteral("2"), QStringLiteral("bob"), Qt::red, at, at);
    const int own = m_editor->textCursor().position();
    const QRect row = panel.list()->visualItemRect(panel.list()->item(1));
    QTest::mouseClick(panel.list()->viewport(), Qt::LeftButton, {}, row.center());
    QVERIFY(m_editor->viewport()->rect().contains(
        m_editor->cursorRect(m_editor->remoteCursors()->find(QStringLiteral("2"))->cursor)));
    QCOMPARE(m_editor->textCursor().position(), own); // the user's own cursor did not move
    QSignalSpy follow(&panel, &PresencePanel::followRequested);
    QVERIFY(panel.followButton()->isEnabled());
    QTest::mouseClick(panel.followButton(), Qt::LeftButton);
    QCOMPARE(follow.size(), 1);
    QCOMPARE(follow[0][0].toString(), QStringLiteral("2"));
}

QTEST_MAIN(TestRemoteCursors)
#include "tst_remotecursors.moc"
