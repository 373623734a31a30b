#include "processusage.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QSet>

#include <QElapsedTimer>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Kyozo::Server {

namespace {

    struct ProcStat
    {
        qint64 ppid = 0;
        qint64 ticks = 0; // utime + stime + cutime + cstime
        qint64 rssPages = 0;
        bool zombie = false;
        qint64 session = 0;
    };

    // /proc/PID/stat: "pid (comm) state ppid ...". comm may hold spaces and parentheses, so
    // the fields are counted from the last ')'. Field numbers as proc(5) gives them.
    bool readStat(const QString &pid, ProcStat *out)
    {
        QFile f(QStringLiteral("/proc/") + pid + QStringLiteral("/stat"));
        if (!f.open(QIODevice::ReadOnly))
            return false; // gone meanwhile
        const QByteArray line = f.read(4096);
        const qsizetype close = line.lastIndexOf(')');
        if (close < 0)
            return false;
        const QList<QByteArray> fields = line.mid(close + 2).split(' '); // fields[0] is field 3
        const auto field = [&](int n) { return n - 3 < fields.size() ? fields[n - 3].toLongLong() : 0; };
        if (fields.size() < 22)
            return false;
        out->zombie = !fields.isEmpty() && fields[0] == "Z";
        out->ppid = field(4);
        out->session = field(6);
        out->ticks = field(14) + field(15) + field(16) + field(17);
        out->rssPages = field(24);
        return true;
    }

    struct ProcessTable
    {
        QHash<qint64, ProcStat> stats;
        QHash<qint64, QList<qint64>> children;
    };

    ProcessTable readProcesses()
    {
        ProcessTable table;
        const QStringList entries
            = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &entry : entries) {
            bool isPid = false;
            const qint64 pid = entry.toLongLong(&isPid);
            ProcStat s;
            if (!isPid || !readStat(entry, &s))
                continue;
            table.stats.insert(pid, s);
            table.children[s.ppid].append(pid);
        }
        return table;
    }

    // `rootPid` and its descendants, root first; each once.
    QList<qint64> treeOf(const ProcessTable &table, qint64 rootPid)
    {
        QList<qint64> tree;
        if (!table.stats.contains(rootPid))
            return tree;
        QList<qint64> todo { rootPid };
        QSet<qint64> seen;
        while (!todo.isEmpty()) {
            const qint64 pid = todo.takeLast();
            if (seen.contains(pid)) // a pid reused between two reads could close a loop
                continue;
            seen.insert(pid);
            tree.append(pid);
            todo += table.children.value(pid);
        }
        return tree;
    }

} // namespace

void becomeSubreaper(bool on)
{
    ::prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0);
}

namespace {
    QMutex ownChildrenMutex;
    QSet<qint64> &ownChildren()
    {
        static QSet<qint64> pids;
        return pids;
    }
} // namespace

void registerOwnChild(qint64 pid)
{
    const QMutexLocker lock(&ownChildrenMutex);
    ownChildren().insert(pid);
}

void unregisterOwnChild(qint64 pid)
{
    const QMutexLocker lock(&ownChildrenMutex);
    ownChildren().remove(pid);
}

void reapAdoptedChildren()
{
    const qint64 self = ::getpid();
    const ProcessTable table = readProcesses();
    for (const qint64 pid : table.children.value(self)) {
        {
            const QMutexLocker lock(&ownChildrenMutex);
            if (ownChildren().contains(pid))
                continue;
        }
        // Only zombies that lead a session of their own, as a sandbox's pid 1 does
        // (--new-session): never a child some other code of this process started and waits
        // for (a QProcess of a test, say), which shares its session.
        const ProcStat s = table.stats.value(pid);
        if (s.zombie && s.session == pid)
            ::waitpid(pid_t(pid), nullptr, WNOHANG);
    }
}

int killProcessesMentioning(const QByteArray &needle, uint uid, int reapMs)
{
    if (needle.isEmpty())
        return 0;
    QList<pid_t> killed;
    const QStringList entries
        = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid || pid == ::getpid())
            continue;
        // Only the run's own user's processes, never the server's: the real uid from
        // status (a non-dumpable process's /proc directory belongs to root, proc(5)).
        const QString dir = QStringLiteral("/proc/") + entry;
        QFile status(dir + QStringLiteral("/status"));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = status.read(4096);
        const qsizetype at = text.indexOf("\nUid:");
        if (at < 0 || text.mid(at + 6, text.indexOf('\n', at + 6) - at - 6).simplified().split(' ').value(0).toUInt() != uid)
            continue;
        QFile cmdline(dir + QStringLiteral("/cmdline"));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.read(64 * 1024).contains(needle)
            && ::kill(pid_t(pid), SIGKILL) == 0)
            killed.append(pid_t(pid));
    }
    QElapsedTimer clock;
    clock.start();
    QList<pid_t> unreaped = killed;
    while (!unreaped.isEmpty()) {
        // Not this process's child (ECHILD): init's to reap. Ours: reaped once it has died.
        unreaped.removeIf([](pid_t p) {
            const pid_t r = ::waitpid(p, nullptr, WNOHANG);
            return r == p || (r < 0 && errno == ECHILD);
        });
        if (unreaped.isEmpty() || clock.elapsed() >= reapMs)
            break;
        ::usleep(1000);
    }
    return int(killed.size());
}

void killDescendants(qint64 rootPid)
{
    if (rootPid <= 0)
        return;
    const QList<qint64> tree = treeOf(readProcesses(), rootPid);
    for (qsizetype i = 1; i < tree.size(); ++i)
        ::kill(pid_t(tree[i]), SIGKILL);
}

ProcessUsage processTreeUsage(qint64 rootPid)
{
    ProcessUsage usage;
    if (rootPid <= 0)
        return usage;
    const ProcessTable table = readProcesses();
    const QList<qint64> tree = treeOf(table, rootPid);
    if (tree.isEmpty())
        return usage;
    const long ticksPerSecond = qMax(::sysconf(_SC_CLK_TCK), 1L);
    const long pageBytes = qMax(::sysconf(_SC_PAGESIZE), 1L);
    for (const qint64 pid : tree) {
        const ProcStat &s = table.stats[pid];
        usage.cpuSeconds += double(s.ticks) / double(ticksPerSecond);
        usage.rssBytes += s.rssPages * pageBytes;
        ++usage.processes;
    }
    return usage;
}

} // namespace Kyozo::Server
