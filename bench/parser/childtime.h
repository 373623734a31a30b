#pragma once

#include <QString>
#include <QStringList>

// What one run of a program cost as a whole process: from spawn to exit (wall) and the CPU
// time the kernel charged to it (user + system, from wait4's rusage).
struct ChildTime
{
    bool ok = false;
    qint64 wallNs = 0;
    qint64 cpuNs = 0;
    qint64 maxRssKb = 0; // the child's peak resident set (ru_maxrss)
};

// Runs `program args` with stdin from /dev/null and stdout to /dev/null. posix_spawn, so
// that the child does not start as a copy of this process's pages (the corpora it holds).
ChildTime timeChild(const QString &program, const QStringList &args);
