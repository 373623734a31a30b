#include "processusage.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QList>
#include <QSet>

#include <unistd.h>

namespace Kyozo::Server {

namespace {

    struct ProcStat
    {
        qint64 ppid = 0;
        qint64 ticks = 0; // utime + stime + cutime + cstime
        qint64 rssPages = 0;
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
        out->ppid = field(4);
        out->ticks = field(14) + field(15) + field(16) + field(17);
        out->rssPages = field(24);
        return true;
    }

} // namespace

ProcessUsage processTreeUsage(qint64 rootPid)
{
    ProcessUsage usage;
    if (rootPid <= 0)
        return usage;
    QHash<qint64, ProcStat> stats;
    QHash<qint64, QList<qint64>> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        ProcStat s;
        if (!isPid || !readStat(entry, &s))
            continue;
        stats.insert(pid, s);
        children[s.ppid].append(pid);
    }
    if (!stats.contains(rootPid))
        return usage;
    const long ticksPerSecond = qMax(::sysconf(_SC_CLK_TCK), 1L);
    const long pageBytes = qMax(::sysconf(_SC_PAGESIZE), 1L);
    QList<qint64> todo { rootPid };
    QSet<qint64> seen;
    while (!todo.isEmpty()) {
        const qint64 pid = todo.takeLast();
        if (seen.contains(pid)) // a pid reused between two reads could close a loop
            continue;
        seen.insert(pid);
        const ProcStat &s = stats[pid];
        usage.cpuSeconds += double(s.ticks) / double(ticksPerSecond);
        usage.rssBytes += s.rssPages * pageBytes;
        ++usage.processes;
        todo += children.value(pid);
    }
    return usage;
}

} // namespace Kyozo::Server
