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

class NotebookStore
{
public:
    explicit NotebookStore(QSqlDatabase db) : m_db(std::move(db)) { }
    std::optional<QString> create(const QString &workspaceId, const QString &title,
                                  const QString &content, QString *error);
    std::optional<Notebook> find(const QString &id);

private:
    QSqlDatabase m_db;
};

} // namespace Kyozo::Server
