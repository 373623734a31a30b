#include "database.h"

#include "migrations.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringDecoder>
#include <QUuid>

#include <sqlite3.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDatabase, "kyozo.server.database")

namespace Kyozo::Server {

namespace {
    QString tr(const char *text)
    {
        return QCoreApplication::translate("Database", text);
    }

    // XDG Base Directory Specification: a missing data directory "should be created with
    // permission 0700". Only the components this call creates get that mode; existing ones
    // are the operator's.
    void createPrivateDirectories(const QString &path)
    {
        QDir dir(path);
        if (dir.exists())
            return;
        createPrivateDirectories(QFileInfo(dir.absolutePath()).absolutePath());
        QDir().mkdir(dir.absolutePath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void syncDirectory(const QString &path)
    {
        const int fd
            = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    }

    // A new SQLite database file is created 0600 before SQLite opens it: SQLite gives the
    // -wal and -shm files (and any rollback journal) the mode of the database file
    // (os_unix.c findCreateFileMode, unixOpenSharedMemory), so they are 0600 too, whatever the
    // umask. Changing the umask instead would change it for every thread of the process. An
    // existing file keeps the mode the operator gave it.
    void createPrivateFile(const QString &path)
    {
        const int fd
            = ::open(QFile::encodeName(path).constData(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
        if (fd < 0)
            return; // exists, or SQLite will report why it cannot be created
        ::fchmod(fd,
                 S_IRUSR
                     | S_IWUSR); // exactly 0600: a umask such as 0277 must not make it read-only
        ::fsync(fd);
        ::close(fd);
        // The new directory entry survives a crash too (fsync(2): syncing the file does not
        // sync the directory that names it).
        syncDirectory(QFileInfo(path).absolutePath());
    }

    sqlite3 *sqliteHandle(const QSqlDatabase &db)
    {
        const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
        if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
            return nullptr;
        return *static_cast<sqlite3 *const *>(v.constData());
    }

    // A failure of the storage itself, as opposed to one of the statement (a constraint, a
    // busy lock that the next try gets): SQLite result codes (sqlite.org/rescode.html, the
    // primary code is the low byte of an extended one) and PostgreSQL SQLSTATEs (PostgreSQL
    // manual, Appendix A).
    std::optional<Degradation::Kind> storageFailureKind(const QSqlError &error)
    {
        const QString code = error.nativeErrorCode();
        bool numeric = false;
        const int sqlite = code.toInt(&numeric) & 0xff;
        if (numeric && code.size() < 5) {
            switch (sqlite) {
            case SQLITE_FULL:
                return Degradation::Kind::Full;
            case SQLITE_READONLY:
            case SQLITE_IOERR:
            case SQLITE_CANTOPEN:
            case SQLITE_CORRUPT:
            case SQLITE_NOTADB:
                return Degradation::Kind::Unwritable;
            default:
                return std::nullopt;
            }
        }
        if (code == QLatin1String("53100")) // disk_full
            return Degradation::Kind::Full;
        if (code == QLatin1String("25006") // read_only_sql_transaction
            || code.startsWith(QLatin1String("08")) // connection exception
            || code.startsWith(
                QLatin1String("57P")) // operator intervention: shutdown, cannot connect now
            || code.startsWith(QLatin1String("53")) // insufficient resources
            || code.startsWith(QLatin1String("58"))) // system error: I/O
            return Degradation::Kind::Unwritable;
        return std::nullopt;
    }
} // namespace

bool execute(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    if (error)
        *error = query.lastError().text();
    return false;
}

bool executeWrite(Database &db, QSqlQuery &query, QString *error)
{
    if (query.exec()) {
        db.noteWriteSucceeded();
        return true;
    }
    db.noteWriteFailed(query.lastError());
    if (error)
        *error = query.lastError().text();
    return false;
}

Database::~Database()
{
    m_probe.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QVariant Database::text(const QString &value) const
{
    if (m_driver == DatabaseUrl::Driver::Sqlite)
        return value.toUtf8();
    return value;
}

QString Database::textColumn(const QString &name) const
{
    return m_driver == DatabaseUrl::Driver::Postgres
        ? QStringLiteral("convert_to(%1, 'UTF8')").arg(name)
        : name;
}

QString Database::textOf(const QVariant &value)
{
    if (value.typeId() != QMetaType::QByteArray)
        return value.toString();
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return utf8(value.toByteArray());
}

QString Database::textPlaceholder() const
{
    return m_driver == DatabaseUrl::Driver::Sqlite ? QStringLiteral("CAST(? AS TEXT)")
                                                   : QStringLiteral("?");
}

bool Database::open(const DatabaseUrl &url, QString *error, const StorageOptions &options)
{
    m_connectionName = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_driver = url.driver;
    if (url.driver == DatabaseUrl::Driver::Sqlite) {
        m_sqlitePath = url.path;
        m_sqliteMaxPageCount = options.sqliteMaxPageCount;
        createPrivateDirectories(QFileInfo(url.path).absolutePath());
        createPrivateFile(url.path);
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(url.path);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    } else {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        m_db.setHostName(url.host);
        m_db.setPort(url.port);
        m_db.setDatabaseName(url.database);
        m_db.setUserName(url.user);
        m_db.setPassword(url.password);
    }
    if (!m_db.isValid()) {
        *error = tr("the Qt SQL driver for this database is not installed");
        return false;
    }
    if (!m_db.open()) {
        *error = tr("cannot open the database: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery pragma(m_db);
    if (url.driver == DatabaseUrl::Driver::Sqlite) {
        // WAL lets the admin commands write while a server reads; foreign keys are off by
        // default; synchronous=FULL makes every commit durable before it returns (see the
        // class comment). With one writer thread each acknowledged write is its own group.
        QStringList setup { QStringLiteral("PRAGMA journal_mode=WAL"),
                            QStringLiteral("PRAGMA foreign_keys=ON"),
                            QStringLiteral("PRAGMA synchronous=FULL") };
        if (options.sqliteMaxPageCount > 0)
            setup.append(
                QStringLiteral("PRAGMA max_page_count=%1").arg(options.sqliteMaxPageCount));
        for (const QString &p : setup) {
            if (!pragma.exec(p)) {
                *error = tr("cannot set up SQLite: %1").arg(pragma.lastError().text());
                return false;
            }
        }
    } else {
        // synchronous_commit=off acknowledges a commit before its WAL record is flushed
        // (PostgreSQL manual, 30.4 Asynchronous Commit). It is on by default; a database or
        // role set to off gets it back on for this session. local, remote_write, on and
        // remote_apply all flush locally first and are kept.
        if (pragma.exec(QStringLiteral("SHOW synchronous_commit")) && pragma.next()
            && pragma.value(0).toString() == QLatin1String("off")) {
            qCWarning(lcDatabase)
                << "synchronous_commit is off for this database; the server sets it on";
            if (!pragma.exec(QStringLiteral("SET synchronous_commit TO on"))) {
                *error = tr("cannot turn synchronous_commit on: %1").arg(pragma.lastError().text());
                return false;
            }
        }
    }
    pragma.finish();
    return migrate(error);
}

int Database::schemaVersion()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

void Database::noteWriteSucceeded()
{
    m_lastWriteFailure.reset();
}

void Database::noteWriteFailed(const QSqlError &error)
{
    const std::optional<Degradation::Kind> kind = storageFailureKind(error);
    if (!kind)
        return;
    qCWarning(lcDatabase) << "a write failed:" << error.text();
    m_lastWriteFailure = Degradation { *kind, tr("the last write failed: %1").arg(error.text()) };
}

std::optional<Degradation> Database::degraded()
{
    std::optional<Degradation> now
        = m_driver == DatabaseUrl::Driver::Sqlite ? probeSqlite() : probePostgres();
    return now ? now : m_lastWriteFailure;
}

std::optional<QString> Database::degradedReason()
{
    const std::optional<Degradation> d = degraded();
    if (!d)
        return std::nullopt;
    return d->reason;
}

std::optional<Degradation> Database::probeSqlite()
{
    // A connection SQLite opened read-only because the file was not writable to us
    // (sqlite3_open_v2 falls back silently): every write would fail with SQLITE_READONLY.
    if (sqlite3 *handle = sqliteHandle(m_db); handle && sqlite3_db_readonly(handle, "main") == 1)
        return Degradation {
            Degradation::Kind::Unwritable,
            tr("the database file %1 is read-only to the server").arg(m_sqlitePath)
        };
    if (m_sqliteMaxPageCount > 0) {
        // At the quota with no free page left, the next write that needs a page fails with
        // SQLITE_FULL (sqlite.org/pragma.html#pragma_max_page_count). A write that is rolled
        // back would not tell: it allocates nothing on disk.
        if (!m_probe) {
            m_probe.emplace(m_db);
            m_probe->prepare(
                QStringLiteral("SELECT page_count, freelist_count FROM pragma_page_count(), "
                               "pragma_freelist_count()"));
        }
        if (m_probe->exec() && m_probe->next()) {
            const qint64 pages = m_probe->value(0).toLongLong();
            const qint64 free = m_probe->value(1).toLongLong();
            m_probe->finish();
            if (pages >= m_sqliteMaxPageCount && free == 0)
                return Degradation { Degradation::Kind::Full,
                                     tr("the database reached its size quota of %1 pages "
                                        "([storage] sqlite_max_page_count)")
                                         .arg(m_sqliteMaxPageCount) };
        }
    }
    return std::nullopt;
}

std::optional<Degradation> Database::probePostgres()
{
    // One round trip. A hot standby is read-only too; a lost connection fails the query.
    if (!m_probe) {
        m_probe.emplace(m_db);
        m_probe->prepare(
            QStringLiteral("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"));
    }
    if (!m_probe->exec() || !m_probe->next()) {
        const QString why = m_probe->lastError().text();
        m_probe.reset(); // a statement prepared on a connection that is gone is not reused
        return Degradation { Degradation::Kind::Unwritable,
                             tr("the database cannot be reached: %1").arg(why) };
    }
    const bool standby = m_probe->value(0).toBool();
    const bool readOnly = m_probe->value(1).toString() == QLatin1String("on");
    m_probe->finish();
    if (standby)
        return Degradation { Degradation::Kind::Unwritable,
                             tr("the database server is a standby in recovery") };
    if (readOnly)
        return Degradation { Degradation::Kind::Unwritable,
                             tr("the database's transactions are read-only") };
    return std::nullopt;
}

Transaction::Transaction(Database &db, Intent intent)
    : m_db(db)
{
    if (intent == Intent::Writing && m_db.m_driver == DatabaseUrl::Driver::Sqlite) {
        // Qt's SQLite driver commits and rolls back with plain COMMIT / ROLLBACK statements,
        // whatever began the transaction.
        QSqlQuery begin(m_db.connection());
        m_begun = begin.exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!m_begun)
            m_db.noteWriteFailed(begin.lastError());
        return;
    }
    m_begun = m_db.connection().transaction();
    if (!m_begun)
        m_db.noteWriteFailed(m_db.connection().lastError());
}

Transaction::~Transaction()
{
    if (m_begun && !m_done)
        m_db.connection().rollback();
}

bool Transaction::commit(QString *error)
{
    if (!m_begun) {
        if (error)
            *error = tr("cannot begin a transaction: %1").arg(m_db.connection().lastError().text());
        return false;
    }
    m_done = true;
    // In WAL mode a full disk shows at COMMIT, when the WAL grows. Qt 6.4's SQLite driver
    // reports a failed commit without SQLite's result code (qsql_sqlite.cpp
    // commitTransaction), which noteWriteFailed needs to tell a full database (507) from
    // any other failure; a COMMIT statement keeps it. PostgreSQL keeps the driver's commit,
    // which also turns a COMMIT answered ROLLBACK (an aborted transaction) into an error.
    QSqlError failure;
    if (m_db.m_driver == DatabaseUrl::Driver::Sqlite) {
        QSqlQuery commit(m_db.connection());
        if (commit.exec(QStringLiteral("COMMIT"))) {
            m_db.noteWriteSucceeded();
            return true;
        }
        failure = commit.lastError();
    } else {
        if (m_db.connection().commit()) {
            m_db.noteWriteSucceeded();
            return true;
        }
        failure = m_db.connection().lastError();
    }
    m_db.noteWriteFailed(failure);
    m_db.connection().rollback();
    if (error)
        *error = failure.text();
    return false;
}

bool Database::migrate(QString *error)
{
    QSqlQuery q(m_db);
    // Several kyozo-server processes may start at once on one PostgreSQL database (docs/
    // operator.md "Several processes"): one migrates, the others wait for it and then find
    // nothing left to do. The lock is the session's, released on every way out.
    if (isPostgres()) {
        if (!q.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kMigrationLock))) {
            *error = tr("cannot lock the schema for migration: %1").arg(q.lastError().text());
            return false;
        }
        const bool migrated = migrateLocked(error);
        q.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kMigrationLock));
        return migrated;
    }
    return migrateLocked(error);
}

bool Database::migrateLocked(QString *error)
{
    QSqlQuery q(m_db);
    // Not "IF NOT EXISTS": PostgreSQL answers it with a NOTICE that libpq prints on stderr.
    if (!m_db.tables().contains(QStringLiteral("schema_migrations"))
        && !q.exec(QStringLiteral("CREATE TABLE schema_migrations "
                                  "(version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"))) {
        *error = tr("cannot create schema_migrations: %1").arg(q.lastError().text());
        return false;
    }
    const int current = schemaVersion();
    const int newest = migrations().isEmpty() ? 0 : migrations().last().version;
    if (current > newest) {
        *error = tr("the database has schema version %1, newer than this kyozo-server knows (%2)")
                     .arg(current)
                     .arg(newest);
        return false;
    }
    for (const Migration &m : migrations()) {
        if (m.version <= current)
            continue;
        if (!m_db.transaction()) {
            *error
                = tr("cannot begin migration %1: %2").arg(m.version).arg(m_db.lastError().text());
            return false;
        }
        QString failed;
        for (const QString &statement : m.statements) {
            if (m.postgresOnly && !isPostgres())
                break;
            if (!q.exec(statement)) {
                failed = q.lastError().text();
                break;
            }
        }
        if (failed.isEmpty()) {
            q.prepare(QStringLiteral(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"));
            q.addBindValue(m.version);
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
            if (!q.exec())
                failed = q.lastError().text();
        }
        if (!failed.isEmpty() || !m_db.commit()) {
            m_db.rollback();
            *error = tr("migration to schema version %1 failed: %2").arg(m.version).arg(failed);
            return false;
        }
        qCInfo(lcDatabase) << "migrated to schema version" << m.version;
    }
    return true;
}

} // namespace Kyozo::Server
