#include "notebookstore.h"

#include "auth/tokenhash.h"
#include "database.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QVariant>

namespace Kyozo::Server {

std::optional<QString> NotebookStore::create(const QString &workspaceId, const QString &title,
                                             const QString &content, QString *error)
{
    const QString id = newId();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery q(m_db.connection());
    // One statement in autocommit mode is one transaction.
    q.prepare(QStringLiteral("INSERT INTO notebooks (id, workspace_id, title, content, revision, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, 0, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(workspaceId);
    q.addBindValue(title);
    q.addBindValue(content);
    q.addBindValue(now);
    q.addBindValue(now);
    if (!executeWrite(m_db, q, error))
        return std::nullopt;
    return id;
}

std::optional<Notebook> NotebookStore::find(const QString &id)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT id, workspace_id, title, content, revision FROM notebooks WHERE id = ?"));
    q.addBindValue(id);
    if (!execute(q, nullptr) || !q.next())
        return std::nullopt;
    return Notebook{ q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                     q.value(3).toString(), q.value(4).toLongLong() };
}

} // namespace Kyozo::Server
