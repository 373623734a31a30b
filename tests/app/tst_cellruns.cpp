// Running cells from the editor (issue 17 item 5) against the real kyozo-server with
// execution on: Run cell on the cell at the cursor shows the cell's output in its own dock
// and its status on the fence line; Run all shows progress and stops at a failing cell; a
// second editor opening the notebook later gets the stored results replayed; Stop ends a
// running cell. Expected outputs are what the cells' own code prints, written here by hand.
#include "cellrunactions.h"
#include "editor/notebookeditor.h"
#include "net/cellexecutions.h"
#include "net/sharednotebook.h"
#include "panels/celloutputview.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "xvfbmain.h"

#include <QAction>
#include <QDockWidget>
#include <QJsonDocument>
#include <QMainWindow>
#include <QMenu>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;

namespace {
const QString kNotebook = QStringLiteral("# Runs\n"
                                         "\n"
                                         "```sh {#hello}\n"
                                         "echo \"hello from $((6 * 7))\"\n"
                                         "printf 'to stderr\\n' >&2\n"
                                         "```\n"
                                         "\n"
                                         "```sh\n"
                                         "exit 3\n"
                                         "```\n"
                                         "\n"
                                         "```sh {name=after}\n"
                                         "echo never\n"
                                         "```\n");

// The {#hello} cell's output, all of it and nothing else: its stdout line and its stderr
// line, in either order.
bool isBothStreams(const QString &text)
{
    return text == QLatin1String("hello from 42\nto stderr\n")
        || text == QLatin1String("to stderr\nhello from 42\n");
}

// One editor window on a shared notebook, as MainWindow builds it.
struct Window
{
    QMainWindow window;
    NotebookEditor *editor = new NotebookEditor;
    SharedNotebook shared { editor };
    CellRunActions runs { &window, editor };
    QMenu menu;

    Window(const QUrl &server, const QString &token, const QString &id)
    {
        window.setCentralWidget(editor);
        runs.addActionsTo(&menu);
        runs.attach(shared.connection());
        window.resize(900, 700);
        window.show();
        shared.open(server, token, id);
    }
    QAction *action(const char *name) const
    {
        return runs.findChild<QAction *>(QLatin1String(name));
    }
    void putCursorOnLine(int oneBased)
    {
        QTextCursor c(editor->document()->findBlockByNumber(oneBased - 1));
        editor->setTextCursor(c);
    }
    QString output(const QString &cell) const
    {
        CellOutputView *view = runs.outputView(cell);
        return view ? view->toPlainText() : QString();
    }
};
} // namespace

class TestCellRuns : public QObject
{
    Q_OBJECT
public:
    explicit TestCellRuns(QString display) : m_display(std::move(display)) { }

private slots:
    void initTestCase();
    void runCellShowsItsOutputAndStatus();
    void runAllStopsAtTheFailingCell();
    void aLaterEditorGetsTheStoredResults();
    void stopEndsARunningCell();

private:
    QString createNotebook(const QString &content);
    QString m_display; // empty: offscreen, without Xvfb
    QTemporaryDir m_work;
    KyozoTest::TemporaryServer m_server;
    QString m_ada;
    QString m_id;
};

void TestCellRuns::initTestCase()
{
    KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("sh")).isEmpty(), "sh");
    QString error;
    // The cells' user (nobody, when the suite runs as root) must reach its working folder,
    // which a default under /root is not.
    QVERIFY(m_work.isValid());
    QVERIFY(QFile::setPermissions(m_work.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                     | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                                                     | QFileDevice::ExeOther));
    QVERIFY2(m_server.start(QStringLiteral("[execution]\nenabled = true\nworking_directory = \"%1\"\n")
                                .arg(m_work.filePath(QStringLiteral("runs"))),
                            &error),
             qPrintable(error));
    m_ada = m_server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                   QStringLiteral("editor"));
    QVERIFY(!m_ada.isEmpty());
    m_id = createNotebook(kNotebook);
    QVERIFY(!m_id.isEmpty());
}

QString TestCellRuns::createNotebook(const QString &content)
{
    const auto created = KyozoTest::restRequest(
        "POST", m_server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), m_ada,
        QJsonDocument(QJsonObject { { QStringLiteral("title"), QStringLiteral("runs") },
                                    { QStringLiteral("content"), content } })
            .toJson());
    return created.json.value(QLatin1String("id")).toString();
}

void TestCellRuns::runCellShowsItsOutputAndStatus()
{
    Window w(m_server.url({}), m_ada, m_id);
    QTRY_VERIFY_WITH_TIMEOUT(w.shared.isLoaded(), 10000);
    w.runs.refreshCells();
    QCOMPARE(w.runs.cells().size(), 3);
    QCOMPARE(w.runs.cells().at(1).id, QStringLiteral("cell-2"));

    w.putCursorOnLine(4); // inside the {#hello} cell
    QCOMPARE(w.runs.cellAtCursor()->id, QStringLiteral("hello"));
    w.action("runCellAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.runs.executions()->state(QStringLiteral("hello")).status,
                              QStringLiteral("completed"), 30000);
    QCOMPARE(w.runs.executions()->state(QStringLiteral("hello")).exitCode, 0);
    // stdout then stderr, and the status in the dock's title.
    QDockWidget *dock = w.runs.outputDock(QStringLiteral("hello"));
    QVERIFY(dock);
    QTRY_COMPARE_WITH_TIMEOUT(dock->windowTitle(), QStringLiteral("Output: hello — done"), 5000);
    const QString text = w.output(QStringLiteral("hello"));
    // stdout and stderr are two pipes: which the server reads first is the machine's affair
    // (Jupyter's streams are not ordered across each other either), each stream in order.
    QVERIFY2(isBothStreams(text), qPrintable(text));
    QVERIFY(dock->isVisible());
    QCOMPARE(dock->objectName(), QStringLiteral("outputDock-hello"));
    // The badge on the opening fence (line 3), not on another line.
    QCOMPARE(w.editor->cellBadgeAt(2), QStringLiteral("done"));
    QVERIFY(w.editor->cellBadgeAt(3).isEmpty());

    // What a person sees: the badge on the fence, the output docked below (docs/screenshots).
    KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
    QVERIFY(QTest::qWaitForWindowExposed(&w.window));
    QTest::qWait(300);
    QVERIFY(KYOZO_SAVE_SCREENSHOT(w.window.screen()->grabWindow(w.window.winId()).toImage(),
                                  "kyozo-cell-output.png"));

    // The cursor outside every cell: nothing is sent, the user is told.
    w.putCursorOnLine(1);
    QVERIFY(!w.runs.cellAtCursor());
    QSignalSpy told(&w.runs, &CellRunActions::message);
    w.action("runCellAction")->trigger();
    QCOMPARE(told.size(), 1);

    // Another notebook (here: none) starts without the previous one's outputs.
    w.runs.detach();
    QVERIFY(!w.runs.outputDock(QStringLiteral("hello")));
    QVERIFY(w.window.findChildren<QDockWidget *>().isEmpty());
}

void TestCellRuns::runAllStopsAtTheFailingCell()
{
    Window w(m_server.url({}), m_ada, m_id);
    QTRY_VERIFY_WITH_TIMEOUT(w.shared.isLoaded(), 10000);
    QSignalSpy progress(w.runs.executions(), &CellExecutions::progressChanged);
    w.action("runAllAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.runs.executions()->state(QStringLiteral("cell-2")).status,
                              QStringLiteral("failed"), 30000);
    QCOMPARE(w.runs.executions()->state(QStringLiteral("cell-2")).exitCode, 3);
    QTRY_VERIFY_WITH_TIMEOUT(w.editor->cellBadgeAt(7) == QStringLiteral("failed (exit 3)"), 5000);
    // The cell after the failure did not run: no output of it, never "never".
    QTRY_VERIFY_WITH_TIMEOUT(!w.runs.executions()->isBusy(), 10000);
    QVERIFY(w.output(QStringLiteral("after")).isEmpty());
    QVERIFY(w.runs.executions()->state(QStringLiteral("after")).status
            != QStringLiteral("completed"));
    // Progress went through values between 0 and 1 while it ran.
    bool sawProgress = false;
    for (const QList<QVariant> &args : progress)
        sawProgress = sawProgress || (args.at(0).toDouble() >= 0 && args.at(0).toDouble() <= 1);
    QVERIFY(sawProgress);
}

void TestCellRuns::aLaterEditorGetsTheStoredResults()
{
    // Runs happened in the tests before: a new editor sees them without running anything.
    Window w(m_server.url({}), m_ada, m_id);
    QTRY_VERIFY_WITH_TIMEOUT(w.shared.isLoaded(), 10000);
    QTRY_VERIFY2_WITH_TIMEOUT(
        isBothStreams(w.output(QStringLiteral("hello"))),
        qPrintable(QStringLiteral("output %1, status %2")
                       .arg(w.output(QStringLiteral("hello")),
                            w.runs.executions()->state(QStringLiteral("hello")).status)),
        10000);
    QTRY_COMPARE_WITH_TIMEOUT(w.editor->cellBadgeAt(2), QStringLiteral("done"), 5000);
    // The stored ending comes before the stored output: the output is all the view holds.
    QVERIFY2(isBothStreams(w.output(QStringLiteral("hello"))),
             qPrintable(w.output(QStringLiteral("hello"))));
    QCOMPARE(w.runs.outputDock(QStringLiteral("hello"))->windowTitle(),
             QStringLiteral("Output: hello — done"));
}

void TestCellRuns::stopEndsARunningCell()
{
    const QString id
        = createNotebook(QStringLiteral("```sh {#slow}\necho started\nsleep 60\necho late\n```\n"));
    Window w(m_server.url({}), m_ada, id);
    QTRY_VERIFY_WITH_TIMEOUT(w.shared.isLoaded(), 10000);
    w.putCursorOnLine(2);
    w.action("runCellAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.output(QStringLiteral("slow")).startsWith(QLatin1String("started")),
                             30000);
    QVERIFY(w.action("stopAction")->isEnabled());
    w.action("stopAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.runs.executions()->state(QStringLiteral("slow")).status,
                              QStringLiteral("cancelled"), 20000);
    QVERIFY(!w.output(QStringLiteral("slow")).contains(QLatin1String("late")));
    QTRY_COMPARE_WITH_TIMEOUT(w.editor->cellBadgeAt(0), QStringLiteral("stopped"), 5000);
}

KYOZO_TEST_MAIN_UNDER_XVFB(TestCellRuns, "1400x900x24")
#include "tst_cellruns.moc"
