#pragma once

#include "billing/subscription.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace Kyozo::Server {

class Database;

// One row of the billing audit log (docs/billing.md "Audit log").
struct BillingAuditRow
{
    qint64 receivedAt = 0; // ms since the epoch
    QString source; // "stripe" | "apple"
    QString eventId; // empty when the event was refused before it could be read
    QString eventType;
    QString userId;
    QString subscriptionId;
    QString invoiceId;
    QString customerId;
    QString outcome; // accepted | duplicate | stale | ignored | refused
    QString reason; // why it was refused or ignored
    QString state; // the subscription's state after it, for accepted and stale events
    QByteArray bodySha256; // hex, of the body exactly as received
    bool retryLater = false; // not applied yet: answer so that the sender sends it again
};

// Subscriptions and the audit log. Every event is one transaction: its idempotency row, the
// subscription it changes and its audit row are stored together or not at all, before the
// webhook is answered (issue 20 item 2: an accepted event is never lost).
class BillingStore
{
public:
    explicit BillingStore(Database &db)
        : m_db(db)
    {
    }

    // Applies `report` (its subscription found by its invoice or customer when it names
    // none) and records it; `audit` carries what the caller knows (time, source, hash).
    // Returns the audit row as stored, or nothing on a storage error.
    std::optional<BillingAuditRow> apply(const Billing::SubscriptionReport &report,
                                         BillingAuditRow audit, QString *error);
    // Several at once, in order, in one transaction: all stored, or none (and an error).
    std::optional<QList<BillingAuditRow>>
    applyBatch(const QList<std::pair<Billing::SubscriptionReport, BillingAuditRow>> &events,
               QString *error);
    // An event refused or ignored before it reached a subscription.
    bool record(const BillingAuditRow &row, QString *error);

    std::optional<QList<Billing::Subscription>> subscriptionsOf(const QString &userId,
                                                                QString *error);
    // The user a subscription belongs to: empty when it is unknown or nobody's.
    std::optional<QString> ownerOf(const QString &source, const QString &subscriptionId,
                                   QString *error);
    std::optional<QList<BillingAuditRow>> history(const QString &userId, int limit, QString *error);
    // Every subscription (the operator's report).
    std::optional<QList<Billing::Subscription>> allSubscriptions(QString *error);

    // Counts one `operation` of the user in the period when fewer than `limit` were counted:
    // returns a value below `limit` when it was counted, `limit` when refused (nothing
    // counted), nothing on an error.
    std::optional<qint64> countIfBelow(const QString &userId, const QString &operation,
                                       qint64 periodStart, qint64 limit, QString *error);
    // Takes one back (an operation that was counted and then did not happen).
    bool uncount(const QString &userId, const QString &operation, qint64 periodStart,
                 QString *error);
    // Counts of the period, by operation.
    std::optional<QMap<QString, qint64>> usage(const QString &userId, qint64 periodStart,
                                               QString *error);

    // The licence signer's key kept in the database (PEM), made by `generate` on first use.
    std::optional<QByteArray> signingKey(const std::function<QByteArray()> &generate,
                                         QString *error);

private:
    std::optional<BillingAuditRow> applyOne(const Billing::SubscriptionReport &report,
                                            BillingAuditRow audit, QString *error);
    std::optional<QString> findSubscription(const Billing::SubscriptionReport &report,
                                            QString *error);
    std::optional<QList<Billing::Subscription>>
    subscriptionsWhere(const QString &where, const QVariantList &values, QString *error);
    std::optional<Billing::Subscription> load(const QString &source, const QString &id,
                                              QString *error);
    bool insertAudit(const BillingAuditRow &row, QString *error);
    // The hot path's statements, prepared once on this store's connection.
    QSqlQuery &prepared(const QString &sql);
    void finishStatements();
    Database &m_db;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_statements;
    std::unique_ptr<QSqlQuery> m_unprepared; // the last one that failed to prepare
    qint64 m_lastReceivedAt = 0;
};

} // namespace Kyozo::Server
