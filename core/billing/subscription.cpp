#include "subscription.h"
#include "protocol/json.h"

#include <QJsonArray>

#include <array>
#include <utility>

namespace Kyozo::Billing {

namespace {

    constexpr std::array<std::pair<SubscriptionState, const char *>, 10> kStateNames { {
        { SubscriptionState::None, "none" },
        { SubscriptionState::Trial, "trial" },
        { SubscriptionState::Active, "active" },
        { SubscriptionState::GracePeriod, "grace_period" },
        { SubscriptionState::BillingRetry, "billing_retry" },
        { SubscriptionState::PastDue, "past_due" },
        { SubscriptionState::Canceled, "canceled" },
        { SubscriptionState::Expired, "expired" },
        { SubscriptionState::Refunded, "refunded" },
        { SubscriptionState::Revoked, "revoked" },
    } };

    QJsonArray stampJson(const EventStamp &s)
    {
        return QJsonArray { double(s.occurredAtMs), s.rank, s.eventId };
    }

    EventStamp stampFrom(const QJsonValue &v)
    {
        const QJsonArray a = v.toArray();
        return EventStamp { qint64(a.at(0).toDouble(-1)), a.at(1).toInt(), a.at(2).toString() };
    }

} // namespace

QString stateName(SubscriptionState state)
{
    for (const auto &[s, name] : kStateNames)
        if (s == state)
            return QString::fromLatin1(name);
    return {};
}

std::optional<SubscriptionState> stateFromName(const QString &name)
{
    for (const auto &[s, n] : kStateNames)
        if (name == QLatin1String(n))
            return s;
    return std::nullopt;
}

std::optional<QString> currencyCode(const QString &text)
{
    const QString code = text.toUpper();
    if (code.size() != 3)
        return std::nullopt;
    for (const QChar c : code)
        if (c < QLatin1Char('A') || c > QLatin1Char('Z'))
            return std::nullopt;
    return code;
}

bool grantsAccess(SubscriptionState state)
{
    switch (state) {
    case SubscriptionState::Trial:
    case SubscriptionState::Active:
    case SubscriptionState::GracePeriod:
    case SubscriptionState::PastDue:
    case SubscriptionState::Canceled:
        return true;
    default:
        return false;
    }
}

Subscription::Outcome Subscription::apply(const SubscriptionReport &r)
{
    if (m_subscriptionId.isEmpty()) {
        m_subscriptionId = r.subscriptionId;
        m_source = r.source;
    }
    const EventStamp &at = r.stamp;
    // Every register is offered the event, none short-circuits the others.
    bool changed = false;
    changed |= m_userId.offer(r.userId, at);
    changed |= m_customerId.offer(
        r.customerId.isEmpty() ? std::nullopt : std::optional<QString>(r.customerId), at);
    changed |= m_plan.offer(r.plan, at);
    changed |= m_priceId.offer(r.priceId, at);
    changed |= m_state.offer(r.state, at);
    changed |= m_expiresAtMs.offer(r.expiresAtMs, at);
    changed |= m_autoRenew.offer(r.autoRenew, at);
    changed |= m_price.offer(r.price, at);
    changed |= m_offer.offer(r.offer, at);
    if (r.state == SubscriptionState::Trial || r.offer == QLatin1String("trial"))
        m_hadTrial = true;
    if (m_newest < at)
        m_newest = at;
    if (at.occurredAtMs >= 0 && (m_firstEventAtMs < 0 || at.occurredAtMs < m_firstEventAtMs))
        m_firstEventAtMs = at.occurredAtMs;
    return changed ? Outcome::Applied : Outcome::Stale;
}

SubscriptionState Subscription::effectiveState(qint64 nowMs) const
{
    const SubscriptionState s = m_state.value;
    if (grantsAccess(s) && m_expiresAtMs.value > 0 && nowMs >= m_expiresAtMs.value)
        return SubscriptionState::Expired;
    return s;
}

QJsonObject Subscription::toJson() const
{
    auto reg = [](const QJsonValue &value, const EventStamp &stamp) {
        return QJsonObject { { QStringLiteral("value"), value },
                             { QStringLiteral("at"), stampJson(stamp) } };
    };
    return QJsonObject {
        { QStringLiteral("subscription_id"), m_subscriptionId },
        { QStringLiteral("source"), m_source },
        { QStringLiteral("user_id"), reg(m_userId.value, m_userId.stamp) },
        { QStringLiteral("customer_id"), reg(m_customerId.value, m_customerId.stamp) },
        { QStringLiteral("plan"), reg(m_plan.value, m_plan.stamp) },
        { QStringLiteral("price_id"), reg(m_priceId.value, m_priceId.stamp) },
        { QStringLiteral("state"), reg(stateName(m_state.value), m_state.stamp) },
        { QStringLiteral("expires_at_ms"), reg(double(m_expiresAtMs.value), m_expiresAtMs.stamp) },
        { QStringLiteral("auto_renew"), reg(m_autoRenew.value, m_autoRenew.stamp) },
        { QStringLiteral("price"),
          reg(QJsonObject { { QStringLiteral("amount"), double(m_price.value.amountMinor) },
                            { QStringLiteral("currency"), m_price.value.currency } },
              m_price.stamp) },
        { QStringLiteral("offer"), reg(m_offer.value, m_offer.stamp) },
        { QStringLiteral("had_trial"), m_hadTrial },
        { QStringLiteral("newest"), stampJson(m_newest) },
        { QStringLiteral("first_event_at_ms"), double(m_firstEventAtMs) },
    };
}

std::optional<Subscription> Subscription::fromJson(const QJsonObject &json)
{
    Subscription s;
    auto value = [&](const char *key) {
        return json.value(QLatin1String(key)).toObject().value(QLatin1String("value"));
    };
    auto stamp = [&](const char *key) {
        return stampFrom(json.value(QLatin1String(key)).toObject().value(QLatin1String("at")));
    };
    const std::optional<SubscriptionState> state = stateFromName(value("state").toString());
    if (!state || !json.value(QLatin1String("subscription_id")).isString())
        return std::nullopt;
    s.m_subscriptionId = json.value(QLatin1String("subscription_id")).toString();
    s.m_source = json.value(QLatin1String("source")).toString();
    s.m_userId = { value("user_id").toString(), stamp("user_id") };
    s.m_customerId = { value("customer_id").toString(), stamp("customer_id") };
    s.m_plan = { value("plan").toString(), stamp("plan") };
    s.m_priceId = { value("price_id").toString(), stamp("price_id") };
    s.m_state = { *state, stamp("state") };
    s.m_expiresAtMs
        = { Protocol::jsonInt64(value("expires_at_ms")).value_or(0), stamp("expires_at_ms") };
    s.m_autoRenew = { value("auto_renew").toBool(), stamp("auto_renew") };
    const QJsonObject price = value("price").toObject();
    s.m_price = { Money { Protocol::jsonInt64(price.value(QLatin1String("amount"))).value_or(0),
                          price.value(QLatin1String("currency")).toString() },
                  stamp("price") };
    s.m_offer = { value("offer").toString(), stamp("offer") };
    s.m_hadTrial = json.value(QLatin1String("had_trial")).toBool();
    s.m_newest = stampFrom(json.value(QLatin1String("newest")));
    s.m_firstEventAtMs = qint64(json.value(QLatin1String("first_event_at_ms")).toDouble(-1));
    return s;
}

} // namespace Kyozo::Billing
