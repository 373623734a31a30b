#pragma once

#include <QString>
#include <optional>

namespace Kyozo::Server {

// SPEC §11 database URLs: `sqlite:PATH` (absolute or relative) and
// `postgres://user[:password]@host:port/db`.
struct DatabaseUrl
{
    enum class Driver { Sqlite, Postgres };
    Driver driver = Driver::Sqlite;
    QString path; // SQLite file
    QString user, password, host, database;
    int port = 5432;

    static std::optional<DatabaseUrl> parse(const QString &url, QString *error);
    // The default: sqlite: in the XDG data dir (QStandardPaths::AppDataLocation).
    static DatabaseUrl defaultUrl();
};

} // namespace Kyozo::Server
