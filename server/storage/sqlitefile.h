#pragma once

#include <QString>

namespace Kyozo::Server {

// A SQLite database is served by one kyozo-server process at a time (issue 21 item 1: only
// PostgreSQL takes several). The serving process holds an exclusive flock(2) on the database
// file for as long as it runs; flock and SQLite's own fcntl(2) locks do not interact on Linux,
// so admin commands and readers are not affected. A second server, or a restore while one
// serves, is refused with one line.
class SqliteServingLock
{
public:
    SqliteServingLock() = default;
    ~SqliteServingLock();
    SqliteServingLock(const SqliteServingLock &) = delete;
    SqliteServingLock &operator=(const SqliteServingLock &) = delete;

    bool acquire(const QString &databasePath, QString *error);

private:
    int m_fd = -1;
};

// `kyozo-server backup FILE` (docs/operator.md "Backups"): SQLite's online backup API copies
// one snapshot of the database while the server goes on serving; the copy is written beside
// FILE (0600 from the start) and linked to FILE when whole and checked (PRAGMA quick_check).
// FILE must not exist, and is never replaced.
bool backupSqlite(const QString &databasePath, const QString &file, QString *error);

// `kyozo-server restore FILE`: the database becomes FILE's content (the backup API again, into
// the database, in one transaction). Refused while a server serves the database, and for a
// FILE that is not a sound kyozo-server database (quick_check, its schema_migrations).
bool restoreSqlite(const QString &file, const QString &databasePath, QString *error);

} // namespace Kyozo::Server
