#pragma once

#include "databaseurl.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

namespace Kyozo::Server {

// One open connection, schema migrated to the newest version this build knows.
class Database
{
public:
    ~Database();
    bool open(const DatabaseUrl &url, QString *error);
    QSqlDatabase &connection() { return m_db; }
    int schemaVersion();

private:
    bool migrate(QString *error);
    QSqlDatabase m_db;
    QString m_connectionName;
};

// Runs a prepared statement with positional values; on failure sets *error to the driver's text.
bool execute(QSqlQuery &query, QString *error);

} // namespace Kyozo::Server
