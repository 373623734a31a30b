#pragma once

#include <QString>
#include <QStringList>

namespace Kyozo::Server {

// Where one run sees what inside bubblewrap (docs/server.md "Running a cell").
struct SandboxLayout
{
    QString workingDirectory; // the only writable bind, and the run's current directory
    QString runDirectory; // holds the cell's code: bound read-only at its own path
    qint64 tmpBytes = 0; // size of each private tmpfs (/tmp, /dev/shm, /run)
};

// bwrap's arguments for `command` (bubblewrap 0.8, bwrap(1)), before the command itself:
// every namespace unshared (no network: a fresh network namespace holds only its own
// loopback), no user namespaces inside, no capabilities, killed with its parent, a new
// session (no TIOCSTI into the server's terminal), the host's root read-only, private
// size-capped /tmp, /dev/shm and /run (the last hides the host's Unix sockets, which a
// read-only bind would still let a process connect to), a private /proc and a minimal /dev.
QStringList bubblewrapArguments(const SandboxLayout &layout, const QStringList &command);

} // namespace Kyozo::Server
