#include "application.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QTranslator>

#include <cstdio>

// kyozo, the desktop editor (SPEC §9, §11).
int main(int argc, char *argv[])
{
    if (!Kyozo::App::hasDisplay()) {
        std::fputs("kyozo: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset); "
                   "run kyozo-server to serve without one\n",
                   stderr);
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("kyozo"));
    QApplication::setOrganizationName(QStringLiteral("kyozo"));
    QApplication::setApplicationVersion(QStringLiteral(KYOZO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("kyozo"));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("kyozo"), QStringLiteral("_"),
                        QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Kyozo: a notebook editor for Markdown-LD."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption solo(
        QStringLiteral("solo"),
        QApplication::translate("main", "Work alone with a bundled local server (the default)."));
    const QCommandLineOption server(
        QStringLiteral("server"),
        QApplication::translate("main",
                                "Connect to a team server, e.g. https://kyozo.example.org."),
        QStringLiteral("URL"));
    const QCommandLineOption workspace(
        QStringLiteral("workspace"),
        QApplication::translate("main", "Team workspace to join (default: the server's \"team\")."),
        QStringLiteral("NAME"), QStringLiteral("team"));
    const QCommandLineOption notebook(
        QStringLiteral("notebook"),
        QApplication::translate("main", "With --server: open this notebook of the workspace."),
        QStringLiteral("ID"));
    const QCommandLineOption token(
        QStringLiteral("token"),
        QApplication::translate("main",
                                "With --server: sign in with this token and keep it in the "
                                "keychain (as File → Share… prints it)."),
        QStringLiteral("TOKEN"));
    const QCommandLineOption caFile(
        QStringLiteral("ca-file"),
        QApplication::translate("main",
                                "With --server: also trust the CA certificates in this PEM file "
                                "(a team server with a private CA)."),
        QStringLiteral("FILE"));
    parser.addOptions({ solo, server, workspace, notebook, token, caFile });
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QApplication::translate("main", "Notebooks to open."),
                                 QStringLiteral("[FILE.md…]"));
    parser.process(app);
    if (parser.isSet(solo) && parser.isSet(server)) {
        std::fputs("kyozo: --solo and --server exclude each other\n", stderr);
        return 2;
    }
    Kyozo::App::Options options;
    if (parser.isSet(server)) {
        options.server = QUrl::fromUserInput(parser.value(server));
        if (!options.server.isValid()) {
            std::fprintf(stderr, "kyozo: not a server URL: %s\n", qPrintable(parser.value(server)));
            return 2;
        }
    }
    options.workspace = parser.value(workspace);
    options.notebook = parser.value(notebook);
    if (!options.notebook.isEmpty() && options.server.isEmpty()) {
        std::fputs("kyozo: --notebook needs --server\n", stderr);
        return 2;
    }
    options.token = parser.value(token).trimmed();
    if (!options.token.isEmpty() && options.server.isEmpty()) {
        std::fputs("kyozo: --token needs --server\n", stderr);
        return 2;
    }
    options.caFile = parser.value(caFile);
    if (!options.caFile.isEmpty() && options.server.isEmpty()) {
        std::fputs("kyozo: --ca-file needs --server\n", stderr);
        return 2;
    }
    options.files = parser.positionalArguments();
    return Kyozo::App::runEditor(options);
}
