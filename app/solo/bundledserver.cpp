#include "bundledserver.h"

#include <QFile>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>
#include <utility>

Q_LOGGING_CATEGORY(lcBundled, "kyozo.server")

namespace Kyozo::App {

BundledServer::BundledServer(QString program, QString databaseUrl, QObject *parent)
    : QObject(parent)
    , m_program(std::move(program))
    , m_database(std::move(databaseUrl))
{
    // If the app is killed outright, the kernel still stops its server.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.setReadChannel(QProcess::StandardOutput);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &BundledServer::onStdout);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        for (const QByteArray &line : m_process.readAllStandardError().split('\n'))
            if (!line.isEmpty()) {
                m_lastError = QString::fromUtf8(line.left(1000)).trimmed();
                qCDebug(lcBundled).noquote() << m_lastError;
            }
    });
    connect(&m_process, &QProcess::finished, this, &BundledServer::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            onFinished(-1, QProcess::CrashExit);
    });
}

BundledServer::~BundledServer()
{
    stop();
}

QString BundledServer::defaultProgram()
{
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/kyozo-server");
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("kyozo-server"));
}

QString BundledServer::defaultDatabaseUrl()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    return QStringLiteral("sqlite:") + dir + QStringLiteral("/solo.sqlite");
}

void BundledServer::start()
{
    if (isRunning())
        return;
    m_stopping = false;
    m_stdout.clear();
    m_url.clear();
    m_lastError.clear();
    QStringList arguments { QStringLiteral("--listen"), m_listen, QStringLiteral("--database"),
                            m_database };
    // The writer's own cells run on the bundled server (issue 17 item 2), as the writer's
    // user; only the writer's (the workspace's owner): a Share… guest is an editor, who
    // edits and sees runs but must not run code on the writer's machine.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    QFile config(dir + QStringLiteral("/solo-server.toml"));
    QString map = workingFolderMapPath(); // a TOML basic string
    map.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    const QByteArray toml = "[execution]\nenabled = true\nrun_role = \"owner\"\n"
                            "working_directory_map = \""
        + map.toUtf8() + "\"\n";
    if (config.open(QIODevice::WriteOnly | QIODevice::Truncate) && config.write(toml) == toml.size()) {
        config.close();
        arguments << QStringLiteral("--config") << config.fileName();
    }
    m_process.start(m_program, arguments);
    qCInfo(lcBundled).noquote() << "started" << m_program << "pid" << m_process.processId();
}

QString BundledServer::workingFolderMapPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
        + QStringLiteral("/solo-folders.json");
}

bool BundledServer::setWorkingFolder(const QString &notebookId, const QString &folder)
{
    const QString path = workingFolderMapPath();
    QJsonObject map;
    {
        QFile in(path);
        if (in.open(QIODevice::ReadOnly))
            map = QJsonDocument::fromJson(in.readAll()).object();
    }
    if (map.value(notebookId).toString() == folder)
        return true;
    map.insert(notebookId, folder);
    QDir().mkpath(QFileInfo(path).path());
    // Whole or not at all: the server may read it at any moment.
    QSaveFile out(path);
    return out.open(QIODevice::WriteOnly) && out.write(QJsonDocument(map).toJson()) >= 0
        && out.commit();
}

void BundledServer::stop(int timeoutMs)
{
    if (!isRunning())
        return;
    m_stopping = true;
    m_restartWhenStopped = false;
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(1000);
    }
}

void BundledServer::restart(const QString &addressAndPort)
{
    m_listen = addressAndPort;
    // A restart the user asked for is not one of the quick restarts after crashes.
    m_quickRestarts = 0;
    if (!isRunning()) {
        start();
        return;
    }
    // Not stop(): its wait would block the event loop, and with it the close handshakes of
    // this app's own sockets that the server's SIGTERM waits for (docs/server.md, Closing).
    m_stopping = true;
    m_restartWhenStopped = true;
    const quint64 generation = ++m_restartGeneration;
    m_process.terminate();
    QTimer::singleShot(kStopTimeoutMs, this, [this, generation] {
        if (m_restartWhenStopped && generation == m_restartGeneration && isRunning())
            m_process.kill();
    });
}

int BundledServer::admin(const QStringList &args, QByteArray *out, QString *error) const
{
    QProcess process;
    process.start(m_program, QStringList { QStringLiteral("--database"), m_database } + args);
    if (!process.waitForFinished(10000)) {
        *error = process.errorString();
        process.kill();
        process.waitForFinished(1000);
        return -1;
    }
    *out = process.readAllStandardOutput();
    *error = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void BundledServer::onStdout()
{
    m_stdout += m_process.readAllStandardOutput();
    // SPEC §11: one line "listening on http://ADDR:PORT" when it is ready.
    const qsizetype at = m_stdout.indexOf("listening on ");
    const qsizetype end = at >= 0 ? m_stdout.indexOf('\n', at) : -1;
    if (end < 0 || !m_url.isEmpty())
        return;
    m_url = QUrl(QString::fromUtf8(m_stdout.mid(at + 13, end - at - 13)).trimmed());
    // Listening on every address (Share…): this app still talks to it over loopback.
    const QHostAddress host(m_url.host());
    if (host == QHostAddress::AnyIPv4)
        m_url.setHost(QStringLiteral("127.0.0.1"));
    else if (host == QHostAddress::AnyIPv6 || host == QHostAddress::Any)
        m_url.setHost(QStringLiteral("::1"));
    qCInfo(lcBundled).noquote() << "listening on" << m_url.toString();
    emit ready(m_url);
}

void BundledServer::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_url.clear();
    if (m_stopping) {
        if (std::exchange(m_restartWhenStopped, false))
            start();
        return;
    }
    const QString reason = status == QProcess::CrashExit ? tr("it stopped abruptly")
                                                         : tr("exit code %1").arg(exitCode);
    if (!m_sinceFirstRestart.isValid() || m_sinceFirstRestart.elapsed() > 60000) {
        m_sinceFirstRestart.start();
        m_quickRestarts = 0;
    }
    const bool restart = ++m_quickRestarts <= kMaxQuickRestarts;
    qCWarning(lcBundled).noquote()
        << "the bundled server died:" << reason << (restart ? "- restarting" : "- giving up");
    emit died(reason, restart);
    if (restart)
        QTimer::singleShot(kRestartDelayMs, this, &BundledServer::start);
}

} // namespace Kyozo::App
