#include "notebookstore.h"

#include "cluster/clusterbus.h"

#include "auth/tokenhash.h"
#include "database.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Kyozo::Server {

namespace {
    Notebook notebookFrom(const QSqlQuery &q)
    {
        return Notebook { q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                          q.value(3).toLongLong(), q.value(4).toLongLong() };
    }
} // namespace

QSqlQuery &NotebookStore::prepared(const QString &sql)
{
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        it = m_prepared.emplace(sql, QSqlQuery(m_db.connection())).first;
        it->second.prepare(sql);
    }
    return it->second;
}

std::optional<QString> NotebookStore::create(const QString &workspaceId, const QString &title,
                                             const QString &content, QString *error)
{
    const QString id = newId();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Transaction transaction(m_db);
    if (!transaction.begun()) {
        transaction.commit(error);
        return std::nullopt;
    }
    QSqlQuery q(m_db.connection());
    q.prepare(
        QStringLiteral("INSERT INTO notebooks (id, workspace_id, title, revision, created_at, "
                       "updated_at) VALUES (?, ?, ?, 0, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(workspaceId);
    q.addBindValue(title);
    q.addBindValue(now);
    q.addBindValue(now);
    if (!executeWrite(m_db, q, error))
        return std::nullopt;
    q.prepare(QStringLiteral("INSERT INTO notebook_snapshots (notebook_id, revision, content, "
                             "created_at) VALUES (?, 0, %1, ?)")
                  .arg(m_db.textPlaceholder()));
    q.addBindValue(id);
    q.addBindValue(m_db.text(content));
    q.addBindValue(now);
    if (!executeWrite(m_db, q, error) || !transaction.commit(error))
        return std::nullopt;
    return id;
}

std::optional<Notebook> NotebookStore::find(const QString &id, QString *error)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "SELECT id, workspace_id, title, revision, updated_at FROM notebooks WHERE id = ?"));
    q.bindValue(0, id);
    std::optional<Notebook> found;
    if (execute(q, error) && q.next())
        found = notebookFrom(q);
    q.finish();
    return found;
}

std::optional<QList<Notebook>> NotebookStore::list(const QString &workspaceId, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, workspace_id, title, revision, updated_at FROM notebooks "
                             "WHERE workspace_id = ? ORDER BY title, id"));
    q.addBindValue(workspaceId);
    if (!execute(q, error))
        return std::nullopt;
    QList<Notebook> out;
    while (q.next())
        out.append(notebookFrom(q));
    return out;
}

bool NotebookStore::rename(const QString &id, const QString &title, qint64 now, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("UPDATE notebooks SET title = ?, updated_at = ? WHERE id = ?"));
    q.addBindValue(title);
    q.addBindValue(now);
    q.addBindValue(id);
    return executeWrite(m_db, q, error);
}

bool NotebookStore::remove(const QString &id, QString *error)
{
    Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.commit(error);
    QSqlQuery q(m_db.connection());
    for (const char *table : { "notebook_operations", "notebook_snapshots" }) {
        q.prepare(QStringLiteral("DELETE FROM %1 WHERE notebook_id = ?").arg(QLatin1String(table)));
        q.addBindValue(id);
        if (!executeWrite(m_db, q, error))
            return false;
    }
    q.prepare(QStringLiteral("DELETE FROM notebooks WHERE id = ?"));
    q.addBindValue(id);
    return executeWrite(m_db, q, error) && transaction.commit(error);
}

std::optional<Snapshot> NotebookStore::snapshotAtOrBefore(const QString &id, qint64 revision,
                                                          QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT revision, %1 FROM notebook_snapshots WHERE notebook_id = ? "
                       "AND revision <= ? ORDER BY revision DESC LIMIT 1")
            .arg(m_db.textColumn(QStringLiteral("content"))));
    q.addBindValue(id);
    q.addBindValue(revision);
    if (!execute(q, error))
        return std::nullopt;
    if (!q.next()) {
        if (error)
            *error = QStringLiteral("no snapshot of %1 at or before revision %2")
                         .arg(id)
                         .arg(revision);
        return std::nullopt;
    }
    return Snapshot { q.value(0).toLongLong(), Database::textOf(q.value(1)) };
}

qint64 NotebookStore::snapshotRevisionAtOrBefore(const QString &id, qint64 revision, QString *error)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT MAX(revision) FROM notebook_snapshots WHERE "
                                           "notebook_id = ? AND revision <= ?"));
    q.bindValue(0, id);
    q.bindValue(1, revision);
    qint64 found = -1;
    if (execute(q, error) && q.next() && !q.value(0).isNull())
        found = q.value(0).toLongLong();
    q.finish();
    return found;
}

qint64 NotebookStore::oldestSnapshotRevision(const QString &id, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT MIN(revision) FROM notebook_snapshots WHERE notebook_id = ?"));
    q.addBindValue(id);
    if (execute(q, error) && q.next() && !q.value(0).isNull())
        return q.value(0).toLongLong();
    return -1;
}

std::optional<QList<StoredOperation>> NotebookStore::operations(const QString &id, qint64 after,
                                                                qint64 upTo, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT revision, user_id, created_at, ops, op_id FROM notebook_operations "
        "WHERE notebook_id = ? AND revision > ? AND revision <= ? ORDER BY revision"));
    q.addBindValue(id);
    q.addBindValue(after);
    q.addBindValue(upTo);
    if (!execute(q, error))
        return std::nullopt;
    QList<StoredOperation> out;
    while (q.next())
        out.append(StoredOperation { q.value(0).toLongLong(), q.value(1).toString(),
                                     q.value(2).toLongLong(), q.value(3).toString().toUtf8(),
                                     q.value(4).toString() });
    return out;
}

std::optional<qint64> NotebookStore::operationWithOpId(const QString &id, const QString &userId,
                                                       const QString &opId, QString *error)
{
    // MIN(revision + 0), not MIN(revision): for a bare MIN(revision) SQLite's min/max
    // optimisation walks the primary key (notebook_id, revision) in order and tests every
    // row, so a new op_id, found nowhere, cost a scan of the notebook's whole history on
    // every push (EXPLAIN QUERY PLAN: "USING INDEX sqlite_autoindex_..._1 (notebook_id=?)");
    // an expression leaves it the op_id index, an exact look-up.
    QSqlQuery &q = prepared(QStringLiteral("SELECT MIN(revision + 0) FROM notebook_operations "
                                           "WHERE notebook_id = ? AND user_id = ? AND op_id = ?"));
    q.bindValue(0, id);
    q.bindValue(1, userId);
    q.bindValue(2, opId);
    std::optional<qint64> found;
    if (execute(q, error) && q.next())
        found = q.value(0).isNull() ? 0 : q.value(0).toLongLong();
    q.finish();
    return found;
}

std::optional<QList<RevisionEntry>> NotebookStore::revisions(const QString &id, qint64 before,
                                                             int limit, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT o.revision, o.user_id, u.name, o.created_at FROM notebook_operations o "
        "LEFT JOIN users u ON u.id = o.user_id WHERE o.notebook_id = ? AND "
        "o.revision < ? ORDER BY o.revision DESC LIMIT ?"));
    q.addBindValue(id);
    q.addBindValue(before);
    q.addBindValue(limit);
    if (!execute(q, error))
        return std::nullopt;
    QList<RevisionEntry> out;
    while (q.next())
        out.append(RevisionEntry { q.value(0).toLongLong(), q.value(1).toString(),
                                   q.value(2).toString(), q.value(3).toLongLong() });
    return out;
}

bool NotebookStore::append(const OperationBatch &batch, QString *error, QStringList *conflict)
{
    // One transaction, so one sync, for every operation of the batch (group commit): none of
    // them is acknowledged before it returns.
    Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.commit(error);
    // The heads first, each only from its base: the row lock this takes orders the commits of
    // every process writing to the notebook (PostgreSQL's READ COMMITTED re-reads the row
    // once the other transaction is committed, and then finds it moved on).
    QSqlQuery &head = prepared(QStringLiteral(
        "UPDATE notebooks SET revision = ?, updated_at = ? WHERE id = ? AND revision = ?"));
    // In one order (by id) in every process: two groups that both move notebooks A and B
    // then wait for each other's row, not deadlock.
    QStringList ids = batch.heads.keys();
    ids.sort();
    QStringList movedOn;
    for (const QString &id : std::as_const(ids)) {
        head.bindValue(0, batch.heads.value(id).first);
        head.bindValue(1, batch.heads.value(id).second);
        head.bindValue(2, id);
        head.bindValue(3, batch.bases.value(id)); // filled for every head
        if (!head.exec()) {
            // A deadlock or serialization failure PostgreSQL resolved by aborting this
            // transaction is another process's commit first: retried, not a storage failure.
            const QString state = head.lastError().nativeErrorCode();
            if (conflict && (state == QLatin1String("40P01") || state == QLatin1String("40001"))) {
                *conflict = ids;
                if (error)
                    *error = head.lastError().text();
                return false;
            }
            m_db.noteWriteFailed(head.lastError());
            if (error)
                *error = head.lastError().text();
            return false;
        }
        if (head.numRowsAffected() != 1)
            movedOn.append(id);
    }
    if (!movedOn.isEmpty()) {
        if (conflict)
            *conflict = movedOn;
        if (error)
            *error = QStringLiteral("another process stored operations of %1 first")
                         .arg(movedOn.join(QLatin1String(", ")));
        return false;
    }
    QSqlQuery &insert = prepared(QStringLiteral(
        "INSERT INTO notebook_operations (notebook_id, revision, user_id, created_at, ops, op_id) "
        "VALUES (?, ?, ?, ?, ?, ?)"));
    for (const auto &[id, op] : batch.operations) {
        insert.bindValue(0, id);
        insert.bindValue(1, op.revision);
        insert.bindValue(2, op.userId);
        insert.bindValue(3, op.time);
        insert.bindValue(4, QString::fromUtf8(op.ops));
        insert.bindValue(
            5, op.opId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(op.opId));
        if (!executeWrite(m_db, insert, error))
            return false;
    }
    QSqlQuery q(m_db.connection());
    for (const auto &[id, snapshot] : batch.snapshots) {
        q.prepare(QStringLiteral("INSERT INTO notebook_snapshots (notebook_id, revision, content, "
                                 "created_at) VALUES (?, ?, %1, ?)")
                      .arg(m_db.textPlaceholder()));
        q.addBindValue(id);
        q.addBindValue(snapshot.revision);
        q.addBindValue(m_db.text(snapshot.content));
        q.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!executeWrite(m_db, q, error))
            return false;
    }
    if (m_db.isPostgres())
        for (const QByteArray &payload : batch.notifications) {
            q.prepare(
                QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(kClusterChannel)));
            q.addBindValue(QString::fromUtf8(payload));
            if (!execute(q, error))
                return false;
        }
    for (auto it = batch.trims.begin(); it != batch.trims.end(); ++it) {
        q.prepare(QStringLiteral(
            "DELETE FROM notebook_operations WHERE notebook_id = ? AND revision <= ?"));
        q.addBindValue(it.key());
        q.addBindValue(it.value());
        if (!executeWrite(m_db, q, error))
            return false;
        q.prepare(QStringLiteral(
            "DELETE FROM notebook_snapshots WHERE notebook_id = ? AND revision < ?"));
        q.addBindValue(it.key());
        q.addBindValue(it.value());
        if (!executeWrite(m_db, q, error))
            return false;
    }
    return transaction.commit(error);
}

} // namespace Kyozo::Server
