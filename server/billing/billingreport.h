#pragma once

#include "billing/subscription.h"

#include <QHash>
#include <QJsonObject>
#include <QList>

namespace Kyozo::Server {

// The operator's figures (SPEC §7, `kyozo-server billing report [--from D] [--to D]`;
// docs/billing.md "Report") for the period [fromMs, toMs]: active subscriptions by plan and
// state and their MRR per currency at `toMs`; subscriptions new in the period (first
// event), churned (ended: expired, refunded or revoked), refunded, and trials
// converted (a subscription that had a trial and was paying when its state last changed).
// `planOf` names a
// subscription's plan as the config maps it.
QJsonObject billingReport(const QList<Billing::Subscription> &subscriptions,
                          const std::function<QString(const Billing::Subscription &)> &planOf,
                          qint64 fromMs, qint64 toMs);

} // namespace Kyozo::Server
