#include "cellrunactions.h"

#include "editor/notebookeditor.h"
#include "net/cellexecutions.h"
#include "net/channelconnection.h"
#include "panels/celloutputview.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QProgressBar>
#include <QTimer>

namespace Kyozo::App {

namespace {
    // Cells are found again this long after the last keystroke (cellsOf is linear; a 1 MB
    // notebook takes a few milliseconds).
    constexpr int kRefreshDelayMs = 300;

    QColor statusColor(const QString &status)
    {
        if (status == QLatin1String("running") || status == QLatin1String("queued"))
            return QColor(0x1e, 0x88, 0xe5);
        if (status == QLatin1String("completed"))
            return QColor(0x2e, 0x7d, 0x32);
        if (status == QLatin1String("failed"))
            return QColor(0xc6, 0x28, 0x28);
        return QColor(0xef, 0x6c, 0x00); // cancelled, timed out, a limit
    }
} // namespace

CellRunActions::CellRunActions(QMainWindow *window, NotebookEditor *editor, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_editor(editor)
    , m_progress(new QProgressBar(window))
{
    m_progress->setObjectName(QStringLiteral("runAllProgress"));
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(200);
    m_progress->setFormat(tr("Run all: %p%"));
    m_progress->hide();

    m_runCell = new QAction(tr("Run &Cell"), this);
    m_runCell->setObjectName(QStringLiteral("runCellAction"));
    m_runCell->setShortcut(QKeySequence(tr("Ctrl+Return")));
    connect(m_runCell, &QAction::triggered, this, &CellRunActions::runCellAtCursor);
    m_runAll = new QAction(tr("Run &All"), this);
    m_runAll->setObjectName(QStringLiteral("runAllAction"));
    m_runAll->setShortcut(QKeySequence(tr("Ctrl+Shift+Return")));
    connect(m_runAll, &QAction::triggered, this, &CellRunActions::runAll);
    m_stop = new QAction(tr("&Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopAction"));
    m_stop->setShortcut(QKeySequence(tr("Ctrl+.")));
    connect(m_stop, &QAction::triggered, this, &CellRunActions::stop);

    auto *refresh = new QTimer(this);
    refresh->setSingleShot(true);
    refresh->setInterval(kRefreshDelayMs);
    connect(refresh, &QTimer::timeout, this, &CellRunActions::refreshCells);
    connect(editor->document(), &QTextDocument::contentsChanged, refresh,
            qOverload<>(&QTimer::start));
    refreshCells();
    updateActions();
}

CellRunActions::~CellRunActions() = default;

void CellRunActions::addActionsTo(QMenu *menu)
{
    menu->addAction(m_runCell);
    menu->addAction(m_runAll);
    menu->addSeparator();
    menu->addAction(m_stop);
}

void CellRunActions::attach(ChannelConnection *connection)
{
    // A Run asked for before there was a connection (a solo file, mirrored because of it)
    // is what this connection is for: it survives the reset.
    auto waiting = std::move(m_waiting);
    detach();
    m_waiting = std::move(waiting);
    m_connection = connection;
    m_runs = new CellExecutions(connection, this);
    connect(m_runs, &CellExecutions::runStarted, this, &CellRunActions::onRunStarted);
    connect(m_runs, &CellExecutions::cellChanged, this, &CellRunActions::onCellChanged);
    connect(m_runs, &CellExecutions::output, this, &CellRunActions::onOutput);
    connect(m_runs, &CellExecutions::outputTruncated, this, [this](const QString &cellId) {
        ensureDock(cellId)->appendNote(tr("The output was cut at the server's limit."));
    });
    connect(m_runs, &CellExecutions::progressChanged, this, &CellRunActions::onProgress);
    connect(m_runs, &CellExecutions::refused, this, [this](const QString &reason) {
        emit message(tr("The server did not run it: %1").arg(reason));
    });
    connect(connection, &ChannelConnection::joined, m_runs, [this] {
        if (m_waiting)
            std::exchange(m_waiting, {})(m_runs);
        updateActions();
    });
    updateActions();
}

void CellRunActions::detach()
{
    delete m_runs;
    m_runs = nullptr;
    m_connection = nullptr;
    m_waiting = {};
    // The outputs were the previous notebook's: another one starts with none.
    qDeleteAll(m_docks);
    m_docks.clear();
    m_lastDock = nullptr;
    m_notedRuns.clear();
    onProgress(-1);
    updateBadges();
    updateActions();
}

void CellRunActions::refreshCells()
{
    m_cells = Execution::cellsOf(m_editor->notebookText());
    updateBadges();
}

const Execution::Cell *CellRunActions::cellAtCursor() const
{
    const qsizetype at = m_editor->mirror()->notebookOffset(m_editor->textCursor().position());
    for (const Execution::Cell &cell : m_cells) {
        if (cell.startOffset <= at && at <= cell.endOffset)
            return &cell;
    }
    return nullptr;
}

void CellRunActions::send(std::function<bool(CellExecutions *)> request)
{
    if (m_runs && request(m_runs))
        return;
    // Not joined (yet): sent by the join that comes.
    m_waiting = std::move(request);
    if (!m_runs)
        emit connectionNeeded();
    else
        emit message(tr("Waiting for the server to run it…"));
}

void CellRunActions::runCellAtCursor()
{
    refreshCells();
    const Execution::Cell *cell = cellAtCursor();
    if (!cell) {
        emit message(tr("The cursor is not in a code cell."));
        return;
    }
    const QString id = cell->id;
    send([id](CellExecutions *runs) { return runs->runCell(id); });
}

void CellRunActions::runAll()
{
    refreshCells();
    if (m_cells.isEmpty()) {
        emit message(tr("The notebook has no code cells."));
        return;
    }
    send([](CellExecutions *runs) { return runs->runAll(); });
}

void CellRunActions::stop()
{
    m_waiting = {};
    if (m_runs)
        m_runs->stop();
}

CellOutputView *CellRunActions::outputView(const QString &cellId) const
{
    QDockWidget *dock = m_docks.value(cellId);
    return dock ? qobject_cast<CellOutputView *>(dock->widget()) : nullptr;
}

QDockWidget *CellRunActions::outputDock(const QString &cellId) const
{
    return m_docks.value(cellId);
}

CellOutputView *CellRunActions::ensureDock(const QString &cellId)
{
    if (QDockWidget *dock = m_docks.value(cellId))
        return qobject_cast<CellOutputView *>(dock->widget());
    // SPEC §9: an output dock per cell; they share the bottom area as tabs.
    auto *dock = new QDockWidget(tr("Output: %1").arg(cellId), m_window);
    dock->setObjectName(QStringLiteral("outputDock-") + cellId);
    auto *view = new CellOutputView(dock);
    dock->setWidget(view);
    m_window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    if (m_lastDock)
        m_window->tabifyDockWidget(m_lastDock, dock);
    m_lastDock = dock;
    m_docks.insert(cellId, dock);
    return view;
}

void CellRunActions::onRunStarted(const QString &cellId)
{
    CellOutputView *view = ensureDock(cellId);
    view->clearOutput();
    QDockWidget *dock = m_docks.value(cellId);
    dock->show();
    dock->raise();
}

QString CellRunActions::statusText(const QString &cellId) const
{
    const CellExecutions::CellState state = m_runs->state(cellId);
    QString text;
    if (state.status == QLatin1String("queued"))
        text = tr("queued");
    else if (state.status == QLatin1String("running"))
        text = tr("running…");
    else if (state.status == QLatin1String("completed"))
        text = tr("done");
    else if (state.status == QLatin1String("failed"))
        text = state.exitCode >= 0 ? tr("failed (exit %1)").arg(state.exitCode) : tr("failed");
    else if (state.status == QLatin1String("cancelled"))
        text = tr("stopped");
    else if (state.status == QLatin1String("timed_out"))
        text = tr("timed out");
    else if (state.status == QLatin1String("limit_exceeded"))
        text = tr("over its %1 limit").arg(state.limit);
    else
        text = state.status;
    if (state.stale)
        text = tr("%1, before the cell changed").arg(text);
    return text;
}

void CellRunActions::onCellChanged(const QString &cellId)
{
    updateBadges();
    updateActions();
    const CellExecutions::CellState state = m_runs->state(cellId);
    // The status goes in the dock's title, not after the output: a late joiner gets a
    // stored result's ending before its output.
    ensureDock(cellId);
    outputDock(cellId)->setWindowTitle(tr("Output: %1 — %2").arg(cellId, statusText(cellId)));
    if (!CellExecutions::isFinal(state.status) || state.started || state.message.isEmpty())
        return;
    // Why a run could not start, in the server's words; once per run (a rejoin replays it).
    QString &noted = m_notedRuns[cellId];
    if (noted == state.executionId)
        return;
    noted = state.executionId;
    outputView(cellId)->appendNote(state.message);
}

void CellRunActions::onOutput(const QString &cellId, const QString &stream, const QString &text)
{
    ensureDock(cellId)->appendOutput(stream, text);
}

void CellRunActions::onProgress(double progress)
{
    if (progress < 0) {
        m_progress->hide();
        return;
    }
    m_progress->setValue(int(progress * 100 + 0.5));
    m_progress->show();
}

void CellRunActions::updateBadges()
{
    QList<NotebookEditor::CellBadge> badges;
    if (m_runs) {
        for (const Execution::Cell &cell : std::as_const(m_cells)) {
            const CellExecutions::CellState state = m_runs->state(cell.id);
            if (state.status.isEmpty())
                continue;
            badges.append({ cell.startOffset, statusText(cell.id), statusColor(state.status) });
        }
    }
    m_editor->setCellBadges(badges);
}

void CellRunActions::updateActions()
{
    // Run Cell and Run All stay enabled: the cells are found again when they are triggered
    // (the list here may be a moment old, as right after a notebook loads), and a notebook
    // without one gets a message, not a dead menu item.
    m_stop->setEnabled(m_runs && m_runs->isBusy());
}

} // namespace Kyozo::App
