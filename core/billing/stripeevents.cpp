#include "stripeevents.h"
#include "protocol/json.h"

#include <QJsonArray>

namespace Kyozo::Billing {

namespace {

    QJsonValue at(const QJsonObject &o, const char *key)
    {
        return o.value(QLatin1String(key));
    }

    // An id field: a string, or an expanded object with its own `id`.
    QString idOf(const QJsonValue &v)
    {
        if (v.isString())
            return v.toString();
        return v.toObject().value(QLatin1String("id")).toString();
    }

    std::optional<QString> nonEmpty(const QJsonValue &v)
    {
        if (v.isString() && !v.toString().isEmpty())
            return v.toString();
        return std::nullopt;
    }

    std::optional<qint64> secondsToMs(const QJsonValue &v)
    {
        // At most 2^53 seconds: times 1000 it still fits.
        const std::optional<qint64> seconds = Protocol::jsonInt64(v);
        if (!seconds || *seconds <= 0)
            return std::nullopt;
        return *seconds * 1000;
    }

    // ISO 4217: three letters; Stripe writes them in lower case.
    std::optional<Money> money(const QJsonValue &amount, const QJsonValue &currency)
    {
        const std::optional<QString> code = currencyCode(currency.toString());
        const std::optional<qint64> minorUnits = Protocol::jsonInt64(amount);
        if (!minorUnits || !code)
            return std::nullopt;
        return Money { *minorUnits, *code };
    }

    QJsonObject firstItem(const QJsonObject &subscription)
    {
        return at(at(subscription, "items").toObject(), "data").toArray().at(0).toObject();
    }

    // Stripe's subscription status (https://docs.stripe.com/billing/subscriptions/overview
    // #subscription-statuses) in SPEC §7's states. Ours `canceled` is Stripe's "active with
    // cancel_at_period_end"; Stripe's `canceled` has ended: expired.
    std::optional<SubscriptionState> stateOfStripeStatus(const QString &status, bool cancelAtEnd)
    {
        if (status == QLatin1String("trialing"))
            return cancelAtEnd ? SubscriptionState::Canceled : SubscriptionState::Trial;
        if (status == QLatin1String("active"))
            return cancelAtEnd ? SubscriptionState::Canceled : SubscriptionState::Active;
        if (status == QLatin1String("past_due"))
            return SubscriptionState::PastDue;
        if (status == QLatin1String("unpaid"))
            return SubscriptionState::BillingRetry;
        if (status == QLatin1String("canceled") || status == QLatin1String("incomplete_expired")
            || status == QLatin1String("paused"))
            return SubscriptionState::Expired;
        return std::nullopt; // incomplete: nothing paid yet
    }

    // Within one second, later steps of a subscription's life outrank earlier ones.
    enum Rank {
        RankCheckout = 0,
        RankCreated = 1,
        RankInvoicePaid = 2,
        RankUpdated = 3,
        RankPaymentFailed = 4,
        RankDeleted = 5,
        RankRefunded = 6,
    };

    void readSubscription(const QJsonObject &o, SubscriptionReport *r)
    {
        r->subscriptionId = at(o, "id").toString();
        r->customerId = idOf(at(o, "customer"));
        const QJsonObject metadata = at(o, "metadata").toObject();
        r->userId = nonEmpty(at(metadata, "user_id"));
        r->plan = nonEmpty(at(metadata, "plan_code"));
        const bool cancelAtEnd
            = at(o, "cancel_at_period_end").toBool() || at(o, "cancel_at").isDouble();
        r->state = stateOfStripeStatus(at(o, "status").toString(), cancelAtEnd);
        r->autoRenew = !cancelAtEnd;
        const QJsonObject item = firstItem(o);
        std::optional<qint64> end = secondsToMs(at(o, "current_period_end"));
        if (!end)
            end = secondsToMs(at(item, "current_period_end"));
        if (at(o, "status") == QLatin1String("trialing") && secondsToMs(at(o, "trial_end")))
            end = secondsToMs(at(o, "trial_end"));
        r->expiresAtMs = end;
        const QJsonObject price = at(item, "price").toObject();
        r->priceId = nonEmpty(at(price, "id"));
        r->price = money(at(price, "unit_amount"), at(price, "currency"));
        const bool discounted = !at(o, "discount").isNull() && !at(o, "discount").isUndefined();
        const bool discounts = !at(o, "discounts").toArray().isEmpty();
        r->offer = at(o, "status") == QLatin1String("trialing")
            ? QStringLiteral("trial")
            : (discounted || discounts ? QStringLiteral("introductory") : QString());
    }

    QString invoiceSubscription(const QJsonObject &invoice)
    {
        const QString old = idOf(at(invoice, "subscription"));
        if (!old.isEmpty())
            return old;
        return idOf(at(at(at(invoice, "parent").toObject(), "subscription_details").toObject(),
                       "subscription"));
    }

} // namespace

StripeEventReading readStripeEvent(const QJsonObject &event)
{
    StripeEventReading out;
    out.eventId = at(event, "id").toString();
    out.type = at(event, "type").toString();
    out.livemode = at(event, "livemode").toBool();
    const std::optional<qint64> created = secondsToMs(at(event, "created"));
    const QJsonObject o = at(at(event, "data").toObject(), "object").toObject();
    if (out.eventId.isEmpty() || out.type.isEmpty() || !created || o.isEmpty()) {
        out.error
            = QStringLiteral("not a Stripe event: id, type, created and data.object are required");
        return out;
    }
    SubscriptionReport r;
    r.source = QStringLiteral("stripe");
    r.eventType = out.type;
    r.stamp = EventStamp { *created, 0, out.eventId };

    if (out.type == QLatin1String("checkout.session.completed")) {
        if (at(o, "mode") != QLatin1String("subscription")) {
            out.ignoredReason = QStringLiteral("not_a_subscription_checkout");
            return out;
        }
        r.stamp.rank = RankCheckout;
        r.subscriptionId = idOf(at(o, "subscription"));
        r.customerId = idOf(at(o, "customer"));
        // Stripe's own place for "your user" on a Checkout Session.
        r.userId = nonEmpty(at(o, "client_reference_id"));
        if (!r.userId)
            r.userId = nonEmpty(at(at(o, "metadata").toObject(), "user_id"));
        r.plan = nonEmpty(at(at(o, "metadata").toObject(), "plan_code"));
        if (at(o, "payment_status") == QLatin1String("paid"))
            r.state = SubscriptionState::Active;
    } else if (out.type == QLatin1String("customer.subscription.created")
               || out.type == QLatin1String("customer.subscription.updated")) {
        r.stamp.rank = out.type.endsWith(QLatin1String("created")) ? RankCreated : RankUpdated;
        readSubscription(o, &r);
    } else if (out.type == QLatin1String("customer.subscription.deleted")) {
        r.stamp.rank = RankDeleted;
        r.subscriptionId = at(o, "id").toString();
        r.customerId = idOf(at(o, "customer"));
        r.state = SubscriptionState::Expired;
        r.autoRenew = false;
        r.expiresAtMs = secondsToMs(at(o, "ended_at"));
    } else if (out.type == QLatin1String("invoice.paid")
               || out.type == QLatin1String("invoice.payment_failed")) {
        r.subscriptionId = invoiceSubscription(o);
        if (r.subscriptionId.isEmpty()) {
            out.ignoredReason = QStringLiteral("not_a_subscription_invoice");
            return out;
        }
        r.invoiceId = at(o, "id").toString();
        r.customerId = idOf(at(o, "customer"));
        if (out.type == QLatin1String("invoice.payment_failed")) {
            r.stamp.rank = RankPaymentFailed;
            r.state = SubscriptionState::PastDue;
        } else {
            r.stamp.rank = RankInvoicePaid;
            // A trial's first invoice is paid at 0: it starts nothing but the trial, which
            // the subscription's own event reports.
            const std::optional<Money> paid = money(at(o, "amount_paid"), at(o, "currency"));
            if (paid && paid->amountMinor > 0) {
                r.state = SubscriptionState::Active;
                qint64 end = 0;
                for (const QJsonValue &line : at(at(o, "lines").toObject(), "data").toArray())
                    end = std::max(end,
                                   secondsToMs(at(at(line.toObject(), "period").toObject(), "end"))
                                       .value_or(0));
                if (end > 0)
                    r.expiresAtMs = end;
            }
        }
    } else if (out.type == QLatin1String("charge.refunded")) {
        // Sent for partial refunds too; only a charge refunded in full ends the subscription.
        if (!at(o, "refunded").toBool()) {
            out.ignoredReason = QStringLiteral("partial_refund");
            return out;
        }
        r.stamp.rank = RankRefunded;
        r.invoiceId = idOf(at(o, "invoice"));
        r.customerId = idOf(at(o, "customer"));
        r.state = SubscriptionState::Refunded;
        r.autoRenew = false;
    } else {
        out.ignoredReason = QStringLiteral("unhandled_type");
        return out;
    }
    if (r.subscriptionId.isEmpty() && r.invoiceId.isEmpty() && r.customerId.isEmpty()) {
        out.ignoredReason = QStringLiteral("no_subscription");
        return out;
    }
    out.report = r;
    return out;
}

} // namespace Kyozo::Billing
