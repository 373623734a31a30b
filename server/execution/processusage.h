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
// SIGKILL to every live descendant of `rootPid` (not to the root itself). For the processes a
// run's process group does not hold: bubblewrap's --new-session puts the sandbox in a session
// and group of its own, and a cell may call setsid() itself.
void killDescendants(qint64 rootPid);
// SIGKILL to every process of `uid` whose command line holds `needle` (a run's own, random
// directory): what is left of a sandbox once its bwrap has exited. Bubblewrap's pid 1 of the
// sandbox is a session of its own and, on Linux 6.1 with bubblewrap 0.8, outlives the bwrap
// that started it, reparented to init, waiting for ever and holding one of run_as's
// RLIMIT_NPROC slots: after 62 sandboxed runs no cell could start (bench/exec). Returns how
// many were killed. Each one that is a child of this process (see becomeSubreaper()) is
// reaped, waiting at most `reapMs` in all, so that it stops counting against RLIMIT_NPROC
// at once instead of whenever init gets to it.
int killProcessesMentioning(const QByteArray &needle, uint uid, int reapMs = 200);
// PR_SET_CHILD_SUBREAPER: processes orphaned below this one (bubblewrap's pid 1 once its bwrap
// has gone) become its children, for reapAdoptedChildren() to reap.
// Only where every run is sandboxed: an unsandboxed run's orphans are no session leaders,
// so reapAdoptedChildren() leaves them, and adopted they would stay zombies of this process.
void becomeSubreaper(bool on = true);
// The processes QProcess started and reaps itself (a run's bwrap or program): never waited
// for by reapAdoptedChildren(), which would take their exit status from QProcess.
void registerOwnChild(qint64 pid);
void unregisterOwnChild(qint64 pid);
// waitpid() for every child of this process that has exited and is not registered: orphans
// it adopted as a subreaper. Bubblewrap's pid 1 exits after its bwrap, which cannot reap it
// any more; init would, whenever it gets to it (this VM's init took seconds), and until then
// it holds one of run_as's RLIMIT_NPROC slots: 62 runs in a row left no slot (bench/exec).
void reapAdoptedChildren();

} // namespace Kyozo::Server
