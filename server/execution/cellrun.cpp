#include "cellrun.h"

#include "processusage.h"
#include "sandbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcExecution, "kyozo.server.execution")

namespace Kyozo::Server {

namespace {

    // The run's PATH: programs are looked up here (not in the server's own PATH), outside and
    // inside the sandbox alike.
    const QStringList &runPath()
    {
        static const QStringList path { QStringLiteral("/usr/local/bin"),
                                        QStringLiteral("/usr/bin"), QStringLiteral("/bin") };
        return path;
    }

    // A SIGKILL from the kernel after the hard CPU limit (soft limit + this) comes only after
    // the soft limit's SIGXCPU was ignored or caught.
    constexpr int cpuHardGraceSeconds = 1;
    // How long to wait for the group's leader once it has been sent SIGKILL.
    constexpr int reapBoundMs = 10'000;

    // Everything the child needs between fork and exec, as plain values: that code may call
    // async-signal-safe functions only (signal-safety(7)), so nothing there allocates.
    struct ChildSetup
    {
        rlimit cpu {}, addressSpace {}, fileSize {}, processes {}, openFiles {}, core {};
        int niceness = 0;
        bool switchUser = false;
        uid_t uid = 0;
        gid_t gid = 0;
    };

    rlimit both(qint64 value)
    {
        const auto v = rlim_t(qMax<qint64>(value, 0));
        return { v, v };
    }

    [[noreturn]] void childFailed(const char *what)
    {
        // The child's stderr is already the run's stderr pipe (QProcess dup2s it first), so
        // the reason reaches the cell's output.
        const char prefix[] = "kyozo-server: cannot start the cell: ";
        [[maybe_unused]] auto a = ::write(2, prefix, sizeof prefix - 1);
        [[maybe_unused]] auto b = ::write(2, what, std::strlen(what));
        [[maybe_unused]] auto c = ::write(2, "\n", 1);
        ::_exit(127);
    }

    void setUpChild(const ChildSetup &s)
    {
        // Its own session and so its own process group, whose id is the child's pid: cancel
        // and the timeouts kill(-pid, SIGKILL) the lot.
        if (::setsid() < 0)
            childFailed("setsid");
        // The server may block or ignore signals (SIGPIPE, SIGTERM for its own shutdown); a
        // cell starts with the defaults, so that SIGXCPU and SIGXFSZ end it (setrlimit(2)).
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl
        {
        };
        dfl.sa_handler = SIG_DFL;
        for (int sig : { SIGXCPU, SIGXFSZ, SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD,
                         SIGUSR1, SIGUSR2, SIGALRM })
            ::sigaction(sig, &dfl, nullptr);
        if (::setrlimit(RLIMIT_CPU, &s.cpu) != 0 || ::setrlimit(RLIMIT_AS, &s.addressSpace) != 0
            || ::setrlimit(RLIMIT_FSIZE, &s.fileSize) != 0
            || ::setrlimit(RLIMIT_NPROC, &s.processes) != 0
            || ::setrlimit(RLIMIT_NOFILE, &s.openFiles) != 0
            || ::setrlimit(RLIMIT_CORE, &s.core) != 0)
            childFailed("setrlimit");
        // Supplementary groups first, then the gid, then the uid (the order setuid(2) needs).
        if (s.switchUser
            && (::setgroups(0, nullptr) != 0 || ::setgid(s.gid) != 0 || ::setuid(s.uid) != 0))
            childFailed("cannot switch to the run_as user");
        // No set-user-ID program (su, sudo, ping's capabilities) gives the cell privileges.
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            childFailed("PR_SET_NO_NEW_PRIVS");
        // Dies with the server even unsandboxed (after setuid, which clears this setting).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        // No descriptor of the server (sockets, the database) survives exec. Marked
        // close-on-exec rather than closed: QProcess still reports a failed exec through one.
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        // Lower priority than the server's, inherited by every process of the run (which may
        // not raise it again: RLIMIT_NICE is 0). Last, right before exec: QProcess forks with
        // vfork semantics (CLONE_VFORK), so the server's thread waits for the exec, and the
        // lower the child's priority before it, the longer it queues behind CPU-bound cells.
        if (::setpriority(PRIO_PROCESS, 0, s.niceness) != 0)
            childFailed("setpriority");
    }

    // getpwnam_r: the reentrant form, the server may resolve users on other threads.
    bool lookUpUser(const QString &name, uid_t *uid, gid_t *gid)
    {
        passwd pw {};
        passwd *found = nullptr;
        std::array<char, 4096> buffer {};
        const QByteArray n = name.toLocal8Bit();
        if (::getpwnam_r(n.constData(), &pw, buffer.data(), buffer.size(), &found) != 0 || !found)
            return false;
        *uid = found->pw_uid;
        *gid = found->pw_gid;
        return true;
    }

    // The first folder above `path` (canonical) that uid:gid may not search, or empty. The
    // run's user reaches its working directory only through every ancestor: a default one
    // under /root is out of nobody's reach and the cell would fail before its first line.
    // Supplementary groups are not counted: the run drops them (setgroups(0)).
    QString firstUnsearchableAncestor(const QString &path, uid_t uid, gid_t gid)
    {
        QString at = QFileInfo(path).path();
        QStringList ancestors;
        while (!at.isEmpty() && ancestors.size() < 4096) {
            ancestors.prepend(at);
            if (at == u'/')
                break;
            at = QFileInfo(at).path();
        }
        for (const QString &dir : std::as_const(ancestors)) {
            struct stat st
            {
            };
            if (::stat(QFile::encodeName(dir).constData(), &st) != 0)
                return dir;
            const mode_t bit = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
            if (!(st.st_mode & bit))
                return dir;
        }
        return {};
    }

    QString signalName(int sig)
    {
        const char *abbrev = ::sigabbrev_np(sig);
        return abbrev ? QStringLiteral("SIG") + QString::fromLatin1(abbrev) : QString::number(sig);
    }

} // namespace

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Completed:
        return QStringLiteral("completed");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Cancelled:
        return QStringLiteral("cancelled");
    case RunStatus::TimedOut:
        return QStringLiteral("timed_out");
    case RunStatus::LimitExceeded:
        return QStringLiteral("limit_exceeded");
    }
    return {};
}

CellRun::CellRun(RunSpec spec, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(spec))
{
    m_spec.chunkBytes = qMax(m_spec.chunkBytes, 4);
    m_spec.chunkMs = qMax(m_spec.chunkMs, 1);
    // Children, so that moveToThread() takes them along (the scheduler runs cells on a thread
    // of their own); members are destroyed before QObject's destructor looks at children.
    for (QTimer *t : { &m_flushTimer, &m_wallTimer, &m_reapTimer })
        t->setParent(this);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &CellRun::sendPending);
    m_wallTimer.setSingleShot(true);
    connect(&m_wallTimer, &QTimer::timeout, this, [this] { end(Ending::Wall); });
    m_reapTimer.setSingleShot(true);
    connect(&m_reapTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcExecution) << "cell run" << m_pid << "did not exit" << reapBoundMs
                               << "ms after SIGKILL";
        m_process->disconnect(this);
        const RunStatus status = m_ending == Ending::Cancelled ? RunStatus::Cancelled
            : m_ending == Ending::Wall                         ? RunStatus::TimedOut
                                                               : RunStatus::LimitExceeded;
        emitFinished(status, -1,
                     m_ending == Ending::Wall            ? QStringLiteral("wall")
                         : m_ending == Ending::OutputCap ? QStringLiteral("output")
                                                         : QString(),
                     QStringLiteral("the process did not exit after SIGKILL"));
    });
}

CellRun::~CellRun()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    // The group goes unless its leader was seen to exit (and then its group was killed):
    // whatever QProcess's state says, a process it lost track of must not outlive the run.
    if (!m_leaderExited)
        killGroup();
    killSandboxLeftovers();
    if (m_process->state() != QProcess::NotRunning) {
        // Reaps the leader, already sent SIGKILL: no wait to speak of, but bounded.
        m_process->waitForFinished(reapBoundMs);
    }
    delete m_process;
    if (m_groupPid > 0)
        unregisterOwnChild(m_groupPid);
}

void CellRun::start()
{
    if (m_startCalled)
        return;
    m_startCalled = true;
    QString program;
    QStringList arguments;
    QString error;
    if (!prepare(&program, &arguments, &error)) {
        fail(error);
        return;
    }
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    m_process->setWorkingDirectory(m_spec.workingDirectory);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment env;
    // Nothing of the server's environment (it may hold the database URL): a fixed one.
    env.insert(QStringLiteral("PATH"), runPath().join(u':'));
    env.insert(QStringLiteral("HOME"), m_spec.workingDirectory);
    env.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    // Python block-buffers a pipe; a cell's output should stream as it is printed.
    env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    m_process->setProcessEnvironment(env);

    const ExecutionLimits &l = m_spec.limits;
    ChildSetup setup;
    setup.cpu
        = { rlim_t(qMax(l.cpuSeconds, 1)), rlim_t(qMax(l.cpuSeconds, 1) + cpuHardGraceSeconds) };
    setup.addressSpace = both(l.addressSpaceBytes);
    setup.fileSize = both(l.fileSizeBytes);
    setup.processes = both(l.processes);
    setup.openFiles = both(l.openFiles);
    setup.core = both(0); // no core dumps into the working directory or a host core handler
    setup.niceness = l.niceness;
    if (!m_spec.runAs.isEmpty() && ::geteuid() == 0) {
        setup.switchUser = true;
        lookUpUser(m_spec.runAs, &setup.uid, &setup.gid);
    }
    // QProcess (not a hand-written fork/exec): it owns the pipes, the reaping and the event
    // loop integration; what it does not do (a session, rlimits, another uid) runs in the
    // child between fork and exec through the modifier (Qt 6.0+).
    m_process->setChildProcessModifier([setup] { setUpChild(setup); });

    connect(m_process, &QProcess::started, this, [this] { emitStarted(); });
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            [this] { read(m_stdout, m_process->readAllStandardOutput()); });
    connect(m_process, &QProcess::readyReadStandardError, this,
            [this] { read(m_stderr, m_process->readAllStandardError()); });
    connect(m_process, &QProcess::finished, this, &CellRun::processFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("cannot start %1: %2")
                     .arg(m_process->program(), m_process->errorString()));
    });
    m_elapsed.start();
    m_process->start();
    // Known from here on (QProcess forks with vfork semantics: the child has exec'd, after
    // its setsid()), whatever QProcess reports later.
    m_groupPid = m_process->processId();
    if (m_groupPid > 0)
        registerOwnChild(m_groupPid); // QProcess reaps it, nobody else
    if (!m_done && l.wallSeconds > 0)
        m_wallTimer.start(std::chrono::seconds(l.wallSeconds));
}

bool CellRun::prepare(QString *program, QStringList *arguments, QString *error)
{
    if (m_spec.command.isEmpty()) {
        *error = QStringLiteral("the runner has no command");
        return false;
    }
    // Who the cell runs as (issue 17 item 2): never root, since the kernel does not enforce
    // RLIMIT_NPROC for uid 0 and a fork bomb would take the machine.
    const uid_t euid = ::geteuid();
    uid_t uid = euid;
    gid_t gid = ::getegid();
    // A server that is not root cannot switch users: it runs cells as itself, whatever run_as
    // says (docs/server.md "Running a cell").
    if (euid == 0) {
        if (m_spec.runAs.isEmpty()) {
            *error = QStringLiteral("refusing to run a cell as root: set [execution] run_as");
            return false;
        }
        if (!lookUpUser(m_spec.runAs, &uid, &gid)) {
            *error = QStringLiteral("run_as: no user %1").arg(m_spec.runAs);
            return false;
        }
        if (uid == 0) {
            *error = QStringLiteral("refusing to run a cell as root: run_as %1 has uid 0")
                         .arg(m_spec.runAs);
            return false;
        }
    }
    const bool switchUser = uid != euid;

    // The working directory: kept between runs, the only place the cell may write.
    if (m_spec.workingDirectory.isEmpty() || !QDir().mkpath(m_spec.workingDirectory)) {
        *error
            = QStringLiteral("cannot create the working directory %1").arg(m_spec.workingDirectory);
        return false;
    }
    m_spec.workingDirectory = QFileInfo(m_spec.workingDirectory).canonicalFilePath();
    const QByteArray wd = QFile::encodeName(m_spec.workingDirectory);
    struct stat st
    {
    };
    if (::stat(wd.constData(), &st) != 0) {
        *error
            = QStringLiteral("cannot stat the working directory %1").arg(m_spec.workingDirectory);
        return false;
    }
    if (switchUser) {
        const QString blocked = firstUnsearchableAncestor(m_spec.workingDirectory, uid, gid);
        if (!blocked.isEmpty()) {
            *error = QStringLiteral("the working directory %1 is out of %2's reach: %3 is not "
                                    "searchable by it; set [execution] working_directory to a "
                                    "folder it can reach")
                         .arg(m_spec.workingDirectory, m_spec.runAs, blocked);
            return false;
        }
    }
    if (switchUser && m_spec.handOverWorkingDirectory && st.st_uid != uid
        && ::chown(wd.constData(), uid, gid) != 0) {
        *error = QStringLiteral("cannot hand the working directory %1 to %2: %3")
                     .arg(m_spec.workingDirectory, m_spec.runAs,
                          QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }

    // The code, in a private directory of this run outside the working directory: the cell
    // can read it and not change it (owned by the server, readable by the run's group only).
    m_runDirectory
        = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/kyozo-run-XXXXXX"));
    if (!m_runDirectory->isValid()) {
        *error = QStringLiteral("cannot create the run's directory: %1")
                     .arg(m_runDirectory->errorString());
        return false;
    }
    const QString runDirectory = QFileInfo(m_runDirectory->path()).canonicalFilePath();
    m_runUid = uid;
    if (!m_spec.bwrap.isEmpty())
        m_sandboxMark = QFile::encodeName(runDirectory);
    const QString file = runDirectory + QStringLiteral("/cell");
    {
        QFile out(file);
        const QByteArray code = m_spec.code.toUtf8();
        if (!out.open(QIODevice::WriteOnly) || out.write(code) != code.size() || !out.flush()) {
            *error = QStringLiteral("cannot write the cell's code: %1").arg(out.errorString());
            return false;
        }
    }
    const QByteArray dirPath = QFile::encodeName(runDirectory);
    const QByteArray filePath = QFile::encodeName(file);
    const bool modesSet = switchUser
        ? ::chown(dirPath.constData(), uid_t(-1), gid) == 0
            && ::chmod(dirPath.constData(), 0750) == 0
            && ::chown(filePath.constData(), uid_t(-1), gid) == 0
            && ::chmod(filePath.constData(), 0440) == 0
        : ::chmod(dirPath.constData(), 0700) == 0 && ::chmod(filePath.constData(), 0400) == 0;
    if (!modesSet) {
        *error = QStringLiteral("cannot give the run's directory to %1").arg(m_spec.runAs);
        return false;
    }

    QStringList command = m_spec.command;
    for (QString &arg : command)
        arg.replace(QStringLiteral("{file}"), file);
    if (!command.first().contains(u'/')) {
        const QString found = QStandardPaths::findExecutable(command.first(), runPath());
        if (found.isEmpty()) {
            *error = QStringLiteral("the runner's program %1 is not in %2")
                         .arg(command.first(), runPath().join(u':'));
            return false;
        }
        command.first() = found;
    }

    if (m_spec.bwrap.isEmpty()) {
        *program = command.first();
        *arguments = command.mid(1);
    } else {
        *program = m_spec.bwrap;
        *arguments = bubblewrapArguments(
            { m_spec.workingDirectory, runDirectory, m_spec.limits.tmpBytes }, command);
    }
    return true;
}

void CellRun::emitStarted()
{
    if (m_startedEmitted || m_done)
        return;
    m_startedEmitted = true;
    m_pid = m_process->processId();
    if (m_spec.bwrap.isEmpty())
        qCWarning(lcExecution) << "cell run" << m_pid
                               << "is not sandboxed (no bwrap): only its uid and rlimits "
                                  "contain it";
    emit started(m_pid);
}

void CellRun::cancel()
{
    if (m_done)
        return;
    if (!m_process) {
        if (m_startCalled) // prepare() failed: finished(Failed) is on its way
            return;
        m_startCalled = true;
        m_done = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                emit finished(RunStatus::Cancelled, -1, {}, false, 0,
                              QStringLiteral("cancelled before it started"));
            },
            Qt::QueuedConnection);
        return;
    }
    end(Ending::Cancelled);
}

void CellRun::read(Stream &stream, QByteArray bytes)
{
    if (m_done || bytes.isEmpty())
        return;
    emitStarted(); // output can be seen before QProcess's own started()
    if (m_ending == Ending::OutputCap)
        return; // over the cap: dropped
    const qint64 room = m_spec.limits.outputBytes - m_outputBytes;
    const bool over = bytes.size() > room;
    if (over)
        bytes.truncate(qsizetype(qMax<qint64>(room, 0)));
    m_outputBytes += bytes.size();

    // What the other stream gathered was written before this: out first, so that the two
    // streams interleave as they were read.
    Stream &other = &stream == &m_stdout ? m_stderr : m_stdout;
    if (!other.pending.isEmpty()) {
        send(other, other.pending);
        other.pending.clear();
    }
    const qsizetype chunk = m_spec.chunkBytes;
    QByteArrayView rest = bytes;
    if (!stream.pending.isEmpty() && stream.pending.size() + rest.size() >= chunk) {
        const qsizetype take = chunk - stream.pending.size();
        stream.pending.append(rest.first(take));
        send(stream, stream.pending);
        stream.pending.clear();
        rest = rest.sliced(take);
    }
    if (stream.pending.isEmpty()) {
        while (rest.size() >= chunk) {
            send(stream, rest.first(chunk));
            rest = rest.sliced(chunk);
        }
    }
    stream.pending.append(rest); // below one chunk: bounded
    if (!stream.pending.isEmpty() && !m_flushTimer.isActive())
        m_flushTimer.start(m_spec.chunkMs);
    if (over)
        end(Ending::OutputCap);
}

void CellRun::send(Stream &stream, QByteArrayView bytes)
{
    const QString text = stream.decoder.decode(bytes);
    if (!text.isEmpty())
        emit output(stream.name, text);
}

void CellRun::sendPending()
{
    for (Stream *s : { &m_stdout, &m_stderr }) {
        if (!s->pending.isEmpty()) {
            const QByteArray bytes = std::exchange(s->pending, {});
            send(*s, bytes);
        }
    }
}

void CellRun::end(Ending ending)
{
    if (m_done || m_ending != Ending::None)
        return;
    m_ending = ending;
    m_wallTimer.stop();
    killGroup();
    m_reapTimer.start(reapBoundMs);
}

void CellRun::killGroup()
{
    if (!m_process)
        return;
    const qint64 pid = m_groupPid; // processId() reads 0 once QProcess has reaped it
    if (pid <= 0)
        return;
    // The whole group (the cell's children too). With bwrap the group holds bwrap itself: the
    // sandbox's pid 1 dies with it (--die-with-parent), and with pid 1 every process of its
    // pid namespace (pid_namespaces(7)). Its descendants are killed by name as well: the
    // sandbox is a session and group of its own (--new-session), and bubblewrap sets the
    // parent-death signal of its pid 1 only after the fork, so a kill in between would leave
    // that pid 1 behind, waiting forever.
    killDescendants(pid);
    ::kill(-pid_t(pid), SIGKILL);
    // Not yet reaped, so the pid is still the child's: covers the moment before its setsid().
    if (m_process->state() != QProcess::NotRunning)
        ::kill(pid_t(pid), SIGKILL);
}

void CellRun::killSandboxLeftovers()
{
    if (m_sandboxMark.isEmpty())
        return;
    if (const int n = killProcessesMentioning(m_sandboxMark, m_runUid); n > 0)
        qCDebug(lcExecution) << "cell run" << m_groupPid << ": killed" << n
                             << "processes its sandbox left";
    // The sandbox's pid 1 exits after its bwrap, as an orphan of this process (a subreaper):
    // reaped now and, for one that has not quite exited yet, once more a moment later.
    reapAdoptedChildren();
    QTimer::singleShot(200, [] { reapAdoptedChildren(); });
}

void CellRun::processFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    m_leaderExited = true; // reaped: its pid is free again, so its group is not killed later
    if (m_groupPid > 0)
        unregisterOwnChild(m_groupPid);
    if (m_done) {
        if (m_groupPid > 0) // never kill(0, …): that is the server's own group
            ::kill(-pid_t(m_groupPid), SIGKILL); // at once: the group id is not reused yet
        return;
    }
    emitStarted();
    // Whatever the cell left behind in its group (a background job, a daemon) goes with it,
    // and what is left of its sandbox.
    if (m_pid > 0)
        ::kill(-pid_t(m_pid), SIGKILL);
    killSandboxLeftovers();
    read(m_stdout, m_process->readAllStandardOutput());
    read(m_stderr, m_process->readAllStandardError());
    sendPending();
    for (Stream *s : { &m_stdout, &m_stderr }) {
        const QString tail = s->decoder.finish();
        if (!tail.isEmpty())
            emit output(s->name, tail);
    }

    // Exit statuses (docs/server.md "Running a cell"): a signal N is reported as exit code
    // 128 + N, as bwrap and the shells report a child's.
    const bool signalled = exitStatus == QProcess::CrashExit;
    const int code = signalled ? 128 + exitCode : exitCode;
    const int sig = code > 128 && code < 128 + NSIG ? code - 128 : 0;
    const ExecutionLimits &l = m_spec.limits;
    switch (m_ending) {
    case Ending::Cancelled:
        emitFinished(RunStatus::Cancelled, code, {}, QStringLiteral("cancelled"));
        return;
    case Ending::Wall:
        emitFinished(RunStatus::TimedOut, code, QStringLiteral("wall"),
                     QStringLiteral("ended after the wall-clock limit of %1 s").arg(l.wallSeconds));
        return;
    case Ending::OutputCap:
        emitFinished(RunStatus::LimitExceeded, code, QStringLiteral("output"),
                     QStringLiteral("ended at the output limit of %1 bytes").arg(l.outputBytes));
        return;
    case Ending::None:
        break;
    }
    if (sig == SIGXCPU
        || (sig == SIGKILL
            && m_elapsed.elapsed() * qMax(QThread::idealThreadCount(), 1)
                >= qint64(l.cpuSeconds + cpuHardGraceSeconds) * 1000)) {
        emitFinished(RunStatus::LimitExceeded, code, QStringLiteral("cpu"),
                     QStringLiteral("ended at the CPU time limit of %1 s (%2)")
                         .arg(l.cpuSeconds)
                         .arg(signalName(sig)));
    } else if (sig == SIGXFSZ) {
        emitFinished(RunStatus::LimitExceeded, code, QStringLiteral("file_size"),
                     QStringLiteral("ended at the file size limit of %1 bytes (SIGXFSZ)")
                         .arg(l.fileSizeBytes));
    } else if (code == 0) {
        emitFinished(RunStatus::Completed, 0, {}, {});
    } else if (sig) {
        emitFinished(
            RunStatus::Failed, code, {},
            QStringLiteral("exited with code %1 (killed by %2)").arg(code).arg(signalName(sig)));
    } else {
        emitFinished(RunStatus::Failed, code, {}, QStringLiteral("exited with code %1").arg(code));
    }
}

void CellRun::fail(const QString &message)
{
    if (m_done)
        return;
    // Failed to start as QProcess sees it; a child that did exec must not be left running.
    if (m_groupPid > 0 && !m_leaderExited)
        killGroup();
    m_done = true;
    m_wallTimer.stop();
    m_flushTimer.stop();
    qCInfo(lcExecution).noquote() << "cell run not started:" << message;
    // Queued: finished() never comes from inside start().
    QMetaObject::invokeMethod(
        this, [this, message] { emit finished(RunStatus::Failed, -1, {}, false, 0, message); },
        Qt::QueuedConnection);
}

void CellRun::emitFinished(RunStatus status, int exitCode, const QString &limit,
                           const QString &message)
{
    m_done = true;
    m_wallTimer.stop();
    m_flushTimer.stop();
    m_reapTimer.stop();
    emit finished(status, exitCode, limit, m_ending == Ending::OutputCap,
                  m_stdout.decoder.invalidBytes() + m_stderr.decoder.invalidBytes(), message);
}

} // namespace Kyozo::Server
