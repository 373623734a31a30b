#pragma once

#include <QtGlobal>

namespace Kyozo::Server {

// What a process and every live descendant of it use now, read from /proc (proc(5)): for
// `container_metrics` (issue 17 item 4). CPU counts the live processes' own time and what
// they reaped of their dead children (utime + stime + cutime + cstime), so a shell's finished
// jobs count too and nothing is counted twice.
struct ProcessUsage
{
    double cpuSeconds = 0;
    qint64 rssBytes = 0;
    int processes = 0; // 0: the root is gone
};

// One pass over /proc; linear in the number of processes on the machine. With bubblewrap
// the sandbox's processes are descendants of the bwrap process like any others.
ProcessUsage processTreeUsage(qint64 rootPid);

} // namespace Kyozo::Server
