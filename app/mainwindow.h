#pragma once

#include "editor/markdownrenderer.h"
#include "recovery.h"

#include <QMainWindow>
#include <QTimer>

#include <memory>

class QAction;
class QLabel;
class QListWidget;
class QMenu;

namespace Kyozo::App {

class CellRunActions;
class ChannelConnection;
class HiddenDataPanel;
class NotebookEditor;
class PresencePanel;
class PreviewPanel;
class RestClient;
class SemanticsPanel;
class ShareDialog;
class SharedNotebook;
class SoloMirror;
class SoloSession;

// SPEC §9 main window: notebook list, editor, Semantics / Hidden data / Preview docks, and a
// status bar with the server connection and who is present.
class FindBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a notebook; on failure the current one stays and `error` says why in one line.
    bool openFile(const QString &path, QString *error);
    bool saveFile(const QString &path, QString *error);
    bool exportHtml(const QString &path, QString *error);
    QString currentFile() const { return m_path; }

    // Team mode (SPEC §9): the workspace's notebooks in the notebook list, opened from the
    // server and edited together; local files can be uploaded into it.
    void setTeam(RestClient *rest, const QString &workspace);
    // The workspace topic's connection (team or solo session): who is online in the status
    // bar, and the notebook list read again on notebook_created / _renamed / _deleted.
    void followWorkspace(ChannelConnection *connection);
    // Opens notebook `id` of the server: joins its topic, shows its text, edits it together.
    void openSharedNotebook(const QString &id, const QString &title = {});
    SharedNotebook *sharedNotebook() const { return m_shared; }

    // Solo mode (SPEC §9): the bundled server this window mirrors its file into and shares.
    void setSolo(SoloSession *solo);
    // Mirrors the open file into a notebook of workspace `local` on the bundled server
    // (issue 15 item 3), once; "Share…" and running a cell (issue 17) call it. mirrorReady()
    // says when the notebook is joined. False when there is nothing to mirror: no file, no
    // bundled server, or a team notebook is open.
    bool ensureMirrored();
    // ensureMirrored() for a file that has a mirror already.
    void mirrorIfKnown();
    SoloMirror *mirror() const { return m_mirror; }
    // The mirror's notebook id once it is joined, else empty.
    QString mirroredNotebookId() const;
    // "Share…": mirrors the file and shows the dialog that shares the bundled server.
    void share();
    ShareDialog *shareDialog() const { return m_shareDialog; }
    PresencePanel *presencePanel() const { return m_presencePanel; }
    // Run cell / Run all / Stop, the cells' badges and output docks (issue 17 item 5).
    CellRunActions *runActions() const { return m_runActions; }

    NotebookEditor *editor() const { return m_editor; }
    FindBar *findBar() const { return m_findBar; }
    // Line, column (as a reader counts characters) and the document's words and characters.
    QLabel *positionStatus() const { return m_position; }
    // Edit → Go to Line…: the cursor to the start of `line` (from 1; clamped to the text).
    void goToLine(int line);
    // File → New: an untitled notebook in this window (after asking to save the open one).
    void newNotebook();
    // Help → Keyboard Shortcuts: every menu action with a key, as "Menu → Action", keys.
    QList<std::pair<QString, QString>> shortcuts() const;
    // Help → About Kyozo: the versions of the app, Qt and cmark-gfm.
    QString aboutText() const;
    SemanticsPanel *semanticsPanel() const { return m_semantics; }
    HiddenDataPanel *hiddenDataPanel() const { return m_hidden; }
    PreviewPanel *previewPanel() const { return m_preview; }
    // Brings the panels up to date now rather than after their short delay.
    void refreshPanels();

    // Autosave (issue 19 item 2): while the notebook has unsaved changes, a copy of its text
    // is kept in the recovery folder every `editor/autosaveSeconds` (QSettings, default 5; 0
    // turns it off) and removed when it is saved, discarded or closed (recovery.h).
    void autosave();
    QString recoveryId() const;
    // Offers an orphaned copy back in the bar above the text: one of the open file's, or
    // with `any` (the first window at start-up) the newest of all.
    void offerRecovery(bool any);
    RecoveryBar *recoveryBar() const { return m_recoveryBar; }
    void restore(const RecoveredNotebook &notebook);

signals:
    void mirrorReady(const QString &notebookId);

public slots:
    void showConnectionStatus(const QString &text);
    void showPresence(const QStringList &names);
    void showNotice(const QString &text);
    // A technical note (the keychain's fallback): in the log and on the connection's tooltip,
    // not in the status bar a writer reads first (issue 19 item 3).
    void showDetail(const QString &text);
    // The plan and its state (LicenseKeeper), in the status bar.
    void showPlan(const QString &text);

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updatePosition();
    void showShortcuts();
    void buildMenus();
    void buildDocks();
    void updateTitle();
    void listNotebooks();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    bool maybeSave();
    void clearToUntitled(); // File → New once the open notebook is saved or discarded
    void openInteractively(const QString &path);
    void hideTextInSelection();
    void openHiddenData(qint64 line, qint64 column);
    void updatePanels();
    void updatePreview();
    PreviewOptions previewOptions() const;
    void listWorkspaceNotebooks();
    void uploadToWorkspace();
    void saveCopy();
    void showHistory();
    void undo();
    void redo();
    void updateSharedActions();
    void wireShared();
    void leaveShared();

    NotebookEditor *m_editor;
    SemanticsPanel *m_semantics;
    HiddenDataPanel *m_hidden;
    PreviewPanel *m_preview;
    QListWidget *m_notebooks;
    QLabel *m_connection;
    QLabel *m_plan;
    QLabel *m_presence;
    QLabel *m_pending;
    PresencePanel *m_presencePanel;
    CellRunActions *m_runActions;
    FindBar *m_findBar;
    QLabel *m_position;
    RecoveryBar *m_recoveryBar;
    std::unique_ptr<RecoveryFile> m_recovery; // while there are unsaved changes
    QTimer m_autosaveTimer;
    bool m_recoveryOfferAny = false;
    QAction *m_reconnectAction;
    QTimer m_countTimer; // words and characters a moment after typing (O(n) on the text)
    QString m_counts;
    qreal m_baseFontSize = 0; // View → Reset Zoom
    SharedNotebook *m_shared = nullptr;
    SoloSession *m_solo = nullptr;
    SoloMirror *m_mirror = nullptr;
    ShareDialog *m_shareDialog = nullptr;
    QAction *m_shareAction = nullptr;
    RestClient *m_rest = nullptr;
    QString m_workspace;
    QString m_sharedTitle;
    QAction *m_uploadAction = nullptr;
    QAction *m_membersAction = nullptr; // File → Workspace Members… (team mode)
    QAction *m_historyAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QTimer m_panelTimer;
    QTimer m_previewTimer;
    bool m_previewStale = false; // the text changed while the preview was not shown
    bool m_previewShown = true; // its dock's tab is the one in front (visibilityChanged)
    QString m_path;
    bool m_painted = false;
};

} // namespace Kyozo::App
