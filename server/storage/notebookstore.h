#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <optional>
#include <unordered_map>

namespace Kyozo::Server {

// A notebook's row: what it is, not its text (its text is a snapshot plus operations).
struct Notebook
{
    QString id;
    QString workspaceId;
    QString title;
    qint64 revision = 0; // the newest acknowledged revision
    qint64 updatedAt = 0; // ms since the epoch: creation, last operation or rename
};

// One co-editing operation as stored (docs/server.md "Co-editing").
struct StoredOperation
{
    qint64 revision = 0; // the revision the notebook reached by it
    QString userId;
    qint64 time = 0; // ms since the epoch
    QByteArray ops; // ot.js JSON, as the server transformed it
    QString opId; // the client's id of it; empty when it sent none
};

struct Snapshot
{
    qint64 revision = 0;
    QString content;
};

// One line of a notebook's history ("Show history").
struct RevisionEntry
{
    qint64 revision = 0;
    QString userId;
    QString userName;
    qint64 time = 0;
};

// What one group commit of co-editing operations writes, in one transaction.
struct OperationBatch
{
    QList<std::pair<QString, StoredOperation>> operations; // notebook id, operation
    QList<std::pair<QString, Snapshot>> snapshots;
    QHash<QString, std::pair<qint64, qint64>> heads; // notebook id -> revision, updated_at
    // notebook id -> the revision the batch's operations were based on: when another process
    // moved the notebook on meanwhile, nothing is stored and append() says `conflict`.
    QHash<QString, qint64> bases;
    // NOTIFY payloads sent on kClusterChannel by the same transaction, so at its commit.
    QList<QByteArray> notifications;
    // notebook id -> T: operations up to T and snapshots before T are dropped (keep_operations);
    // T is a snapshot's revision, so the history from T on stays complete.
    QHash<QString, qint64> trims;
};

class Database;

// Notebooks, their snapshots and operation log (SPEC §5, §11). Writes are durable when they
// return true (Database: synchronous commit); a failed one stores nothing of itself and
// Database::degraded() says whether the storage is the cause.
class NotebookStore
{
public:
    explicit NotebookStore(Database &db)
        : m_db(db)
    {
    }
    // The notebook at revision 0: its row and its first snapshot.
    std::optional<QString> create(const QString &workspaceId, const QString &title,
                                  const QString &content, QString *error);
    // Nothing when there is no such notebook, or (with *error set) when the query fails.
    std::optional<Notebook> find(const QString &id, QString *error = nullptr);
    // A workspace's notebooks by title (then id); nothing on a database error.
    std::optional<QList<Notebook>> list(const QString &workspaceId, QString *error);
    bool rename(const QString &id, const QString &title, qint64 now, QString *error);
    // The notebook, its snapshots and its operations.
    bool remove(const QString &id, QString *error);

    // The newest snapshot at or before `revision`.
    std::optional<Snapshot> snapshotAtOrBefore(const QString &id, qint64 revision, QString *error);
    // Its revision only, or -1 when there is none.
    qint64 snapshotRevisionAtOrBefore(const QString &id, qint64 revision, QString *error);
    // The oldest snapshot's revision: the start of the kept history (-1: none, or an error).
    qint64 oldestSnapshotRevision(const QString &id, QString *error);
    // Operations after `after` up to `upTo` inclusive, oldest first.
    std::optional<QList<StoredOperation>> operations(const QString &id, qint64 after, qint64 upTo,
                                                     QString *error);
    // The revision of the user's operation stored with this op_id; 0 when there is none.
    std::optional<qint64> operationWithOpId(const QString &id, const QString &userId,
                                            const QString &opId, QString *error);
    // Newest first: revisions below `before`, at most `limit`.
    std::optional<QList<RevisionEntry>> revisions(const QString &id, qint64 before, int limit,
                                                  QString *error);
    // Stores the batch in one transaction. When a head is not at its base any more (another
    // process stored there first) nothing is stored: false with *conflict set to the
    // notebooks that moved on, if `conflict` is given.
    bool append(const OperationBatch &batch, QString *error, QStringList *conflict = nullptr);

    // The database it stores to (GET /healthz asks it whether it takes writes).
    Database &database() { return m_db; }

private:
    QSqlQuery &prepared(const QString &sql);
    Database &m_db;
    // The statements of every operation, prepared once (as AccountStore does).
    std::unordered_map<QString, QSqlQuery> m_prepared;
};

} // namespace Kyozo::Server
