#pragma once

#include "subscription.h"

#include <QJsonObject>

namespace Kyozo::Billing {

// A Stripe event (https://docs.stripe.com/api/events/object) read into what it says about a
// subscription. Handled: checkout.session.completed, customer.subscription.created|updated|
// deleted, invoice.paid, invoice.payment_failed, charge.refunded (docs/billing.md lists what
// each sets). Both shapes of the API are read: `current_period_end` and `invoice.subscription`
// at the top (before 2025-03-31.basil) and on the items / under `parent` (since).
struct StripeEventReading
{
    QString eventId;
    QString type;
    bool livemode = false;
    std::optional<SubscriptionReport> report; // empty: not a subscription's event
    QString ignoredReason; // why there is no report ("unhandled_type", "partial_refund", …)
    QString error; // not an event at all (no id, type or created)
};

StripeEventReading readStripeEvent(const QJsonObject &event);

} // namespace Kyozo::Billing
