#include "childtime.h"

#include <QElapsedTimer>
#include <QFile>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

extern char **environ;

ChildTime timeChild(const QString &program, const QStringList &args)
{
    const QByteArray path = QFile::encodeName(program);
    std::vector<QByteArray> storage { path };
    for (const QString &a : args)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    ChildTime result;
    QElapsedTimer wall;
    wall.start();
    pid_t pid = -1;
    const int spawned
        = posix_spawn(&pid, path.constData(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        return result;
    int status = 0;
    struct rusage usage
    {
    };
    if (wait4(pid, &status, 0, &usage) != pid)
        return result;
    result.wallNs = wall.nsecsElapsed();
    auto ns = [](const timeval &tv) {
        return qint64(tv.tv_sec) * 1000000000 + qint64(tv.tv_usec) * 1000;
    };
    result.cpuNs = ns(usage.ru_utime) + ns(usage.ru_stime);
    result.maxRssKb = usage.ru_maxrss;
    result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return result;
}
