#include "admincommands.h"
#include "channels/channelhub.h"
#include "kyozoserver.h"
#include "system/shutdownsignal.h"
#include "system/systemdnotify.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cstdio>

using namespace Kyozo::Server;

Q_LOGGING_CATEGORY(lcMain, "kyozo.server", QtInfoMsg)

// kyozo-server (SPEC §8, §11).
int main(int argc, char *argv[])
{
    // Under Qt's GLib event dispatcher every socket write (which switches a write notifier
    // on and off) slowed down with the number of open sockets; Qt's own UNIX dispatcher
    // does not (bench/README.md: fan-out to 5,000 sockets 5x faster, 10,000 about 12x).
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kyozo-server"));
    QCoreApplication::setOrganizationName(QStringLiteral("kyozo"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KYOZO_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "kyozo-server",
        "Kyozo channel server: Phoenix Channels v2 over WebSockets and a REST API on one port."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption listen(
        QStringLiteral("listen"),
        QCoreApplication::translate("kyozo-server", "Address and port (default 127.0.0.1:4000)."),
        QStringLiteral("ADDR:PORT"));
    const QCommandLineOption database(
        QStringLiteral("database"),
        QCoreApplication::translate("kyozo-server", "sqlite:PATH or postgres://user@host:port/db."),
        QStringLiteral("URL"));
    const QCommandLineOption config(
        QStringLiteral("config"),
        QCoreApplication::translate("kyozo-server", "TOML configuration file (docs/server.md)."),
        QStringLiteral("FILE"));
    parser.addOptions({ listen, database, config });
    // Admin commands take their own options (user add NAME --workspace W --role R).
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addPositionalArgument(
        QStringLiteral("command"),
        QCoreApplication::translate(
            "kyozo-server",
            "Optional admin command: user add|list, token create|revoke, billing report, "
            "backup FILE, restore FILE."));
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "kyozo-server: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();

    ServerConfig settings;
    QString error;
    // Order: defaults, then the config file, then the command line.
    if ((parser.isSet(config) && !settings.load(parser.value(config), &error))
        || (parser.isSet(listen) && !settings.setListen(parser.value(listen), &error))) {
        std::fprintf(stderr, "kyozo-server: %s\n", qPrintable(error));
        return 2;
    }
    if (parser.isSet(database)) {
        const auto url = DatabaseUrl::parse(parser.value(database), &error);
        if (!url) {
            std::fprintf(stderr, "kyozo-server: %s\n", qPrintable(error));
            return 2;
        }
        settings.database = *url;
    }
    if (!parser.positionalArguments().isEmpty())
        return runAdminCommand(settings, parser.positionalArguments());

    KyozoServer server(settings);
    const quint16 port = server.start(&error);
    if (port == 0) {
        std::fprintf(stderr, "kyozo-server: %s\n", qPrintable(error));
        return 1;
    }
    const QString host = settings.address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + settings.address.toString() + QLatin1Char(']')
        : settings.address.toString();
    // SPEC §11's ready line; with [tls], https (docs/server.md "TLS").
    const QByteArray ready = QByteArray("listening on ")
        + (settings.tls.enabled() ? "https" : "http") + "://" + host.toUtf8() + ':'
        + QByteArray::number(port);
    Kyozo::System::ShutdownSignal shutdown;
    // SIGHUP: the TLS certificate read again (systemctl reload); without [tls] nothing to
    // reload, said so, and the server goes on (SIGHUP's default would end it).
    shutdown.catchHangup();
    QObject::connect(&shutdown, &Kyozo::System::ShutdownSignal::reloadRequested, &app, [&] {
        notifySystemd("RELOADING=1");
        QString why;
        if (!settings.tls.enabled())
            qCInfo(lcMain) << "SIGHUP: nothing to reload without [tls]";
        else if (server.reloadTls(&why))
            qCInfo(lcMain) << "reloaded the TLS certificate" << settings.tls.certificate;
        else
            qCWarning(lcMain).noquote() << "kept the TLS certificate in use:" << why;
        notifySystemd("READY=1\nSTATUS=" + ready);
    });
    QObject::connect(&shutdown, &Kyozo::System::ShutdownSignal::requested, &app, [&] {
        notifySystemd("STOPPING=1");
        // SPEC §11, SIGTERM: flush, exit 0. Every socket gets its 1001 and the client's close
        // is waited for, up to shutdown_timeout_ms; then exit, whatever is still open.
        QObject::connect(server.channels(), &ChannelHub::allClosed, &app, &QCoreApplication::quit);
        QTimer::singleShot(settings.limits.shutdownTimeoutMs, &app, &QCoreApplication::quit);
        server.shutdown();
    });
    // Ready once the signals are handled: a reload or stop right after READY must not end
    // the process the default way.
    std::printf("%s\n", ready.constData());
    std::fflush(stdout);
    notifySystemd("READY=1\nSTATUS=" + ready);
    return app.exec();
}
