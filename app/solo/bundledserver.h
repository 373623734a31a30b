#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QUrl>

namespace Kyozo::App {

// The kyozo-server executable the app starts for a writer alone (SPEC §9 solo mode): on
// loopback with a port the system picks, SQLite in the XDG data dir. It dies with the app
// (PR_SET_PDEATHSIG) and is restarted when it dies on its own.
class BundledServer : public QObject
{
    Q_OBJECT
public:
    BundledServer(QString program, QString databaseUrl, QObject *parent = nullptr);
    ~BundledServer() override;

    // The kyozo-server beside this executable (build/bin, /usr/bin), else on PATH.
    static QString defaultProgram();
    // sqlite: in the app's XDG data dir.
    static QString defaultDatabaseUrl();

    void start();
    // The address it listens on from its next start(): loopback with a port the system
    // picks by default; "Share…" (issue 15 item 3) picks one the network reaches.
    void setListen(const QString &addressAndPort) { m_listen = addressAndPort; }
    QString listen() const { return m_listen; }
    bool isLoopbackOnly() const { return m_listen == kLoopback; }
    // Stops it (SIGTERM, SIGKILL after kStopTimeoutMs) without blocking, and starts it again
    // listening on `addressAndPort`; ready() follows.
    void restart(const QString &addressAndPort);
    // SIGTERM, then SIGKILL if it has not exited within `timeoutMs` (SPEC §11: 5 s).
    void stop(int timeoutMs = 5000);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    // Where this app reaches it: the server's "listening on" URL, with an any-address
    // (0.0.0.0, ::) replaced by loopback.
    QUrl url() const { return m_url; }
    // The last line it wrote on stderr ("kyozo-server: …" when it could not listen).
    QString lastError() const { return m_lastError; }
    QString databaseUrl() const { return m_database; }
    QString program() const { return m_program; }

    // The writer's cells run in their file's own folder (issue 17 item 2): the bundled
    // server reads this map (`[execution] working_directory_map`) when a run starts.
    static QString workingFolderMapPath();
    // Records that the notebook mirrors a file in `folder`; false when the map cannot be
    // written (the cells then run in the server's default folder).
    static bool setWorkingFolder(const QString &notebookId, const QString &folder);

    // An admin sub-command against the same database (user add, token create); exit code.
    int admin(const QStringList &args, QByteArray *out, QString *error) const;

    static inline const QString kLoopback = QStringLiteral("127.0.0.1:0");
    static constexpr int kRestartDelayMs = 500;
    static constexpr int kStopTimeoutMs = 5000; // SPEC §11: gone within 5 s of SIGTERM
    static constexpr int kMaxQuickRestarts = 5; // within a minute, then it gives up

signals:
    void ready(const QUrl &url);
    // It exited without being asked to; `willRestart` says whether it is started again.
    void died(const QString &reason, bool willRestart);

private:
    void onStdout();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString m_program;
    QString m_database;
    QString m_listen = kLoopback;
    QString m_lastError;
    QProcess m_process;
    QByteArray m_stdout;
    QUrl m_url;
    bool m_stopping = false;
    bool m_restartWhenStopped = false;
    quint64 m_restartGeneration = 0;
    int m_quickRestarts = 0;
    QElapsedTimer m_sinceFirstRestart;
};

} // namespace Kyozo::App
