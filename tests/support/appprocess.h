#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace KyozoTest {

// The real `kyozo` executable with its own XDG directories (so its bundled server's
// database, token and settings are the test's), no keychain, and the status lines it
// writes on stderr (the words of its status bar, SPEC §9) collected for waiting on.
class AppProcess
{
public:
    AppProcess();
    ~AppProcess();

    // `environment` is the app's whole environment (start from systemEnvironment());
    // the XDG variables, USER=ada and KYOZO_NO_KEYCHAIN are set on top of it.
    void start(const QStringList &args, QProcessEnvironment environment = QProcessEnvironment::systemEnvironment());
    // Lets the app try the real desktop keychain (QtKeychain) on a session bus that does not
    // exist, so it fails as on a machine without a Secret Service and never touches a real one.
    void useUnreachableKeychain() { m_keychain = true; }
    // Waits for a line containing `text` after the first `from` lines; returns its index or -1.
    int waitForLine(const QString &text, int timeoutMs, int from = 0);
    QStringList lines() const { return m_lines; }
    QString output() const { return m_lines.join(u'\n'); }

    // From the app's own log lines: the latest bundled server's pid and URL.
    qint64 serverPid() const;
    QUrl serverUrl() const;
    QString databaseUrl() const;
    QString configHome() const { return m_dir.filePath(QStringLiteral("config")); }
    QString dataHome() const { return m_dir.filePath(QStringLiteral("data")); }
    // $HOME: the Documents folder the app keeps its notebooks in is under it.
    QString home() const { return m_dir.filePath(QStringLiteral("home")); }
    QProcess &process() { return m_process; }

    // A user of the app's local workspace with a token, made through the server's admin commands.
    QString observerToken(const QString &name) const;

private:
    void collect();

    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_partial;
    QStringList m_lines;
    bool m_keychain = false;
};

// True while the process exists and is not a zombie.
bool processAlive(qint64 pid);

} // namespace KyozoTest
