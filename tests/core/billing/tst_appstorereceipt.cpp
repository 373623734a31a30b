// Apple's legacy receipts and V1 notifications (issue 20 item 1). The responses below are
// written by hand in the format of Apple's documentation (verifyreceipt/responsebody,
// responsebodyv1): string-valued numbers and flags, `latest_receipt_info`,
// `pending_renewal_info`, `unified_receipt`; the expected states follow SPEC §7.
#include "billing/appstorereceipt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::Billing;
using Next = ReceiptVerification::Next;
using S = SubscriptionState;

namespace {

constexpr qint64 kDay = 86400000;
constexpr qint64 kRequest = 1760000000000; // receipt.request_date_ms
const QString kBundle = QStringLiteral("net.kyozo.app");

ReceiptOptions options()
{
    ReceiptOptions o;
    o.productionUrl = QStringLiteral("http://127.0.0.1:1/production");
    o.sandboxUrl = QStringLiteral("http://127.0.0.1:1/sandbox");
    o.sharedSecret = "0123secret";
    return o;
}

QByteArray status(int s, std::optional<bool> retryable = {})
{
    QJsonObject o { { "status", s } };
    if (retryable)
        o.insert("is-retryable", *retryable);
    return QJsonDocument(o).toJson();
}

QString ms(qint64 v)
{
    return QString::number(v);
}

QJsonObject transaction(const QString &original, const QString &id, qint64 purchase, qint64 expires,
                        const QString &product = QStringLiteral("pro.monthly"))
{
    return QJsonObject { { "original_transaction_id", original },
                         { "transaction_id", id },
                         { "product_id", product },
                         { "purchase_date_ms", ms(purchase) },
                         { "expires_date_ms", ms(expires) },
                         { "is_trial_period", "false" },
                         { "is_in_intro_offer_period", "false" } };
}

QJsonObject renewal(const QString &original, const QString &autoRenew)
{
    return QJsonObject { { "original_transaction_id", original },
                         { "auto_renew_product_id", "pro.monthly" },
                         { "product_id", "pro.monthly" },
                         { "auto_renew_status", autoRenew } };
}

QJsonObject response(QJsonArray latest, QJsonArray pending, const QString &bundle = kBundle)
{
    return QJsonObject {
        { "status", 0 },
        { "environment", "Production" },
        { "receipt",
          QJsonObject { { "bundle_id", bundle },
                        { "request_date_ms", ms(kRequest) },
                        { "in_app", QJsonArray {} } } },
        { "latest_receipt_info", latest },
        { "pending_renewal_info", pending },
        { "latest_receipt", "TUlJ..." },
    };
}

const SubscriptionReport *find(const QList<SubscriptionReport> &reports, const QString &id)
{
    for (const SubscriptionReport &r : reports)
        if (r.subscriptionId == id)
            return &r;
    return nullptr;
}

QJsonObject v1(const QString &type, QJsonArray latest, QJsonArray pending)
{
    return QJsonObject {
        { "notification_type", type },
        { "password", "0123secret" },
        { "environment", "PROD" },
        { "bid", kBundle },
        { "bvrs", "42" },
        { "unified_receipt",
          QJsonObject { { "status", 0 },
                        { "environment", "Production" },
                        { "latest_receipt", "TUlJ..." },
                        { "latest_receipt_info", latest },
                        { "pending_renewal_info", pending } } },
    };
}

AppStoreV1Reading readV1(const QJsonObject &body, const QByteArray &secret = "0123secret",
                         const QString &environment = QStringLiteral("Production"))
{
    return readAppStoreV1Notification(body, QJsonDocument(body).toJson(), secret, kBundle,
                                      environment);
}

} // namespace

class TestAppStoreReceipt : public QObject
{
    Q_OBJECT
private slots:
    void requestCarriesReceiptAndSharedSecret()
    {
        ReceiptVerification v(options(), "TUlJU0FN");
        QCOMPARE(v.start(), Next::Send);
        QCOMPARE(v.url(), options().productionUrl);
        const QJsonObject body = QJsonDocument::fromJson(v.requestBody()).object();
        QCOMPARE(body.value("receipt-data").toString(), QStringLiteral("TUlJU0FN"));
        QCOMPARE(body.value("password").toString(), QStringLiteral("0123secret"));
        QCOMPARE(body.value("exclude-old-transactions").toBool(), true);
    }

    void sandboxReceiptMovesToTheSandboxOnce()
    {
        ReceiptVerification v(options(), "r");
        v.start();
        QCOMPARE(v.onReply(200, status(21007)), Next::Send);
        QCOMPARE(v.url(), options().sandboxUrl);
        // The sandbox saying "production receipt" now is not followed back: no ping-pong.
        QCOMPARE(v.onReply(200, status(21008)), Next::Done);
        QVERIFY(!v.succeeded());
        QCOMPARE(v.failureCode(), QStringLiteral("production_receipt"));
        QCOMPARE(v.attempts(), 2);
    }

    void validAnswerEndsIt()
    {
        ReceiptVerification v(options(), "r");
        v.start();
        QCOMPARE(v.onReply(200, status(21007)), Next::Send);
        const QByteArray ok = QJsonDocument(response({}, {})).toJson();
        QCOMPARE(v.onReply(200, ok), Next::Done);
        QVERIFY(v.succeeded());
        QCOMPARE(v.response().value("environment").toString(), QStringLiteral("Production"));
    }

    void temporaryFailuresAreRetriedWithDoublingDelays()
    {
        ReceiptVerification v(options(), "r");
        v.start();
        QCOMPARE(v.onReply(200, status(21005)), Next::Wait);
        QCOMPARE(v.delayMs(), 1000);
        QCOMPARE(v.onNetworkError("connection refused"), Next::Wait);
        QCOMPARE(v.delayMs(), 2000);
        QCOMPARE(v.onReply(503, "busy"), Next::Wait);
        QCOMPARE(v.delayMs(), 4000);
        QCOMPARE(v.onReply(200, status(21150)), Next::Done); // the fourth attempt
        QCOMPARE(v.attempts(), 4);
        QCOMPARE(v.status(), 21150);
        QCOMPARE(v.failureCode(), QStringLiteral("internal_data_access_error"));
    }

    void networkErrorsToTheEndSayNetwork()
    {
        ReceiptOptions o = options();
        o.maxAttempts = 2;
        ReceiptVerification v(o, "r");
        v.start();
        QCOMPARE(v.onNetworkError("timeout"), Next::Wait);
        QCOMPARE(v.onNetworkError("timeout"), Next::Done);
        QCOMPARE(v.failureCode(), QStringLiteral("network_error"));
        QCOMPARE(v.failureMessage(), QStringLiteral("timeout"));
    }

    void notRetryableWhenAppleSaysSo()
    {
        ReceiptVerification v(options(), "r");
        v.start();
        QCOMPARE(v.onReply(200, status(21101, false)), Next::Done);
        QCOMPARE(v.attempts(), 1);
    }

    void definiteRefusalsAreNotRetried_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("malformed") << 21002 << "receipt_malformed";
        QTest::newRow("not authentic") << 21003 << "receipt_not_authentic";
        QTest::newRow("secret") << 21004 << "shared_secret_mismatch";
        QTest::newRow("expired") << 21006 << "subscription_expired";
        QTest::newRow("account") << 21010 << "account_not_found";
        QTest::newRow("not post") << 21000 << "request_not_post";
    }
    void definiteRefusalsAreNotRetried()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        ReceiptVerification v(options(), "r");
        v.start();
        QCOMPARE(v.onReply(200, ::status(status)), Next::Done);
        QCOMPARE(v.failureCode(), code);
        QCOMPARE(v.attempts(), 1);
        QVERIFY(!receiptStatusMessage(status).contains(QString::number(status)));
    }

    void garbageIsABadResponse()
    {
        for (const QByteArray &bad : { QByteArray("<html>"), QByteArray(R"({"status":0.5})"),
                                       QByteArray(R"({"status":1e10})"), QByteArray(R"({"status":"0"})") }) {
            ReceiptVerification v(options(), "r");
            v.start();
            QCOMPARE(v.onReply(200, bad), Next::Done);
            QCOMPARE(v.failureCode(), QStringLiteral("bad_response"));
            QVERIFY(!v.succeeded());
        }
    }

    void receiptStatesAtTheRequest()
    {
        QJsonObject trial = transaction("1000", "1001", kRequest - kDay, kRequest + 6 * kDay);
        trial.insert("is_trial_period", "true");
        trial.insert("app_account_token", "01234567-89ab-cdef-0123-456789abcdef");
        // Two renewals of one subscription: the newest counts.
        const QJsonArray latest {
            transaction("2000", "2001", kRequest - 40 * kDay, kRequest - 10 * kDay),
            transaction("2000", "2002", kRequest - 10 * kDay, kRequest + 20 * kDay),
            trial,
            transaction("3000", "3001", kRequest - 31 * kDay, kRequest - kDay),
            transaction("4000", "4001", kRequest - 31 * kDay, kRequest - kDay),
            transaction("5000", "5001", kRequest - 2 * kDay, kRequest + 28 * kDay),
        };
        QJsonObject retrying = renewal("3000", "1");
        retrying.insert("is_in_billing_retry_period", "1");
        retrying.insert("grace_period_expires_date_ms", ms(kRequest + 5 * kDay));
        QJsonObject refunded = latest.at(5).toObject();
        refunded.insert("cancellation_date_ms", ms(kRequest - kDay));
        refunded.insert("cancellation_reason", "0");
        QJsonArray withRefund = latest;
        withRefund.replace(5, refunded);
        const QJsonArray pending { renewal("1000", "1"), renewal("2000", "0"), retrying,
                                   renewal("4000", "0"), renewal("5000", "1") };

        const ReceiptReading r
            = readReceipt(response(withRefund, pending), kBundle, 0, QStringLiteral("receipt:x"));
        QVERIFY2(r.refusal.isEmpty(), qPrintable(r.refusal));
        QCOMPARE(r.reports.size(), 5);
        QCOMPARE(r.reports.first().subscriptionId, QStringLiteral("5000")); // ends last

        const SubscriptionReport *t = find(r.reports, "1000");
        QCOMPARE(t->state, S::Trial);
        QCOMPARE(t->offer, QStringLiteral("trial"));
        QCOMPARE(t->userId, QStringLiteral("0123456789abcdef0123456789abcdef"));
        QCOMPARE(t->stamp, (EventStamp { kRequest, 3, "receipt:x:1000" }));

        const SubscriptionReport *canceled = find(r.reports, "2000");
        QCOMPARE(canceled->state, S::Canceled); // auto-renew off, active until expiry
        QCOMPARE(canceled->expiresAtMs, kRequest + 20 * kDay);
        QCOMPARE(canceled->autoRenew, false);
        QVERIFY(!canceled->userId); // no token: the caller decides

        const SubscriptionReport *grace = find(r.reports, "3000");
        QCOMPARE(grace->state, S::GracePeriod);
        QCOMPARE(grace->expiresAtMs, kRequest + 5 * kDay);

        QCOMPARE(find(r.reports, "4000")->state, S::Expired);
        QCOMPARE(find(r.reports, "5000")->state, S::Refunded);
        QCOMPARE(find(r.reports, "5000")->priceId, QStringLiteral("pro.monthly"));
    }

    void receiptOfAnotherAppIsRefused()
    {
        const QJsonArray latest { transaction("1", "1", kRequest, kRequest + kDay) };
        QCOMPARE(readReceipt(response(latest, {}, "com.other"), kBundle, 0, "r").refusal,
                 QStringLiteral("wrong_bundle_id"));
        QCOMPARE(readReceipt(QJsonObject { { "status", 0 } }, kBundle, 0, "r").refusal,
                 QStringLiteral("malformed"));
        QCOMPARE(readReceipt(response({}, {}), kBundle, 0, "r").refusal,
                 QStringLiteral("no_subscription"));
    }

    void v1IsTrustedOnlyWithTheSharedSecretBundleAndEnvironment()
    {
        const QJsonArray latest { transaction("7", "8", kRequest, kRequest + 30 * kDay) };
        const QJsonObject body = v1("DID_RENEW", latest, { renewal("7", "1") });
        QVERIFY(readV1(body).refusal.isEmpty());
        QCOMPARE(readV1(body, "0123secreT").refusal, QStringLiteral("wrong_password"));
        QCOMPARE(readV1(body, "").refusal, QStringLiteral("wrong_password"));
        QCOMPARE(readV1(body, "0123secret", "Sandbox").refusal,
                 QStringLiteral("wrong_environment"));
        QJsonObject other = body;
        other.insert("bid", "com.other");
        QCOMPARE(readV1(other).refusal, QStringLiteral("wrong_bundle_id"));
        other = body;
        other.remove("password");
        QCOMPARE(readV1(other).refusal, QStringLiteral("wrong_password"));
    }

    void v1RenewalIsActiveAtItsPurchase()
    {
        const QJsonArray latest {
            transaction("7", "8", kRequest - 30 * kDay, kRequest),
            transaction("7", "9", kRequest, kRequest + 30 * kDay),
        };
        const QJsonObject body = v1("DID_RENEW", latest, { renewal("7", "1") });
        const AppStoreV1Reading r = readV1(body);
        QVERIFY(r.report);
        QCOMPARE(r.report->subscriptionId, QStringLiteral("7"));
        QCOMPARE(r.report->state, S::Active);
        QCOMPARE(r.report->expiresAtMs, kRequest + 30 * kDay);
        QCOMPARE(r.report->stamp.occurredAtMs, kRequest);
        QCOMPARE(r.report->stamp.rank, 2);
        // The same bytes are the same event; other bytes another.
        QCOMPARE(readV1(body).eventId, r.eventId);
        QVERIFY(r.eventId.startsWith("v1:"));
        QVERIFY(readV1(v1("INTERACTIVE_RENEWAL", latest, {})).eventId != r.eventId);
    }

    void v1FailedRenewalRetriesOrGraces()
    {
        const QJsonArray latest { transaction("7", "8", kRequest - 30 * kDay, kRequest) };
        AppStoreV1Reading r = readV1(v1("DID_FAIL_TO_RENEW", latest, { renewal("7", "1") }));
        QCOMPARE(r.report->state, S::BillingRetry);
        QCOMPARE(r.report->stamp.occurredAtMs, kRequest); // it failed at the expiry
        QJsonObject grace = renewal("7", "1");
        grace.insert("grace_period_expires_date_ms", ms(kRequest + 6 * kDay));
        r = readV1(v1("DID_FAIL_TO_RENEW", latest, { grace }));
        QCOMPARE(r.report->state, S::GracePeriod);
        QCOMPARE(r.report->expiresAtMs, kRequest + 6 * kDay);
    }

    void v1RefundsRevocationsAndRenewalStatus()
    {
        QJsonObject t = transaction("7", "8", kRequest - 3 * kDay, kRequest + 27 * kDay);
        t.insert("cancellation_date_ms", ms(kRequest));
        AppStoreV1Reading r = readV1(v1("CANCEL", { t }, {}));
        QCOMPARE(r.report->state, S::Refunded);
        QCOMPARE(r.report->stamp.occurredAtMs, kRequest);
        QCOMPARE(r.report->stamp.rank, 6);

        const QJsonArray latest { transaction("7", "8", kRequest - 3 * kDay,
                                              kRequest + 27 * kDay) };
        r = readV1(v1("REVOKE", latest, {}));
        QCOMPARE(r.report->state, S::Revoked);

        QJsonObject off = v1("DID_CHANGE_RENEWAL_STATUS", latest, { renewal("7", "1") });
        off.insert("auto_renew_status", "false");
        off.insert("auto_renew_status_change_date_ms", ms(kRequest));
        r = readV1(off);
        QCOMPARE(r.report->state, S::Canceled);
        QCOMPARE(r.report->autoRenew, false);
        QCOMPARE(r.report->stamp.occurredAtMs, kRequest);

        r = readV1(v1("DID_CHANGE_RENEWAL_PREF", latest, {}));
        QVERIFY(!r.report->state);
        QCOMPARE(r.report->priceId, QStringLiteral("pro.monthly"));
    }

    void v1OtherTypesAreIgnoredAndNonsenseRefused()
    {
        const QJsonArray latest { transaction("7", "8", kRequest, kRequest + kDay) };
        const AppStoreV1Reading r = readV1(v1("CONSUMPTION_REQUEST", latest, {}));
        QVERIFY(!r.report);
        QCOMPARE(r.ignoredReason, QStringLiteral("unhandled_type"));
        // No auto-renewable subscription in it (a consumable's refund): not ours to track.
        QCOMPARE(readV1(v1("REFUND", {}, {})).ignoredReason, QStringLiteral("not_a_subscription"));
        QVERIFY(readV1(v1("REFUND", {}, {})).refusal.isEmpty());
        // Two subscriptions and no original_transaction_id: which one is meant is unknown.
        const QJsonArray two { transaction("7", "8", kRequest, kRequest + kDay),
                               transaction("9", "10", kRequest, kRequest + kDay) };
        QCOMPARE(readV1(v1("DID_RENEW", two, {})).refusal, QStringLiteral("malformed"));
        QJsonObject named = v1("DID_RENEW", two, {});
        named.insert("original_transaction_id", "9");
        QCOMPARE(readV1(named).report->subscriptionId, QStringLiteral("9"));
        named.insert("original_transaction_id", 9); // as a number
        QCOMPARE(readV1(named).report->subscriptionId, QStringLiteral("9"));
        // Without it, the subscription whose renewal is the product named.
        QJsonObject byProduct = v1("DID_RENEW", two, { renewal("7", "1") });
        QJsonObject other = renewal("9", "1");
        other.insert("auto_renew_product_id", "pro.yearly");
        QJsonObject unified = byProduct["unified_receipt"].toObject();
        unified["pending_renewal_info"] = QJsonArray { renewal("7", "1"), other };
        byProduct["unified_receipt"] = unified;
        byProduct.insert("auto_renew_product_id", "pro.yearly");
        QCOMPARE(readV1(byProduct).report->subscriptionId, QStringLiteral("9"));
    }
};

QTEST_GUILESS_MAIN(TestAppStoreReceipt)
#include "tst_appstorereceipt.moc"
