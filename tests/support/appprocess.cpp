#include "appprocess.h"

#include <QDir>

#include "temporaryserver.h"
#include "testpaths.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <csignal>

namespace KyozoTest {

AppProcess::AppProcess()
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, [this] { collect(); });
}

AppProcess::~AppProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(2000);
    }
    if (const qint64 pid = serverPid(); pid > 0 && processAlive(pid))
        ::kill(pid_t(pid), SIGKILL);
}

void AppProcess::start(const QStringList &args, QProcessEnvironment environment)
{
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome());
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.path());
    // The notebooks folder (~/Documents/Kyozo) stays in the test's directory.
    QDir().mkpath(home());
    environment.insert(QStringLiteral("HOME"), home());
    environment.insert(QStringLiteral("USER"), QStringLiteral("ada"));
    if (m_keychain) {
        environment.remove(QStringLiteral("KYOZO_NO_KEYCHAIN"));
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                           QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("no-session-bus")));
    } else {
        environment.insert(QStringLiteral("KYOZO_NO_KEYCHAIN"), QStringLiteral("1"));
    }
    environment.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    m_process.setProcessEnvironment(environment);
    m_process.start(binaryPath(QStringLiteral("kyozo")), args);
}

void AppProcess::collect()
{
    m_partial += m_process.readAll();
    qsizetype nl;
    while ((nl = m_partial.indexOf('\n')) >= 0) {
        m_lines.append(QString::fromUtf8(m_partial.left(nl)));
        m_partial.remove(0, nl + 1);
    }
}

int AppProcess::waitForLine(const QString &text, int timeoutMs, int from)
{
    QElapsedTimer timer;
    timer.start();
    do {
        collect();
        for (int i = from; i < m_lines.size(); ++i)
            if (m_lines[i].contains(text))
                return i;
        if (m_process.state() == QProcess::NotRunning)
            break;
        QTest::qWait(20);
    } while (timer.elapsed() < timeoutMs);
    collect();
    for (int i = from; i < m_lines.size(); ++i)
        if (m_lines[i].contains(text))
            return i;
    return -1;
}

qint64 AppProcess::serverPid() const
{
    static const QRegularExpression started(QStringLiteral("kyozo\\.server: started .* pid (\\d+)"));
    qint64 pid = -1;
    for (const QString &line : m_lines)
        if (const auto m = started.match(line); m.hasMatch())
            pid = m.captured(1).toLongLong();
    return pid;
}

QUrl AppProcess::serverUrl() const
{
    static const QRegularExpression listening(QStringLiteral("kyozo\\.server: listening on (\\S+)"));
    QUrl url;
    for (const QString &line : m_lines)
        if (const auto m = listening.match(line); m.hasMatch())
            url = QUrl(m.captured(1));
    return url;
}

QString AppProcess::databaseUrl() const
{
    // BundledServer::defaultDatabaseUrl(): the app's XDG data dir (organisation and app "kyozo").
    return QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("data/kyozo/kyozo/solo.sqlite"));
}

QString AppProcess::observerToken(const QString &name) const
{
    return userWithToken(databaseUrl(), name, QStringLiteral("local"), QStringLiteral("viewer"));
}

bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    // Field 3, after the parenthesised command name: Z is a zombie, already dead.
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z';
}

} // namespace KyozoTest
