#include "machinemarkdown.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>

namespace KyozoTest {

QString interopNodeModules()
{
    return QStringLiteral(KYOZO_SOURCE_DIR "/tests/interop/node_modules");
}

QStringList machineMarkdownFiles()
{
    QStringList files;
    const QStringList patterns = { QStringLiteral("*.md"), QStringLiteral("*.markdown"),
                                   QStringLiteral("*.md.gz"), QStringLiteral("*.markdown.gz") };
    QDirIterator doc(QStringLiteral("/usr/share/doc"), patterns, QDir::Files,
                     QDirIterator::Subdirectories);
    while (doc.hasNext())
        files.append(doc.next());
    QDirIterator nm(interopNodeModules(),
                    { QStringLiteral("README*.md"), QStringLiteral("readme*.md") }, QDir::Files,
                    QDirIterator::Subdirectories);
    while (nm.hasNext())
        files.append(nm.next());
    files.sort();
    files.removeDuplicates();
    return files;
}

QByteArray readDocument(const QString &path)
{
    if (path.endsWith(QLatin1String(".gz"))) {
        QProcess gz;
        gz.start(QStringLiteral("gzip"), { QStringLiteral("-dc"), path });
        gz.waitForFinished(10000);
        return gz.readAllStandardOutput();
    }
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace KyozoTest
