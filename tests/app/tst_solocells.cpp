// Cells in solo mode, out of the box (issue 17 item 5): the editor on a copy of the sample
// notebook with its bundled kyozo-server runs the sample's Python cell with Run Cell and
// shows "Hello, Ada!" in its output dock; opened again, the file shows that output again; a
// cell of a local file runs in that file's own folder and reads the file beside it. Expected outputs are what the cells print, by hand.
#include "cellrunactions.h"
#include "editor/notebookeditor.h"
#include "mainwindow.h"
#include "net/cellexecutions.h"
#include "panels/celloutputview.h"
#include "requiredtool.h"
#include "solo/solosession.h"
#include "systemuser.h"
#include "testpaths.h"
#include "xvfbmain.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;

class TestSoloCells : public QObject
{
    Q_OBJECT
public:
    explicit TestSoloCells(QString display) : m_display(std::move(display)) { }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void theSamplesPythonCellRuns();
    void outputsComeBackWhenReopened();
    void aCellRunsInItsFilesFolder();

private:
    // Opens `path` in `window` on the bundled server, the cursor on `line` (1-based), and
    // runs the cell there; the cell's output once its run ended.
    QString runCellOf(MainWindow &window, const QString &path, int line, const QString &cellId);

    QString m_display;
    QString m_samplePath;
    QTemporaryDir m_home;
    std::unique_ptr<SoloSession> m_solo;
};

void TestSoloCells::initTestCase()
{
    KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty(),
                  QStringLiteral("python3"));
    QVERIFY(m_home.isValid());
    // As root the cells run as nobody, who must reach the notebooks' folders.
    QVERIFY(KyozoTest::letEveryoneIn(m_home.path()));
    KyozoTest::useOwnAppHome(m_home.path());
    m_solo = std::make_unique<SoloSession>(KyozoTest::binaryPath(QStringLiteral("kyozo-server")));
    m_solo->start();
    QTRY_VERIFY_WITH_TIMEOUT(!m_solo->serverUrl().isEmpty() && !m_solo->token().isEmpty(), 30000);
}

void TestSoloCells::cleanupTestCase()
{
    m_solo.reset();
}

QString TestSoloCells::runCellOf(MainWindow &window, const QString &path, int line,
                                 const QString &cellId)
{
    window.setSolo(m_solo.get());
    window.resize(1200, 800);
    window.show();
    QString error;
    if (!window.openFile(path, &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    NotebookEditor *editor = window.findChild<NotebookEditor *>();
    if (!editor)
        return {};
    editor->setTextCursor(QTextCursor(editor->document()->findBlockByNumber(line - 1)));
    CellRunActions *runs = window.runActions();
    auto *run = runs->findChild<QAction *>(QStringLiteral("runCellAction"));
    if (!run)
        return {};
    // Nothing else to do: the file is mirrored to the bundled server and the run sent then.
    run->trigger();
    const auto ended = [&] {
        const QString status = runs->executions() ? runs->executions()->state(cellId).status : QString();
        return status == QLatin1String("completed") || status == QLatin1String("failed");
    };
    if (!QTest::qWaitFor(ended, 60000)) {
        qWarning("the run of %s did not end", qPrintable(cellId));
        return {};
    }
    QTest::qWait(200); // the dock shows what arrived with the ending
    CellOutputView *view = runs->outputView(cellId);
    return view ? view->toPlainText() : QString();
}

void TestSoloCells::theSamplesPythonCellRuns()
{
    const QString path = m_home.filePath(QStringLiteral("welcome.md"));
    m_samplePath = path;
    QVERIFY(QFile::copy(KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")), path));
    QFile sample(path);
    QVERIFY(sample.open(QIODevice::ReadOnly));
    // The Python cell: its fence's line, as the sample has it.
    int fence = 0;
    for (int n = 1; !sample.atEnd(); ++n)
        if (sample.readLine().startsWith("```python")) {
            fence = n;
            break;
        }
    QVERIFY(fence > 0);
    MainWindow window;
    // The sample's second fenced block (after its JSON-LD one): cell-2.
    QCOMPARE(runCellOf(window, path, fence + 1, QStringLiteral("cell-2")),
             QStringLiteral("Hello, Ada!\n"));
    QCOMPARE(window.runActions()->executions()->state(QStringLiteral("cell-2")).exitCode, 0);
    QDockWidget *dock = window.runActions()->outputDock(QStringLiteral("cell-2"));
    QVERIFY(dock && dock->isVisible());

    KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::qWait(300);
    QVERIFY(KYOZO_SAVE_SCREENSHOT(window.screen()->grabWindow(window.winId()).toImage(),
                                  "kyozo-sample-cell.png"));
}

// Opened again in a new window: the last run's output is back without running anything.
void TestSoloCells::outputsComeBackWhenReopened()
{
    QVERIFY(!m_samplePath.isEmpty());
    MainWindow window;
    window.setSolo(m_solo.get());
    window.show();
    QString error;
    QVERIFY2(window.openFile(m_samplePath, &error), qPrintable(error));
    CellRunActions *runs = window.runActions();
    QTRY_VERIFY_WITH_TIMEOUT(runs->outputView(QStringLiteral("cell-2")), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(runs->outputView(QStringLiteral("cell-2"))->toPlainText(),
                              QStringLiteral("Hello, Ada!\n"), 10000);
    QCOMPARE(runs->executions()->state(QStringLiteral("cell-2")).status, QStringLiteral("completed"));
}

void TestSoloCells::aCellRunsInItsFilesFolder()
{
    const QString folder = m_home.filePath(QStringLiteral("project"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(KyozoTest::letEveryoneIn(folder));
    QFile data(folder + QStringLiteral("/data.csv"));
    QVERIFY(data.open(QIODevice::WriteOnly));
    data.write("x,y\n1,2\n");
    data.close();
    QVERIFY(data.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    const QString path = folder + QStringLiteral("/notes.md");
    QFile notes(path);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("# Notes\n\n```sh {#where}\npwd\ncat data.csv\n```\n");
    notes.close();
    MainWindow window;
    const QString canonical = QFileInfo(folder).canonicalFilePath();
    QCOMPARE(runCellOf(window, path, 4, QStringLiteral("where")),
             canonical + QStringLiteral("\nx,y\n1,2\n"));
}

KYOZO_TEST_MAIN_UNDER_XVFB(TestSoloCells, "1400x900x24")
#include "tst_solocells.moc"
