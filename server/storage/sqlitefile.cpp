#include "sqlitefile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Kyozo::Server {

namespace {

    QString tr(const char *text)
    {
        return QCoreApplication::translate("kyozo-server", text);
    }

    struct Handle
    {
        sqlite3 *db = nullptr;
        ~Handle() { sqlite3_close_v2(db); }
        QString error() const
        {
            return QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory");
        }
    };

    bool open(Handle &h, const QString &path, int flags, QString *error)
    {
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &h.db, flags, nullptr)
            != SQLITE_OK) {
            *error = tr("%1: %2").arg(path, h.error());
            return false;
        }
        // A server writing meanwhile holds its lock briefly: wait for it rather than fail.
        sqlite3_busy_timeout(h.db, 5000);
        return true;
    }

    // The whole database `from` into `to` in one step: in WAL mode the copy reads one snapshot
    // and a server writing meanwhile is not held up; stepping in pieces would start over after
    // every commit of the server's and might never end. Busy or locked (a writer checkpointing)
    // is waited out, for at most 10 s.
    bool copy(Handle &from, Handle &to, const QString &what, QString *error)
    {
        sqlite3_backup *backup = sqlite3_backup_init(to.db, "main", from.db, "main");
        if (!backup) {
            *error = tr("%1: %2").arg(what, to.error());
            return false;
        }
        int rc = SQLITE_OK;
        for (int attempt = 0; attempt < 1000; ++attempt) {
            rc = sqlite3_backup_step(backup, -1);
            if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                break;
            sqlite3_sleep(10);
        }
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE) {
            *error = tr("%1: %2").arg(what, QString::fromUtf8(sqlite3_errstr(rc)));
            return false;
        }
        return true;
    }

    // A new file only this user can read, made before SQLite writes into it (SQLite would make
    // it 0644 less the umask).
    bool createPrivate(const QString &path, QString *error)
    {
        const int fd = ::open(QFile::encodeName(path).constData(),
                              O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            *error = tr("%1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        ::close(fd);
        return true;
    }

    // PRAGMA quick_check, and the table every kyozo-server database has.
    bool isSoundKyozoDatabase(Handle &h, const QString &path, QString *error)
    {
        sqlite3_stmt *statement = nullptr;
        bool ok
            = sqlite3_prepare_v2(h.db, "PRAGMA quick_check", -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW
            && qstrcmp(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)), "ok")
                == 0;
        sqlite3_finalize(statement);
        if (!ok) {
            *error = tr("%1: not a sound SQLite database (%2)").arg(path, h.error());
            return false;
        }
        ok = sqlite3_prepare_v2(h.db, "SELECT max(version) FROM schema_migrations", -1, &statement,
                                nullptr)
                == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int(statement, 0) > 0;
        sqlite3_finalize(statement);
        if (!ok) {
            *error = tr("%1: not a kyozo-server database (no schema_migrations)").arg(path);
            return false;
        }
        return true;
    }

} // namespace

SqliteServingLock::~SqliteServingLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock
}

bool SqliteServingLock::acquire(const QString &databasePath, QString *error)
{
    m_fd = ::open(QFile::encodeName(databasePath).constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        *error = tr("%1: %2").arg(databasePath, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        *error = errno == EWOULDBLOCK
            ? tr("%1 is served by another kyozo-server already (SQLite serves one process; "
                 "several need PostgreSQL)")
                  .arg(databasePath)
            : tr("%1: %2").arg(databasePath, QString::fromLocal8Bit(strerror(errno)));
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    return true;
}

bool backupSqlite(const QString &databasePath, const QString &file, QString *error)
{
    if (QFileInfo::exists(file)) {
        *error = tr("%1 exists already; a backup does not overwrite a file").arg(file);
        return false;
    }
    const QString part = file + QLatin1String(".part");
    QFile::remove(part);
    // Private from the first byte, as the database is (created 0600 by the server).
    if (!createPrivate(part, error))
        return false;
    {
        Handle from, to;
        if (!open(from, databasePath, SQLITE_OPEN_READONLY, error)
            || !open(to, part, SQLITE_OPEN_READWRITE, error) || !copy(from, to, file, error)
            || !isSoundKyozoDatabase(to, file, error)) {
            QFile::remove(part);
            return false;
        }
    }
    // link(2) fails where FILE appeared meanwhile, which rename(2) would replace.
    if (::link(QFile::encodeName(part).constData(), QFile::encodeName(file).constData()) != 0) {
        *error = errno == EEXIST
            ? tr("%1 exists already; a backup does not overwrite a file").arg(file)
            : tr("%1: %2").arg(file, QString::fromLocal8Bit(strerror(errno)));
        QFile::remove(part);
        return false;
    }
    QFile::remove(part);
    return true;
}

bool restoreSqlite(const QString &file, const QString &databasePath, QString *error)
{
    Handle from;
    if (!open(from, file, SQLITE_OPEN_READONLY, error) || !isSoundKyozoDatabase(from, file, error))
        return false;
    if (!QFileInfo::exists(databasePath) && !createPrivate(databasePath, error))
        return false;
    SqliteServingLock lock;
    if (!lock.acquire(databasePath, error))
        return false;
    Handle to;
    return open(to, databasePath, SQLITE_OPEN_READWRITE, error)
        && copy(from, to, databasePath, error);
}

} // namespace Kyozo::Server
