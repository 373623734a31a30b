#include "mainwindow.h"

#include "cellrunactions.h"
#include "connectdialog.h"
#include "editor/codehighlighter.h"
#include "editor/findbar.h"
#include "editor/markdownrenderer.h"
#include "editor/notebookeditor.h"
#include "editor/notebooktext.h"
#include "editor/remotecursors.h"
#include "editor/semantichighlighter.h"
#include "editor/textsearch.h"
#include "hidetextdialog.h"
#include "net/channelconnection.h"
#include "net/restclient.h"
#include "net/sharednotebook.h"
#include "panels/hiddendatapanel.h"
#include "panels/presencepanel.h"
#include "panels/previewpanel.h"
#include "panels/semanticspanel.h"
#include "solo/sharedialog.h"
#include "solo/solomirror.h"
#include "solo/solosession.h"
#include "workspacedialog.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextDocument>
#include <QUrlQuery>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcStatus, "kyozo.status")
// Off by default; bench/editor turns it on to time start-up to the first painted notebook.
Q_LOGGING_CATEGORY(lcStartup, "kyozo.startup", QtWarningMsg)

namespace Kyozo::App {

namespace {
    constexpr int kMaxRecent = 8;
    constexpr int kPanelDelayMs = 120;
    constexpr int kPreviewDelayMs = 300;
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_editor(new NotebookEditor(this))
    , m_semantics(new SemanticsPanel)
    , m_hidden(new HiddenDataPanel)
    , m_preview(new PreviewPanel)
    , m_notebooks(new QListWidget)
    , m_connection(new QLabel)
    , m_plan(new QLabel)
    , m_presence(new QLabel)
    , m_pending(new QLabel)
    , m_presencePanel(new PresencePanel)
    , m_runActions(new CellRunActions(this, m_editor, this))
    , m_findBar(new FindBar(m_editor))
    , m_position(new QLabel)
    , m_recoveryBar(new RecoveryBar)
{
    setObjectName(QStringLiteral("mainWindow"));
    // The find bar under the text, as in Ghostwriter and Kate.
    auto *central = new QWidget;
    auto *column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(m_recoveryBar);
    column->addWidget(m_editor, 1);
    column->addWidget(m_findBar);
    setCentralWidget(central);
    m_position->setObjectName(QStringLiteral("positionStatus"));
    m_position->setContentsMargins(6, 0, 6, 0);
    statusBar()->addPermanentWidget(m_position);
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(300);
    connect(&m_countTimer, &QTimer::timeout, this, [this] {
        const TextCounts counts = countText(m_editor->toPlainText());
        // Whole sentences per count, not "(s)": English has no plural table loaded.
        m_counts = (counts.words == 1 ? tr("1 word") : tr("%L1 words").arg(counts.words))
            + QStringLiteral(" · ")
            + (counts.characters == 1 ? tr("1 character")
                                      : tr("%L1 characters").arg(counts.characters));
        updatePosition();
    });
    connect(m_editor->document(), &QTextDocument::contentsChanged, &m_countTimer,
            qOverload<>(&QTimer::start));
    connect(m_editor, &QPlainTextEdit::cursorPositionChanged, this, &MainWindow::updatePosition);
    connect(m_editor, &QPlainTextEdit::selectionChanged, this, &MainWindow::updatePosition);
    m_countTimer.start();
    m_connection->setObjectName(QStringLiteral("connectionStatus"));
    m_plan->setObjectName(QStringLiteral("planStatus"));
    m_plan->setContentsMargins(6, 0, 12, 0); // apart from the connection beside it
    m_presence->setObjectName(QStringLiteral("presenceStatus"));
    // Permanent: notices (showMessage) must not hide the connection or who is present.
    m_pending->setObjectName(QStringLiteral("pendingStatus"));
    statusBar()->addPermanentWidget(m_runActions->progressBar());
    statusBar()->addPermanentWidget(m_pending);
    statusBar()->addPermanentWidget(m_plan);
    statusBar()->addPermanentWidget(m_connection);
    statusBar()->addPermanentWidget(m_presence);
    buildDocks();
    buildMenus();
    resize(1280, 800);

    // The panels follow the analysis the highlighter already made, a moment after typing.
    m_panelTimer.setSingleShot(true);
    m_panelTimer.setInterval(kPanelDelayMs);
    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(kPreviewDelayMs);
    connect(m_editor->highlighter(), &SemanticHighlighter::analysed, &m_panelTimer,
            qOverload<>(&QTimer::start));
    connect(m_editor->highlighter(), &SemanticHighlighter::analysed, &m_previewTimer,
            qOverload<>(&QTimer::start));
    connect(&m_panelTimer, &QTimer::timeout, this, &MainWindow::updatePanels);
    // The preview renders the whole notebook (seconds on 5 MB): only while someone can see it.
    // Behind the Semantics tab it waits, and renders when it is brought to the front.
    // (A dock in a background tab is still isVisible(); visibilityChanged says what is shown.)
    connect(&m_previewTimer, &QTimer::timeout, this, [this] {
        if (m_previewShown)
            updatePreview();
        else
            m_previewStale = true;
    });
    connect(findChild<QDockWidget *>(QStringLiteral("previewDock")),
            &QDockWidget::visibilityChanged, this, [this](bool visible) {
                m_previewShown = visible;
                if (visible && m_previewStale)
                    updatePreview();
            });
    // Coloured code for the preview arrives after it was first drawn.
    connect(m_editor->codeHighlighter(), &CodeHighlighter::highlighted, &m_previewTimer,
            qOverload<>(&QTimer::start));
    connect(m_semantics, &SemanticsPanel::jumpRequested, m_editor, &NotebookEditor::jumpTo);
    connect(m_hidden, &HiddenDataPanel::jumpRequested, m_editor, &NotebookEditor::jumpTo);
    connect(m_hidden, &HiddenDataPanel::openRequested, this, &MainWindow::openHiddenData);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this,
            &QMainWindow::setWindowModified);
    connect(m_presencePanel, &PresencePanel::jumpRequested, m_editor,
            [this](const QString &user) { m_editor->showRemoteCursor(user); });
    connect(m_presencePanel, &PresencePanel::followRequested, m_editor,
            [this](const QString &user) {
                if (user.isEmpty())
                    m_editor->stopFollowing();
                else
                    m_editor->showRemoteCursor(user, true);
            });
    connect(m_editor, &NotebookEditor::followingChanged, m_presencePanel,
            &PresencePanel::setFollowing);
    if (!m_editor->codeHighlighter()->isAvailable())
        statusBar()->showMessage(m_editor->codeHighlighter()->unavailableReason(), 10000);
    updateTitle();
    m_editor->viewport()->installEventFilter(this);

    // A copy at most every few seconds while typing goes on, not only after a pause: a
    // writer who types for ten minutes and then loses power keeps all but the last seconds.
    const int autosaveSeconds
        = QSettings().value(QStringLiteral("editor/autosaveSeconds"), 5).toInt();
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(qBound(1, autosaveSeconds, 3600) * 1000);
    if (autosaveSeconds > 0) {
        connect(m_editor->document(), &QTextDocument::contentsChanged, this, [this] {
            if (!m_autosaveTimer.isActive())
                m_autosaveTimer.start();
        });
    }
    connect(&m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    // Saved, loaded, or undone back to the saved text: nothing left to recover.
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, [this](bool modified) {
        if (!modified)
            m_recovery.reset();
    });
    connect(m_recoveryBar, &RecoveryBar::restoreRequested, this, &MainWindow::restore);
    connect(m_recoveryBar, &RecoveryBar::discardRequested, this,
            [this](const RecoveredNotebook &notebook) {
                Recovery::remove(notebook);
                offerRecovery(m_recoveryOfferAny);
            });
}

MainWindow::~MainWindow()
{
    // A shared notebook uses the editor until its end: gone before the editor (a child made
    // earlier, so deleted first among the children).
    if (m_mirror)
        delete m_mirror;
    else
        delete m_shared;
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editor->viewport() && event->type() == QEvent::Paint && !m_painted) {
        m_painted = true;
        QTimer::singleShot(0, this, [] { qCDebug(lcStartup) << "first paint done"; });
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::buildDocks()
{
    auto dock = [this](QWidget *widget, const QString &title, const QString &name,
                       Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    dock(m_notebooks, tr("Notebooks"), QStringLiteral("notebooksDock"), Qt::LeftDockWidgetArea);
    QDockWidget *semantics = dock(m_semantics, tr("Semantics"), QStringLiteral("semanticsDock"),
                                  Qt::RightDockWidgetArea);
    QDockWidget *hidden = dock(m_hidden, tr("Hidden data"), QStringLiteral("hiddenDataDock"),
                               Qt::RightDockWidgetArea);
    QDockWidget *preview
        = dock(m_preview, tr("Preview"), QStringLiteral("previewDock"), Qt::RightDockWidgetArea);
    QDockWidget *people = dock(m_presencePanel, tr("People"), QStringLiteral("presenceDock"),
                               Qt::LeftDockWidgetArea);
    splitDockWidget(findChild<QDockWidget *>(QStringLiteral("notebooksDock")), people,
                    Qt::Vertical);
    splitDockWidget(semantics, hidden, Qt::Vertical);
    tabifyDockWidget(semantics, preview);
    semantics->raise();
    m_notebooks->setObjectName(QStringLiteral("notebookList"));
    connect(m_notebooks, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString target = item->data(Qt::UserRole).toString();
        if (target.startsWith(QLatin1String("notebook:")))
            openSharedNotebook(target.mid(9), item->text());
        else
            openInteractively(target);
    });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("&New"), QKeySequence::New,
                    this, &MainWindow::newNotebook);
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open notebook"), QFileInfo(m_path).absolutePath(),
            tr("Markdown (*.md *.markdown);;All files (*)"));
        if (!path.isEmpty())
            openInteractively(path);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        QString path = m_path;
        if (path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save notebook"), {},
                                                tr("Markdown (*.md)"));
        QString error;
        if (!path.isEmpty() && !saveFile(path, &error))
            QMessageBox::warning(this, tr("Save failed"), error);
    });
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save notebook"), m_path,
                                                          tr("Markdown (*.md)"));
        QString error;
        if (!path.isEmpty() && !saveFile(path, &error))
            QMessageBox::warning(this, tr("Save failed"), error);
    });
    file->addAction(tr("Save a &Copy…"), this, &MainWindow::saveCopy);
    m_uploadAction
        = file->addAction(tr("&Upload to Workspace…"), this, &MainWindow::uploadToWorkspace);
    m_historyAction = file->addAction(tr("Show &History…"), this, &MainWindow::showHistory);
    m_membersAction = file->addAction(tr("Workspace &Members…"), this, [this] {
        if (!m_rest)
            return;
        auto *dialog = new WorkspaceDialog(m_rest, m_workspace, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    m_shareAction = file->addAction(tr("S&hare…"), this, &MainWindow::share);
    m_reconnectAction = file->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                        tr("Reconnec&t"), this, [this] {
                                            if (m_solo)
                                                m_solo->reconnect();
                                        });
    m_reconnectAction->setEnabled(false); // solo: the bundled server (setSolo)
    file->addAction(tr("Connect to Ser&ver…"), this, [this] {
        auto *dialog = new ConnectDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    file->addAction(tr("&Export HTML…"), this, [this] {
        QString suggestion = m_path;
        suggestion.replace(QRegularExpression(QStringLiteral("\\.(md|markdown)$")),
                           QStringLiteral(".html"));
        const QString path = QFileDialog::getSaveFileName(this, tr("Export HTML"), suggestion,
                                                          tr("HTML (*.html)"));
        QString error;
        if (!path.isEmpty() && !exportHtml(path, &error))
            QMessageBox::warning(this, tr("Export failed"), error);
    });
    file->addSeparator();
    file->addAction(tr("Copy for &AI"), QKeySequence(tr("Ctrl+Shift+A")), this,
                    [this] { SemanticsPanel::copyForAi(m_editor->toPlainText()); });
    file->addAction(tr("C&lose"), QKeySequence::Close, this, &QWidget::close);
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);

    // Undo and Redo undo the user's own edits only in a shared notebook (issue 15 item 3);
    // the editor's keys reach the same functions.
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-undo")), tr("&Undo"), QKeySequence::Undo,
                    this, &MainWindow::undo);
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-redo")), tr("&Redo"), QKeySequence::Redo,
                    this, &MainWindow::redo);
    edit->addSeparator();
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-cut")), tr("Cu&t"), QKeySequence::Cut,
                    m_editor, &QPlainTextEdit::cut);
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy"), QKeySequence::Copy,
                    m_editor, &QPlainTextEdit::copy);
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-paste")), tr("&Paste"),
                    QKeySequence::Paste, m_editor, &QPlainTextEdit::paste);
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-select-all")), tr("Select &All"),
                    QKeySequence::SelectAll, m_editor, &QPlainTextEdit::selectAll);
    edit->addSeparator();
    edit->addAction(QIcon::fromTheme(QStringLiteral("edit-find")), tr("&Find…"), QKeySequence::Find,
                    m_findBar, &FindBar::openFind);
    edit->addAction(tr("Find &Next"), QKeySequence::FindNext, m_findBar, [this] {
        if (m_findBar->findEdit()->text().isEmpty())
            m_findBar->openFind();
        else
            m_findBar->findNext();
    });
    edit->addAction(tr("Find Pre&vious"), QKeySequence::FindPrevious, m_findBar, [this] {
        if (m_findBar->findEdit()->text().isEmpty())
            m_findBar->openFind();
        else
            m_findBar->findPrevious();
    });
    QAction *replace = edit->addAction(QIcon::fromTheme(QStringLiteral("edit-find-replace")),
                                       tr("R&eplace…"), m_findBar, &FindBar::openReplace);
    replace->setShortcuts(FindBar::replaceShortcuts());
    edit->addAction(tr("&Go to Line…"), QKeySequence(tr("Ctrl+L")), this, [this] {
        bool ok = false;
        const int line = QInputDialog::getInt(
            this, tr("Go to Line"), tr("Line (1 to %1):").arg(m_editor->blockCount()),
            m_editor->textCursor().blockNumber() + 1, 1, m_editor->blockCount(), 1, &ok);
        if (ok)
            goToLine(line);
    });
    updateSharedActions();

    QMenu *insert = menuBar()->addMenu(tr("&Insert"));
    insert->addAction(tr("&JSON-LD block"), QKeySequence(tr("Ctrl+Shift+J")), m_editor,
                      &NotebookEditor::insertJsonLdBlock);
    insert->addAction(tr("&Hide text in selection…"), QKeySequence(tr("Ctrl+Shift+H")), this,
                      &MainWindow::hideTextInSelection);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_runActions->addActionsTo(run);
    connect(m_runActions, &CellRunActions::message, this, &MainWindow::showNotice);
    // A local file runs its cells on the bundled server, once it is mirrored there (issue 15
    // item 3); the Run waits for the mirror's join and is sent then.
    connect(m_runActions, &CellRunActions::connectionNeeded, this, [this] {
        if (!ensureMirrored())
            showNotice(tr("Cells run on a server: save the notebook to a file first, or open "
                          "it from a team server."));
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : findChildren<QDockWidget *>())
        view->addAction(d->toggleViewAction());
    QMenu *previewMenu = view->addMenu(tr("Pre&view Shows"));
    QAction *frontMatter = previewMenu->addAction(tr("&Front Matter as a Table"));
    frontMatter->setObjectName(QStringLiteral("previewFrontMatterAction"));
    frontMatter->setCheckable(true);
    frontMatter->setChecked(previewOptions().frontMatter == PreviewOptions::FrontMatter::Table);
    connect(frontMatter, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("preview/frontMatter"),
                             on ? QStringLiteral("table") : QStringLiteral("hidden"));
        m_previewTimer.start();
    });
    QAction *cards = previewMenu->addAction(tr("&Linked Data as Cards"));
    cards->setObjectName(QStringLiteral("previewCardsAction"));
    cards->setCheckable(true);
    cards->setChecked(previewOptions().linkedData == PreviewOptions::LinkedData::Cards);
    connect(cards, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("preview/linkedData"),
                             on ? QStringLiteral("cards") : QStringLiteral("code"));
        m_previewTimer.start();
    });
    view->addSeparator();
    // Zoom changes the editor's font by points, as QPlainTextEdit::zoomIn does; Reset goes
    // back to the size it had.
    m_baseFontSize = m_editor->font().pointSizeF();
    view->addAction(QIcon::fromTheme(QStringLiteral("zoom-in")), tr("Zoom &In"),
                    QKeySequence::ZoomIn, m_editor, [this] { m_editor->zoomIn(1); });
    view->addAction(QIcon::fromTheme(QStringLiteral("zoom-out")), tr("Zoom &Out"),
                    QKeySequence::ZoomOut, m_editor, [this] {
                        if (m_editor->font().pointSizeF() > 4)
                            m_editor->zoomOut(1);
                    });
    view->addAction(QIcon::fromTheme(QStringLiteral("zoom-original")), tr("&Reset Zoom"),
                    QKeySequence(tr("Ctrl+0")), m_editor, [this] {
                        QFont font = m_editor->font();
                        font.setPointSizeF(m_baseFontSize);
                        m_editor->setFont(font);
                    });
    QAction *fullScreen
        = view->addAction(QIcon::fromTheme(QStringLiteral("view-fullscreen")), tr("&Full Screen"));
    fullScreen->setCheckable(true);
    QList<QKeySequence> fullScreenKeys = QKeySequence::keyBindings(QKeySequence::FullScreen);
    if (fullScreenKeys.isEmpty()) // X11 without a desktop's theme binds none
        fullScreenKeys.append(QKeySequence(Qt::Key_F11));
    fullScreen->setShortcuts(fullScreenKeys);
    connect(fullScreen, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? windowState() | Qt::WindowFullScreen
                          : windowState() & ~Qt::WindowFullScreen);
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    help->addAction(QIcon::fromTheme(QStringLiteral("help-about")), tr("&About Kyozo"), this,
                    [this] { QMessageBox::about(this, tr("About Kyozo"), aboutText()); });
}

QString MainWindow::aboutText() const
{
    return tr("<h3>Kyozo %1</h3><p>A notebook editor for Markdown-LD: Markdown that carries "
              "linked data.</p><p>Qt %2 (built with %3)<br>cmark-gfm %4</p>")
        .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
             QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             markdownEngineVersion().toHtmlEscaped());
}

QList<std::pair<QString, QString>> MainWindow::shortcuts() const
{
    // From the menus themselves, so the list cannot drift from what the keys do.
    QList<std::pair<QString, QString>> out;
    const std::function<void(QMenu *, const QString &)> walk = [&](QMenu *menu,
                                                                   const QString &path) {
        for (QAction *a : menu->actions()) {
            const QString name = path + QStringLiteral(" → ") + a->text().remove(QLatin1Char('&'));
            if (a->menu())
                walk(a->menu(), name);
            else if (!a->shortcut().isEmpty())
                out.append({ name, a->shortcut().toString(QKeySequence::NativeText) });
        }
    };
    for (QAction *top : menuBar()->actions())
        if (top->menu())
            walk(top->menu(), top->text().remove(QLatin1Char('&')));
    return out;
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    auto *table = new QTableWidget(0, 2, &dialog);
    table->setHorizontalHeaderLabels({ tr("Action"), tr("Keys") });
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (const auto &[action, keys] : shortcuts()) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(action));
        table->setItem(row, 1, new QTableWidgetItem(keys));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(table);
    layout->addWidget(buttons);
    dialog.resize(520, 560);
    dialog.exec();
}

void MainWindow::leaveShared()
{
    if (!m_shared)
        return;
    m_runActions->detach();
    // Leaving the shared notebook: the local file is the user's alone again.
    if (m_mirror) {
        delete m_mirror; // and its SharedNotebook
        m_mirror = nullptr;
    } else {
        delete m_shared;
    }
    m_shared = nullptr;
    m_editor->setOwnUndo(false);
    m_presencePanel->setPresence({});
    m_pending->clear();
    updateSharedActions();
}

bool MainWindow::openFile(const QString &path, QString *error)
{
    if (m_mirror && !m_shared) { // still looking up its notebook
        delete m_mirror;
        m_mirror = nullptr;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    QString why;
    // Checked before reading, so a huge file is not read into memory at all.
    if (!NotebookText::checkSize(file.size(), &why)) {
        *error = tr("Cannot open %1: %2").arg(QFileInfo(path).fileName(), why);
        return false;
    }
    const QByteArray bytes = file.readAll();
    leaveShared();
    if (!m_editor->loadBytes(bytes, &why)) {
        *error = tr("Cannot open %1: %2").arg(QFileInfo(path).fileName(), why);
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    rememberRecent(m_path);
    listNotebooks();
    updateTitle();
    if (bytes.isEmpty())
        statusBar()->showMessage(tr("%1 is empty.").arg(QFileInfo(path).fileName()), 10000);
    refreshPanels();
    mirrorIfKnown();
    if (!m_recoveryBar->isVisible() || m_recoveryBar->offered().path != m_path)
        offerRecovery(false);
    return true;
}

void MainWindow::mirrorIfKnown()
{
    // A file that was mirrored before (its cells ran, or it was shared) is mirrored again as
    // it opens, so that its cells' last outputs are shown again (issue 17 item 5).
    if (m_solo && !m_path.isEmpty() && !SoloMirror::storedId(m_path).isEmpty())
        ensureMirrored();
}

bool MainWindow::saveFile(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->saveBytes()) < 0
        || !file.commit()) {
        *error = tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    m_editor->document()->setModified(false);
    rememberRecent(m_path);
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

bool MainWindow::exportHtml(const QString &path, QString *error)
{
    CodeHighlighter *code = m_editor->codeHighlighter();
    PreviewOptions options = previewOptions();
    options.markHiddenData = false;
    const RenderedNotebook page = renderNotebook(
        m_editor->saveBytes(), options, [code](const QString &info, const QString &text) {
            return code->html(info, text, CodeHighlighter::Wait::Yes);
        });
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(
               htmlPage(QFileInfo(m_path).completeBaseName(), page.body, page.jsonLd).toUtf8())
            < 0
        || !file.commit()) {
        *error
            = tr("Cannot export to %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

void MainWindow::refreshPanels()
{
    m_panelTimer.stop();
    m_previewTimer.stop();
    updatePanels();
    updatePreview();
}

void MainWindow::updatePanels()
{
    // From the analysis the highlighter owns, by its diffs: only changed items' nodes are
    // made again (issue 18 item 4).
    SemanticHighlighter *highlighter = m_editor->highlighter();
    const auto &items = highlighter->analysis().items();
    const ItemSplice changes = highlighter->takeItemChanges();
    m_semantics->applyItems(items, changes);
    m_hidden->applyItems(items, changes);
}

void MainWindow::updatePreview()
{
    m_previewStale = false;
    CodeHighlighter *code = m_editor->codeHighlighter();
    m_preview->setNotebookFolder(m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath());
    m_preview->showNotebook(m_editor->saveBytes(), previewOptions(),
                            [code](const QString &info, const QString &text) {
                                return code->html(info, text, CodeHighlighter::Wait::No);
                            });
}

PreviewOptions MainWindow::previewOptions() const
{
    const QSettings settings;
    PreviewOptions options;
    if (settings.value(QStringLiteral("preview/frontMatter")).toString() == QLatin1String("hidden"))
        options.frontMatter = PreviewOptions::FrontMatter::Hidden;
    if (settings.value(QStringLiteral("preview/linkedData")).toString() == QLatin1String("code"))
        options.linkedData = PreviewOptions::LinkedData::Code;
    return options;
}

void MainWindow::showConnectionStatus(const QString &text)
{
    m_connection->setText(text);
    // The same words on stderr: scripts and the integration tests read what the user sees.
    qCInfo(lcStatus).noquote() << text;
}

void MainWindow::showPlan(const QString &text)
{
    m_plan->setText(text);
    qCInfo(lcStatus).noquote() << text;
}

void MainWindow::showPresence(const QStringList &names)
{
    m_presence->setText(names.isEmpty() ? QString()
                                        : tr("Online: %1").arg(names.join(QLatin1String(", "))));
    m_presence->setToolTip(tr("%n writer(s) in this workspace", nullptr, int(names.size())));
    qCInfo(lcStatus).noquote() << "presence:" << names.join(QLatin1String(", "));
}

void MainWindow::showNotice(const QString &text)
{
    statusBar()->showMessage(text, 15000);
    qCInfo(lcStatus).noquote() << text;
}

void MainWindow::showDetail(const QString &text)
{
    m_connection->setToolTip(text);
    qCInfo(lcStatus).noquote() << text;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (maybeSave()) {
        m_autosaveTimer.stop();
        m_recovery.reset(); // saved, or the writer chose to discard the changes
        event->accept();
    } else {
        event->ignore();
    }
}

void MainWindow::autosave()
{
    // A shared notebook is kept by the server (see maybeSave).
    if (!m_editor->document()->isModified() || (m_shared && !m_mirror)) {
        m_recovery.reset();
        return;
    }
    if (!m_recovery)
        m_recovery = std::make_unique<RecoveryFile>();
    QString error;
    if (!m_recovery->write(m_editor->saveBytes(), m_path, &error))
        showDetail(tr("Autosave failed: %1").arg(error));
}

QString MainWindow::recoveryId() const
{
    return m_recovery ? m_recovery->id() : QString();
}

void MainWindow::offerRecovery(bool any)
{
    m_recoveryOfferAny = any;
    const QList<RecoveredNotebook> orphans = Recovery::orphans();
    for (const RecoveredNotebook &orphan : orphans) {
        if (!any && (m_path.isEmpty() || orphan.path != m_path))
            continue;
        // A copy that says what the file says already recovers nothing.
        QByteArray bytes;
        QString error;
        if (!orphan.path.isEmpty() && Recovery::read(orphan, &bytes, &error)) {
            QFile file(orphan.path);
            if (file.size() == bytes.size() && file.open(QIODevice::ReadOnly)
                && file.readAll() == bytes) {
                Recovery::remove(orphan);
                continue;
            }
        }
        m_recoveryBar->offer(orphan);
        return;
    }
    m_recoveryBar->hide();
}

void MainWindow::restore(const RecoveredNotebook &notebook)
{
    QByteArray bytes;
    QString error;
    if (!Recovery::read(notebook, &bytes, &error)) {
        QMessageBox::warning(this, tr("Cannot restore"), error);
        return;
    }
    if (notebook.path != m_path || notebook.path.isEmpty()) {
        if (!maybeSave())
            return;
        if (notebook.path.isEmpty() || !openFile(notebook.path, &error)) {
            clearToUntitled();
            // A file that is gone is written back where it was on Save.
            m_path = notebook.path;
        }
    }
    if (!m_editor->loadBytes(bytes, &error)) {
        QMessageBox::warning(this, tr("Cannot restore"), error);
        return;
    }
    m_editor->document()->setModified(true);
    Recovery::remove(notebook);
    updateTitle();
    refreshPanels();
    autosave(); // under this window's own lock from now on
    showNotice(tr("Restored the unsaved changes. Save to keep them."));
    offerRecovery(m_recoveryOfferAny); // another copy, if any, or the bar goes
}

bool MainWindow::maybeSave()
{
    // A shared notebook is kept by the server: every edit is on its way there. A mirrored
    // file is still the writer's, saved as any other.
    if ((m_shared && !m_mirror) || !m_editor->document()->isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("Save the changes to %1?")
            .arg(m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    QString path = m_path;
    if (path.isEmpty()) // a new notebook: where to keep it
        path = QFileDialog::getSaveFileName(this, tr("Save notebook"), {}, tr("Markdown (*.md)"));
    if (path.isEmpty())
        return false;
    QString error;
    if (saveFile(path, &error))
        return true;
    QMessageBox::warning(this, tr("Save failed"), error);
    return false;
}

void MainWindow::newNotebook()
{
    if (!maybeSave())
        return;
    clearToUntitled();
}

void MainWindow::clearToUntitled()
{
    if (m_mirror && !m_shared) {
        delete m_mirror;
        m_mirror = nullptr;
    }
    leaveShared();
    QString error;
    m_editor->loadBytes({}, &error);
    m_path.clear();
    updateTitle();
    refreshPanels();
    m_editor->setFocus();
}

void MainWindow::openInteractively(const QString &path)
{
    if (!maybeSave())
        return;
    QString error;
    if (!openFile(path, &error))
        QMessageBox::warning(this, tr("Cannot open notebook"), error);
}

void MainWindow::hideTextInSelection()
{
    HideTextDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!m_editor->hideInSelection(dialog.secret(), dialog.passphrase(), &error))
        QMessageBox::warning(this, tr("Cannot hide text"), error);
}

void MainWindow::openHiddenData(qint64 line, qint64 column)
{
    bool ok = false;
    const QString passphrase = QInputDialog::getText(
        this, tr("Open hidden data"), tr("Passphrase for the hidden data on line %1:").arg(line),
        QLineEdit::Password, {}, &ok);
    if (!ok)
        return;
    QString error;
    if (const auto text = m_editor->openHiddenData(line, column, passphrase, &error))
        QMessageBox::information(this, tr("Hidden data on line %1").arg(line), *text);
    else
        QMessageBox::warning(this, tr("Cannot open hidden data"), error);
}

void MainWindow::updateTitle()
{
    // SPEC §11: the window title names the open notebook.
    const QString name = m_shared && !m_mirror ? m_sharedTitle
        : m_path.isEmpty()                     ? tr("Untitled")
                                               : QFileInfo(m_path).fileName();
    setWindowTitle(tr("%1[*] — Kyozo").arg(name));
}

void MainWindow::listNotebooks()
{
    if (m_rest)
        return; // team mode lists the workspace's notebooks
    m_notebooks->clear();
    const QDir dir = QFileInfo(m_path).absoluteDir();
    for (const QFileInfo &info : dir.entryInfoList(
             { QStringLiteral("*.md"), QStringLiteral("*.markdown") }, QDir::Files, QDir::Name)) {
        auto *item = new QListWidgetItem(info.fileName(), m_notebooks);
        item->setData(Qt::UserRole, info.absoluteFilePath());
        if (info.absoluteFilePath() == m_path)
            m_notebooks->setCurrentItem(item);
    }
}

void MainWindow::rememberRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(QStringLiteral("recentFiles"), recent.mid(0, kMaxRecent));
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this,
                                [this, path] { openInteractively(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::setTeam(RestClient *rest, const QString &workspace)
{
    m_rest = rest;
    m_workspace = workspace;
    findChild<QDockWidget *>(QStringLiteral("notebooksDock"))
        ->setWindowTitle(tr("Notebooks in %1").arg(workspace));
    updateSharedActions();
    listWorkspaceNotebooks();
}

void MainWindow::followWorkspace(ChannelConnection *connection)
{
    connect(connection, &ChannelConnection::presenceChanged, this,
            [this, connection] { showPresence(connection->presentNames()); });
    // Read again rather than patched: the list keeps the server's order (by title) and the
    // current item, and a missed event is mended by the next one.
    connect(connection, &ChannelConnection::received, this, [this](const QString &event) {
        if (event.startsWith(QLatin1String("notebook_")))
            listWorkspaceNotebooks();
    });
}

void MainWindow::listWorkspaceNotebooks()
{
    if (!m_rest)
        return;
    m_rest->get(
        QStringLiteral("/api/v1/workspaces/%1/notebooks")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_workspace))),
        {}, [this](const QJsonObject &json, const QString &error) {
            if (!error.isEmpty()) {
                showNotice(tr("Cannot list the notebooks of %1: %2").arg(m_workspace, error));
                return;
            }
            m_notebooks->clear();
            const QJsonArray notebooks = json.value(QLatin1String("notebooks")).toArray();
            for (const QJsonValue &value : notebooks) {
                const QJsonObject notebook = value.toObject();
                const QString id = notebook.value(QLatin1String("id")).toString();
                QString title = notebook.value(QLatin1String("title")).toString();
                auto *item = new QListWidgetItem(title.isEmpty() ? id : title, m_notebooks);
                item->setData(Qt::UserRole, QStringLiteral("notebook:") + id);
                item->setToolTip(
                    tr("Revision %1").arg(notebook.value(QLatin1String("revision")).toInteger()));
                if (m_shared && m_shared->notebookId() == id)
                    m_notebooks->setCurrentItem(item);
            }
        });
}

void MainWindow::openSharedNotebook(const QString &id, const QString &title)
{
    if (!m_rest || !maybeSave())
        return;
    leaveShared();
    m_shared = new SharedNotebook(m_editor, this);
    m_runActions->attach(m_shared->connection());
    m_path.clear();
    m_sharedTitle = title.isEmpty() ? id : title;
    updateTitle();
    updateSharedActions();
    wireShared();
    if (title.isEmpty())
        m_rest->get(QStringLiteral("/api/v1/notebooks/")
                        + QString::fromLatin1(QUrl::toPercentEncoding(id)),
                    {}, [this, id](const QJsonObject &json, const QString &error) {
                        if (error.isEmpty() && m_shared && m_shared->notebookId() == id) {
                            m_sharedTitle = json.value(QLatin1String("title")).toString(id);
                            updateTitle();
                        }
                    });
    m_shared->open(m_rest->server(), m_rest->token(), id);
}

void MainWindow::wireShared()
{
    // A team notebook's connection is the window's; a mirror's the solo session's status
    // already tells (the local server), so its words go to the log only.
    if (m_mirror)
        connect(m_shared, &SharedNotebook::statusChanged, this,
                [](const QString &text) { qCInfo(lcStatus).noquote() << "mirror:" << text; });
    else
        connect(m_shared, &SharedNotebook::statusChanged, this, &MainWindow::showConnectionStatus);
    connect(m_shared, &SharedNotebook::pendingChanged, this, [this](int count) {
        // Edits made while the connection is down stay here until it is back (issue 15 item 3).
        m_pending->setText(count == 0 ? QString() : tr("%n edit(s) not sent yet", nullptr, count));
        // The window's modified mark says the same for a team notebook: everything is on the
        // server. A mirrored file is modified until it is saved, whatever the server has.
        if (!m_mirror)
            m_editor->document()->setModified(count > 0);
        qCInfo(lcStatus).noquote() << "pending:" << count;
    });
    connect(m_shared, &SharedNotebook::loaded, this, [this] {
        refreshPanels();
        updateTitle();
    });
    connect(m_shared, &SharedNotebook::failed, this, &MainWindow::showNotice);
    connect(m_shared->connection(), &ChannelConnection::presenceChanged, this, [this] {
        m_presencePanel->setPresence(m_shared->connection()->presence());
        showPresence(m_shared->connection()->presentNames());
    });
}

void MainWindow::setSolo(SoloSession *solo)
{
    m_solo = solo;
    m_reconnectAction->setEnabled(true);
    updateSharedActions();
    mirrorIfKnown();
    // Restarted (it died, or Share… moved it): the mirror follows it to its new port.
    connect(solo, &SoloSession::serverReady, this, [this](const QUrl &url) {
        if (m_mirror)
            m_mirror->serverMoved(url, m_solo->token());
    });
}

bool MainWindow::ensureMirrored()
{
    if (m_mirror)
        return true;
    if (!m_solo || m_rest || m_shared || m_path.isEmpty())
        return false;
    m_mirror = new SoloMirror(m_editor, m_path, this);
    connect(m_mirror, &SoloMirror::opened, this, [this](SharedNotebook *shared) {
        m_shared = shared;
        m_runActions->attach(shared->connection());
        wireShared();
        updateSharedActions();
    });
    connect(m_mirror, &SoloMirror::ready, this, [this](const QString &id) {
        qCInfo(lcStatus).noquote() << "mirrored" << QFileInfo(m_path).fileName() << "as" << id;
        emit mirrorReady(id);
    });
    connect(m_mirror, &SoloMirror::failed, this, &MainWindow::showNotice);
    if (!m_solo->serverUrl().isEmpty() && !m_solo->token().isEmpty())
        m_mirror->start(m_solo->serverUrl(), m_solo->token());
    // else: serverReady starts it.
    return true;
}

QString MainWindow::mirroredNotebookId() const
{
    return m_mirror && m_mirror->isReady() ? m_mirror->notebookId() : QString();
}

void MainWindow::share()
{
    if (!m_solo)
        return;
    ensureMirrored();
    if (!m_shareDialog) {
        m_shareDialog = new ShareDialog(m_solo, this);
        connect(this, &MainWindow::mirrorReady, m_shareDialog, &ShareDialog::setNotebookId);
    }
    m_shareDialog->setNotebookId(mirroredNotebookId());
    m_shareDialog->show();
    m_shareDialog->raise();
    m_shareDialog->activateWindow();
}

void MainWindow::updateSharedActions()
{
    if (m_shareAction)
        m_shareAction->setEnabled(m_solo != nullptr);
    if (m_uploadAction)
        m_uploadAction->setEnabled(m_rest != nullptr);
    if (m_membersAction)
        m_membersAction->setEnabled(m_rest != nullptr);
    if (m_historyAction)
        m_historyAction->setEnabled(m_shared != nullptr);
}

void MainWindow::uploadToWorkspace()
{
    if (!m_rest)
        return;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Upload to workspace"), m_path, tr("Markdown (*.md *.markdown);;All files (*)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    QString error;
    if (!file.open(QIODevice::ReadOnly) || !NotebookText::checkSize(file.size(), &error)) {
        QMessageBox::warning(
            this, tr("Cannot upload"),
            error.isEmpty()
                ? tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), file.errorString())
                : error);
        return;
    }
    // The notebook's text is the file's, exactly (NotebookText: line endings, BOM).
    NotebookText notebook;
    QTextDocument scratch;
    if (!notebook.load(file.readAll(), &scratch, &error)) {
        QMessageBox::warning(this, tr("Cannot upload"), error);
        return;
    }
    const QString title = QFileInfo(path).completeBaseName();
    m_rest->post(QStringLiteral("/api/v1/workspaces/%1/notebooks")
                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_workspace))),
                 { { QStringLiteral("title"), title },
                   { QStringLiteral("content"), notebook.text(&scratch) } },
                 [this, title](const QJsonObject &json, const QString &error) {
                     if (!error.isEmpty()) {
                         QMessageBox::warning(this, tr("Cannot upload"), error);
                         return;
                     }
                     showNotice(tr("Uploaded %1 to %2").arg(title, m_workspace));
                     listWorkspaceNotebooks();
                     openSharedNotebook(json.value(QLatin1String("id")).toString(), title);
                 });
}

void MainWindow::saveCopy()
{
    const QString suggestion = m_shared ? m_sharedTitle + QStringLiteral(".md") : m_path;
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save a copy"), suggestion, tr("Markdown (*.md)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->saveBytes()) < 0
        || !file.commit()) {
        QMessageBox::warning(
            this, tr("Save failed"),
            tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return;
    }
    showNotice(tr("Saved a copy as %1").arg(QFileInfo(path).fileName()));
}

void MainWindow::showHistory()
{
    if (!m_shared || !m_rest)
        return;
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("History of %1").arg(m_sharedTitle));
    auto *layout = new QVBoxLayout(dialog);
    auto *list = new QListWidget;
    list->setObjectName(QStringLiteral("historyList"));
    layout->addWidget(list);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *restore
        = buttons->addButton(tr("&Restore this version"), QDialogButtonBox::ActionRole);
    restore->setEnabled(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(list, &QListWidget::currentItemChanged, restore,
            [restore](QListWidgetItem *item) { restore->setEnabled(item); });
    const QString id = m_shared->notebookId();
    const QString path
        = QStringLiteral("/api/v1/notebooks/") + QString::fromLatin1(QUrl::toPercentEncoding(id));
    m_rest->get(path + QStringLiteral("/revisions"), {},
                [list](const QJsonObject &json, const QString &error) {
                    if (!error.isEmpty()) {
                        list->addItem(tr("The history is not available: %1").arg(error));
                        return;
                    }
                    for (const QJsonValue &value :
                         json.value(QLatin1String("revisions")).toArray()) {
                        const QJsonObject r = value.toObject();
                        const qint64 revision = r.value(QLatin1String("revision")).toInteger();
                        auto *item = new QListWidgetItem(
                            tr("Revision %1 — %2 — %3")
                                .arg(revision)
                                .arg(r.value(QLatin1String("name")).toString(),
                                     r.value(QLatin1String("time")).toVariant().toString()),
                            list);
                        item->setData(Qt::UserRole, revision);
                    }
                });
    // Restoring is an edit like any other (issue 15 item 2: nothing is rewritten).
    connect(restore, &QPushButton::clicked, this, [this, list, path, id] {
        const QListWidgetItem *item = list->currentItem();
        if (!item || !item->data(Qt::UserRole).isValid())
            return;
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("revision"), item->data(Qt::UserRole).toString());
        m_rest->get(path, query, [this, id](const QJsonObject &json, const QString &error) {
            if (!error.isEmpty()) {
                showNotice(tr("Cannot restore: %1").arg(error));
                return;
            }
            if (m_shared && m_shared->notebookId() == id)
                m_shared->replaceText(json.value(QLatin1String("content")).toString());
        });
    });
    dialog->resize(520, 420);
    dialog->show();
}

void MainWindow::undo()
{
    if (m_shared)
        m_shared->undo();
    else
        m_editor->undo();
}

void MainWindow::redo()
{
    if (m_shared)
        m_shared->redo();
    else
        m_editor->redo();
}

void MainWindow::goToLine(int line)
{
    const QTextBlock block
        = m_editor->document()->findBlockByNumber(std::clamp(line, 1, m_editor->blockCount()) - 1);
    QTextCursor cursor(block);
    m_editor->setTextCursor(cursor);
    m_editor->centerCursor();
    m_editor->setFocus();
}

void MainWindow::updatePosition()
{
    const QTextCursor cursor = m_editor->textCursor();
    QString text = tr("Line %1, column %2")
                       .arg(cursor.blockNumber() + 1)
                       .arg(visualColumn(cursor.block().text(), cursor.positionInBlock()));
    if (cursor.hasSelection())
        text += QStringLiteral(" · ")
            + tr("%L1 selected").arg(countText(cursor.selectedText()).characters);
    if (!m_counts.isEmpty())
        text += QStringLiteral(" · ") + m_counts;
    m_position->setText(text);
}

} // namespace Kyozo::App
