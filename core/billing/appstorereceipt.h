#pragma once

#include "subscription.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Kyozo::Billing {

// Apple's legacy receipt validation (https://developer.apple.com/documentation/appstorereceipts/
// verifyreceipt): the request, the retries and what a response says. No sockets: the caller
// sends what send() names and hands back what came, so the server drives it with its own HTTP
// client and the tests with a stand-in.
struct ReceiptOptions
{
    QString productionUrl = QStringLiteral("https://buy.itunes.apple.com/verifyReceipt");
    QString sandboxUrl = QStringLiteral("https://sandbox.itunes.apple.com/verifyReceipt");
    QByteArray sharedSecret; // App Store Connect's app-specific shared secret
    int maxAttempts = 4; // per URL, the first included
    qint64 firstRetryDelayMs = 1000; // doubled after each retry
};

// A `status` of Apple's response as a short code for the audit log and a sentence for people.
QString receiptStatusCode(int status);
QString receiptStatusMessage(int status);

// One receipt's validation: production first; 21007 (a sandbox receipt) moves to the sandbox,
// 21008 (a production receipt) back to production, once each; 21005, 21009, 21100–21199
// (unless Apple says `is-retryable`: false) and network or HTTP errors are retried after a
// delay that doubles, up to maxAttempts.
class ReceiptVerification
{
public:
    ReceiptVerification(ReceiptOptions options, QByteArray receiptBase64);

    enum class Next {
        Send, // POST requestBody() to url()
        Wait, // then Send again, after delayMs()
        Done, // see succeeded(), response(), status()
    };
    Next start();
    Next onReply(int httpStatus, const QByteArray &body);
    Next onNetworkError(const QString &error);
    // The caller's time for the whole validation is up: ends it with the last failure.
    Next onDeadline();

    QString url() const { return m_url; }
    QByteArray requestBody() const;
    qint64 delayMs() const { return m_delayMs; }

    bool succeeded() const { return m_status == 0; }
    int status() const { return m_status; } // Apple's; -1: no answer read
    QString failureCode() const; // receiptStatusCode() or "network_error" / "bad_response"
    QString failureMessage() const;
    QJsonObject response() const { return m_response; } // the status-0 answer
    int attempts() const { return m_attempts; }

private:
    Next retry(const QString &why);
    Next finish(int status, const QString &code, const QString &message);

    ReceiptOptions m_options;
    QByteArray m_receipt;
    QString m_url;
    int m_attempts = 0; // requests sent in all
    int m_attemptsHere = 0; // to m_url
    bool m_switched = false; // 21007/21008 followed once already
    qint64 m_delayMs = 0;
    int m_status = -1;
    QString m_failureCode;
    QString m_failureMessage;
    QJsonObject m_response;
};

// What a receipt (a verifyReceipt answer of status 0, or a V1 notification's
// `unified_receipt`) says about each auto-renewable subscription in it, as of `asOfMs`:
// one report per original_transaction_id, read from its newest transaction in
// `latest_receipt_info` and its `pending_renewal_info`.
struct ReceiptReading
{
    QString refusal; // a code: "wrong_bundle_id", "malformed", …; empty when read
    QString environment; // "Sandbox" | "Production"
    QList<SubscriptionReport> reports;
};
// `eventId` makes each report's stamp: EventStamp { asOfMs, 3, eventId + ":" + subscription }.
ReceiptReading readReceipt(const QJsonObject &response, const QString &bundleId, qint64 asOfMs,
                           const QString &eventId);

// An App Store Server Notification V1 (https://developer.apple.com/documentation/
// appstoreservernotifications/responsebodyv1). It carries no signature: it is trusted when its
// `password` is the app's shared secret (compared in constant time) and its `bid` the bundle
// id, as Apple documents. Its event id is the SHA-256 of the body (Apple resends the same
// bytes); its time the newest instant it carries (docs/billing.md).
struct AppStoreV1Reading
{
    QString refusal; // "wrong_password", "wrong_bundle_id", "wrong_environment", "malformed"
    QString eventId;
    QString type; // notification_type
    std::optional<SubscriptionReport> report;
    QString ignoredReason;
};
AppStoreV1Reading readAppStoreV1Notification(const QJsonObject &body, const QByteArray &bodyBytes,
                                             const QByteArray &sharedSecret,
                                             const QString &bundleId, const QString &environment);

} // namespace Kyozo::Billing
