#pragma once

#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace Kyozo::Server {

struct Notebook
{
    QString id;
    QString workspaceId;
    QString title;
    QString content;
    qint64 revision = 0;
};

class Database;

class NotebookStore
{
public:
    explicit NotebookStore(Database &db)
        : m_db(db)
    {
    }
    // Durable when it returns an id (Database: synchronous commit); on failure nothing of
    // it is stored and Database::degraded() says whether the storage is the cause.
    std::optional<QString> create(const QString &workspaceId, const QString &title,
                                  const QString &content, QString *error);
    std::optional<Notebook> find(const QString &id);
    // The database it stores to (GET /healthz asks it whether it takes writes).
    Database &database() { return m_db; }

private:
    Database &m_db;
};

} // namespace Kyozo::Server
