// Autosave and crash recovery (issue 19 item 2). The real `kyozo` is typed into under Xvfb
// (xdotool, a person's keys), killed with SIGKILL before it saves, and a new window on the
// same data folder offers the unsaved text back: Restore gives exactly the bytes that were
// on screen — the file's CRLF endings and what was typed — while the file on disk is as it
// was. Discard removes the copy; a clean save or close leaves nothing behind; a copy that
// another live window holds is never offered; untitled notebooks come back untitled.
#include "appprocess.h"
#include "editor/notebookeditor.h"
#include "mainwindow.h"
#include "recovery.h"
#include "xvfbmain.h"

#include <QDir>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace Kyozo::App;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// The copies in `folder` (text and metadata), whoever holds them.
QStringList copiesIn(const QString &folder)
{
    return QDir(folder).entryList({ QStringLiteral("*.md"), QStringLiteral("*.json") },
                                  QDir::Files);
}

// An entry as a process that ended without removing it leaves one (no live lock), written
// by hand in the documented format (recovery.h).
void leaveOrphan(const QString &folder, const QString &id, const QString &path,
                 const QByteArray &text, const QString &savedAt)
{
    QVERIFY(writeAll(folder + u'/' + id + QStringLiteral(".md"), text));
    QVERIFY(writeAll(
        folder + u'/' + id + QStringLiteral(".json"),
        QStringLiteral("{\"path\": \"%1\", \"savedAt\": \"%2\"}").arg(path, savedAt).toUtf8()));
}

} // namespace

class TestRecovery : public QObject
{
    Q_OBJECT
public:
    explicit TestRecovery(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;
    QTemporaryDir m_dir;

    QString folder() const { return RecoveryFile::defaultFolder(); }

private slots:
    void initTestCase()
    {
        qputenv("KYOZO_NO_KEYCHAIN", "1");
        // This process's data and settings are the test's: its recovery folder is too.
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("kyozo"));
        QCoreApplication::setApplicationName(QStringLiteral("kyozo"));
    }

    void cleanup() { QDir(folder()).removeRecursively(); }

    void aCopyLivesWhileItsWindowDoes()
    {
        auto copy = std::make_unique<RecoveryFile>();
        QString error;
        QVERIFY2(copy->write("first", QStringLiteral("/notes/a.md"), &error), qPrintable(error));
        QVERIFY2(copy->write("second", QStringLiteral("/notes/a.md"), &error), qPrintable(error));
        QCOMPARE(readAll(folder() + u'/' + copy->id() + QStringLiteral(".md")),
                 QByteArray("second"));
        QCOMPARE(QFileInfo(folder()).permissions() & (QFile::ReadOther | QFile::ReadGroup),
                 QFileDevice::Permissions());
        // Held by a live window (here, this process): not an orphan, not offered.
        QVERIFY(Recovery::orphans().isEmpty());
        copy.reset();
        QCOMPARE(QDir(folder()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void orphansNewestFirstAndNothingMalformed()
    {
        QDir().mkpath(folder());
        const QString older = QStringLiteral("11111111-1111-4111-8111-111111111111");
        const QString newer = QStringLiteral("22222222-2222-4222-8222-222222222222");
        leaveOrphan(folder(), older, QStringLiteral("/n/a.md"), "a", "2026-12-01T10:00:00.000Z");
        leaveOrphan(folder(), newer, QString(), "b", "2026-12-02T10:00:00.000Z");
        // Not ours, or not whole: skipped.
        QVERIFY(writeAll(folder() + QStringLiteral("/notes.json"), "{}"));
        QVERIFY(writeAll(folder() + QStringLiteral("/33333333-3333-4333-8333-333333333333.json"),
                         "not json"));
        leaveOrphan(folder(), QStringLiteral("44444444-4444-4444-8444-444444444444"),
                    QStringLiteral("/n/c.md"), "c", "yesterday");
        QVERIFY(writeAll(folder() + QStringLiteral("/55555555-5555-4555-8555-555555555555.json"),
                         "{\"path\": \"/n/d.md\", \"savedAt\": \"2026-12-02T10:00:00.000Z\"}"));
        const QList<RecoveredNotebook> found = Recovery::orphans();
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].id, newer);
        QCOMPARE(found[0].path, QString());
        QCOMPARE(found[1].id, older);
        QCOMPARE(found[1].path, QStringLiteral("/n/a.md"));
        QByteArray bytes;
        QString error;
        QVERIFY(Recovery::read(found[1], &bytes, &error));
        QCOMPARE(bytes, QByteArray("a"));
    }

    // The real editor, killed before it saved; a new window restores what was typed.
    void killedEditorsTextIsRestored()
    {
        KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty(),
                      QStringLiteral("xdotool"));
        KyozoTest::AppProcess app;
        const QString notes = app.home() + QStringLiteral("/notes.md");
        const QByteArray original = "# Notes\r\n\r\nFirst line.\r\n";
        QVERIFY(writeAll(notes, original));
        QVERIFY(writeAll(app.configHome() + QStringLiteral("/kyozo/kyozo.conf"),
                         "[editor]\nautosaveSeconds=1\n"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DISPLAY"), m_display);
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        app.start({ notes }, env);
        const QString window = KyozoTest::windowOfProcess(m_display, app.process().processId());
        QVERIFY2(!window.isEmpty(), qPrintable(app.output()));
        bool ok = false;
        KyozoTest::xdotool(m_display,
                           { QStringLiteral("windowsize"), window, QStringLiteral("1280"),
                             QStringLiteral("800") });
        KyozoTest::xdotool(m_display,
                           { QStringLiteral("mousemove"), QStringLiteral("--window"), window,
                             QStringLiteral("640"), QStringLiteral("300"), QStringLiteral("click"),
                             QStringLiteral("1") },
                           &ok);
        QVERIFY(ok);
        KyozoTest::xdotool(m_display,
                           { QStringLiteral("key"), QStringLiteral("--clearmodifiers"),
                             QStringLiteral("ctrl+End") },
                           &ok);
        QVERIFY(ok);
        KyozoTest::xdotool(m_display,
                           { QStringLiteral("type"), QStringLiteral("--delay"),
                             QStringLiteral("20"), QStringLiteral("Unsaved words") },
                           &ok);
        QVERIFY(ok);
        const QByteArray typed = original + "Unsaved words";
        const QString appFolder = app.dataHome() + QStringLiteral("/kyozo/kyozo/recovery");
        // Within a few autosave periods the copy holds everything typed.
        QString copy;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QString &name : QDir(appFolder).entryList({ QStringLiteral("*.md") }))
                    if (readAll(appFolder + u'/' + name) == typed)
                        copy = name;
                return !copy.isEmpty();
            }(),
            20000);
        app.process().kill(); // SIGKILL: no close event, no destructor
        QVERIFY(app.process().waitForFinished(5000));
        QCOMPARE(readAll(notes), original);

        // A new window on the same data folder, as the next start of the editor.
        qputenv("XDG_DATA_HOME", app.dataHome().toUtf8());
        MainWindow next;
        next.show();
        QString error;
        QVERIFY2(next.openFile(notes, &error), qPrintable(error));
        RecoveryBar *bar = next.recoveryBar();
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->offered().path, notes);
        QVERIFY2(bar->message().contains(QLatin1String("notes.md")), qPrintable(bar->message()));
        QCOMPARE(next.editor()->saveBytes(), original); // nothing replaced before Restore
        if (!m_display.isEmpty()) {
            QTest::qWait(200);
            QVERIFY(KYOZO_SAVE_SCREENSHOT(next.grab().toImage(), "kyozo-recovery.png"));
        }
        QTest::mouseClick(bar->restoreButton(), Qt::LeftButton);
        QCOMPARE(next.editor()->saveBytes(), typed);
        QVERIFY(next.editor()->document()->isModified());
        QVERIFY(!bar->isVisible());
        QCOMPARE(readAll(notes), original); // until the writer saves
        // The orphan is gone; the restored text is this window's copy now, under its lock.
        QVERIFY(!QFileInfo::exists(appFolder + u'/' + copy));
        QVERIFY(!next.recoveryId().isEmpty());
        QVERIFY(Recovery::orphans().isEmpty());
        QVERIFY(next.saveFile(notes, &error));
        QCOMPARE(readAll(notes), typed);
        QCOMPARE(copiesIn(appFolder), QStringList());
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
    }

    void discardRemovesTheCopy()
    {
        const QString notes = m_dir.filePath(QStringLiteral("d.md"));
        QVERIFY(writeAll(notes, "kept\n"));
        leaveOrphan(folder(), QStringLiteral("66666666-6666-4666-8666-666666666666"), notes,
                    "kept\nlost\n", "2026-12-02T10:00:00.000Z");
        MainWindow window;
        window.show();
        QString error;
        QVERIFY(window.openFile(notes, &error));
        QVERIFY(window.recoveryBar()->isVisible());
        QTest::mouseClick(window.recoveryBar()->discardButton(), Qt::LeftButton);
        QVERIFY(!window.recoveryBar()->isVisible());
        QCOMPARE(window.editor()->saveBytes(), QByteArray("kept\n"));
        QCOMPARE(copiesIn(folder()), QStringList());
    }

    // A copy of what the file already says recovers nothing: removed, never offered.
    void aCopyLikeTheFileIsNotOffered()
    {
        const QString notes = m_dir.filePath(QStringLiteral("same.md"));
        QVERIFY(writeAll(notes, "same\n"));
        leaveOrphan(folder(), QStringLiteral("77777777-7777-4777-8777-777777777777"), notes,
                    "same\n", "2026-12-02T10:00:00.000Z");
        MainWindow window;
        QString error;
        QVERIFY(window.openFile(notes, &error));
        QVERIFY(window.recoveryBar()->isHidden());
        QCOMPARE(copiesIn(folder()), QStringList());
    }

    // At start-up the first window offers any orphan: an untitled one comes back untitled.
    void untitledComesBackUntitled()
    {
        const QString notes = m_dir.filePath(QStringLiteral("open.md"));
        QVERIFY(writeAll(notes, "open\n"));
        leaveOrphan(folder(), QStringLiteral("88888888-8888-4888-8888-888888888888"), QString(),
                    "draft\r\nnever saved", "2026-12-02T10:00:00.000Z");
        MainWindow window;
        window.show();
        QString error;
        QVERIFY(window.openFile(notes, &error));
        QVERIFY(window.recoveryBar()->isHidden()); // not this file's
        window.offerRecovery(true);
        QVERIFY(window.recoveryBar()->isVisible());
        QVERIFY(window.recoveryBar()->message().contains(QLatin1String("untitled")));
        QTest::mouseClick(window.recoveryBar()->restoreButton(), Qt::LeftButton);
        QCOMPARE(window.editor()->saveBytes(), QByteArray("draft\r\nnever saved"));
        QCOMPARE(window.currentFile(), QString());
        QVERIFY(window.editor()->document()->isModified());
        // Closed without saving (the writer's choice): nothing left behind.
        window.editor()->document()->setModified(false);
        window.close();
        QCOMPARE(copiesIn(folder()), QStringList());
    }

    // Autosave writes only while there are unsaved changes, and undoing back to the saved
    // text removes the copy.
    void autosaveFollowsTheChanges()
    {
        const QString notes = m_dir.filePath(QStringLiteral("auto.md"));
        QVERIFY(writeAll(notes, "line\n"));
        MainWindow window;
        QString error;
        QVERIFY(window.openFile(notes, &error));
        window.autosave();
        QCOMPARE(window.recoveryId(), QString());
        QTextCursor c(window.editor()->document());
        c.movePosition(QTextCursor::End);
        c.insertText(QStringLiteral("more"));
        window.autosave();
        QVERIFY(!window.recoveryId().isEmpty());
        QCOMPARE(readAll(folder() + u'/' + window.recoveryId() + QStringLiteral(".md")),
                 QByteArray("line\nmore"));
        window.editor()->document()->undo();
        QVERIFY(!window.editor()->document()->isModified());
        QCOMPARE(window.recoveryId(), QString());
        QCOMPARE(copiesIn(folder()), QStringList());
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestRecovery, "1280x800x24")
#include "tst_recovery.moc"
