#include "databaseurl.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QUrl>

namespace Kyozo::Server {

std::optional<DatabaseUrl> DatabaseUrl::parse(const QString &text, QString *error)
{
    DatabaseUrl url;
    if (text.startsWith(QLatin1String("sqlite:"))) {
        url.driver = Driver::Sqlite;
        url.path = text.mid(7);
        if (url.path.startsWith(QLatin1String("//")))
            url.path = url.path.mid(2); // sqlite:///abs/path
        if (url.path.isEmpty()) {
            *error = QCoreApplication::translate("DatabaseUrl", "sqlite: needs a file path");
            return std::nullopt;
        }
        url.path = QDir::current().absoluteFilePath(url.path);
        return url;
    }
    if (text.startsWith(QLatin1String("postgres://")) || text.startsWith(QLatin1String("postgresql://"))) {
        const QUrl u(text);
        if (!u.isValid() || u.host().isEmpty() || u.path().size() < 2) {
            *error = QCoreApplication::translate("DatabaseUrl", "expected postgres://user@host:port/db, got %1").arg(text);
            return std::nullopt;
        }
        url.driver = Driver::Postgres;
        url.user = u.userName();
        url.password = u.password();
        url.host = u.host();
        url.port = u.port(5432);
        url.database = u.path().mid(1);
        return url;
    }
    *error = QCoreApplication::translate("DatabaseUrl", "unknown database URL %1 (use sqlite:PATH or postgres://user@host:port/db)").arg(text);
    return std::nullopt;
}

DatabaseUrl DatabaseUrl::defaultUrl()
{
    DatabaseUrl url;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    url.path = QDir(dir).filePath(QStringLiteral("kyozo-server.sqlite"));
    return url;
}

} // namespace Kyozo::Server
