#include "billingreport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QMap>

namespace Kyozo::Server {

using namespace Billing;

QJsonObject billingReport(const QList<Subscription> &subscriptions,
                          const std::function<QString(const Subscription &)> &planOf, qint64 fromMs,
                          qint64 toMs)
{
    QMap<std::pair<QString, QString>, int> active; // (plan, state) -> count
    QMap<QString, qint64> mrr; // currency -> minor units
    int created = 0, churned = 0, refunded = 0, converted = 0;
    const auto inPeriod = [&](qint64 ms) { return ms >= fromMs && ms <= toMs; };
    for (const Subscription &s : subscriptions) {
        const SubscriptionState state = s.effectiveState(toMs);
        if (grantsAccess(state)) {
            active[{ planOf(s), stateName(state) }] += 1;
            // Monthly prices, as Kyozo's plans are sold; a trial pays nothing yet.
            if (state != SubscriptionState::Trial && !s.price().currency.isEmpty())
                mrr[s.price().currency] += s.price().amountMinor;
        }
        if (inPeriod(s.firstEventAtMs()))
            ++created;
        const bool changedInPeriod = inPeriod(s.stateChangedAtMs());
        const SubscriptionState recorded = s.state();
        if (changedInPeriod
            && (recorded == SubscriptionState::Expired || recorded == SubscriptionState::Refunded
                || recorded == SubscriptionState::Revoked))
            ++churned;
        if (changedInPeriod && recorded == SubscriptionState::Refunded)
            ++refunded;
        if (changedInPeriod && s.hadTrial() && grantsAccess(recorded)
            && recorded != SubscriptionState::Trial)
            ++converted;
    }
    QJsonArray byPlan;
    for (auto it = active.cbegin(); it != active.cend(); ++it)
        byPlan.append(QJsonObject { { QStringLiteral("plan"), it.key().first },
                                    { QStringLiteral("state"), it.key().second },
                                    { QStringLiteral("count"), it.value() } });
    QJsonObject mrrJson;
    for (auto it = mrr.cbegin(); it != mrr.cend(); ++it)
        mrrJson.insert(it.key(), double(it.value()));
    const auto day = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
    };
    return QJsonObject {
        { QStringLiteral("from"), day(fromMs) },
        { QStringLiteral("to"), day(toMs) },
        { QStringLiteral("active"), byPlan },
        { QStringLiteral("mrr"), mrrJson },
        { QStringLiteral("new"), created },
        { QStringLiteral("churned"), churned },
        { QStringLiteral("refunded"), refunded },
        { QStringLiteral("trial_conversions"), converted },
    };
}

} // namespace Kyozo::Server
