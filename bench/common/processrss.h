#pragma once

#include <QFile>
#include <QString>

// Resident set size of a process in KiB, from /proc/PID/status (VmRSS), or -1. Shared by
// the benchmark programs that report memory.
inline long processRssKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}
