#include "notebookdocuments.h"
#include "protocol/json.h"

#include "commitwriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <cmath>

Q_LOGGING_CATEGORY(lcCoediting, "kyozo.server.coediting")

namespace Kyozo::Server {

using Collab::TextOperation;

namespace {

    // UTF-8 bytes of UTF-16 text, without converting it (max_insert_bytes, max_notebook_bytes).
    // A lone surrogate, which apply() refuses anyway, counts as the 3 bytes of U+FFFD.
    qint64 utf8Length(QStringView text)
    {
        qint64 n = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const char16_t c = text[i].unicode();
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (QChar::isHighSurrogate(c) && i + 1 < text.size()
                       && QChar::isLowSurrogate(text[i + 1].unicode())) {
                n += 4;
                ++i;
            } else {
                n += 3;
            }
        }
        return n;
    }

    // At most three UTF-8 bytes per UTF-16 code unit: the exact count is only needed near
    // the cap.
    bool withinBytes(const QString &text, qint64 maxBytes)
    {
        return qint64(text.size()) * 3 <= maxBytes || utf8Length(text) <= maxBytes;
    }

    // A revision is a whole number a JavaScript number holds exactly (as in cursor payloads).
    constexpr double kMaxRevision = 9007199254740991.0; // 2^53 - 1

    // op_id: a client's name for its operation; bounded like every other client string.
    constexpr qsizetype kMaxOpIdChars = 128;

    QByteArray compactJson(const QJsonArray &array)
    {
        return QJsonDocument(array).toJson(QJsonDocument::Compact);
    }

} // namespace

OpOutcome OpOutcome::refused(const char *reason, const QString &message)
{
    OpOutcome o;
    o.kind = Kind::Refused;
    o.reason = QString::fromLatin1(reason);
    o.message = message;
    return o;
}

NotebookDocuments::NotebookDocuments(NotebookStore *store, std::unique_ptr<CommitWriter> writer,
                                     const CoeditingOptions &options, qint64 maxNotebookBytes)
    : m_store(store)
    , m_writer(std::move(writer))
    , m_options(options)
    , m_maxNotebookBytes(maxNotebookBytes)
{
}

NotebookDocuments::~NotebookDocuments() = default;

std::optional<QString> NotebookDocuments::replay(const QString &id, const Snapshot &from,
                                                 const QList<StoredOperation> &ops, QString *error)
{
    // Composed first, applied once: applying each of up to snapshot_interval operations to a
    // large text would copy the whole text every time.
    std::optional<TextOperation> all;
    qint64 expected = from.revision;
    for (const StoredOperation &stored : ops) {
        QString why;
        const std::optional<TextOperation> op
            = TextOperation::fromJson(Protocol::parseJson(stored.ops).array(), &why);
        if (!op || stored.revision != ++expected) {
            *error = QStringLiteral("notebook %1: stored operation %2 is damaged or missing (%3)")
                         .arg(id)
                         .arg(expected)
                         .arg(why);
            return std::nullopt;
        }
        all = all ? all->compose(*op) : op;
        if (!all) {
            *error = QStringLiteral("notebook %1: stored operation %2 does not follow the one "
                                    "before")
                         .arg(id)
                         .arg(stored.revision);
            return std::nullopt;
        }
    }
    if (!all)
        return from.content;
    QString why;
    std::optional<QString> text = all->apply(from.content, &why);
    if (!text)
        *error = QStringLiteral("notebook %1: the stored operations after revision %2 do not apply "
                                "to its snapshot (%3)")
                     .arg(id)
                     .arg(from.revision)
                     .arg(why);
    return text;
}

std::unique_ptr<NotebookDocuments::Document> NotebookDocuments::load(const QString &id,
                                                                     QString *error)
{
    const std::optional<Notebook> notebook = m_store->find(id);
    if (!notebook) {
        *error = QStringLiteral("no notebook %1").arg(id);
        return nullptr;
    }
    const std::optional<Snapshot> snapshot
        = m_store->snapshotAtOrBefore(id, notebook->revision, error);
    if (!snapshot)
        return nullptr;
    const std::optional<QList<StoredOperation>> ops
        = m_store->operations(id, snapshot->revision, notebook->revision, error);
    if (!ops)
        return nullptr;
    if (qint64(ops->size()) != notebook->revision - snapshot->revision) {
        *error = QStringLiteral("notebook %1 is at revision %2 but its operations after the "
                                "snapshot of revision %3 are incomplete")
                     .arg(id)
                     .arg(notebook->revision)
                     .arg(snapshot->revision);
        return nullptr;
    }
    std::optional<QString> content = replay(id, *snapshot, *ops, error);
    if (!content)
        return nullptr;
    auto doc = std::make_unique<Document>();
    doc->id = id;
    doc->content = *content;
    doc->revision = notebook->revision;
    doc->durableContent = doc->content;
    doc->durableRevision = doc->revision;
    doc->lastSnapshot = snapshot->revision;
    doc->historyStart = m_store->oldestSnapshotRevision(id, error);
    if (doc->historyStart < 0)
        return nullptr;
    for (const StoredOperation &stored : *ops) {
        QString why;
        pushRecent(
            *doc,
            Entry { stored.revision,
                    *TextOperation::fromJson(Protocol::parseJson(stored.ops).array(), &why),
                    stored.userId, stored.opId });
    }
    return doc;
}

QString NotebookDocuments::opIdKey(const QString &userId, const QString &opId)
{
    return userId + QLatin1Char('\n') + opId;
}

void NotebookDocuments::pushRecent(Document &doc, Entry entry)
{
    if (!entry.opId.isEmpty())
        doc.recentOpIds.insert(opIdKey(entry.userId, entry.opId), entry.revision);
    doc.recent.push_back(std::move(entry));
}

void NotebookDocuments::popRecent(Document &doc)
{
    const Entry &e = doc.recent.front();
    if (!e.opId.isEmpty()) {
        const auto it = doc.recentOpIds.constFind(opIdKey(e.userId, e.opId));
        if (it != doc.recentOpIds.constEnd() && *it == e.revision)
            doc.recentOpIds.erase(it);
    }
    doc.recent.pop_front();
}

qint64 NotebookDocuments::storedOpId(const Document &doc, const QString &userId,
                                     const QString &opId, QString *error)
{
    const auto it = doc.recentOpIds.constFind(opIdKey(userId, opId));
    if (it != doc.recentOpIds.constEnd())
        return *it;
    // Older than the operations in memory: one indexed look-up, only while the kept history
    // reaches further back than them.
    const qint64 recentBase = doc.recent.empty() ? doc.revision : doc.recent.front().revision - 1;
    if (recentBase <= doc.historyStart)
        return 0;
    const std::optional<qint64> revision = m_store->operationWithOpId(doc.id, userId, opId, error);
    return revision ? *revision : -1;
}

NotebookDocuments::Document *NotebookDocuments::document(const QString &id, QString *error)
{
    auto it = m_documents.find(id);
    if (it != m_documents.end())
        return it->second.get();
    std::unique_ptr<Document> doc = load(id, error);
    if (!doc)
        return nullptr;
    return m_documents.emplace(id, std::move(doc)).first->second.get();
}

std::optional<NotebookDocuments::State> NotebookDocuments::open(const QString &id, QString *error)
{
    Document *doc = document(id, error);
    if (!doc)
        return std::nullopt;
    ++doc->users;
    return State { doc->durableRevision, doc->durableContent };
}

void NotebookDocuments::release(const QString &id)
{
    auto it = m_documents.find(id);
    if (it == m_documents.end())
        return;
    --it->second->users;
    unloadUnused();
}

void NotebookDocuments::unloadUnused()
{
    // Kept while a queued push or the group being written still needs it.
    const auto needs = [](const std::vector<Pending> &pushes, const QString &id) {
        return std::any_of(pushes.begin(), pushes.end(),
                           [&](const Pending &p) { return p.id == id; });
    };
    for (auto it = m_documents.begin(); it != m_documents.end();) {
        const bool queued
            = needs(m_pending, it->first) || (m_writing && needs(m_writing->pushes, it->first));
        if (it->second->users <= 0 && !queued)
            it = m_documents.erase(it);
        else
            ++it;
    }
}

void NotebookDocuments::forget(const QString &id)
{
    m_documents.erase(id);
}

std::optional<NotebookDocuments::State> NotebookDocuments::latest(const QString &id, QString *error)
{
    auto it = m_documents.find(id);
    if (it != m_documents.end())
        return State { it->second->durableRevision, it->second->durableContent };
    const std::unique_ptr<Document> doc = load(id, error);
    if (!doc)
        return std::nullopt;
    return State { doc->revision, doc->content };
}

NotebookDocuments::Lookup NotebookDocuments::contentAt(const QString &id, qint64 revision,
                                                       QString *content, QString *error)
{
    const std::optional<Notebook> notebook = m_store->find(id);
    if (!notebook) {
        *error = QStringLiteral("no notebook %1").arg(id);
        return Lookup::Failed;
    }
    if (revision > notebook->revision)
        return Lookup::NotKept;
    const auto open = m_documents.find(id);
    if (open != m_documents.end() && open->second->durableRevision == revision) {
        *content = open->second->durableContent;
        return Lookup::Found;
    }
    const qint64 oldest = m_store->oldestSnapshotRevision(id, error);
    if (oldest < 0)
        return Lookup::Failed;
    if (revision < oldest)
        return Lookup::NotKept;
    const std::optional<Snapshot> snapshot = m_store->snapshotAtOrBefore(id, revision, error);
    if (!snapshot)
        return Lookup::Failed;
    const std::optional<QList<StoredOperation>> ops
        = m_store->operations(id, snapshot->revision, revision, error);
    if (!ops)
        return Lookup::Failed;
    std::optional<QString> text = replay(id, *snapshot, *ops, error);
    if (!text)
        return Lookup::Failed;
    *content = *text;
    return Lookup::Found;
}

std::optional<OpOutcome> NotebookDocuments::submit(quint64 ticket, const QString &id,
                                                   const QString &userId, const QJsonValue &payload)
{
    const QJsonObject o = payload.toObject();
    if (!payload.isObject())
        return OpOutcome::refused("bad_op", QStringLiteral("the payload is not an object"));
    for (auto it = o.begin(); it != o.end(); ++it)
        if (it.key() != QLatin1String("revision") && it.key() != QLatin1String("ops")
            && it.key() != QLatin1String("op_id"))
            return OpOutcome::refused("bad_op", QStringLiteral("unknown key %1").arg(it.key()));
    QString why;
    const std::optional<TextOperation> op
        = TextOperation::fromJson(o.value(QLatin1String("ops")), &why);
    if (!op)
        return OpOutcome::refused("bad_op", why);
    const QJsonValue opId = o.value(QLatin1String("op_id"));
    if (!opId.isUndefined()
        && (!opId.isString() || opId.toString().isEmpty()
            || opId.toString().size() > kMaxOpIdChars))
        return OpOutcome::refused(
            "bad_op",
            QStringLiteral("op_id must be a string of 1 to %1 characters").arg(kMaxOpIdChars));
    const QJsonValue revision = o.value(QLatin1String("revision"));
    const double r = revision.toDouble(-1);
    if (!revision.isDouble() || r < 0 || r > kMaxRevision || std::floor(r) != r)
        return OpOutcome::refused("bad_revision",
                                  QStringLiteral("revision must be a whole number from 0"));
    qint64 inserted = 0;
    for (const TextOperation::Part &part : op->parts()) {
        if (!part.isInsert())
            continue;
        // As over REST (server/http/restapi.cpp): PostgreSQL TEXT cannot store U+0000.
        if (part.text.contains(QChar(0)))
            return OpOutcome::refused("bad_op",
                                      QStringLiteral("the operation inserts U+0000, which a "
                                                     "notebook's text cannot hold"));
        inserted += utf8Length(part.text);
    }
    if (inserted > m_options.maxInsertBytes)
        return OpOutcome::refused("too_large",
                                  QStringLiteral("the operation inserts %1 bytes, more than "
                                                 "[coediting] max_insert_bytes (%2)")
                                      .arg(inserted)
                                      .arg(m_options.maxInsertBytes));
    m_pending.push_back(Pending { ticket, id, userId, qint64(r), *op, opId.toString() });
    return std::nullopt;
}

std::optional<std::vector<NotebookDocuments::Entry>>
NotebookDocuments::since(const Document &doc, qint64 base, QString *error)
{
    std::vector<Entry> out;
    const qint64 recentBase = doc.recent.empty() ? doc.revision : doc.recent.front().revision - 1;
    if (base < recentBase) {
        const std::optional<QList<StoredOperation>> stored
            = m_store->operations(doc.id, base, recentBase, error);
        if (!stored)
            return std::nullopt;
        if (qint64(stored->size()) != recentBase - base) {
            *error = QStringLiteral("notebook %1: operations %2 to %3 are missing")
                         .arg(doc.id)
                         .arg(base + 1)
                         .arg(recentBase);
            return std::nullopt;
        }
        for (const StoredOperation &s : *stored) {
            QString why;
            std::optional<TextOperation> op
                = TextOperation::fromJson(Protocol::parseJson(s.ops).array(), &why);
            if (!op) {
                *error = QStringLiteral("notebook %1: stored operation %2 is damaged (%3)")
                             .arg(doc.id)
                             .arg(s.revision)
                             .arg(why);
                return std::nullopt;
            }
            out.push_back(Entry { s.revision, std::move(*op), s.userId, s.opId });
        }
    }
    for (const Entry &e : doc.recent)
        if (e.revision > base)
            out.push_back(e);
    return out;
}

OpOutcome NotebookDocuments::apply(Document &doc, const Pending &push, OperationBatch &batch,
                                   qint64 now)
{
    if (push.base > doc.revision)
        return OpOutcome::refused("bad_revision",
                                  QStringLiteral("revision %1 is ahead of the notebook's %2")
                                      .arg(push.base)
                                      .arg(doc.revision));
    if (push.base < doc.historyStart) {
        // The operations it would be transformed against are no longer kept.
        OpOutcome o = OpOutcome::refused(
            "resync",
            QStringLiteral("revision %1 is older than the kept history (from %2)")
                .arg(push.base)
                .arg(doc.historyStart));
        o.revision = doc.revision;
        o.content = doc.content;
        return o;
    }
    QString error;
    if (!push.opId.isEmpty()) {
        // A resend after a lost acknowledgement (its first copy may lie before or after R:
        // a client may rebase it onto the revision it rejoined at) is answered, not applied.
        const qint64 stored = storedOpId(doc, push.userId, push.opId, &error);
        if (stored < 0) {
            qCWarning(lcCoediting) << error;
            return OpOutcome::refused("unavailable", error);
        }
        if (stored > 0) {
            OpOutcome o;
            o.kind = OpOutcome::Kind::Duplicate;
            o.revision = stored;
            return o;
        }
    }
    const std::optional<std::vector<Entry>> concurrent = since(doc, push.base, &error);
    if (!concurrent) {
        qCWarning(lcCoediting) << error;
        return OpOutcome::refused("unavailable", error);
    }
    TextOperation op = push.op;
    for (const Entry &e : *concurrent) {
        const auto pair = TextOperation::transform(op, e.op);
        if (!pair)
            return OpOutcome::refused(
                "bad_op",
                QStringLiteral("the operation's base length %1 is not the length of "
                               "the text at revision %2")
                    .arg(push.op.baseLength())
                    .arg(push.base));
        op = pair->first;
    }
    std::optional<QString> text = op.apply(doc.content, &error);
    if (!text)
        return OpOutcome::refused("bad_op", error);
    if (!withinBytes(*text, m_maxNotebookBytes))
        return OpOutcome::refused("too_large",
                                  QStringLiteral("the notebook would be larger than "
                                                 "[limits] max_notebook_bytes (%1)")
                                      .arg(m_maxNotebookBytes));

    const qint64 revision = doc.revision + 1;
    if (!batch.bases.contains(doc.id))
        batch.bases.insert(doc.id, doc.revision);
    doc.content = std::move(*text);
    doc.revision = revision;
    OpOutcome o;
    o.kind = OpOutcome::Kind::Applied;
    o.revision = revision;
    o.ops = op.toJson();
    batch.operations.append(
        { doc.id, StoredOperation { revision, push.userId, now, compactJson(o.ops), push.opId } });
    batch.heads.insert(doc.id, { revision, now });
    pushRecent(doc, Entry { revision, std::move(op), push.userId, push.opId });
    if (revision - doc.lastSnapshot >= m_options.snapshotInterval) {
        batch.snapshots.append({ doc.id, Snapshot { revision, doc.content } });
        doc.lastSnapshot = revision;
        // keep_operations: drop what lies before the newest snapshot that still leaves the
        // last keep_operations operations, so that the kept history starts at a snapshot.
        const qint64 floor = revision - m_options.keepOperations;
        if (floor > doc.historyStart) {
            const qint64 start = m_store->snapshotRevisionAtOrBefore(doc.id, floor, &error);
            if (start > doc.historyStart) {
                batch.trims.insert(doc.id, start);
                doc.historyStart = start;
            }
        }
    }
    return o;
}

void NotebookDocuments::commitPending()
{
    if (std::optional<Outcomes> outcomes = startGroup(); outcomes && onCommitted)
        onCommitted(*outcomes);
}

std::optional<NotebookDocuments::Outcomes> NotebookDocuments::startGroup()
{
    if (m_writing || m_pending.empty())
        return std::nullopt;
    Group group;
    group.pushes = std::exchange(m_pending, {});
    group.outcomes.reserve(group.pushes.size());
    OperationBatch batch;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Pending &push : group.pushes) {
        QString error;
        Document *doc = document(push.id, &error);
        if (!doc) {
            group.outcomes.emplace_back(push.ticket, OpOutcome::refused("not_found", error));
            continue;
        }
        if (group.checkpoints.find(push.id) == group.checkpoints.end())
            group.checkpoints.emplace(push.id,
                                      Checkpoint { doc->content, doc->revision, doc->historyStart,
                                                   doc->lastSnapshot, doc->recent.size() });
        group.outcomes.emplace_back(push.ticket, apply(*doc, push, batch, now));
    }
    m_writing = std::move(group);
    if (committedNotification)
        for (auto it = batch.heads.cbegin(); it != batch.heads.cend(); ++it)
            batch.notifications.append(committedNotification(it.key(), it.value().first));
    if (batch.operations.isEmpty()) {
        // Refusals and duplicates only: nothing to wait for.
        finishGroup(true, {});
        Outcomes outcomes = std::move(m_writing->outcomes);
        m_writing.reset();
        unloadUnused();
        return outcomes;
    }
    m_writer->write(std::move(batch), [this](const CommitWriter::Result &result) {
        if (!result.conflict.isEmpty() && ++m_conflicts <= kMaxConflicts) {
            retryGroup(result.conflict);
            return;
        }
        m_conflicts = 0;
        if (result.stored)
            m_store->database().noteWriteSucceeded();
        else if (result.failure)
            m_store->database().noteWriteFailed(*result.failure);
        finishGroup(result.stored, result.error);
        Outcomes outcomes = std::move(m_writing->outcomes);
        m_writing.reset();
        unloadUnused();
        // The next group goes to the writer before these are answered and broadcast, so
        // that its sync overlaps with the sending.
        const std::optional<Outcomes> next = startGroup();
        if (onCommitted) {
            onCommitted(outcomes);
            if (next)
                onCommitted(*next);
        }
        // Other processes' operations after this process's own of the same revisions' time.
        catchUpDeferred();
    });
    return std::nullopt;
}

void NotebookDocuments::retryGroup(const QStringList &movedOn)
{
    Group group = std::move(*m_writing);
    m_writing.reset();
    rollBack(group);
    qCDebug(lcCoediting) << "a group of" << group.pushes.size() << "operations met" << movedOn
                         << "moved on by another process: transformed again";
    // In front of what came meanwhile, in the order received.
    m_pending.insert(m_pending.begin(), std::make_move_iterator(group.pushes.begin()),
                     std::make_move_iterator(group.pushes.end()));
    for (const QString &id : movedOn)
        catchUp(id);
    catchUpDeferred();
    if (std::optional<Outcomes> outcomes = startGroup(); outcomes && onCommitted)
        onCommitted(*outcomes);
}

void NotebookDocuments::catchUpAll()
{
    for (const auto &[id, doc] : m_documents)
        m_behind.insert(id, 0);
    catchUpDeferred();
}

void NotebookDocuments::catchUpDeferred()
{
    const QHash<QString, qint64> behind = std::exchange(m_behind, {});
    for (auto it = behind.begin(); it != behind.end(); ++it)
        catchUp(it.key(), it.value());
}

void NotebookDocuments::catchUp(const QString &id, qint64 revision)
{
    const auto open = m_documents.find(id);
    if (open == m_documents.end())
        return; // not open here: its next load reads it all
    Document &doc = *open->second;
    if (revision > 0 && revision <= doc.durableRevision)
        return; // told of it late: it is here already
    if (m_writing && m_writing->checkpoints.count(id)) {
        // Its group either comes before (and this catch-up reads what follows it) or finds
        // the notebook moved on and catches up in retryGroup.
        qint64 &wanted = m_behind[id];
        wanted = revision == 0 || wanted == 0 ? 0 : std::max(wanted, revision);
        return;
    }
    QString error;
    qint64 head = revision;
    if (head == 0) {
        const std::optional<Notebook> notebook = m_store->find(id);
        if (!notebook) {
            // Deleted by another process (its `close` follows): the pushes still queued for
            // it are refused not_found, not retried against a row that is gone.
            m_documents.erase(open);
            return;
        }
        head = notebook->revision;
    }
    if (head <= doc.revision)
        return;
    const std::optional<QList<StoredOperation>> stored
        = m_store->operations(id, doc.revision, head, &error);
    if (!stored || qint64(stored->size()) != head - doc.revision) {
        // Trimmed by keep_operations before this process read them: it can only start
        // over, and its clients with it (their next push is answered resync).
        qCWarning(lcCoediting) << "notebook" << id << "cannot catch up from revision"
                               << doc.revision << "to" << head << error << "- reloaded";
        std::unique_ptr<Document> fresh = load(id, &error);
        if (fresh) {
            fresh->users = doc.users;
            open->second = std::move(fresh);
        }
        return;
    }
    std::vector<RemoteOperation> remote;
    remote.reserve(stored->size());
    std::optional<TextOperation> all;
    for (const StoredOperation &s : *stored) {
        QString why;
        const QJsonArray json = Protocol::parseJson(s.ops).array();
        std::optional<TextOperation> op = TextOperation::fromJson(json, &why);
        std::optional<QString> text = op ? op->apply(doc.content, &why) : std::nullopt;
        if (!text) {
            qCWarning(lcCoediting)
                << "notebook" << id << "stored operation" << s.revision << "does not apply:" << why;
            return;
        }
        doc.content = std::move(*text);
        doc.revision = s.revision;
        pushRecent(doc, Entry { s.revision, std::move(*op), s.userId, s.opId });
        remote.push_back(RemoteOperation { s.revision, json, s.userId });
    }
    doc.durableRevision = doc.revision;
    doc.durableContent = doc.content;
    // The other process took the snapshots and trimmed the history.
    const qint64 oldest = m_store->oldestSnapshotRevision(id, &error);
    if (oldest >= 0)
        doc.historyStart = oldest;
    const qint64 last = m_store->snapshotRevisionAtOrBefore(id, doc.revision, &error);
    if (last >= 0)
        doc.lastSnapshot = last;
    trimRecent(doc);
    if (onRemoteOperations)
        onRemoteOperations(id, remote);
}

void NotebookDocuments::finishGroup(bool stored, const QString &error)
{
    Group &group = *m_writing;
    if (!stored) {
        qCWarning(lcCoediting) << "storing a group of" << group.pushes.size()
                               << "operations failed:" << error;
        rollBack(group);
        for (size_t i = 0; i < group.outcomes.size(); ++i) {
            OpOutcome &o = group.outcomes[i].second;
            const auto saved = group.checkpoints.find(group.pushes[i].id);
            if (o.kind == OpOutcome::Kind::Applied
                || (o.kind == OpOutcome::Kind::Duplicate && saved != group.checkpoints.end()
                    && o.revision > saved->second.revision))
                o = OpOutcome::refused(
                    "unavailable",
                    QStringLiteral("the operation could not be stored: %1").arg(error));
        }
    }
    for (auto &[id, doc] : m_documents) {
        // Durable now (or rolled back to what was).
        doc->durableRevision = doc->revision;
        doc->durableContent = doc->content;
        trimRecent(*doc);
    }
}

void NotebookDocuments::rollBack(const Group &group)
{
    for (const auto &[id, saved] : group.checkpoints) {
        auto it = m_documents.find(id);
        if (it == m_documents.end())
            continue; // deleted meanwhile
        Document &doc = *it->second;
        doc.content = saved.content;
        doc.revision = saved.revision;
        doc.historyStart = saved.historyStart;
        doc.lastSnapshot = saved.lastSnapshot;
        while (doc.recent.size() > saved.recent) {
            const Entry &e = doc.recent.back();
            if (!e.opId.isEmpty())
                doc.recentOpIds.remove(opIdKey(e.userId, e.opId));
            doc.recent.pop_back();
        }
    }
}

void NotebookDocuments::trimRecent(Document &doc)
{
    while (!doc.recent.empty()
           && (qsizetype(doc.recent.size()) > kRecentOperations
               || doc.recent.front().revision <= doc.historyStart))
        popRecent(doc);
}

bool NotebookDocuments::waitForWrite(int timeoutMs)
{
    return !m_writing || m_writer->waitIdle(timeoutMs);
}

} // namespace Kyozo::Server
