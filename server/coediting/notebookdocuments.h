#pragma once

#include "collab/textoperation.h"
#include "serverconfig.h"
#include "storage/notebookstore.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace Kyozo::Server {

class CommitWriter;

// What became of one `op` push (docs/server.md "Co-editing").
struct OpOutcome
{
    enum class Kind {
        Applied, // stored as `revision`; `ops` is the operation as transformed
        Duplicate, // its op_id was stored before, as `revision`: answered, not applied again
        Refused, // `reason`; nothing applied
    };
    Kind kind = Kind::Refused;
    QString reason; // bad_op, bad_revision, too_large, resync, not_found, unavailable
    QString message; // why, for the log
    qint64 revision = 0; // Applied, Duplicate: the operation's; resync: the notebook's
    QString content; // resync: the text at `revision`
    QJsonArray ops; // Applied

    static OpOutcome refused(const char *reason, const QString &message);
};

// Server-authoritative operational transformation (SPEC §5): the text of every notebook
// someone has joined, kept in memory at its newest acknowledged revision with its newest
// operations; pushes are transformed against what happened since their revision (as ot.js's
// Server.receiveOperation does, the pushed operation first, so its insert wins a tie), applied,
// and stored as one small row each. All of it runs on the server's thread but the durable
// write of each group of operations, which `writer` does on its own thread; joins and reads
// see only what is durable.
class NotebookDocuments
{
public:
    // `store` is read on this thread; `writer` stores the groups.
    NotebookDocuments(NotebookStore *store, std::unique_ptr<CommitWriter> writer,
                      const CoeditingOptions &options, qint64 maxNotebookBytes);
    ~NotebookDocuments();

    struct State
    {
        qint64 revision = 0;
        QString content;
    };
    // A join: the newest acknowledged state. The text stays in memory until every open() has
    // been released. Nothing (with *error) when the notebook is gone or the database fails.
    std::optional<State> open(const QString &id, QString *error);
    void release(const QString &id);
    // The newest acknowledged state (from memory when open).
    std::optional<State> latest(const QString &id, QString *error);
    enum class Lookup { Found, NotKept, Failed };
    // The text at `revision`, from the newest snapshot at or before it and the operations
    // after that snapshot: NotKept outside the kept history.
    Lookup contentAt(const QString &id, qint64 revision, QString *content, QString *error);
    // A deleted notebook: its text is dropped; queued pushes for it are refused not_found.
    void forget(const QString &id);

    // Checks a push's shape (payload {revision, ops[, op_id]}); a refusal is returned at once
    // and nothing is queued, otherwise it waits for commitPending() under `ticket`.
    std::optional<OpOutcome> submit(quint64 ticket, const QString &id, const QString &userId,
                                    const QJsonValue &payload);
    bool hasPending() const { return !m_pending.empty(); }
    using Outcomes = std::vector<std::pair<quint64, OpOutcome>>;
    // Every queued push in the order received: transformed, applied, written in one
    // transaction (group commit, one sync) by the writer thread; once it is durable,
    // onCommitted gets each push's outcome, in revision order. When the transaction fails
    // nothing of it is applied and each is refused `unavailable`. While a group is being
    // written this does nothing: the pushes queued meanwhile form the next group, which
    // starts as soon as the one before is durable (before its outcomes are handed on).
    void commitPending();
    std::function<void(const Outcomes &)> onCommitted;
    // Blocks until the group being written (if any) is durable or has failed; false after
    // `timeoutMs`. Its outcomes still come through onCommitted. Before a notebook is deleted.
    bool waitForWrite(int timeoutMs);

    // Several processes on one database (docs/operator.md "Several processes"). Each
    // group's transaction sends, for every notebook it moves on, the NOTIFY payload this
    // makes of the notebook's id and new revision; another process that has it open reads
    // the operations (catchUp) and hands them to onRemoteOperations. A group that finds a
    // notebook moved on by another process stores nothing: its notebooks catch up and the
    // group is transformed again, so the database's order is the one order of revisions.
    std::function<QByteArray(const QString &id, qint64 revision)> committedNotification;
    struct RemoteOperation
    {
        qint64 revision = 0;
        QJsonArray ops;
        QString userId;
    };
    std::function<void(const QString &id, const std::vector<RemoteOperation> &)> onRemoteOperations;
    // A catch-up could not follow the stored operations (trimmed before it read them) and
    // reloaded the notebook: its subscribers must start over.
    std::function<void(const QString &id)> onReloaded;
    // Brings an open notebook up to `revision` (0: to the database's head) from the stored
    // operations; later while a group of it is being written.
    void catchUp(const QString &id, qint64 revision = 0);
    // Every open notebook (after the cluster's connection was lost and is back).
    void catchUpAll();

    // Operations kept in memory per open notebook (the newest ones); a push based on an older
    // revision reads the ones it needs from the database.
    static constexpr qsizetype kRecentOperations = 2000;

private:
    struct Entry
    {
        qint64 revision = 0;
        Collab::TextOperation op;
        QString userId;
        QString opId;
    };
    struct Document
    {
        QString id;
        QString content;
        qint64 revision = 0;
        // The oldest kept snapshot's revision: a push based before it gets `resync`.
        qint64 historyStart = 0;
        qint64 lastSnapshot = 0;
        std::deque<Entry> recent; // the newest operations, oldest first, up to `revision`
        QHash<QString, qint64> recentOpIds; // opIdKey() of `recent`'s -> revision
        int users = 0; // open() minus release()
        // What is durable: `content` and `revision` run ahead of it while a group is written.
        qint64 durableRevision = 0;
        QString durableContent;
    };
    struct Pending
    {
        quint64 ticket = 0;
        QString id;
        QString userId;
        qint64 base = 0;
        Collab::TextOperation op;
        QString opId;
    };
    // Where a document stood before a group commit touched it, to go back on failure.
    struct Checkpoint
    {
        QString content;
        qint64 revision = 0;
        qint64 historyStart = 0;
        qint64 lastSnapshot = 0;
        size_t recent = 0;
    };

    std::unique_ptr<Document> load(const QString &id, QString *error);
    Document *document(const QString &id, QString *error);
    // The operations after `base` up to the document's revision, oldest first.
    std::optional<std::vector<Entry>> since(const Document &doc, qint64 base, QString *error);
    // The revision of the user's operation stored under this op_id, anywhere in the kept
    // history; 0 when there is none, -1 when the database fails.
    qint64 storedOpId(const Document &doc, const QString &userId, const QString &opId,
                      QString *error);
    static QString opIdKey(const QString &userId, const QString &opId);
    static void pushRecent(Document &doc, Entry entry);
    static void popRecent(Document &doc);
    std::optional<QString> replay(const QString &id, const Snapshot &from,
                                  const QList<StoredOperation> &ops, QString *error);
    OpOutcome apply(Document &doc, const Pending &push, OperationBatch &batch, qint64 now);
    void unloadUnused();
    // A group transformed and applied in memory, being written.
    struct Group
    {
        std::vector<Pending> pushes;
        Outcomes outcomes;
        std::unordered_map<QString, Checkpoint> checkpoints;
    };
    // Starts the next group; its outcomes at once when it has nothing to write.
    std::optional<Outcomes> startGroup();
    void finishGroup(bool stored, const QString &error);
    void rollBack(const Group &group);
    // The group stored nothing because `movedOn` were moved on by another process.
    void retryGroup(const QStringList &movedOn);
    void catchUpDeferred();
    static void trimRecent(Document &doc);

    NotebookStore *m_store;
    std::unique_ptr<CommitWriter> m_writer;
    std::optional<Group> m_writing;
    CoeditingOptions m_options;
    qint64 m_maxNotebookBytes;
    std::unordered_map<QString, std::unique_ptr<Document>> m_documents;
    std::vector<Pending> m_pending;
    // Notebooks to catch up once the group being written no longer holds them: id -> revision.
    QHash<QString, qint64> m_behind;
    int m_conflicts = 0; // of the group being written, in a row
    // After this many conflicts in a row a group is refused `unavailable`: the database and
    // this process disagree about a notebook, and retrying would not end.
    static constexpr int kMaxConflicts = 100;
};

} // namespace Kyozo::Server
