#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Kyozo::Billing {

// SPEC §7's subscription states. `Canceled` is auto-renew off and still active until expiry
// (Apple's and Stripe's `cancel_at_period_end`); a subscription that ended is `Expired`.
enum class SubscriptionState {
    None, // nothing known yet (a checkout without payment, an incomplete subscription)
    Trial,
    Active,
    GracePeriod, // Apple: renewal failed, access kept until the grace period ends
    BillingRetry, // Apple: renewal failed, no access while Apple retries; Stripe `unpaid`
    PastDue, // Stripe `past_due`: a payment failed, Stripe retries, access kept
    Canceled,
    Expired,
    Refunded,
    Revoked, // Apple: family sharing revoked, or the purchase revoked
};

QString stateName(SubscriptionState state);
std::optional<SubscriptionState> stateFromName(const QString &name);
// Whether the state gives the plan's rights (until the expiry: see effectiveState()).
bool grantsAccess(SubscriptionState state);

// A price in its own currency: ISO 4217 code (upper case) and an amount in the currency's
// minor units, as Apple (milli-units, converted by the Apple reader) and Stripe report it.
struct Money
{
    qint64 amountMinor = 0;
    QString currency;
    friend bool operator==(const Money &, const Money &) = default;
};

// An ISO 4217 currency code as Apple and Stripe write one (any case): three letters, given
// back in upper case; nothing for anything else.
std::optional<QString> currencyCode(const QString &text);

// Where an event stands among the others of one subscription: when it happened (Stripe's
// `created`, in seconds, times 1000; Apple's `signedDate` in ms), then the rank of its kind
// (events of one second arrive in any order: a deletion outranks an update, an update the
// creation), then its id, so that any two events are ordered the same way everywhere.
struct EventStamp
{
    qint64 occurredAtMs = -1; // -1: no event yet
    int rank = 0;
    QString eventId;
    friend bool operator==(const EventStamp &, const EventStamp &) = default;
    friend bool operator<(const EventStamp &a, const EventStamp &b)
    {
        if (a.occurredAtMs != b.occurredAtMs)
            return a.occurredAtMs < b.occurredAtMs;
        if (a.rank != b.rank)
            return a.rank < b.rank;
        return a.eventId < b.eventId;
    }
};

// What one receipt, notification or webhook says about a subscription. Fields it does not
// speak of are left empty and keep what earlier or later events said.
struct SubscriptionReport
{
    QString source; // "stripe" | "apple"
    QString eventType; // as the source names it, for the audit log
    EventStamp stamp;
    QString subscriptionId; // Stripe `sub_…`, Apple originalTransactionId
    QString invoiceId; // Stripe: links a charge's refund to its subscription
    QString customerId; // Stripe `cus_…`
    std::optional<QString>
        userId; // ours: Stripe client_reference_id/metadata, Apple appAccountToken
    std::optional<QString> plan; // a plan code of the config, when the event names one
    std::optional<QString>
        priceId; // Stripe price / Apple productId: mapped to a plan by the config
    std::optional<SubscriptionState> state;
    std::optional<qint64> expiresAtMs;
    std::optional<bool> autoRenew;
    std::optional<Money> price;
    std::optional<QString> offer; // "trial", "introductory" or "" (none), as reported
};

// One subscription's state, kept as last-writer-wins registers (one per field, each with the
// stamp of the event that set it). An event changes a field only when it is newer than the
// event that set it, so any order of delivery, with any duplicates, ends in the state of the
// in-order sequence; an event older than everything it speaks of changes nothing and is
// reported Stale (recorded and ignored, issue 20 item 1).
class Subscription
{
public:
    enum class Outcome { Applied, Stale };
    Outcome apply(const SubscriptionReport &report);

    QString subscriptionId() const { return m_subscriptionId; }
    QString source() const { return m_source; }
    QString userId() const { return m_userId.value; }
    QString customerId() const { return m_customerId.value; }
    QString plan() const { return m_plan.value; }
    QString priceId() const { return m_priceId.value; }
    SubscriptionState state() const { return m_state.value; }
    qint64 expiresAtMs() const { return m_expiresAtMs.value; } // 0: unknown
    bool autoRenew() const { return m_autoRenew.value; }
    Money price() const { return m_price.value; }
    QString offer() const { return m_offer.value; }
    bool hadTrial() const { return m_hadTrial; } // a trial was reported at some point
    EventStamp newest() const { return m_newest; }
    qint64 stateChangedAtMs() const { return m_state.stamp.occurredAtMs; } // -1: never
    qint64 firstEventAtMs() const { return m_firstEventAtMs; } // the oldest event's time; -1: none

    // The state at `nowMs`: a state that grants access past its expiry is Expired.
    SubscriptionState effectiveState(qint64 nowMs) const;

    // Every register with its stamp, to store and read back.
    QJsonObject toJson() const;
    static std::optional<Subscription> fromJson(const QJsonObject &json);

    friend bool operator==(const Subscription &, const Subscription &) = default;

private:
    template<typename T> struct Register
    {
        T value {};
        EventStamp stamp;
        friend bool operator==(const Register &, const Register &) = default;
        bool offer(const std::optional<T> &candidate, const EventStamp &at)
        {
            if (!candidate || !(stamp < at))
                return false;
            value = *candidate;
            stamp = at;
            return true;
        }
    };

    QString m_subscriptionId;
    QString m_source;
    Register<QString> m_userId;
    Register<QString> m_customerId;
    Register<QString> m_plan;
    Register<QString> m_priceId;
    Register<SubscriptionState> m_state { SubscriptionState::None, {} };
    Register<qint64> m_expiresAtMs;
    Register<bool> m_autoRenew;
    Register<Money> m_price;
    Register<QString> m_offer;
    bool m_hadTrial = false; // grows only (an OR): order-independent too
    qint64 m_firstEventAtMs = -1; // a minimum: order-independent too
    EventStamp m_newest;
};

} // namespace Kyozo::Billing
