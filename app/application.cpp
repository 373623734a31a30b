#include "application.h"

#include "mainwindow.h"
#include "net/channelconnection.h"
#include "net/licensekeeper.h"
#include "net/privateca.h"
#include "net/restclient.h"
#include "net/teamsession.h"
#include "solo/solosession.h"
#include "system/shutdownsignal.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QInputDialog>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>

#include <cstdio>

namespace Kyozo::App {

namespace {

    // First run: a copy of the sample notebook the user can edit and save (SPEC §9), in the
    // notebooks folder where the user finds it again (issue 19 item 3), not in the app's
    // hidden data folder.
    QString sampleNotebook()
    {
        const QString dir = notebooksFolder();
        const QString path = dir + QStringLiteral("/Welcome.md");
        if (!QFile::exists(path)) {
            QDir().mkpath(dir);
            QFile::copy(QStringLiteral(":/samples/welcome.md"), path);
            // A resource copy is read-only: the user's file is theirs to edit.
            QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::WriteOwner);
        }
        return path;
    }

    // Each window is the context of its connections: quit() closes (and so deletes) the
    // windows before the session stops and reports its last state.
    void wireConnection(ChannelConnection *connection, const QList<MainWindow *> &windows)
    {
        for (MainWindow *w : windows)
            w->followWorkspace(connection);
    }

} // namespace

QString notebooksFolder()
{
    const QString chosen = QSettings().value(QStringLiteral("notebooksFolder")).toString();
    if (!chosen.isEmpty())
        return chosen;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
        + QStringLiteral("/Kyozo");
}

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

int runEditor(const Options &options)
{
    // Before any connection exists: each takes the default TLS configuration when made.
    QString caError;
    if (!options.caFile.isEmpty() && !trustPrivateCa(options.caFile, &caError)) {
        std::fprintf(stderr, "kyozo: %s\n", qPrintable(caError));
        return 2;
    }
    QStringList files = options.files;
    const bool serverNotebook = !options.server.isEmpty() && !options.notebook.isEmpty();
    if (files.isEmpty() && !serverNotebook) {
        const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
        files.append(!recent.isEmpty() && QFile::exists(recent.first()) ? recent.first()
                                                                        : sampleNotebook());
    }
    QList<MainWindow *> windows;
    for (const QString &file : std::as_const(files)) {
        auto *window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        QString error;
        if (!window->openFile(file, &error)) {
            window->showNotice(error);
            QMessageBox::warning(
                window, QApplication::translate("Kyozo::App", "Cannot open notebook"), error);
        }
        window->show();
        windows.append(window);
    }
    if (windows.isEmpty()) { // a window for the server's notebook
        auto *window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
        windows.append(window);
    }
    // Unsaved changes a crash or a killed session left behind, offered in the first window
    // whatever notebook they belong to (each window offers its own file's already).
    windows.first()->offerRecovery(true);

    System::ShutdownSignal shutdown;

    std::unique_ptr<SoloSession> solo;
    std::unique_ptr<TeamSession> team;
    std::unique_ptr<RestClient> rest;
    std::unique_ptr<LicenseKeeper> license;
    if (options.server.isEmpty()) {
        solo = std::make_unique<SoloSession>();
        for (MainWindow *w : std::as_const(windows)) {
            w->setSolo(solo.get());
            QObject::connect(solo.get(), &SoloSession::statusChanged, w,
                             &MainWindow::showConnectionStatus);
            QObject::connect(solo.get(), &SoloSession::notice, w, &MainWindow::showDetail);
        }
        wireConnection(solo->connection(), windows);
        solo->start();
        // SIGTERM and SIGINT: the server first (SPEC §11: gone within 5 s), then the windows.
        QObject::connect(&shutdown, &System::ShutdownSignal::requested, solo.get(), [&solo] {
            solo->stop();
            QCoreApplication::quit();
        });
    } else {
        team = std::make_unique<TeamSession>(options.server, options.workspace);
        for (MainWindow *w : std::as_const(windows)) {
            QObject::connect(team.get(), &TeamSession::statusChanged, w,
                             &MainWindow::showConnectionStatus);
            QObject::connect(team.get(), &TeamSession::notice, w, &MainWindow::showDetail);
        }
        wireConnection(team->connection(), windows);
        std::optional<QString> token;
        // --token (the line Share… shows): kept in the keychain like a token typed in.
        if (!options.token.isEmpty()) {
            team->storeToken(options.token);
            token = options.token;
        } else {
            token = team->storedToken();
        }
        if (!token) {
            bool ok = false;
            const QString entered = QInputDialog::getText(
                windows.value(0), QApplication::translate("Kyozo::App", "Sign in"),
                QApplication::translate("Kyozo::App",
                                        "Token for %1 (kyozo-server token create NAME):")
                    .arg(options.server.toString()),
                QLineEdit::Password, {}, &ok);
            if (ok && !entered.trimmed().isEmpty() && team->storeToken(entered.trimmed()))
                token = entered.trimmed();
        }
        if (token) {
            team->start(*token);
            // The workspace's notebooks in every window's list; the one asked for opened.
            rest = std::make_unique<RestClient>(options.server, *token);
            for (MainWindow *w : std::as_const(windows))
                w->setTeam(rest.get(), options.workspace);
            // The plan in the status bar, verified offline from the kept licence first.
            license = std::make_unique<LicenseKeeper>(rest.get());
            for (MainWindow *w : std::as_const(windows)) {
                QObject::connect(license.get(), &LicenseKeeper::planChanged, w, &MainWindow::showPlan);
                QObject::connect(license.get(), &LicenseKeeper::notice, w, &MainWindow::showNotice);
            }
            license->start();
            if (serverNotebook)
                windows.first()->openSharedNotebook(options.notebook);
        } else
            for (MainWindow *w : std::as_const(windows))
                w->showConnectionStatus(QApplication::translate("Kyozo::App", "Not signed in to %1")
                                            .arg(options.server.toString()));
        QObject::connect(&shutdown, &System::ShutdownSignal::requested, qApp,
                         &QCoreApplication::quit);
    }

    const int code = QApplication::exec();
    if (solo)
        solo->stop();
    return code;
}

} // namespace Kyozo::App
