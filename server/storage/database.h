#pragma once

#include "databaseurl.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <optional>

class QSqlError;

namespace Kyozo::Server {

// Operator settings of the storage layer (docs/server.md, `[storage]`).
struct StorageOptions
{
    // SQLite `PRAGMA max_page_count` on the server's connection: a size quota in pages of
    // the database's page size (4096 by default); 0 leaves SQLite's own limit.
    qint64 sqliteMaxPageCount = 0;
};

// Why the database cannot take writes right now (GET /healthz, REST write errors).
struct Degradation
{
    enum class Kind {
        Full, // SQLite quota or disk full, PostgreSQL 53100 disk_full
        Unwritable, // read-only file, file system or transaction; standby; connection lost
    };
    Kind kind;
    QString reason;
};

// One open connection, schema migrated to the newest version this build knows.
//
// Durability (docs/server.md "Storage"): a write the server acknowledges is on stable
// storage first. SQLite runs in WAL mode with synchronous=FULL, which syncs the WAL before
// each commit returns ("In WAL mode when synchronous is NORMAL, ... a transaction committed
// ... might roll back following a power loss or system crash", sqlite.org/pragma.html
// #pragma_synchronous); PostgreSQL keeps synchronous_commit on.
class Database
{
public:
    ~Database();
    bool open(const DatabaseUrl &url, QString *error, const StorageOptions &options = {});
    QSqlDatabase &connection() { return m_db; }
    int schemaVersion();

    // Stores report the outcome of every write: a failure of the storage itself (disk
    // full, read-only, I/O, connection) is remembered until a later write succeeds.
    void noteWriteSucceeded();
    void noteWriteFailed(const QSqlError &error);
    // The remembered failure, to hand on to another connection's Database (co-editing's
    // commit writer has its own connection; GET /healthz asks the server's).
    const std::optional<Degradation> &lastWriteFailure() const { return m_lastWriteFailure; }
    void noteWriteFailed(const Degradation &failure) { m_lastWriteFailure = failure; }

    // Why writes fail or would fail, or nothing when the database takes writes. Cheap
    // enough for every GET /healthz: the remembered failure, plus for SQLite whether the
    // connection is read-only, a statvfs(3) of the database's file system and the page
    // quota, for PostgreSQL one round trip (read-only transaction, standby, connection).
    std::optional<Degradation> degraded();
    std::optional<QString> degradedReason();

    // Text that may begin with U+FEFF (a notebook saved with a byte-order mark, a cell's
    // output), bound so that the database keeps it. QSQLITE binds a QString with
    // sqlite3_bind_text16, and SQLite takes a leading U+FEFF of UTF-16 text for a byte-order
    // mark and drops it; bound as UTF-8 bytes and cast back to text, nothing is dropped. The
    // statement writes textPlaceholder() where it would write `?`; PostgreSQL keeps text as
    // it is bound.
    QVariant text(const QString &value) const;
    QString textPlaceholder() const;
    bool isPostgres() const { return m_driver == DatabaseUrl::Driver::Postgres; }
    // The same on the way back: QPSQL makes a QString of a text column with
    // QString::fromUtf8, which drops a leading U+FEFF too. The statement selects
    // textColumn(name) (PostgreSQL: the column's UTF-8 bytes) and reads it with textOf().
    QString textColumn(const QString &name) const;
    static QString textOf(const QVariant &value);

private:
    friend class Transaction; // commits by driver
    bool migrate(QString *error);
    bool migrateLocked(QString *error);
    // pg_advisory_lock's key for migrations: any fixed number no other lock of ours uses.
    static constexpr qint64 kMigrationLock = 0x6b796f7a6f; // "kyozo"
    std::optional<Degradation> probeSqlite();
    std::optional<Degradation> probePostgres();
    QSqlDatabase m_db;
    QString m_connectionName;
    DatabaseUrl::Driver m_driver = DatabaseUrl::Driver::Sqlite;
    QString m_sqlitePath;
    qint64 m_sqliteMaxPageCount = 0;
    std::optional<QSqlQuery> m_probe;
    std::optional<Degradation> m_lastWriteFailure;
};

// Runs a prepared statement with positional values; on failure sets *error to the driver's text.
bool execute(QSqlQuery &query, QString *error);

// A write that the server acknowledges: runs it and tells the database how it went.
bool executeWrite(Database &db, QSqlQuery &query, QString *error);

// BEGIN on construction, ROLLBACK on destruction unless commit() succeeded: statements
// that belong together are stored together or not at all.
class Transaction
{
public:
    // Writing: a transaction that reads before it writes takes SQLite's write lock at once
    // (BEGIN IMMEDIATE), so that it waits its busy timeout for another connection's writer
    // instead of failing with SQLITE_BUSY when its read turns into a write. PostgreSQL: the
    // same BEGIN either way.
    enum class Intent { Any, Writing };
    explicit Transaction(Database &db, Intent intent = Intent::Any);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    bool begun() const { return m_begun; }
    bool commit(QString *error);

private:
    Database &m_db;
    bool m_begun = false;
    bool m_done = false;
};

} // namespace Kyozo::Server
