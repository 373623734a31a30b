#include "appstorereceipt.h"

#include "appstoreevents.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/crypto.h>

namespace Kyozo::Billing {

namespace {

    QJsonValue at(const QJsonObject &o, const char *key)
    {
        return o.value(QLatin1String(key));
    }

    // Apple writes receipt numbers and flags as strings ("1600000000000", "true", "1").
    std::optional<qint64> msOf(const QJsonValue &v)
    {
        bool ok = false;
        qint64 n = 0;
        if (v.isString()) {
            n = v.toString().toLongLong(&ok);
        } else if (v.isDouble()) {
            // Only what a millisecond time can be: a cast of 1e300 would be undefined.
            const double d = v.toDouble();
            ok = d > 0 && d < 1e15;
            n = ok ? qint64(d) : 0;
        }
        return ok && n > 0 ? std::optional<qint64>(n) : std::nullopt;
    }

    bool flag(const QJsonValue &v)
    {
        const QString s = v.isString() ? v.toString() : QString();
        return s == QLatin1String("true") || s == QLatin1String("1") || v.toBool()
            || (v.isDouble() && v.toInt() == 1);
    }

    bool retryableStatus(int status)
    {
        return status == 21005 || status == 21009 || (status >= 21100 && status <= 21199);
    }

    // The newest transaction of each subscription in `latest_receipt_info`, by expiry (an
    // upgrade's new transaction ends later than the one it replaced), then purchase.
    QHash<QString, QJsonObject> newestTransactions(const QJsonArray &transactions)
    {
        QHash<QString, QJsonObject> newest;
        for (const QJsonValue &v : transactions) {
            const QJsonObject t = v.toObject();
            const QString id = at(t, "original_transaction_id").toString();
            if (id.isEmpty() || !msOf(at(t, "expires_date_ms")))
                continue; // not an auto-renewable subscription's transaction
            const auto key = [](const QJsonObject &o) {
                return std::pair(msOf(at(o, "expires_date_ms")).value_or(0),
                                 msOf(at(o, "purchase_date_ms")).value_or(0));
            };
            auto it = newest.find(id);
            if (it == newest.end() || key(*it) < key(t))
                newest.insert(id, t);
        }
        return newest;
    }

    // A subscription as its newest transaction and renewal info show it at `asOfMs`.
    SubscriptionReport reportOf(const QJsonObject &t, const QJsonObject &renewal, qint64 asOfMs)
    {
        SubscriptionReport r;
        r.source = QStringLiteral("apple");
        r.subscriptionId = at(t, "original_transaction_id").toString();
        r.priceId = at(t, "product_id").toString();
        r.expiresAtMs = msOf(at(t, "expires_date_ms"));
        if (t.contains(QLatin1String("app_account_token")))
            r.userId = userFromAppAccountToken(at(t, "app_account_token"));
        const bool trial = flag(at(t, "is_trial_period"));
        if (trial)
            r.offer = QStringLiteral("trial");
        else if (flag(at(t, "is_in_intro_offer_period")))
            r.offer = QStringLiteral("introductory");
        else
            r.offer = QString();
        if (renewal.contains(QLatin1String("auto_renew_status")))
            r.autoRenew = flag(at(renewal, "auto_renew_status"));

        using S = SubscriptionState;
        const std::optional<qint64> grace = msOf(at(renewal, "grace_period_expires_date_ms"));
        if (msOf(at(t, "cancellation_date_ms")) && !flag(at(t, "is_upgraded"))) {
            r.state = S::Refunded; // Apple's customer support refunded it
            r.autoRenew = false;
        } else if (r.expiresAtMs.value_or(0) > asOfMs) {
            r.state = r.autoRenew == false ? S::Canceled : (trial ? S::Trial : S::Active);
        } else if (flag(at(renewal, "is_in_billing_retry_period"))) {
            if (grace && *grace > asOfMs) {
                r.state = S::GracePeriod;
                r.expiresAtMs = grace;
            } else {
                r.state = S::BillingRetry;
            }
        } else {
            r.state = S::Expired;
        }
        return r;
    }

    QHash<QString, QJsonObject> renewalsById(const QJsonArray &pending)
    {
        QHash<QString, QJsonObject> out;
        for (const QJsonValue &v : pending) {
            const QJsonObject p = v.toObject();
            out.insert(at(p, "original_transaction_id").toString(), p);
        }
        return out;
    }

    // Within one millisecond later steps of a subscription's life win, as for V2.
    int rankOfV1(const QString &type)
    {
        if (type == QLatin1String("INITIAL_BUY"))
            return 1;
        if (type == QLatin1String("DID_RENEW") || type == QLatin1String("INTERACTIVE_RENEWAL")
            || type == QLatin1String("DID_RECOVER") || type == QLatin1String("RENEWAL"))
            return 2;
        if (type == QLatin1String("DID_FAIL_TO_RENEW"))
            return 4;
        if (type == QLatin1String("CANCEL") || type == QLatin1String("REFUND")
            || type == QLatin1String("REVOKE"))
            return 6;
        return 3;
    }

} // namespace

QString receiptStatusCode(int status)
{
    switch (status) {
    case 0:
        return QStringLiteral("valid");
    case 21000:
        return QStringLiteral("request_not_post");
    case 21001:
        return QStringLiteral("status_21001");
    case 21002:
        return QStringLiteral("receipt_malformed");
    case 21003:
        return QStringLiteral("receipt_not_authentic");
    case 21004:
        return QStringLiteral("shared_secret_mismatch");
    case 21005:
        return QStringLiteral("receipt_server_unavailable");
    case 21006:
        return QStringLiteral("subscription_expired");
    case 21007:
        return QStringLiteral("sandbox_receipt");
    case 21008:
        return QStringLiteral("production_receipt");
    case 21009:
        return QStringLiteral("internal_data_access_error");
    case 21010:
        return QStringLiteral("account_not_found");
    default:
        if (status >= 21100 && status <= 21199)
            return QStringLiteral("internal_data_access_error");
        return QStringLiteral("status_%1").arg(status);
    }
}

QString receiptStatusMessage(int status)
{
    // Apple's own descriptions of `status` (verifyreceipt/responsebody/status).
    switch (status) {
    case 0:
        return QCoreApplication::translate("Billing", "The receipt is valid.");
    case 21000:
        return QCoreApplication::translate(
            "Billing", "The request to the App Store was not made using the HTTP POST method.");
    case 21001:
        return QCoreApplication::translate("Billing",
                                           "The App Store answered 21001, which it no longer "
                                           "sends.");
    case 21002:
        return QCoreApplication::translate(
            "Billing",
            "The data in receipt-data was malformed, or the App Store had a "
            "temporary issue.");
    case 21003:
        return QCoreApplication::translate("Billing", "The receipt could not be authenticated.");
    case 21004:
        return QCoreApplication::translate(
            "Billing", "The shared secret does not match the one on file for the account.");
    case 21005:
        return QCoreApplication::translate(
            "Billing", "The receipt server was temporarily unable to provide the receipt.");
    case 21006:
        return QCoreApplication::translate(
            "Billing", "The receipt is valid but the subscription has expired.");
    case 21007:
        return QCoreApplication::translate(
            "Billing", "The receipt is from the test environment but was sent to production.");
    case 21008:
        return QCoreApplication::translate(
            "Billing", "The receipt is from production but was sent to the test environment.");
    case 21009:
        return QCoreApplication::translate("Billing",
                                           "The App Store had an internal data access error.");
    case 21010:
        return QCoreApplication::translate("Billing",
                                           "The user account cannot be found or has been deleted.");
    default:
        if (status >= 21100 && status <= 21199)
            return receiptStatusMessage(21009); // Apple: "internal data access errors"
        return QCoreApplication::translate("Billing", "The App Store answered status %1.")
            .arg(status);
    }
}

ReceiptVerification::ReceiptVerification(ReceiptOptions options, QByteArray receiptBase64)
    : m_options(std::move(options))
    , m_receipt(std::move(receiptBase64))
    , m_url(m_options.productionUrl)
{
}

ReceiptVerification::Next ReceiptVerification::start()
{
    ++m_attempts;
    ++m_attemptsHere;
    return Next::Send;
}

QByteArray ReceiptVerification::requestBody() const
{
    QJsonObject body { { QStringLiteral("receipt-data"), QString::fromLatin1(m_receipt) },
                       { QStringLiteral("exclude-old-transactions"), true } };
    if (!m_options.sharedSecret.isEmpty())
        body.insert(QStringLiteral("password"), QString::fromUtf8(m_options.sharedSecret));
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

ReceiptVerification::Next ReceiptVerification::onReply(int httpStatus, const QByteArray &body)
{
    if (httpStatus < 200 || httpStatus > 299)
        return retry(QCoreApplication::translate("Billing", "the App Store answered HTTP %1")
                         .arg(httpStatus));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    const double statusNumber = doc.object().value(QLatin1String("status")).toDouble(-1);
    if (error.error != QJsonParseError::NoError || !doc.isObject()
        || !doc.object().value(QLatin1String("status")).isDouble() || statusNumber < 0
        || statusNumber > 99999 || statusNumber != double(int(statusNumber)))
        return finish(-1, QStringLiteral("bad_response"),
                      QCoreApplication::translate("Billing",
                                                  "the App Store's answer is not a receipt "
                                                  "response"));
    const QJsonObject response = doc.object();
    const int status = response.value(QLatin1String("status")).toInt();
    if (status == 0) {
        m_response = response;
        return finish(0, {}, {});
    }
    const bool toSandbox = status == 21007 && m_url != m_options.sandboxUrl;
    const bool toProduction = status == 21008 && m_url != m_options.productionUrl;
    if ((toSandbox || toProduction) && !m_switched) {
        m_switched = true;
        m_url = toSandbox ? m_options.sandboxUrl : m_options.productionUrl;
        m_attemptsHere = 0;
        return start();
    }
    const QJsonValue retryable = response.value(QLatin1String("is-retryable"));
    if (retryableStatus(status) && !(retryable.isBool() && !retryable.toBool())
        && !(retryable.isDouble() && retryable.toInt() == 0)) {
        m_status = status;
        return retry(receiptStatusMessage(status));
    }
    return finish(status, receiptStatusCode(status), receiptStatusMessage(status));
}

ReceiptVerification::Next ReceiptVerification::onNetworkError(const QString &error)
{
    m_status = -1;
    return retry(error);
}

ReceiptVerification::Next ReceiptVerification::onDeadline()
{
    return finish(m_status,
                  m_status > 0 ? receiptStatusCode(m_status) : QStringLiteral("network_error"),
                  QCoreApplication::translate("Billing", "the App Store did not answer in time"));
}

ReceiptVerification::Next ReceiptVerification::retry(const QString &why)
{
    if (m_attemptsHere >= m_options.maxAttempts)
        return finish(m_status,
                      m_status > 0 ? receiptStatusCode(m_status) : QStringLiteral("network_error"),
                      why);
    m_delayMs = m_options.firstRetryDelayMs << std::min(m_attemptsHere - 1, 16);
    ++m_attempts;
    ++m_attemptsHere;
    return Next::Wait;
}

ReceiptVerification::Next ReceiptVerification::finish(int status, const QString &code,
                                                      const QString &message)
{
    m_status = status;
    m_failureCode = code;
    m_failureMessage = message;
    return Next::Done;
}

QString ReceiptVerification::failureCode() const
{
    return m_failureCode;
}

QString ReceiptVerification::failureMessage() const
{
    return m_failureMessage;
}

ReceiptReading readReceipt(const QJsonObject &response, const QString &bundleId, qint64 asOfMs,
                           const QString &eventId)
{
    ReceiptReading out;
    out.environment = at(response, "environment").toString();
    const QJsonObject receipt = at(response, "receipt").toObject();
    if (receipt.isEmpty() || !at(response, "latest_receipt_info").isArray()) {
        out.refusal
            = receipt.isEmpty() ? QStringLiteral("malformed") : QStringLiteral("no_subscription");
        return out;
    }
    if (at(receipt, "bundle_id").toString() != bundleId) {
        out.refusal = QStringLiteral("wrong_bundle_id");
        return out;
    }
    // The receipt's state is Apple's at the request: that is when these facts held.
    const qint64 asOf = msOf(at(receipt, "request_date_ms")).value_or(asOfMs);
    const QHash<QString, QJsonObject> renewals
        = renewalsById(at(response, "pending_renewal_info").toArray());
    const QHash<QString, QJsonObject> newest
        = newestTransactions(at(response, "latest_receipt_info").toArray());
    for (auto it = newest.cbegin(); it != newest.cend(); ++it) {
        SubscriptionReport r = reportOf(it.value(), renewals.value(it.key()), asOf);
        r.eventType = QStringLiteral("verifyReceipt");
        r.stamp = EventStamp { asOf, 3, eventId + QLatin1Char(':') + it.key() };
        out.reports.append(r);
    }
    if (out.reports.isEmpty())
        out.refusal = QStringLiteral("no_subscription");
    std::sort(out.reports.begin(), out.reports.end(),
              [](const SubscriptionReport &a, const SubscriptionReport &b) {
                  return a.expiresAtMs.value_or(0) > b.expiresAtMs.value_or(0);
              });
    return out;
}

AppStoreV1Reading readAppStoreV1Notification(const QJsonObject &body, const QByteArray &bodyBytes,
                                             const QByteArray &sharedSecret,
                                             const QString &bundleId, const QString &environment)
{
    AppStoreV1Reading out;
    out.type = at(body, "notification_type").toString();
    out.eventId = QStringLiteral("v1:")
        + QString::fromLatin1(
                      QCryptographicHash::hash(bodyBytes, QCryptographicHash::Sha256).toHex());
    const QByteArray password = at(body, "password").toString().toUtf8();
    if (sharedSecret.isEmpty() || password.size() != sharedSecret.size()
        || CRYPTO_memcmp(password.constData(), sharedSecret.constData(), size_t(password.size()))
            != 0) {
        out.refusal = QStringLiteral("wrong_password");
        return out;
    }
    if (at(body, "bid").toString() != bundleId) {
        out.refusal = QStringLiteral("wrong_bundle_id");
        return out;
    }
    // V1 names production "PROD"; the receipt inside says "Production".
    const QString env = at(body, "environment").toString();
    if ((env == QLatin1String("PROD") ? QStringLiteral("Production") : env) != environment) {
        out.refusal = QStringLiteral("wrong_environment");
        return out;
    }
    if (out.type.isEmpty()) {
        out.refusal = QStringLiteral("malformed");
        return out;
    }
    static const QStringList handled {
        "INITIAL_BUY",
        "DID_RENEW",
        "INTERACTIVE_RENEWAL",
        "DID_RECOVER",
        "RENEWAL",
        "DID_FAIL_TO_RENEW",
        "CANCEL",
        "REFUND",
        "REVOKE",
        "DID_CHANGE_RENEWAL_STATUS",
        "DID_CHANGE_RENEWAL_PREF",
        "PRICE_INCREASE_CONSENT",
    };
    if (!handled.contains(out.type)) {
        out.ignoredReason = QStringLiteral("unhandled_type"); // CONSUMPTION_REQUEST, …
        return out;
    }
    const QJsonObject unified = at(body, "unified_receipt").toObject();
    const QHash<QString, QJsonObject> newest
        = newestTransactions(at(unified, "latest_receipt_info").toArray());
    // The notification's subscription: its original_transaction_id, else the only one.
    if (newest.isEmpty()) {
        out.ignoredReason = QStringLiteral("not_a_subscription"); // a consumable's refund, …
        return out;
    }
    const QJsonValue named = at(body, "original_transaction_id");
    QString id = named.toString(); // a string, as Apple writes ids; a number is read too
    if (named.isDouble() && named.toDouble() > 0 && named.toDouble() < 1e15)
        id = QString::number(qint64(named.toDouble()));
    if (id.isEmpty() && newest.size() == 1)
        id = newest.cbegin().key();
    // Else the subscription whose renewal is the product the notification names.
    const QString product = at(body, "auto_renew_product_id").toString();
    if (id.isEmpty() && !product.isEmpty()) {
        for (const QJsonValue &v : at(unified, "pending_renewal_info").toArray()) {
            const QJsonObject p = v.toObject();
            if (at(p, "auto_renew_product_id").toString() == product) {
                id = at(p, "original_transaction_id").toString();
                break;
            }
        }
    }
    if (!newest.contains(id)) {
        out.refusal = QStringLiteral("malformed");
        return out;
    }
    const QJsonObject t = newest.value(id);
    QJsonObject renewal = renewalsById(at(unified, "pending_renewal_info").toArray()).value(id);
    // V1 carries no time of its own: it happened at the newest instant it reports (the
    // renewal's purchase, the refund, the change of renewal status, or, for a failed renewal,
    // the expiry it failed at).
    qint64 when = std::max({ msOf(at(t, "purchase_date_ms")).value_or(0),
                             msOf(at(t, "cancellation_date_ms")).value_or(0),
                             msOf(at(body, "auto_renew_status_change_date_ms")).value_or(0) });
    if (out.type == QLatin1String("DID_FAIL_TO_RENEW"))
        when = std::max(when, msOf(at(t, "expires_date_ms")).value_or(0));
    if (when <= 0) {
        out.refusal = QStringLiteral("malformed");
        return out;
    }
    if (body.contains(QLatin1String("auto_renew_status")))
        renewal.insert(QStringLiteral("auto_renew_status"), at(body, "auto_renew_status"));
    if (out.type == QLatin1String("DID_FAIL_TO_RENEW"))
        renewal.insert(QStringLiteral("is_in_billing_retry_period"), QStringLiteral("1"));
    SubscriptionReport r = reportOf(t, renewal, when);
    r.eventType = out.type;
    r.stamp = EventStamp { when, rankOfV1(out.type), out.eventId };
    if (out.type == QLatin1String("REVOKE")) {
        r.state = SubscriptionState::Revoked; // family sharing ended: the receipt cannot say
        r.autoRenew = false;
    } else if (out.type == QLatin1String("DID_CHANGE_RENEWAL_PREF")
               || out.type == QLatin1String("PRICE_INCREASE_CONSENT")) {
        r.state.reset(); // no state of its own: the product, expiry and renewal status
    }
    out.report = r;
    return out;
}

} // namespace Kyozo::Billing
