#pragma once

#include "billing/appstoresigneddata.h"
#include "billing/entitlementtoken.h"
#include "billing/receiptclient.h"
#include "billing/subscription.h"
#include "http/httpconnection.h"
#include "http/httpmessage.h"
#include "serverconfig.h"
#include "storage/billingstore.h"

#include <QCoreApplication>
#include <QHash>
#include <QObject>

#include <deque>
#include <vector>

#include <functional>
#include <memory>

namespace Kyozo::Server {

// The plan a subscription gives under the config: its plan code when the config has that
// plan, else the plan of its price ([billing.prices]), else "free".
QString planOfSubscription(const BillingOptions &options, const Billing::Subscription &s);

// Billing behind the REST routes (SPEC §7, issue 20; docs/billing.md): Stripe's webhook, the
// caller's subscription status and history, and the licences it signs. Every webhook is
// verified, read and stored (with its audit row) before it is answered.
class BillingService
{
    Q_DECLARE_TR_FUNCTIONS(BillingService)
public:
    using Clock = std::function<qint64()>; // ms since the epoch
    BillingService(BillingOptions options, BillingStore *store, Clock clock = {});

    // Reads the signing keys (the config's files, or the database's own key).
    bool start(QString *error);

    HttpResponse stripeWebhook(const HttpRequest &request);
    HttpResponse appleWebhook(const HttpRequest &request);
    // The same, answered once the event is stored together with the others read in this
    // turn of the event loop: one commit (and one sync) for them all.
    void stripeWebhook(const HttpRequest &request, HttpRequestHandler::Reply reply);
    void appleWebhook(const HttpRequest &request, HttpRequestHandler::Reply reply);
    // StoreKit 2: the app hands over a purchase's signedTransactionInfo; or, legacy, its
    // receipt, which is answered once Apple's verifyReceipt has.
    HttpResponse appleValidate(const HttpRequest &request, const QString &userId);
    void appleValidate(const HttpRequest &request, const QString &userId,
                       HttpRequestHandler::Reply reply);
    HttpResponse subscriptionStatus(const QString &userId);
    HttpResponse history(const QString &userId);
    HttpResponse license(const QString &userId);
    HttpResponse keys() const;

    const QList<Billing::Ed25519Key> &signingKeys() const { return m_keys; }

    // Usage limits (docs/billing.md "Usage"): one metered operation of the user, counted when
    // the plan allows it. A plan's `OPERATION_per_month` is a quota of the calendar month
    // (UTC), `OPERATION_per_minute` a rate over the last 60 s; a plan without either key
    // meters nothing (the free plan of the bundled solo server).
    struct Charge
    {
        enum class Kind { Allowed, PaymentRequired, RateLimited, Unavailable };
        Kind kind = Kind::Allowed;
        qint64 retryAfterSeconds = 0; // RateLimited
        QString message;
        QString reason() const; // payment_required | rate_limited | unavailable
        int httpStatus() const; // 402 | 429 | 503
        HttpResponse response() const; // with Retry-After for 429
    };
    Charge charge(const QString &userId, const QString &operation);
    // Takes back the last charge of an operation that did not happen after all.
    void refund(const QString &userId, const QString &operation);
    static constexpr const char *kCellRuns = "cell_runs";
    static constexpr const char *kFileAnalyses = "file_analyses";

private:
    struct Entitlement
    {
        QString plan;
        Billing::SubscriptionState state = Billing::SubscriptionState::None;
        qint64 expiresAtMs = 0; // 0: none (the free plan)
        const Billing::Subscription *subscription = nullptr;
    };
    // The plan the user has now: the subscription granting access that lasts longest, else
    // the default free plan (with the newest subscription's state, so "expired" shows).
    Entitlement entitlement(const QList<Billing::Subscription> &subscriptions, qint64 nowMs) const;
    QString planOf(const Billing::Subscription &s) const;
    QJsonObject limitsOf(const QString &plan) const;
    HttpResponse refuse(BillingAuditRow audit, int status, const char *code, const QString &reason,
                        const QString &message);
    HttpResponse storageFailure(const QString &error) const;
    // A webhook read and verified: an answer now (a refusal, an ignored event), or a report
    // to store.
    struct Verdict
    {
        std::optional<HttpResponse> answer;
        Billing::SubscriptionReport report;
        BillingAuditRow audit;
        static Verdict now(HttpResponse response)
        {
            Verdict v;
            v.answer = std::move(response);
            return v;
        }
        static Verdict later(Billing::SubscriptionReport report, BillingAuditRow audit)
        {
            Verdict v;
            v.report = std::move(report);
            v.audit = std::move(audit);
            return v;
        }
    };
    Verdict readStripeWebhook(const HttpRequest &request);
    Verdict readAppleWebhook(const HttpRequest &request);
    Verdict readAppleV1Webhook(const QJsonObject &body, const HttpRequest &request,
                               BillingAuditRow audit);
    // Whether an Apple subscription without an appAccountToken may become the caller's.
    bool ownedByCallerOrNobody(const QString &subscriptionId, const QString &userId);
    HttpResponse receiptVerified(const Billing::ReceiptVerification &verification,
                                 BillingAuditRow audit);
    Verdict ignored(BillingAuditRow audit, const QString &reason); // recorded, answered 200
    void answerLater(const Verdict &verdict, HttpRequestHandler::Reply reply);
    void storeWaiting();
    HttpResponse answerFor(const Billing::SubscriptionReport &report,
                           const BillingAuditRow &row) const;
    // The report's plan: its price's under [billing.prices], else the plan it names.
    std::optional<QString> planFor(const Billing::SubscriptionReport &report) const;
    struct Waiting
    {
        Billing::SubscriptionReport report;
        BillingAuditRow audit;
        HttpRequestHandler::Reply reply;
    };
    std::vector<Waiting> m_waiting; // bounded by the connections, each awaiting one answer
    bool m_flushScheduled = false;
    static constexpr double kRefusalsPerSecond = 10;
    static constexpr double kRefusalBurst = 100;
    double m_refusalBudget = kRefusalBurst;
    qint64 m_refusalBudgetAt = 0;
    qint64 m_unrecordedRefusals = 0;
    qint64 m_unrecordedLoggedAt = 0;
    QObject m_context; // the queued flush dies with the service
    // Stores a verified report with its audit row and answers 200 with the outcome.
    HttpResponse store(Billing::SubscriptionReport report, const BillingAuditRow &audit);

    BillingOptions m_options;
    BillingStore *m_store;
    Clock m_clock;
    // Start times (ms) of each user's operations within the last minute, for the rates.
    QHash<QString, std::deque<qint64>> m_recent;
    QList<Billing::Ed25519Key> m_keys; // the first signs
    Billing::AppStoreVerifier m_apple;
    bool m_appleConfigured = false; // V2 notifications and StoreKit 2 transactions
    bool m_receiptsConfigured = false; // verifyReceipt and V1 notifications
    std::unique_ptr<ReceiptClient> m_receipts;
};

} // namespace Kyozo::Server
