#pragma once

#include "utf8streamdecoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

class QTemporaryDir;

namespace Kyozo::Server {

// The limits of one run ([execution] keys; defaults from issue 17 item 2, documented in
// docs/server.md "Execution").
struct ExecutionLimits
{
    int cpuSeconds = 30; // RLIMIT_CPU of every process of the run
    qint64 addressSpaceBytes = 2LL << 30; // RLIMIT_AS
    qint64 fileSizeBytes = 256LL << 20; // RLIMIT_FSIZE
    int processes = 64; // RLIMIT_NPROC (counted per uid: see docs)
    int openFiles = 256; // RLIMIT_NOFILE
    int wallSeconds = 300; // wall-clock timeout
    qint64 outputBytes = 16LL << 20; // stdout + stderr, in bytes, before the run is ended
    qint64 tmpBytes = 64LL << 20; // size cap of the private /tmp (and /dev/shm, /run)
    // setpriority(2) of the run's processes: below the server's own 0, so that CPU-bound
    // cells never delay the server's answers to everyone else (issue 17 "Benchmark").
    int niceness = 10;
};

struct RunSpec
{
    // The runner's argv; every "{file}" in it is replaced by the path of the file holding
    // `code` (the same path inside and outside the sandbox).
    QStringList command;
    QString code; // written to that file, read-only for the run
    QString workingDirectory; // created if missing; the only writable bind
    // Given to runAs when it is not its owner; false for a folder of someone's own (solo
    // mode's notebook folders), which the run uses with the permissions it has.
    bool handOverWorkingDirectory = true;
    ExecutionLimits limits;
    QString runAs; // user name, when the server is root (refused empty); else its own uid
    QString bwrap; // path of bwrap, or empty for an unsandboxed run (logged)
    int chunkBytes = 64 * 1024; // output(): sent at this many bytes ...
    int chunkMs = 50; //                    ... or after this long, whichever is first
};

enum class RunStatus { Running, Completed, Failed, Cancelled, TimedOut, LimitExceeded };
QString runStatusName(RunStatus status); // "running", "completed", ... as the wire spells them

// One contained run of one cell (issue 17 item 2; docs/server.md "Running a cell"): its own
// session and process group, an unprivileged uid, rlimits, a wall-clock timeout, an output
// cap, inside bubblewrap when given. Output arrives as output() in chunks; finished() comes
// once, after the last output(), and never from inside start(). Delete it with deleteLater()
// from a slot of its own signals. It may be moved to another thread before start(); it is
// then started, cancelled and deleted in that thread.
class CellRun : public QObject
{
    Q_OBJECT
public:
    explicit CellRun(RunSpec spec, QObject *parent = nullptr);
    ~CellRun() override; // kills the whole group if still running; emits nothing

    void start(); // emits started() or finished(Failed) with a reason
    void cancel(); // SIGKILL to the whole group; finished(Cancelled)

signals:
    void started(qint64 pid);
    // Never split inside a UTF-8 sequence; invalid bytes replaced by U+FFFD and counted.
    void output(const QString &stream /* "stdout"|"stderr" */, const QString &text);
    // After the last output(). limit: "cpu"|"memory"|"file_size"|"processes"|"output"|"wall"
    // or empty. truncated: the output cap was hit (the run is then ended, limit "output").
    void finished(Kyozo::Server::RunStatus status, int exitCode, const QString &limit,
                  bool truncated, qint64 invalidBytes, const QString &message);

private:
    enum class Ending { None, Cancelled, Wall, OutputCap };
    struct Stream
    {
        QString name;
        QByteArray pending; // read, not yet sent: below chunkBytes
        Utf8StreamDecoder decoder;
    };

    bool prepare(QString *program, QStringList *arguments, QString *error);
    void emitStarted();
    void read(Stream &stream, QByteArray bytes);
    void send(Stream &stream, QByteArrayView bytes);
    void sendPending();
    void end(Ending ending);
    void killGroup();
    // What bubblewrap leaves once its own process has gone (processusage.h).
    void killSandboxLeftovers();
    void processFinished(int exitCode, QProcess::ExitStatus exitStatus);
    void fail(const QString &message);
    void emitFinished(RunStatus status, int exitCode, const QString &limit, const QString &message);

    RunSpec m_spec;
    QProcess *m_process = nullptr;
    std::unique_ptr<QTemporaryDir> m_runDirectory;
    qint64 m_pid = 0; // also the process group and session id (setsid in the child)
    qint64 m_groupPid = 0; // the same, from the moment start() forked
    QByteArray m_sandboxMark; // with bwrap: the run's directory, in every sandbox process's argv
    uint m_runUid = 0;
    bool m_leaderExited = false; // processFinished() saw it
    Stream m_stdout { QStringLiteral("stdout"), {}, {} };
    Stream m_stderr { QStringLiteral("stderr"), {}, {} };
    qint64 m_outputBytes = 0;
    QTimer m_flushTimer;
    QTimer m_wallTimer;
    QTimer m_reapTimer; // a bound on waiting for the killed group's leader
    QElapsedTimer m_elapsed;
    Ending m_ending = Ending::None;
    bool m_startCalled = false;
    bool m_startedEmitted = false;
    bool m_done = false;
};

} // namespace Kyozo::Server
