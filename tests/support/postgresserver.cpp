#include "postgresserver.h"

#include "systemuser.h"

#include <QDir>
#include <QProcess>
#include <QTcpServer>

namespace KyozoTest {

namespace {
QString findBinDir()
{
    // Debian: /usr/lib/postgresql/<major>/bin; take the newest.
    QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) { return a.toInt() < b.toInt(); });
    for (auto it = versions.crbegin(); it != versions.crend(); ++it) {
        const QString bin = lib.filePath(*it + QStringLiteral("/bin"));
        if (QFile::exists(bin + QStringLiteral("/initdb")) && QFile::exists(bin + QStringLiteral("/pg_ctl")))
            return bin;
    }
    return {};
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}
} // namespace

QString PostgresServer::runAsServerUser(const QString &program, const QStringList &args, QString *error)
{
    QProcess p;
    if (runningAsRoot()) {
        const std::optional<SystemUser> postgres = systemUser(QStringLiteral("postgres"));
        if (!postgres) {
            *error = QStringLiteral(
                "running as root and there is no 'postgres' user to run the server as");
            return {};
        }
        runAs(p, *postgres);
    }
    p.start(program, args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1 failed: %2").arg(program, QString::fromLocal8Bit(p.readAllStandardError() + p.readAllStandardOutput()));
        return {};
    }
    return QString::fromLocal8Bit(p.readAllStandardOutput());
}

bool PostgresServer::start(QString *error)
{
    m_bin = findBinDir();
    if (m_bin.isEmpty()) {
        *error = QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl) are not installed");
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>();
    if (runningAsRoot()) {
        const std::optional<SystemUser> postgres = systemUser(QStringLiteral("postgres"));
        if (!postgres) {
            *error = QStringLiteral("running as root and there is no 'postgres' user to run the server as");
            return false;
        }
        if (!giveTo(m_dir->path(), *postgres, error))
            return false;
    }
    const QString data = m_dir->filePath(QStringLiteral("data"));
    if (runAsServerUser(m_bin + QStringLiteral("/initdb"),
                        { QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("kyozo"),
                          QStringLiteral("-A"), QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                          QStringLiteral("--locale=C"), QStringLiteral("--no-sync") },
                        error).isNull() && !error->isEmpty())
        return false;
    m_port = freePort();
    const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off")
                                    .arg(m_port)
                                    .arg(m_dir->path());
    if (runAsServerUser(m_bin + QStringLiteral("/pg_ctl"),
                        { QStringLiteral("-D"), data, QStringLiteral("-l"), m_dir->filePath(QStringLiteral("log")),
                          QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-o"), options,
                          QStringLiteral("start") },
                        error).isNull() && !error->isEmpty())
        return false;
    m_running = true;
    return true;
}

QString PostgresServer::createDatabase(QString *error)
{
    const QString name = QStringLiteral("kyozo_%1").arg(++m_databases);
    QProcess p;
    p.start(m_bin + QStringLiteral("/createdb"),
            { QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
              QStringLiteral("-U"), QStringLiteral("kyozo"), name });
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        *error = QStringLiteral("createdb failed: %1").arg(QString::fromLocal8Bit(p.readAllStandardError()));
        return {};
    }
    return QStringLiteral("postgres://kyozo@127.0.0.1:%1/%2").arg(m_port).arg(name);
}

void PostgresServer::stop()
{
    if (!m_running)
        return;
    m_running = false;
    QString error;
    runAsServerUser(m_bin + QStringLiteral("/pg_ctl"),
                    { QStringLiteral("-D"), m_dir->filePath(QStringLiteral("data")),
                      QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"),
                      QStringLiteral("stop") },
                    &error);
}

PostgresServer::~PostgresServer()
{
    stop();
}

} // namespace KyozoTest
