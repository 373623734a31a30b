#pragma once

#include <QString>
#include <QStringList>

// Runs `program args` under GNU time (`/usr/bin/time -f %M`, Debian package "time") with the
// file `inputPath` streamed to its stdin, repeated until `bytesToSend` bytes were sent, stdout
// to /dev/null, and returns the program's peak resident set size in KiB, or -1.
// Through GNU time, because ru_maxrss of a child forked from this (large) process would
// include the pages it had before exec; GNU time forks it from a process of ~1 MB.
long peakRssKiB(const QString &program, const QStringList &args, const QString &inputPath,
                qint64 bytesToSend);
