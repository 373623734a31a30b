#include "billingstore.h"

#include "auth/tokenhash.h"
#include "database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QVariant>

namespace Kyozo::Server {

using Billing::Subscription;
using Billing::SubscriptionReport;

namespace {

    QVariant textOrNull(const QString &s)
    {
        return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
    }

    // Qt binds a null QString as SQL NULL; these columns hold '' for "not known yet".
    QString notNull(const QString &s)
    {
        return s.isNull() ? QStringLiteral("") : s;
    }

} // namespace

QSqlQuery &BillingStore::prepared(const QString &sql)
{
    // Parsing a statement was a fifth of a webhook's CPU (bench/billing): each is parsed once.
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto query = std::make_unique<QSqlQuery>(m_db.connection());
        // A statement that did not prepare (a lost connection) is not kept: its exec fails
        // with the driver's error now, and the next use prepares it again.
        if (!query->prepare(sql)) {
            m_unprepared = std::move(query);
            return *m_unprepared;
        }
        it = m_statements.emplace(sql, std::move(query)).first;
    }
    return *it->second;
}

void BillingStore::finishStatements()
{
    // A SELECT left unfinished keeps SQLite's read snapshot, which holds back WAL checkpoints.
    for (auto &[sql, query] : m_statements)
        query->finish();
}

bool BillingStore::insertAudit(const BillingAuditRow &r, QString *error)
{
    // The log's order is received_at's: rows of one millisecond are made a millisecond apart.
    const qint64 receivedAt = std::max(r.receivedAt, m_lastReceivedAt + 1);
    QSqlQuery *q = nullptr;
    q = &prepared(QStringLiteral(
        "INSERT INTO billing_events (id, received_at, source, event_id, event_type, user_id, "
        "subscription_id, invoice_id, customer_id, outcome, reason, state, body_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q->addBindValue(newId());
    q->addBindValue(receivedAt);
    q->addBindValue(r.source);
    q->addBindValue(textOrNull(r.eventId));
    q->addBindValue(textOrNull(r.eventType));
    q->addBindValue(textOrNull(r.userId));
    q->addBindValue(textOrNull(r.subscriptionId));
    q->addBindValue(textOrNull(r.invoiceId));
    q->addBindValue(textOrNull(r.customerId));
    q->addBindValue(r.outcome);
    q->addBindValue(textOrNull(r.reason));
    q->addBindValue(textOrNull(r.state));
    q->addBindValue(QString::fromLatin1(r.bodySha256));
    if (!executeWrite(m_db, *q, error))
        return false;
    m_lastReceivedAt = receivedAt;
    return true;
}

bool BillingStore::record(const BillingAuditRow &row, QString *error)
{
    const auto done = qScopeGuard([this] { finishStatements(); });
    return insertAudit(row, error);
}

std::optional<QString> BillingStore::findSubscription(const SubscriptionReport &report,
                                                      QString *error)
{
    if (!report.subscriptionId.isEmpty())
        return report.subscriptionId;
    QSqlQuery *q = nullptr;
    // A refund names its charge's invoice; the invoice's own events named the subscription.
    if (!report.invoiceId.isEmpty()) {
        q = &prepared(QStringLiteral("SELECT subscription_id FROM billing_events WHERE source = ? "
                                     "AND invoice_id = ? AND subscription_id IS NOT NULL LIMIT 1"));
        q->addBindValue(report.source);
        q->addBindValue(report.invoiceId);
        if (!execute(*q, error))
            return std::nullopt;
        if (q->next())
            return q->value(0).toString();
    }
    // Else the customer's subscription, when there is exactly one.
    if (!report.customerId.isEmpty()) {
        q = &prepared(QStringLiteral("SELECT subscription_id FROM billing_subscriptions WHERE "
                                     "source = ? AND customer_id = ? LIMIT 2"));
        q->addBindValue(report.source);
        q->addBindValue(report.customerId);
        if (!execute(*q, error))
            return std::nullopt;
        QStringList ids;
        while (q->next())
            ids.append(q->value(0).toString());
        if (ids.size() == 1)
            return ids.first();
    }
    return QString();
}

std::optional<QString> BillingStore::ownerOf(const QString &source, const QString &subscriptionId,
                                             QString *error)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "SELECT user_id FROM billing_subscriptions WHERE source = ? AND subscription_id = ?"));
    q.addBindValue(source);
    q.addBindValue(subscriptionId);
    if (!execute(q, error))
        return std::nullopt;
    const QString owner = q.next() ? q.value(0).toString() : QString();
    q.finish();
    return owner;
}

std::optional<Subscription> BillingStore::load(const QString &source, const QString &id,
                                               QString *error)
{
    QSqlQuery *q = nullptr;
    // Read to be rewritten: on PostgreSQL the row is locked until the commit, so that two
    // servers applying events to one subscription take turns instead of losing one.
    q = &prepared(QStringLiteral("SELECT registers FROM billing_subscriptions WHERE source = ? AND "
                                 "subscription_id = ?")
                  + (m_db.isPostgres() ? QStringLiteral(" FOR UPDATE") : QString()));
    q->addBindValue(source);
    q->addBindValue(id);
    if (!execute(*q, error))
        return std::nullopt;
    if (!q->next())
        return Subscription();
    const std::optional<Subscription> s
        = Subscription::fromJson(QJsonDocument::fromJson(q->value(0).toByteArray()).object());
    if (!s)
        *error = QStringLiteral("subscription %1 has unreadable registers").arg(id);
    return s;
}

std::optional<BillingAuditRow> BillingStore::applyOne(const SubscriptionReport &report,
                                                      BillingAuditRow audit, QString *error)
{
    audit.eventId = report.stamp.eventId;
    audit.eventType = report.eventType;
    audit.invoiceId = report.invoiceId;
    audit.customerId = report.customerId;

    QSqlQuery *q = nullptr;
    q = &prepared(
        QStringLiteral("SELECT 1 FROM billing_processed_events WHERE source = ? AND event_id = ?"));
    q->addBindValue(report.source);
    q->addBindValue(report.stamp.eventId);
    if (!execute(*q, error))
        return std::nullopt;
    if (q->next()) {
        // Whose it was, as the first delivery found.
        q = &prepared(QStringLiteral("SELECT user_id, subscription_id, state FROM billing_events "
                                     "WHERE source = ? AND event_id = ? AND outcome <> 'duplicate' "
                                     "AND outcome <> 'refused' ORDER BY received_at LIMIT 1"));
        q->addBindValue(report.source);
        q->addBindValue(report.stamp.eventId);
        if (!execute(*q, error))
            return std::nullopt;
        if (q->next()) {
            audit.userId = q->value(0).toString();
            audit.subscriptionId = q->value(1).toString();
            audit.state = q->value(2).toString();
        }
        audit.outcome = QStringLiteral("duplicate");
        if (!insertAudit(audit, error))
            return std::nullopt;
        return audit;
    }
    q = &prepared(QStringLiteral(
        "INSERT INTO billing_processed_events (source, event_id, received_at) VALUES (?, ?, ?)"));
    q->addBindValue(report.source);
    q->addBindValue(report.stamp.eventId);
    q->addBindValue(audit.receivedAt);
    if (!executeWrite(m_db, *q, error))
        return std::nullopt;

    const std::optional<QString> id = findSubscription(report, error);
    if (!id)
        return std::nullopt;
    if (id->isEmpty()) {
        audit.reason = QStringLiteral("unknown_subscription");
        if (!report.invoiceId.isEmpty()) {
            // A refund of an invoice not heard of yet (its own event failed or is late):
            // not taken as done, so that the sender's retry finds the invoice by then.
            q = &prepared(QStringLiteral(
                "DELETE FROM billing_processed_events WHERE source = ? AND event_id = ?"));
            q->addBindValue(report.source);
            q->addBindValue(report.stamp.eventId);
            if (!executeWrite(m_db, *q, error))
                return std::nullopt;
            audit.outcome = QStringLiteral("refused");
            audit.retryLater = true;
        } else {
            audit.outcome = QStringLiteral("ignored"); // a charge of no subscription
        }
        if (!insertAudit(audit, error))
            return std::nullopt;
        return audit;
    }
    SubscriptionReport resolved = report;
    resolved.subscriptionId = *id;
    std::optional<Subscription> s = load(report.source, *id, error);
    if (!s)
        return std::nullopt;
    const Subscription::Outcome outcome = s->apply(resolved);

    // Our user: the subscription's own, else another subscription of the same customer's.
    QString userId = s->userId();
    if (userId.isEmpty() && !s->customerId().isEmpty()) {
        q = &prepared(
            QStringLiteral("SELECT user_id FROM billing_subscriptions WHERE source = ? AND "
                           "customer_id = ? AND user_id <> '' LIMIT 1"));
        q->addBindValue(report.source);
        q->addBindValue(s->customerId());
        if (!execute(*q, error))
            return std::nullopt;
        if (q->next())
            userId = q->value(0).toString();
    }
    q = &prepared(QStringLiteral(
        "INSERT INTO billing_subscriptions (source, subscription_id, user_id, customer_id, plan, "
        "state, expires_at, registers, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source, subscription_id) DO UPDATE SET user_id = excluded.user_id, "
        "customer_id = excluded.customer_id, plan = excluded.plan, state = excluded.state, "
        "expires_at = excluded.expires_at, registers = excluded.registers, "
        "updated_at = excluded.updated_at"));
    q->addBindValue(report.source);
    q->addBindValue(*id);
    q->addBindValue(notNull(userId));
    q->addBindValue(notNull(s->customerId()));
    q->addBindValue(notNull(s->plan()));
    q->addBindValue(Billing::stateName(s->state()));
    q->addBindValue(s->expiresAtMs());
    q->addBindValue(QString::fromUtf8(QJsonDocument(s->toJson()).toJson(QJsonDocument::Compact)));
    q->addBindValue(audit.receivedAt);
    if (!executeWrite(m_db, *q, error))
        return std::nullopt;

    audit.subscriptionId = *id;
    audit.userId = userId;
    audit.state = Billing::stateName(s->state());
    audit.outcome = outcome == Subscription::Outcome::Applied ? QStringLiteral("accepted")
                                                              : QStringLiteral("stale");
    if (outcome == Subscription::Outcome::Stale)
        audit.reason = QStringLiteral("older_than_state");
    if (!insertAudit(audit, error))
        return std::nullopt;
    return audit;
}

std::optional<BillingAuditRow> BillingStore::apply(const SubscriptionReport &report,
                                                   BillingAuditRow audit, QString *error)
{
    const std::optional<QList<BillingAuditRow>> rows = applyBatch({ { report, audit } }, error);
    if (!rows)
        return std::nullopt;
    return rows->first();
}

std::optional<QList<BillingAuditRow>>
BillingStore::applyBatch(const QList<std::pair<SubscriptionReport, BillingAuditRow>> &events,
                         QString *error)
{
    const auto done = qScopeGuard([this] { finishStatements(); });
    // One commit for them all (group commit): a sync per batch, not per event.
    Transaction transaction(m_db, Transaction::Intent::Writing);
    if (!transaction.begun()) {
        transaction.commit(error);
        return std::nullopt;
    }
    QList<BillingAuditRow> rows;
    for (const auto &[report, audit] : events) {
        const std::optional<BillingAuditRow> row = applyOne(report, audit, error);
        if (!row)
            return std::nullopt;
        rows.append(*row);
    }
    if (!transaction.commit(error))
        return std::nullopt;
    return rows;
}

std::optional<QList<Subscription>> BillingStore::subscriptionsOf(const QString &userId,
                                                                 QString *error)
{
    return subscriptionsWhere(QStringLiteral("WHERE user_id = ?"), { userId }, error);
}

std::optional<QList<Subscription>> BillingStore::allSubscriptions(QString *error)
{
    return subscriptionsWhere({}, {}, error);
}

std::optional<QList<Subscription>>
BillingStore::subscriptionsWhere(const QString &where, const QVariantList &values, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT registers FROM billing_subscriptions ") + where
              + QStringLiteral(" ORDER BY source, subscription_id"));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!execute(q, error))
        return std::nullopt;
    QList<Subscription> out;
    while (q.next())
        if (auto s
            = Subscription::fromJson(QJsonDocument::fromJson(q.value(0).toByteArray()).object()))
            out.append(*s);
    return out;
}

std::optional<QList<BillingAuditRow>> BillingStore::history(const QString &userId, int limit,
                                                            QString *error)
{
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT received_at, source, event_id, event_type, subscription_id, outcome, reason, "
        "state FROM billing_events WHERE user_id = ? ORDER BY received_at DESC, id LIMIT ?"));
    q.addBindValue(userId);
    q.addBindValue(limit);
    if (!execute(q, error))
        return std::nullopt;
    QList<BillingAuditRow> out;
    while (q.next()) {
        BillingAuditRow r;
        r.receivedAt = q.value(0).toLongLong();
        r.source = q.value(1).toString();
        r.eventId = q.value(2).toString();
        r.eventType = q.value(3).toString();
        r.subscriptionId = q.value(4).toString();
        r.outcome = q.value(5).toString();
        r.reason = q.value(6).toString();
        r.state = q.value(7).toString();
        r.userId = userId;
        out.append(r);
    }
    return out;
}

std::optional<qint64> BillingStore::countIfBelow(const QString &userId, const QString &operation,
                                                 qint64 periodStart, qint64 limit, QString *error)
{
    if (limit <= 0)
        return limit;
    // One statement that counts only below the limit: servers sharing a PostgreSQL cannot
    // both take the last one (a read, then a write, could).
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral(
        "INSERT INTO usage_counters (user_id, operation, period_start, used) VALUES (?, ?, ?, 1) "
        "ON CONFLICT (user_id, operation, period_start) DO UPDATE SET used = usage_counters.used "
        "+ 1 WHERE usage_counters.used < ?"));
    q.addBindValue(userId);
    q.addBindValue(operation);
    q.addBindValue(periodStart);
    q.addBindValue(limit);
    if (!executeWrite(m_db, q, error))
        return std::nullopt;
    return q.numRowsAffected() == 1 ? limit - 1 : limit;
}

bool BillingStore::uncount(const QString &userId, const QString &operation, qint64 periodStart,
                           QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("UPDATE usage_counters SET used = used - 1 WHERE user_id = ? AND "
                             "operation = ? AND period_start = ? AND used > 0"));
    q.addBindValue(userId);
    q.addBindValue(operation);
    q.addBindValue(periodStart);
    return executeWrite(m_db, q, error);
}

std::optional<QMap<QString, qint64>> BillingStore::usage(const QString &userId, qint64 periodStart,
                                                         QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral(
        "SELECT operation, used FROM usage_counters WHERE user_id = ? AND period_start = ?"));
    q.addBindValue(userId);
    q.addBindValue(periodStart);
    if (!execute(q, error))
        return std::nullopt;
    QMap<QString, qint64> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toLongLong());
    return out;
}

std::optional<QByteArray> BillingStore::signingKey(const std::function<QByteArray()> &generate,
                                                   QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral(
        "SELECT private_pem FROM billing_signing_keys ORDER BY created_at, id LIMIT 1"));
    if (!execute(q, error))
        return std::nullopt;
    if (q.next())
        return q.value(0).toString().toLatin1();
    const QByteArray pem = generate();
    q.prepare(QStringLiteral(
        "INSERT INTO billing_signing_keys (id, private_pem, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(newId());
    q.addBindValue(QString::fromLatin1(pem));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!executeWrite(m_db, q, error))
        return std::nullopt;
    // Two servers sharing one PostgreSQL may both have made one: the oldest is everyone's.
    q.prepare(QStringLiteral(
        "SELECT private_pem FROM billing_signing_keys ORDER BY created_at, id LIMIT 1"));
    if (!execute(q, error) || !q.next())
        return std::nullopt;
    return q.value(0).toString().toLatin1();
}

} // namespace Kyozo::Server
