#include "database.h"

#include "migrations.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcDatabase, "kyozo.server.database")

namespace Kyozo::Server {

namespace {
QString tr(const char *text) { return QCoreApplication::translate("Database", text); }
} // namespace

bool execute(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    if (error)
        *error = query.lastError().text();
    return false;
}

Database::~Database()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool Database::open(const DatabaseUrl &url, QString *error)
{
    m_connectionName = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (url.driver == DatabaseUrl::Driver::Sqlite) {
        QDir().mkpath(QFileInfo(url.path).absolutePath());
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
    if (url.driver == DatabaseUrl::Driver::Sqlite) {
        QSqlQuery pragma(m_db);
        // WAL lets the admin commands write while a server reads; foreign keys are off by default.
        for (const char *p : { "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL" }) {
            if (!pragma.exec(QString::fromLatin1(p))) {
                *error = tr("cannot set up SQLite: %1").arg(pragma.lastError().text());
                return false;
            }
        }
    }
    return migrate(error);
}

int Database::schemaVersion()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

bool Database::migrate(QString *error)
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
            *error = tr("cannot begin migration %1: %2").arg(m.version).arg(m_db.lastError().text());
            return false;
        }
        QString failed;
        for (const QString &statement : m.statements) {
            if (!q.exec(statement)) {
                failed = q.lastError().text();
                break;
            }
        }
        if (failed.isEmpty()) {
            q.prepare(QStringLiteral("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"));
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
