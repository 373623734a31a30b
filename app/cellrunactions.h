#pragma once

#include "execution/cells.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;
class QProgressBar;

namespace Kyozo::App {

class CellExecutions;
class CellOutputView;
class ChannelConnection;
class NotebookEditor;

// Running the notebook's cells from the editor (issue 17 item 5, SPEC §9): Run cell (the
// cell at the cursor, Ctrl+Enter), Run all, Stop; a status badge on each cell's opening
// fence; an output dock per cell, tabbed together at the bottom; run all's progress in the
// status bar. Runs go through the notebook's joined topic (CellExecutions); without one, the
// first Run asks for it (connectionNeeded: solo mode mirrors the file first) and is sent
// once the topic is joined.
class CellRunActions : public QObject
{
    Q_OBJECT
public:
    CellRunActions(QMainWindow *window, NotebookEditor *editor, QObject *parent = nullptr);
    ~CellRunActions() override;

    void addActionsTo(QMenu *menu);
    QProgressBar *progressBar() const { return m_progress; }

    // The notebook's topic, or null when it has none (a local file not mirrored yet).
    void attach(ChannelConnection *connection);
    void detach();
    bool isAttached() const { return m_runs != nullptr; }

    // The cells as the editor's text has them now (after an edit: call refreshCells).
    void refreshCells();
    const QList<Execution::Cell> &cells() const { return m_cells; }
    // The cell whose block holds the cursor, or nullptr.
    const Execution::Cell *cellAtCursor() const;

    void runCellAtCursor();
    void runAll();
    void stop();

    CellOutputView *outputView(const QString &cellId) const;
    QDockWidget *outputDock(const QString &cellId) const;
    CellExecutions *executions() const { return m_runs; }

signals:
    // Run was asked for and there is no topic to send it on.
    void connectionNeeded();
    void message(const QString &text);

private:
    void send(std::function<bool(CellExecutions *)> request);
    void onRunStarted(const QString &cellId);
    void onCellChanged(const QString &cellId);
    void onOutput(const QString &cellId, const QString &stream, const QString &text);
    void onProgress(double progress);
    CellOutputView *ensureDock(const QString &cellId);
    void updateBadges();
    void updateActions();
    QString statusText(const QString &cellId) const;

    QMainWindow *m_window;
    NotebookEditor *m_editor;
    QPointer<ChannelConnection> m_connection;
    CellExecutions *m_runs = nullptr;
    std::function<bool(CellExecutions *)> m_waiting; // a Run asked for before the join
    QList<Execution::Cell> m_cells;
    QHash<QString, QDockWidget *> m_docks;
    QHash<QString, QString> m_notedRuns; // per cell, the run whose end its view has noted
    QDockWidget *m_lastDock = nullptr;
    QProgressBar *m_progress;
    QAction *m_runCell;
    QAction *m_runAll;
    QAction *m_stop;
};

} // namespace Kyozo::App
