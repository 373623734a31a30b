#pragma once

#include "appstoresigneddata.h"
#include "subscription.h"

namespace Kyozo::Billing {

// An App Store Server Notification V2 (https://developer.apple.com/documentation/
// appstoreservernotifications/responsebodyv2decodedpayload) read into what it says about a
// subscription: its signedPayload, signedTransactionInfo and signedRenewalInfo each verified
// by `verifier`. The subscription is the transaction's originalTransactionId; our user is its
// appAccountToken, the UUID the app sets from the user's id (32 hex digits, dashed).
struct AppStoreEventReading
{
    AppStoreVerifier::Refusal refusal = AppStoreVerifier::Refusal::None;
    QString eventId; // notificationUUID
    QString type; // notificationType[/subtype]
    std::optional<SubscriptionReport> report;
    QString ignoredReason;
};

AppStoreEventReading readAppStoreNotification(const AppStoreVerifier &verifier,
                                              const QByteArray &signedPayload, qint64 nowMs);

// Our user in an appAccountToken, the UUID the app sets from the user's id:
// "01234567-89ab-…" is "0123456789ab…" (32 hex digits). Nothing for any other token.
std::optional<QString> userFromAppAccountToken(const QJsonValue &token);

// Apple's prices are in milli-units of the currency; ours in ISO 4217 minor units (cents,
// yen, fils). Nothing when the amount does not divide exactly or the currency is not three
// letters.
std::optional<Money> moneyFromMilliUnits(qint64 milliUnits, const QString &currency);

} // namespace Kyozo::Billing
