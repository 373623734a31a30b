// CellRun driven directly (issue 17, "Proven by": containment and output), with limits
// lowered so that each case takes seconds. As root (as CI runs the suite) the cells run as
// `nobody`. Cases that hold with and without bubblewrap run both ways; with CI=true a missing
// bwrap or python3 fails instead of skipping.
#include "execution/cellrun.h"
#include "execution/processusage.h"
#include "requiredtool.h"
#include "systemuser.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace Kyozo::Server;

// Waits for `expr` (bounded), without QVERIFY's return: run() returns what it saw.
#define WAIT_UNTIL(expr, timeout)                                                                  \
    do {                                                                                           \
        QElapsedTimer waited;                                                                      \
        waited.start();                                                                            \
        while (!(expr) && waited.elapsed() < (timeout))                                            \
            QTest::qWait(10);                                                                      \
    } while (false)

namespace {

// What the run's PATH holds (docs/server.md "Running a cell").
const QStringList runPath { QStringLiteral("/usr/local/bin"), QStringLiteral("/usr/bin"),
                            QStringLiteral("/bin") };

struct Chunk
{
    QString stream;
    QString text;
};

struct Outcome
{
    bool started = false;
    bool finished = false;
    bool outputAfterFinished = false;
    bool outputBeforeStarted = false;
    qint64 pid = 0;
    RunStatus status = RunStatus::Running;
    int exitCode = 0;
    QString limit;
    bool truncated = false;
    qint64 invalidBytes = 0;
    QString message;
    QList<Chunk> chunks;
    QString out, err;
    qint64 ms = 0;
};

// Processes left of a run: in its session or group (its leader's pid), or carrying `marker`
// in their command line or environment (a process of a sandbox is in a session of its own).
// Zombies are dead already and do not count.
QStringList survivors(qint64 sessionId, const QByteArray &marker)
{
    QStringList found;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toLongLong(&numeric);
        if (!numeric || pid.toLongLong() == ::getpid())
            continue;
        QFile statFile(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!statFile.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = statFile.readAll();
        // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 4 || fields[0] == "Z")
            continue;
        bool ours = sessionId > 0
            && (fields[2].toLongLong() == sessionId || fields[3].toLongLong() == sessionId);
        for (const char *what : { "cmdline", "environ" }) {
            QFile f(QStringLiteral("/proc/%1/%2").arg(pid, QLatin1String(what)));
            if (!ours && !marker.isEmpty() && f.open(QIODevice::ReadOnly))
                ours = f.read(1 << 20).contains(marker);
        }
        if (ours)
            found << pid + u' ' + QString::fromLatin1(stat.left(80));
    }
    return found;
}

// Survivors after a bounded wait: SIGKILLed processes take a moment to go.
QStringList survivorsAfterWait(qint64 sessionId, const QByteArray &marker)
{
    QStringList left;
    QElapsedTimer t;
    t.start();
    do {
        left = survivors(sessionId, marker);
        if (left.isEmpty())
            return left;
        QTest::qWait(100);
    } while (t.elapsed() < 5000);
    return left;
}

qsizetype utf8Size(const QString &s)
{
    return s.toUtf8().size();
}

} // namespace

class TestCellRun : public QObject
{
    Q_OBJECT
private:
    QString m_runAs; // "nobody" as root, else the test's own user (empty)
    uint m_runUid = 0;
    QString m_bwrap;
    QString m_python;
    std::unique_ptr<QTemporaryDir> m_root;
    int m_runs = 0;

    bool sandboxedRow()
    {
        QFETCH_GLOBAL(bool, sandboxed);
        return sandboxed;
    }

    // A spec for `code` run by sh (or `command`), in a fresh working directory unless given.
    RunSpec spec(const QString &code, const QByteArray &marker, bool sandboxed,
                 QStringList command = {}, const QString &workingDirectory = {})
    {
        RunSpec s;
        if (command.isEmpty())
            command = { QStringLiteral("sh"), QStringLiteral("{file}") };
        s.command = command << QString::fromLatin1(marker);
        s.code = code;
        s.workingDirectory = workingDirectory.isEmpty()
            ? m_root->filePath(QStringLiteral("wd-%1").arg(++m_runs))
            : workingDirectory;
        s.runAs = m_runAs;
        s.bwrap = sandboxed ? m_bwrap : QString();
        ExecutionLimits &l = s.limits;
        l.cpuSeconds = 2;
        l.addressSpaceBytes = 1LL << 30;
        l.fileSizeBytes = 4LL << 20;
        l.processes = 32;
        l.openFiles = 64;
        l.wallSeconds = 30;
        l.outputBytes = 16LL << 20;
        l.tmpBytes = 1LL << 20;
        return s;
    }

    static QByteArray newMarker()
    {
        return "kyozo-test-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    }

    // Runs to the end (bounded by `boundMs`), recording every signal in order.
    Outcome run(CellRun &cell, int boundMs = 60000,
                const std::function<void(CellRun &, Outcome &)> &onOutput = {})
    {
        Outcome o;
        QElapsedTimer t;
        connect(&cell, &CellRun::started, this, [&](qint64 pid) {
            o.started = true;
            o.pid = pid;
        });
        connect(&cell, &CellRun::output, this, [&](const QString &stream, const QString &text) {
            if (o.finished)
                o.outputAfterFinished = true;
            if (!o.started)
                o.outputBeforeStarted = true;
            o.chunks.append({ stream, text });
            (stream == u"stdout" ? o.out : o.err) += text;
            if (onOutput)
                onOutput(cell, o);
        });
        connect(&cell, &CellRun::finished, this,
                [&](RunStatus status, int exitCode, const QString &limit, bool truncated,
                    qint64 invalidBytes, const QString &message) {
                    o.finished = true;
                    o.status = status;
                    o.exitCode = exitCode;
                    o.limit = limit;
                    o.truncated = truncated;
                    o.invalidBytes = invalidBytes;
                    o.message = message;
                    o.ms = t.elapsed();
                });
        t.start();
        cell.start();
        const bool finishedInsideStart = o.finished;
        WAIT_UNTIL(o.finished, boundMs);
        if (finishedInsideStart)
            o.outputAfterFinished = true; // reported as a broken order below
        QTest::qWait(20); // nothing may follow finished()
        return o;
    }

    // The order every run keeps: started() before any output(), finished() once, last.
    static void verifyOrder(const Outcome &o)
    {
        QVERIFY2(o.finished, "the run did not finish in time");
        QVERIFY(!o.outputAfterFinished);
        QVERIFY(!o.outputBeforeStarted);
    }

private slots:
    void initTestCase()
    {
        m_root = std::make_unique<QTemporaryDir>();
        QVERIFY(m_root->isValid());
        // The test's own tree is reachable by the run's user (QTemporaryDir makes it 0700).
        QVERIFY(QFile::setPermissions(m_root->path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                                          | QFileDevice::ExeOther));
        if (KyozoTest::runningAsRoot()) {
            const auto nobody = KyozoTest::systemUser(QStringLiteral("nobody"));
            KYOZO_REQUIRE(nobody.has_value(), QStringLiteral("a nobody user"));
            m_runAs = nobody->name;
            m_runUid = nobody->uid;
        } else {
            m_runUid = ::getuid();
        }
        m_bwrap = QStandardPaths::findExecutable(QStringLiteral("bwrap"));
        m_python = QStandardPaths::findExecutable(QStringLiteral("python3"), runPath);
        // A secret of the server's own environment, which no cell may see.
        qputenv("KYOZO_TEST_SECRET", "do-not-leak");
    }

    void initTestCase_data()
    {
        QTest::addColumn<bool>("sandboxed");
        QTest::newRow("bwrap") << true;
        QTest::newRow("plain") << false;
    }

    void init()
    {
        if (sandboxedRow())
            KYOZO_REQUIRE(!m_bwrap.isEmpty(), QStringLiteral("bwrap (bubblewrap)"));
        // As kyozo-server: a subreaper when its cells run in bubblewrap, not otherwise.
        becomeSubreaper(sandboxedRow());
    }

    void exitStatuses_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<RunStatus>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::newRow("exit 0") << "echo hi" << RunStatus::Completed << 0 << "hi\n"
                                << "";
        QTest::newRow("exit 3") << "echo oops >&2; exit 3" << RunStatus::Failed << 3 << ""
                                << "oops\n";
        // sh reports its child's death by signal N as 128 + N (and so does bwrap).
        QTest::newRow("killed by SIGSEGV")
            << "kill -SEGV $$" << RunStatus::Failed << 128 + SIGSEGV << ""
            << "";
    }
    void exitStatuses()
    {
        QFETCH(QString, code);
        QFETCH(RunStatus, status);
        QFETCH(int, exitCode);
        QFETCH(QString, out);
        QFETCH(QString, err);
        CellRun cell(spec(code, newMarker(), sandboxedRow()));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), runStatusName(status));
        QCOMPARE(o.exitCode, exitCode);
        QCOMPARE(o.out, out);
        QCOMPARE(o.err, err);
        QVERIFY(o.limit.isEmpty());
        QVERIFY(!o.truncated);
    }

    void statusNames()
    {
        // SPEC §4 execution_update statuses, as the wire spells them.
        QCOMPARE(runStatusName(RunStatus::Running), QStringLiteral("running"));
        QCOMPARE(runStatusName(RunStatus::Completed), QStringLiteral("completed"));
        QCOMPARE(runStatusName(RunStatus::Failed), QStringLiteral("failed"));
        QCOMPARE(runStatusName(RunStatus::Cancelled), QStringLiteral("cancelled"));
        QCOMPARE(runStatusName(RunStatus::TimedOut), QStringLiteral("timed_out"));
        QCOMPARE(runStatusName(RunStatus::LimitExceeded), QStringLiteral("limit_exceeded"));
    }

    void refusesRootAndUnknownUsers()
    {
        if (!KyozoTest::runningAsRoot())
            QSKIP("a server that is not root runs cells as itself and ignores run_as");
        const QStringList refused { QStringLiteral("kyozo-no-such-user"), QStringLiteral("root"),
                                    QString() /* the server's own uid, root */ };
        for (const QString &user : refused) {
            RunSpec s = spec(QStringLiteral("echo ran"), newMarker(), sandboxedRow());
            s.runAs = user;
            CellRun cell(s);
            const Outcome o = run(cell);
            QVERIFY(o.finished);
            QVERIFY2(!o.started, qPrintable(user));
            QCOMPARE(o.status, RunStatus::Failed);
            QVERIFY2(!o.message.isEmpty(), qPrintable(user));
            QVERIFY(o.out.isEmpty());
        }
    }

    // A working directory the run's user cannot reach (under /root, say) is refused before
    // the run with the folder that blocks it, not left to fail as exit status 1.
    void unreachableWorkingDirectoryIsACleanError()
    {
        if (!KyozoTest::runningAsRoot())
            QSKIP("a server that is not root runs cells as itself: its folders are its own");
        const QString closed = m_root->filePath(QStringLiteral("closed-%1").arg(++m_runs));
        QVERIFY(QDir().mkpath(closed));
        QVERIFY(QFile::setPermissions(closed, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                              | QFileDevice::ExeOwner));
        const QString wd = closed + QStringLiteral("/runs/notebook");
        CellRun cell(spec(QStringLiteral("echo ran"), newMarker(), sandboxedRow(), {}, wd));
        const Outcome o = run(cell);
        QVERIFY(o.finished);
        QVERIFY(!o.started);
        QCOMPARE(o.status, RunStatus::Failed);
        QVERIFY2(o.message.contains(QFileInfo(closed).canonicalFilePath() + QStringLiteral(" is not searchable")),
                 qPrintable(o.message));
        QVERIFY2(o.message.contains(QLatin1String("[execution] working_directory")),
                 qPrintable(o.message));
        QVERIFY(o.out.isEmpty());
    }

    void runsUnprivileged()
    {
        CellRun cell(spec(QStringLiteral("id -u; id -G"), newMarker(), sandboxedRow()));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        const QStringList lines = o.out.split(u'\n');
        QVERIFY(lines.size() >= 2);
        QVERIFY(lines[0] != u"0");
        QCOMPARE(lines[0].toUInt(), m_runUid);
        if (KyozoTest::runningAsRoot())
            QVERIFY2(!lines[1].split(u' ').contains(u"0"), qPrintable(lines[1])); // no root group
    }

    // Below the server's priority (niceness 10 by default), and a cell cannot take it back:
    // `nice -n -5` needs privileges the run does not have.
    void runsAtALowerPriority()
    {
        RunSpec s = spec(QStringLiteral("nice; nice -n -5 nice || echo refused"), newMarker(),
                         sandboxedRow());
        QCOMPARE(s.limits.niceness, 10);
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QVERIFY2(o.out.startsWith(QStringLiteral("10\n")), qPrintable(o.out));
        QVERIFY2(!o.out.contains(QStringLiteral("\n5\n")), qPrintable(o.out));
    }

    // Run after run leaves nothing behind: bubblewrap's pid 1 of each sandbox outlives its
    // bwrap, and every one left (alive, or a zombie for init to reap whenever) held one of
    // the user's 64 process slots, so that from the 63rd run on no sandbox could start.
    void runsLeaveNoProcessBehind()
    {
        for (int i = 0; i < 80; ++i) {
            CellRun cell(spec(QStringLiteral("true"), newMarker(), sandboxedRow()));
            const Outcome o = run(cell);
            QVERIFY2(o.status == RunStatus::Completed,
                     qPrintable(QStringLiteral("run %1: %2 %3").arg(i).arg(o.message, o.err)));
        }
    }

    void environmentIsTheRunsOwn()
    {
        CellRun cell(spec(QStringLiteral("env; pwd"), newMarker(), sandboxedRow()));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QVERIFY2(!o.out.contains(u"do-not-leak"), qPrintable(o.out));
        QVERIFY(o.out.contains(u"PATH=/usr/local/bin:/usr/bin:/bin\n"));
        QVERIFY(o.out.contains(u"TMPDIR=/tmp\n"));
    }

    void workingDirectoryIsKept()
    {
        const QString wd = m_root->filePath(QStringLiteral("kept-%1").arg(++m_runs));
        {
            CellRun first(
                spec(QStringLiteral("pwd; echo 42 > state"), newMarker(), sandboxedRow(), {}, wd));
            const Outcome o = run(first);
            QCOMPARE(o.status, RunStatus::Completed);
            QCOMPARE(o.out, QFileInfo(wd).canonicalFilePath() + u'\n');
        }
        CellRun second(spec(QStringLiteral("cat state"), newMarker(), sandboxedRow(), {}, wd));
        const Outcome o = run(second);
        QCOMPARE(o.status, RunStatus::Completed);
        QCOMPARE(o.out, QStringLiteral("42\n"));
    }

    void unsandboxedRunIsLogged()
    {
        if (sandboxedRow())
            QSKIP("the plain row only");
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not sandboxed")));
        CellRun cell(spec(QStringLiteral("true"), newMarker(), false));
        QCOMPARE(run(cell).status, RunStatus::Completed);
    }

    void cpuLimit()
    {
        const QByteArray marker = newMarker();
        RunSpec s = spec(QStringLiteral("while :; do :; done"), marker, sandboxedRow());
        s.limits.cpuSeconds = 1;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), QStringLiteral("limit_exceeded"));
        QCOMPARE(o.limit, QStringLiteral("cpu"));
        QCOMPARE(o.exitCode, 128 + SIGXCPU);
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void fileSizeLimit()
    {
        RunSpec s = spec(QStringLiteral("yes > big"), newMarker(), sandboxedRow());
        s.limits.fileSizeBytes = 1 << 20;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), QStringLiteral("limit_exceeded"));
        QCOMPARE(o.limit, QStringLiteral("file_size"));
        QCOMPARE(QFileInfo(s.workingDirectory + QStringLiteral("/big")).size(), qint64(1 << 20));
    }

    void memoryLimit()
    {
        KYOZO_REQUIRE(!m_python.isEmpty(), QStringLiteral("python3"));
        // 10 GB against an address space of 1 GiB: the allocation fails inside Python.
        CellRun cell(spec(QStringLiteral("x = bytearray(10 * 1000**3)\n"), newMarker(),
                          sandboxedRow(), { QStringLiteral("python3"), QStringLiteral("{file}") }));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), QStringLiteral("failed"));
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(u"MemoryError"), qPrintable(o.err));
        // Nothing else harmed: the next run works.
        CellRun next(spec(QStringLiteral("echo fine"), newMarker(), sandboxedRow()));
        QCOMPARE(run(next).out, QStringLiteral("fine\n"));
    }

    void processAndOpenFileLimits()
    {
        KYOZO_REQUIRE(!m_python.isEmpty(), QStringLiteral("python3"));
        // 40 children against a limit of 12 processes, 100 files against 16 descriptors:
        // each fails inside the program, which reports it.
        const QString code = QStringLiteral(
            "import os, time\n"
            "forked = 0\n"
            "try:\n"
            "    for _ in range(40):\n"
            "        if os.fork() == 0:\n"
            "            time.sleep(3)\n"
            "            os._exit(0)\n"
            "        forked += 1\n"
            "except BlockingIOError:\n"
            "    print('fork refused after', 'some' if 0 < forked < 12 else forked)\n"
            "files = []\n"
            "try:\n"
            "    for _ in range(100):\n"
            "        files.append(open('/dev/null'))\n"
            "except OSError as e:\n"
            "    print('open refused:', e.strerror)\n");
        const QByteArray marker = newMarker();
        RunSpec s = spec(code, marker, sandboxedRow(),
                         { QStringLiteral("python3"), QStringLiteral("{file}") });
        s.limits.processes = 12;
        s.limits.openFiles = 16;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QCOMPARE(o.out,
                 QStringLiteral("fork refused after some\nopen refused: Too many open files\n"));
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void wallTimeout()
    {
        const QByteArray marker = newMarker();
        RunSpec s
            = spec(QStringLiteral("export KYOZO_MARK=\"$1\"; sleep 1000"), marker, sandboxedRow());
        s.limits.wallSeconds = 1;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), QStringLiteral("timed_out"));
        QCOMPARE(o.limit, QStringLiteral("wall"));
        QVERIFY2(o.ms < 20000, qPrintable(QString::number(o.ms)));
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void backgroundJobEndsWithTheRun()
    {
        const QByteArray marker = newMarker();
        CellRun cell(spec(QStringLiteral("export KYOZO_MARK=\"$1\"; sleep 1000 >/dev/null 2>&1 & "
                                         "echo left"),
                          marker, sandboxedRow()));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QCOMPARE(o.out, QStringLiteral("left\n"));
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void forkBombIsContained()
    {
        const QByteArray marker = newMarker();
        // The classic bomb, started from a subshell (the cell's own shell forks once, before
        // the bomb can use up the process limit, so a failed fork cannot end it), then the
        // cell's shell spins, so that the run lasts until a limit ends it.
        RunSpec s = spec(QStringLiteral("export KYOZO_MARK=\"$1\"\n"
                                        "bomb() { bomb | bomb & }\n"
                                        "( bomb ) &\n"
                                        "while :; do :; done\n"),
                         marker, sandboxedRow());
        s.limits.processes = 24;
        s.limits.cpuSeconds = 2;
        s.limits.wallSeconds = 3;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QVERIFY2(o.status == RunStatus::LimitExceeded || o.status == RunStatus::TimedOut,
                 qPrintable(runStatusName(o.status) + u' ' + o.message + u' ' + o.err.left(2000)));
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
        // The machine still forks.
        QProcess p;
        p.start(QStringLiteral("/bin/true"));
        QVERIFY(p.waitForFinished(10000));
    }

    void noNetwork()
    {
        KYOZO_REQUIRE(!m_python.isEmpty(), QStringLiteral("python3"));
        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost));
        const QString code = QStringLiteral("import socket\n"
                                            "try:\n"
                                            "    socket.create_connection(('127.0.0.1', %1), "
                                            "timeout=5).close()\n"
                                            "    print('connected')\n"
                                            "except ConnectionRefusedError:\n"
                                            "    print('refused')\n")
                                 .arg(listener.serverPort());
        CellRun cell(spec(code, newMarker(), sandboxedRow(),
                          { QStringLiteral("python3"), QStringLiteral("{file}") }));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QTest::qWait(50);
        if (sandboxedRow()) {
            QCOMPARE(o.out, QStringLiteral("refused\n"));
            QVERIFY(!listener.hasPendingConnections());
        } else {
            // Unsandboxed the cell has the machine's network (docs/server.md): the probe
            // itself reaches the port, so the refusal above is the sandbox's doing.
            QCOMPARE(o.out, QStringLiteral("connected\n"));
        }
    }

    void writesOnlyToTheWorkingDirectoryAndTmp()
    {
        if (!sandboxedRow())
            QSKIP("unsandboxed, the run's uid may write wherever that user may");
        // A directory beside the working directory that anyone may write on the host.
        const QString open = m_root->filePath(QStringLiteral("open-%1").arg(++m_runs));
        QVERIFY(QDir().mkpath(open));
        QVERIFY(::chmod(QFile::encodeName(open).constData(), 01777) == 0);
        const QString code
            = QStringLiteral("try() { if (echo x > \"$1\") 2>/dev/null; then echo \"wrote $1\"; "
                             "else echo \"refused $1\"; fi; }\n"
                             "try /kyozo-probe\n"
                             "try /etc/kyozo-probe\n"
                             "try /usr/kyozo-probe\n"
                             "try /var/tmp/kyozo-probe\n"
                             "try /dev/shm/kyozo-probe\n"
                             "try %1/kyozo-probe\n"
                             "try \"$0\"\n"
                             "try ./kyozo-probe\n"
                             "try /tmp/kyozo-probe-%2\n");
        const QString probe = QString::number(++m_runs);
        RunSpec s = spec(code.arg(open, probe), newMarker(), true);
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        const QStringList lines = o.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 9);
        QCOMPARE(lines[0], QStringLiteral("refused /kyozo-probe"));
        QCOMPARE(lines[1], QStringLiteral("refused /etc/kyozo-probe"));
        QCOMPARE(lines[2], QStringLiteral("refused /usr/kyozo-probe"));
        QCOMPARE(lines[3], QStringLiteral("refused /var/tmp/kyozo-probe"));
        QCOMPARE(lines[4], QStringLiteral("wrote /dev/shm/kyozo-probe")); // private, capped
        QCOMPARE(lines[5], QStringLiteral("refused %1/kyozo-probe").arg(open));
        QVERIFY2(lines[6].startsWith(u"refused "), qPrintable(lines[6])); // the code file
        QCOMPARE(lines[7], QStringLiteral("wrote ./kyozo-probe"));
        QCOMPARE(lines[8], QStringLiteral("wrote /tmp/kyozo-probe-%1").arg(probe));
        QVERIFY(QFile::exists(s.workingDirectory + QStringLiteral("/kyozo-probe")));
        // The private /tmp is not the host's.
        QVERIFY(!QFile::exists(QStringLiteral("/tmp/kyozo-probe-%1").arg(probe)));
        QVERIFY(!QFile::exists(QStringLiteral("/var/tmp/kyozo-probe")));
        QVERIFY(!QFile::exists(open + QStringLiteral("/kyozo-probe")));
    }

    void tmpIsCapped()
    {
        if (!sandboxedRow())
            QSKIP("the private /tmp is bubblewrap's");
        // 2 MiB into a 1 MiB /tmp (the file size limit, 4 MiB, is not what stops it).
        RunSpec s = spec(QStringLiteral("head -c 2097152 /dev/zero > /tmp/big; echo $?; "
                                        "head -c 2097152 /dev/zero > /dev/shm/big; echo $?"),
                         newMarker(), true);
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QCOMPARE(o.out, QStringLiteral("1\n1\n"));
        QVERIFY2(o.err.contains(u"No space left on device"), qPrintable(o.err));
    }

    void millionLinesCompleteAndInOrder()
    {
        // ≈ 6.9 MB: every line, in order, nothing twice; chunks of at most chunkBytes.
        RunSpec s = spec(QStringLiteral("seq 1 1000000"), newMarker(), sandboxedRow());
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QByteArray expected;
        expected.reserve(7'000'000);
        for (int i = 1; i <= 1'000'000; ++i)
            expected += QByteArray::number(i) + '\n';
        QCOMPARE(o.out.size(), qsizetype(expected.size()));
        QVERIFY(o.out == QString::fromLatin1(expected));
        QVERIFY(o.chunks.size() >= expected.size() / s.chunkBytes);
        for (const Chunk &c : o.chunks)
            QVERIFY(utf8Size(c.text) <= s.chunkBytes);
        QVERIFY(!o.truncated);
    }

    void utf8SplitAcrossWritesAndInvalidBytes()
    {
        // U+1F600 as F0 9F | 98 80 in two writes 300 ms apart (the 50 ms flush comes between),
        // then an invalid byte FF.
        const QString code
            = QStringLiteral("printf 'x\\360\\237'; sleep 0.3; printf '\\230\\200y\\377z\\n'; "
                             "printf 'e\\342\\202' >&2; sleep 0.2; printf '\\254\\n' >&2");
        CellRun cell(spec(code, newMarker(), sandboxedRow()));
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(o.status, RunStatus::Completed);
        QCOMPARE(o.out, QStringLiteral("x\U0001F600y\uFFFDz\n"));
        QCOMPARE(o.err, QStringLiteral("e\u20ac\n"));
        QCOMPARE(o.invalidBytes, qint64(1));
        for (const Chunk &c : o.chunks) {
            // No chunk ends inside a character: never a lone surrogate, never a U+FFFD that
            // stands for a cut sequence.
            QVERIFY(!c.text.isEmpty());
            QVERIFY(!c.text.back().isHighSurrogate());
            QVERIFY(!c.text.front().isLowSurrogate());
        }
        QCOMPARE(o.chunks.front().text, QStringLiteral("x")); // sent at the flush, before the rest
    }

    void outputCap()
    {
        const QByteArray marker = newMarker();
        RunSpec s = spec(QStringLiteral("yes"), marker, sandboxedRow());
        s.limits.outputBytes = 100'000;
        CellRun cell(s);
        const Outcome o = run(cell);
        verifyOrder(o);
        QCOMPARE(runStatusName(o.status), QStringLiteral("limit_exceeded"));
        QCOMPARE(o.limit, QStringLiteral("output"));
        QVERIFY(o.truncated);
        // Everything below the cap arrived, nothing above it.
        QCOMPARE(o.out, QStringLiteral("y\n").repeated(50000));
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void cancelDuringHeavyOutput()
    {
        const QByteArray marker = newMarker();
        RunSpec s = spec(QStringLiteral("export KYOZO_MARK=\"$1\"\n"
                                        "sleep 1000 >/dev/null 2>&1 &\n" // no pipe to die of
                                        "yes & yes >&2 & yes\n"),
                         marker, sandboxedRow());
        s.limits.outputBytes = 1LL << 40;
        CellRun cell(s);
        bool cancelled = false;
        const Outcome o = run(cell, 60000, [&](CellRun &c, Outcome &out) {
            if (!cancelled && utf8Size(out.out) + utf8Size(out.err) > (1 << 20)) {
                cancelled = true;
                c.cancel();
            }
        });
        verifyOrder(o);
        QVERIFY(cancelled);
        QCOMPARE(runStatusName(o.status), QStringLiteral("cancelled"));
        QVERIFY(!o.truncated);
        QVERIFY2(survivorsAfterWait(o.pid, marker).isEmpty(),
                 qPrintable(survivors(o.pid, marker).join(u'\n')));
    }

    void destructionKillsTheGroup()
    {
        const QByteArray marker = newMarker();
        auto cell = std::make_unique<CellRun>(
            spec(QStringLiteral("export KYOZO_MARK=\"$1\"; sleep 1000 & sleep 1000"), marker,
                 sandboxedRow()));
        qint64 pid = 0;
        bool finished = false;
        connect(cell.get(), &CellRun::started, this, [&](qint64 p) { pid = p; });
        connect(cell.get(), &CellRun::finished, this, [&] { finished = true; });
        cell->start();
        QTRY_VERIFY_WITH_TIMEOUT(pid > 0, 10000);
        // Both sleeps are up before the run goes.
        QTRY_VERIFY_WITH_TIMEOUT(survivors(0, marker).size() >= 2, 10000);
        cell.reset();
        QVERIFY(!finished);
        QVERIFY2(survivorsAfterWait(pid, marker).isEmpty(),
                 qPrintable(survivors(pid, marker).join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestCellRun)
#include "tst_cellrun.moc"
