#include "executionstore.h"

#include "database.h"

#include <QHash>
#include <QSqlQuery>
#include <QVariant>

namespace Kyozo::Server {

bool ExecutionStore::store(const CellResult &r, QString *error)
{
    Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.commit(error);
    QSqlQuery q(m_db.connection());
    // The outputs go with their run (ON DELETE CASCADE, foreign keys are on for SQLite).
    q.prepare(QStringLiteral("DELETE FROM cell_runs WHERE notebook_id = ? AND cell_id = ?"));
    q.addBindValue(r.notebookId);
    q.addBindValue(r.cellId);
    if (!executeWrite(m_db, q, error))
        return false;
    q.prepare(QStringLiteral(
        "INSERT INTO cell_runs (notebook_id, cell_id, execution_id, cell_hash, user_id, status, "
        "exit_code, limit_name, message, started_at, finished_at, truncated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(r.notebookId);
    q.addBindValue(r.cellId);
    q.addBindValue(r.executionId);
    q.addBindValue(QString::fromLatin1(r.cellHash));
    q.addBindValue(r.userId);
    q.addBindValue(r.status);
    q.addBindValue(r.exitCode ? QVariant(*r.exitCode) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(r.limit.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(r.limit));
    q.addBindValue(r.message.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                       : QVariant(r.message));
    q.addBindValue(r.startedAt ? QVariant(*r.startedAt) : QVariant(QMetaType(QMetaType::LongLong)));
    q.addBindValue(r.finishedAt);
    q.addBindValue(r.truncated ? 1 : 0);
    if (!executeWrite(m_db, q, error))
        return false;
    q.prepare(QStringLiteral("INSERT INTO cell_run_outputs (notebook_id, cell_id, seq, stream, "
                             "output) VALUES (?, ?, ?, ?, %1)")
                  .arg(m_db.textPlaceholder()));
    for (const StoredOutput &o : r.outputs) {
        q.addBindValue(r.notebookId);
        q.addBindValue(r.cellId);
        q.addBindValue(o.seq);
        q.addBindValue(o.stream);
        q.addBindValue(m_db.text(o.output));
        if (!executeWrite(m_db, q, error))
            return false;
    }
    return transaction.commit(error);
}

std::optional<QList<CellResult>> ExecutionStore::results(const QString &notebookId, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT cell_id, execution_id, cell_hash, user_id, status, exit_code, limit_name, "
        "message, started_at, finished_at, truncated FROM cell_runs WHERE notebook_id = ? "
        "ORDER BY finished_at, cell_id"));
    q.addBindValue(notebookId);
    if (!execute(q, error))
        return std::nullopt;
    QList<CellResult> results;
    QHash<QString, qsizetype> byCell;
    while (q.next()) {
        CellResult r;
        r.notebookId = notebookId;
        r.cellId = q.value(0).toString();
        r.executionId = q.value(1).toString();
        r.cellHash = q.value(2).toString().toLatin1();
        r.userId = q.value(3).toString();
        r.status = q.value(4).toString();
        if (!q.value(5).isNull())
            r.exitCode = q.value(5).toInt();
        r.limit = q.value(6).toString();
        r.message = q.value(7).toString();
        if (!q.value(8).isNull())
            r.startedAt = q.value(8).toLongLong();
        r.finishedAt = q.value(9).toLongLong();
        r.truncated = q.value(10).toInt() != 0;
        byCell.insert(r.cellId, results.size());
        results.append(r);
    }
    q.finish();
    q.prepare(QStringLiteral("SELECT cell_id, seq, stream, %1 FROM cell_run_outputs "
                             "WHERE notebook_id = ? ORDER BY cell_id, seq")
                  .arg(m_db.textColumn(QStringLiteral("output"))));
    q.addBindValue(notebookId);
    if (!execute(q, error))
        return std::nullopt;
    while (q.next()) {
        const auto it = byCell.constFind(q.value(0).toString());
        if (it == byCell.constEnd())
            continue;
        results[*it].outputs.append(
            { q.value(1).toLongLong(), q.value(2).toString(), Database::textOf(q.value(3)) });
    }
    return results;
}

std::optional<QString> ExecutionStore::workspaceName(const QString &notebookId)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT w.name FROM notebooks n JOIN workspaces w ON w.id = "
                             "n.workspace_id WHERE n.id = ?"));
    q.addBindValue(notebookId);
    if (!execute(q, nullptr) || !q.next())
        return std::nullopt;
    return q.value(0).toString();
}

bool ExecutionStore::addContainer(const QString &containerId, const QString &notebookId,
                                  const QString &name, qint64 createdAt, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("INSERT INTO containers (id, workspace_id, name, created_at) "
                             "SELECT ?, workspace_id, ?, ? FROM notebooks WHERE id = ?"));
    q.addBindValue(containerId);
    q.addBindValue(name);
    q.addBindValue(createdAt);
    q.addBindValue(notebookId);
    if (!executeWrite(m_db, q, error))
        return false;
    if (q.numRowsAffected() != 1) {
        *error = QStringLiteral("no notebook %1").arg(notebookId);
        return false;
    }
    return true;
}

bool ExecutionStore::addFile(const QString &fileId, const QString &workspaceId,
                             const QString &name, qint64 createdAt, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral(
        "INSERT INTO files (id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)"));
    q.addBindValue(fileId);
    q.addBindValue(workspaceId);
    q.addBindValue(name);
    q.addBindValue(createdAt);
    return executeWrite(m_db, q, error);
}

} // namespace Kyozo::Server
