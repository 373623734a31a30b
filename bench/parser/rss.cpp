#include "rss.h"

#include <QFile>
#include <QProcess>

long peakRssKiB(const QString &program, const QStringList &args, const QString &inputPath,
                qint64 bytesToSend)
{
    QFile input(inputPath);
    if (!input.open(QIODevice::ReadOnly))
        return -1;
    QProcess timed;
    timed.setStandardOutputFile(QProcess::nullDevice());
    timed.start(QStringLiteral("/usr/bin/time"),
                QStringList{ QStringLiteral("-f"), QStringLiteral("%M"), program } + args);
    if (!timed.waitForStarted(10000))
        return -1;
    qint64 sent = 0;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    while (sent < bytesToSend) {
        const qint64 n = input.read(buffer.data(), qMin<qint64>(buffer.size(), bytesToSend - sent));
        if (n <= 0) { // end of the file: start it again
            input.seek(0);
            continue;
        }
        timed.write(buffer.constData(), n);
        while (timed.bytesToWrite() > (4 << 20))
            timed.waitForBytesWritten(1000);
        sent += n;
    }
    while (timed.bytesToWrite() > 0)
        timed.waitForBytesWritten(1000);
    timed.closeWriteChannel();
    timed.waitForFinished(600000);
    const QList<QByteArray> lines = timed.readAllStandardError().trimmed().split('\n');
    bool ok = false;
    const long kib = lines.last().trimmed().toLong(&ok);
    return ok ? kib : -1;
}
