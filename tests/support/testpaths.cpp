#include "testpaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace KyozoTest {

QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(KYOZO_SOURCE_DIR)).filePath(relative);
}

QString binaryPath(const QString &executable)
{
    // ctest sets KYOZO_BIN_DIR (cmake/KyozoTesting.cmake); run by hand, the build's own.
    const QString dir
        = qEnvironmentVariable("KYOZO_BIN_DIR", QStringLiteral(KYOZO_DEFAULT_BIN_DIR));
    return QDir(dir).filePath(executable);
}

QList<QByteArray> committedDocuments(QStringList *names)
{
    QList<QByteArray> docs;
    for (const char *folder : { "tests/data/markdownld", "tests/data/semantics-corpus" }) {
        const QDir dir(sourcePath(QLatin1String(folder)));
        for (const QString &name :
             dir.entryList({ QStringLiteral("*.md") }, QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            if (f.open(QIODevice::ReadOnly)) {
                docs.append(f.readAll());
                names->append(name);
            }
        }
    }
    return docs;
}

void useOwnAppHome(const QString &home)
{
    qputenv("XDG_CONFIG_HOME", QDir(home).filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", QDir(home).filePath(QStringLiteral("data")).toUtf8());
    qputenv("KYOZO_NO_KEYCHAIN", "1");
    qputenv("USER", "ada");
    QCoreApplication::setOrganizationName(QStringLiteral("kyozo"));
    QCoreApplication::setApplicationName(QStringLiteral("kyozo"));
}

} // namespace KyozoTest
