#include "sandbox.h"

namespace Kyozo::Server {

QStringList bubblewrapArguments(const SandboxLayout &layout, const QStringList &command)
{
    const QString size = QString::number(qMax<qint64>(layout.tmpBytes, 4096));
    QStringList args {
        QStringLiteral("--unshare-all"),
        QStringLiteral("--unshare-user"), // --disable-userns needs a user namespace of its own
        QStringLiteral("--disable-userns"),
        QStringLiteral("--cap-drop"),
        QStringLiteral("ALL"),
        QStringLiteral("--die-with-parent"),
        QStringLiteral("--new-session"),
        QStringLiteral("--ro-bind"),
        QStringLiteral("/"),
        QStringLiteral("/"),
        // bwrap(1) 0.8: "--size BYTES: set the size of the next --tmpfs".
        QStringLiteral("--size"),
        size,
        QStringLiteral("--tmpfs"),
        QStringLiteral("/tmp"),
        QStringLiteral("--proc"),
        QStringLiteral("/proc"),
        QStringLiteral("--dev"),
        QStringLiteral("/dev"),
        // --dev's /dev/shm is a directory of /dev's tmpfs, which has no size limit.
        QStringLiteral("--size"),
        size,
        QStringLiteral("--tmpfs"),
        QStringLiteral("/dev/shm"),
        QStringLiteral("--size"),
        size,
        QStringLiteral("--tmpfs"),
        QStringLiteral("/run"),
        // Bound at their own paths after the tmpfs mounts, so that a directory under /tmp is
        // made inside the private /tmp and the cell sees the paths the server uses.
        QStringLiteral("--ro-bind"),
        layout.runDirectory,
        layout.runDirectory,
        QStringLiteral("--bind"),
        layout.workingDirectory,
        layout.workingDirectory,
        QStringLiteral("--chdir"),
        layout.workingDirectory,
        QStringLiteral("--"),
    };
    args += command;
    return args;
}

} // namespace Kyozo::Server
