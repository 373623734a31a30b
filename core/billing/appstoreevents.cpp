#include "appstoreevents.h"
#include "protocol/json.h"

#include <QRegularExpression>

namespace Kyozo::Billing {

namespace {

    QJsonValue at(const QJsonObject &o, const char *key)
    {
        return o.value(QLatin1String(key));
    }

    std::optional<qint64> ms(const QJsonValue &v)
    {
        const std::optional<qint64> n = Protocol::jsonInt64(v);
        return n && *n > 0 ? n : std::nullopt;
    }

    // ISO 4217 currencies whose minor unit is not 1/100 (the standard's list, 2024).
    int minorUnitDigits(const QString &code)
    {
        static const QStringList zero { "BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                        "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                        "VND", "VUV", "XAF", "XOF", "XPF" };
        static const QStringList three { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };
        if (zero.contains(code))
            return 0;
        if (three.contains(code))
            return 3;
        return 2;
    }

    // Within one millisecond, later steps of a subscription's life win (docs/billing.md).
    int rankOf(const QString &type)
    {
        if (type == QLatin1String("SUBSCRIBED"))
            return 1;
        if (type == QLatin1String("DID_RENEW") || type == QLatin1String("REFUND_REVERSED"))
            return 2;
        if (type == QLatin1String("DID_FAIL_TO_RENEW"))
            return 4;
        if (type == QLatin1String("EXPIRED") || type == QLatin1String("GRACE_PERIOD_EXPIRED"))
            return 5;
        if (type == QLatin1String("REFUND") || type == QLatin1String("REVOKE"))
            return 6;
        return 3;
    }

} // namespace

std::optional<QString> userFromAppAccountToken(const QJsonValue &token)
{
    QString hex = token.toString().toLower();
    hex.remove(QLatin1Char('-'));
    static const QRegularExpression id(QStringLiteral("^[0-9a-f]{32}$"));
    return id.match(hex).hasMatch() ? std::optional<QString>(hex) : std::nullopt;
}

std::optional<Money> moneyFromMilliUnits(qint64 milliUnits, const QString &currency)
{
    const std::optional<QString> code = currencyCode(currency);
    if (!code || milliUnits < 0)
        return std::nullopt;
    qint64 divisor = 1;
    for (int i = minorUnitDigits(*code); i < 3; ++i)
        divisor *= 10;
    if (milliUnits % divisor != 0)
        return std::nullopt;
    return Money { milliUnits / divisor, *code };
}

AppStoreEventReading readAppStoreNotification(const AppStoreVerifier &verifier,
                                              const QByteArray &signedPayload, qint64 nowMs)
{
    AppStoreEventReading out;
    const AppStoreVerifier::Result notification = verifier.verifyNotification(signedPayload, nowMs);
    if (notification.refusal != AppStoreVerifier::Refusal::None) {
        out.refusal = notification.refusal;
        return out;
    }
    const QJsonObject &n = notification.payload;
    const QString type = at(n, "notificationType").toString();
    const QString subtype = at(n, "subtype").toString();
    out.eventId = at(n, "notificationUUID").toString();
    out.type = subtype.isEmpty() ? type : type + QLatin1Char('/') + subtype;
    const std::optional<qint64> signedDate = ms(at(n, "signedDate"));
    if (out.eventId.isEmpty() || type.isEmpty() || !signedDate) {
        out.refusal = AppStoreVerifier::Refusal::Malformed;
        return out;
    }
    const QJsonObject data = at(n, "data").toObject();
    const QByteArray signedTransaction = at(data, "signedTransactionInfo").toString().toLatin1();
    if (signedTransaction.isEmpty()) {
        out.ignoredReason = QStringLiteral("no_transaction"); // TEST, summaries, …
        return out;
    }
    const AppStoreVerifier::Result transaction
        = verifier.verifyTransaction(signedTransaction, nowMs);
    if (transaction.refusal != AppStoreVerifier::Refusal::None) {
        out.refusal = transaction.refusal;
        return out;
    }
    const QJsonObject &t = transaction.payload;
    QJsonObject renewal;
    const QByteArray signedRenewal = at(data, "signedRenewalInfo").toString().toLatin1();
    if (!signedRenewal.isEmpty()) {
        const AppStoreVerifier::Result r = verifier.verifyRenewalInfo(signedRenewal, nowMs);
        if (r.refusal != AppStoreVerifier::Refusal::None) {
            out.refusal = r.refusal;
            return out;
        }
        renewal = r.payload;
    }
    if (at(t, "type") != QLatin1String("Auto-Renewable Subscription")) {
        out.ignoredReason = QStringLiteral("not_a_subscription");
        return out;
    }

    SubscriptionReport r;
    r.source = QStringLiteral("apple");
    r.eventType = out.type;
    r.stamp = EventStamp { *signedDate, rankOf(type), out.eventId };
    r.subscriptionId = at(t, "originalTransactionId").toString();
    if (r.subscriptionId.isEmpty()) {
        out.refusal = AppStoreVerifier::Refusal::Malformed;
        return out;
    }
    r.userId = userFromAppAccountToken(at(t, "appAccountToken"));
    r.priceId = at(t, "productId").toString();
    r.expiresAtMs = ms(at(t, "expiresDate"));
    if (at(t, "price").isDouble())
        r.price = moneyFromMilliUnits(Protocol::jsonInt64(at(t, "price")).value_or(0),
                                      at(t, "currency").toString());
    // offerType 1 is an introductory offer; its offerDiscountType FREE_TRIAL a free trial.
    const bool trial = at(t, "offerDiscountType") == QLatin1String("FREE_TRIAL");
    if (at(t, "offerType").toInt() == 1)
        r.offer = trial ? QStringLiteral("trial") : QStringLiteral("introductory");
    else
        r.offer = QString();
    if (!renewal.isEmpty() && at(renewal, "autoRenewStatus").isDouble())
        r.autoRenew = at(renewal, "autoRenewStatus").toInt() == 1;

    using S = SubscriptionState;
    if (type == QLatin1String("SUBSCRIBED") || type == QLatin1String("DID_RENEW")
        || type == QLatin1String("REFUND_REVERSED") || type == QLatin1String("OFFER_REDEEMED")) {
        r.state = trial ? S::Trial : S::Active;
    } else if (type == QLatin1String("DID_CHANGE_RENEWAL_STATUS")) {
        r.state = subtype == QLatin1String("AUTO_RENEW_DISABLED") ? S::Canceled
                                                                  : (trial ? S::Trial : S::Active);
    } else if (type == QLatin1String("DID_FAIL_TO_RENEW")) {
        // With a grace period the user keeps access until it ends; without, Apple retries.
        if (subtype == QLatin1String("GRACE_PERIOD")) {
            r.state = S::GracePeriod;
            if (auto grace = ms(at(renewal, "gracePeriodExpiresDate")))
                r.expiresAtMs = grace;
        } else {
            r.state = S::BillingRetry;
        }
    } else if (type == QLatin1String("EXPIRED") || type == QLatin1String("GRACE_PERIOD_EXPIRED")) {
        r.state = S::Expired;
    } else if (type == QLatin1String("REFUND")) {
        r.state = S::Refunded;
        r.autoRenew = false;
    } else if (type == QLatin1String("REVOKE")) {
        r.state = S::Revoked;
        r.autoRenew = false;
    } else if (type == QLatin1String("DID_CHANGE_RENEWAL_PREF")
               || type == QLatin1String("RENEWAL_EXTENDED")
               || type == QLatin1String("PRICE_INCREASE")) {
        // No state of its own: the product, expiry and renewal status above.
    } else {
        out.ignoredReason = QStringLiteral("unhandled_type");
        return out;
    }
    out.report = r;
    return out;
}

} // namespace Kyozo::Billing
