// The subscription state machine (issue 20 item 1) and the reading of Stripe's events into
// it. Events are written by hand in the shape of Stripe's API reference
// (https://docs.stripe.com/api/events/types); the model-based part holds the promise that any
// delivery order with any duplicates ends where the in-order sequence ends.
#include "billing/stripeevents.h"
#include "billing/subscription.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>

using namespace Kyozo::Billing;
using S = SubscriptionState;

namespace {

QJsonObject stripeEvent(const QString &id, const QString &type, qint64 created,
                        const QJsonObject &object)
{
    return QJsonObject { { "id", id },          { "object", "event" },
                         { "type", type },      { "created", double(created) },
                         { "livemode", false }, { "data", QJsonObject { { "object", object } } } };
}

QJsonObject subscriptionObject(const QString &status, qint64 periodEnd, bool cancelAtEnd = false,
                               qint64 trialEnd = 0)
{
    QJsonObject price {
        { "id", "price_pro" }, { "object", "price" }, { "unit_amount", 1200 }, { "currency", "eur" }
    };
    return QJsonObject {
        { "id", "sub_1" },
        { "object", "subscription" },
        { "customer", "cus_1" },
        { "status", status },
        { "cancel_at_period_end", cancelAtEnd },
        { "cancel_at", QJsonValue::Null },
        { "discount", QJsonValue::Null },
        { "trial_end", trialEnd ? QJsonValue(double(trialEnd)) : QJsonValue(QJsonValue::Null) },
        { "metadata", QJsonObject { { "plan_code", "pro" } } },
        // API 2025-03-31.basil: the period is on the items.
        { "items",
          QJsonObject {
              { "data",
                QJsonArray { QJsonObject { { "id", "si_1" },
                                           { "price", price },
                                           { "current_period_end", double(periodEnd) } } } } } },
    };
}

QJsonObject invoiceObject(const QString &id, qint64 amount, qint64 periodEnd)
{
    return QJsonObject {
        { "id", id },
        { "object", "invoice" },
        { "customer", "cus_1" },
        { "subscription", "sub_1" },
        { "amount_paid", double(amount) },
        { "currency", "eur" },
        { "lines",
          QJsonObject {
              { "data",
                QJsonArray { QJsonObject {
                    { "period",
                      QJsonObject { { "start", 0 }, { "end", double(periodEnd) } } } } } } } },
    };
}

SubscriptionReport report(const QJsonObject &e)
{
    const StripeEventReading r = readStripeEvent(e);
    if (!r.report)
        qFatal("event %s gave no report: %s", qPrintable(r.eventId), qPrintable(r.ignoredReason));
    return *r.report;
}

} // namespace

class TestSubscription : public QObject
{
    Q_OBJECT
private slots:
    void aTrialBecomesActiveThenCanceledThenExpires()
    {
        Subscription s;
        const QJsonObject checkout { { "id", "cs_1" },
                                     { "object", "checkout.session" },
                                     { "mode", "subscription" },
                                     { "subscription", "sub_1" },
                                     { "customer", "cus_1" },
                                     { "client_reference_id", "user-7" },
                                     { "payment_status", "no_payment_required" } };
        const auto outcome
            = s.apply(report(stripeEvent("evt_c", "checkout.session.completed", 100, checkout)));
        QCOMPARE(outcome, Subscription::Outcome::Applied);
        QCOMPARE(s.userId(), QStringLiteral("user-7"));
        QCOMPARE(s.state(), S::None); // nothing paid, and the trial is the subscription's to say

        s.apply(report(stripeEvent("evt_1", "customer.subscription.created", 100,
                                   subscriptionObject("trialing", 200, false, 200))));
        QCOMPARE(s.state(), S::Trial);
        QCOMPARE(s.expiresAtMs(), 200000);
        QVERIFY(s.hadTrial());
        QCOMPARE(s.plan(), QStringLiteral("pro"));
        QCOMPARE(s.offer(), QStringLiteral("trial"));
        // The trial's invoice is paid at 0 in the same second: it does not make it active.
        s.apply(report(stripeEvent("evt_2", "invoice.paid", 100, invoiceObject("in_0", 0, 200))));
        QCOMPARE(s.state(), S::Trial);

        s.apply(report(stripeEvent("evt_3", "customer.subscription.updated", 200,
                                   subscriptionObject("active", 300))));
        s.apply(
            report(stripeEvent("evt_4", "invoice.paid", 200, invoiceObject("in_1", 1200, 300))));
        QCOMPARE(s.state(), S::Active);
        QCOMPARE(s.price(), (Money { 1200, QStringLiteral("EUR") }));
        QCOMPARE(s.expiresAtMs(), 300000);

        s.apply(report(stripeEvent("evt_5", "customer.subscription.updated", 250,
                                   subscriptionObject("active", 300, true))));
        QCOMPARE(s.state(), S::Canceled);
        QVERIFY(!s.autoRenew());
        QVERIFY(grantsAccess(s.effectiveState(299999)));
        QCOMPARE(s.effectiveState(299999), S::Canceled);
        QCOMPARE(s.effectiveState(300000), S::Expired);

        const QJsonObject ended { { "id", "sub_1" },
                                  { "customer", "cus_1" },
                                  { "status", "canceled" },
                                  { "ended_at", 300 } };
        s.apply(report(stripeEvent("evt_6", "customer.subscription.deleted", 300, ended)));
        QCOMPARE(s.state(), S::Expired);
    }

    void anOlderEventIsRecordedAndIgnored()
    {
        Subscription s;
        s.apply(report(stripeEvent("evt_b", "customer.subscription.updated", 200,
                                   subscriptionObject("past_due", 300))));
        QCOMPARE(s.state(), S::PastDue);
        const Subscription before = s;
        // The creation arrives late: everything it says was said since.
        const auto late = s.apply(report(stripeEvent("evt_a", "customer.subscription.created", 100,
                                                     subscriptionObject("active", 300))));
        QCOMPARE(late, Subscription::Outcome::Stale);
        // Only the bookkeeping of when it began moves back to the creation.
        QCOMPARE(s.firstEventAtMs(), 100000);
        QJsonObject got = s.toJson(), expected = before.toJson();
        got.remove("first_event_at_ms");
        expected.remove("first_event_at_ms");
        QCOMPARE(got, expected);
        // The same event twice changes nothing either.
        const auto again = s.apply(report(stripeEvent("evt_b", "customer.subscription.updated", 200,
                                                      subscriptionObject("past_due", 300))));
        QCOMPARE(again, Subscription::Outcome::Stale);
    }

    void withinOneSecondLaterStepsWin()
    {
        // Deleted and updated in the same second, delivered in either order.
        const auto updated = report(stripeEvent("evt_9", "customer.subscription.updated", 500,
                                                subscriptionObject("active", 900)));
        const auto deleted
            = report(stripeEvent("evt_1", "customer.subscription.deleted", 500,
                                 QJsonObject { { "id", "sub_1" }, { "status", "canceled" } }));
        Subscription a, b;
        a.apply(updated);
        a.apply(deleted);
        b.apply(deleted);
        b.apply(updated);
        QCOMPARE(a.state(), S::Expired);
        QVERIFY(a == b);
    }

    void refundsAndIgnoredEvents()
    {
        const StripeEventReading partial
            = readStripeEvent(stripeEvent("evt_r1", "charge.refunded", 10,
                                          QJsonObject { { "id", "ch_1" },
                                                        { "invoice", "in_1" },
                                                        { "refunded", false },
                                                        { "amount_refunded", 100 } }));
        QVERIFY(!partial.report);
        QCOMPARE(partial.ignoredReason, QStringLiteral("partial_refund"));
        const StripeEventReading full
            = readStripeEvent(stripeEvent("evt_r2", "charge.refunded", 10,
                                          QJsonObject { { "id", "ch_1" },
                                                        { "invoice", "in_1" },
                                                        { "customer", "cus_1" },
                                                        { "refunded", true } }));
        QVERIFY(full.report);
        QCOMPARE(full.report->state, S::Refunded);
        QCOMPARE(full.report->invoiceId, QStringLiteral("in_1"));
        QVERIFY(full.report->subscriptionId.isEmpty()); // the server finds it by the invoice

        const QJsonObject customer { { "id", "cus_1" } };
        QCOMPARE(
            readStripeEvent(stripeEvent("evt_x", "customer.created", 10, customer)).ignoredReason,
            QStringLiteral("unhandled_type"));
        const QJsonObject payment { { "id", "cs_1" }, { "mode", "payment" } };
        QCOMPARE(readStripeEvent(stripeEvent("evt_p", "checkout.session.completed", 10, payment))
                     .ignoredReason,
                 QStringLiteral("not_a_subscription_checkout"));
        QVERIFY(!readStripeEvent(QJsonObject { { "type", "invoice.paid" } }).error.isEmpty());

        // The invoice of API versions since 2025-03-31 names its subscription under parent.
        QJsonObject basil = invoiceObject("in_2", 500, 99);
        basil.remove("subscription");
        basil["parent"] = QJsonObject { { "subscription_details",
                                          QJsonObject { { "subscription", "sub_9" } } } };
        QCOMPARE(report(stripeEvent("evt_i", "invoice.paid", 10, basil)).subscriptionId,
                 QStringLiteral("sub_9"));
        QCOMPARE(report(stripeEvent("evt_f", "invoice.payment_failed", 10, basil)).state,
                 S::PastDue);
    }

    void anyOrderWithDuplicatesEndsAsInOrder()
    {
        const quint32 seed = 20261203;
        QRandomGenerator random(seed);
        const QList<S> states { S::Trial,        S::Active,   S::GracePeriod,
                                S::BillingRetry, S::PastDue,  S::Canceled,
                                S::Expired,      S::Refunded, S::Revoked };
        for (int round = 0; round < 300; ++round) {
            QList<SubscriptionReport> reports;
            const int n = 2 + int(random.bounded(30));
            for (int i = 0; i < n; ++i) {
                SubscriptionReport r;
                r.source = "stripe";
                r.subscriptionId = "sub_1";
                // Few distinct seconds, so that ties on time happen often.
                r.stamp = EventStamp { qint64(random.bounded(6)) * 1000, int(random.bounded(7)),
                                       QStringLiteral("evt_%1").arg(i) };
                if (random.bounded(2))
                    r.state = states[int(random.bounded(states.size()))];
                if (random.bounded(2))
                    r.expiresAtMs = qint64(random.bounded(100000));
                if (random.bounded(3) == 0)
                    r.plan = random.bounded(2) ? QStringLiteral("pro") : QStringLiteral("team");
                if (random.bounded(3) == 0)
                    r.autoRenew = random.bounded(2) == 1;
                if (random.bounded(3) == 0)
                    r.price
                        = Money { qint64(random.bounded(5000)), random.bounded(2) ? "EUR" : "JPY" };
                if (random.bounded(4) == 0)
                    r.userId = QStringLiteral("user-%1").arg(random.bounded(3));
                if (random.bounded(4) == 0)
                    r.offer = random.bounded(2) ? QStringLiteral("trial") : QString();
                reports.append(r);
            }
            QList<SubscriptionReport> inOrder = reports;
            std::stable_sort(inOrder.begin(), inOrder.end(),
                             [](const auto &a, const auto &b) { return a.stamp < b.stamp; });
            Subscription expected;
            for (const auto &r : inOrder)
                expected.apply(r);

            QList<SubscriptionReport> delivered = reports;
            for (int d = int(random.bounded(5)); d > 0; --d)
                delivered.append(reports[int(random.bounded(reports.size()))]);
            std::shuffle(delivered.begin(), delivered.end(), *QRandomGenerator::global());
            Subscription got;
            for (const auto &r : delivered)
                got.apply(r);
            QVERIFY2(got == expected,
                     qPrintable(QStringLiteral("seed %1 round %2").arg(seed).arg(round)));

            // And it survives the store's round trip.
            const std::optional<Subscription> back = Subscription::fromJson(got.toJson());
            QVERIFY(back);
            QVERIFY(*back == got);
        }
    }
};

QTEST_APPLESS_MAIN(TestSubscription)
#include "tst_subscription.moc"
