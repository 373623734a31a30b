// Apple's legacy path through the real server (issue 20 item 1, docs/billing.md): receipts
// validated with verifyReceipt — a local stand-in answering in Apple's documented format —
// with the sandbox move and the retries, and V1 notifications trusted by the shared secret;
// on SQLite and on a real PostgreSQL.
#include "databasebackends.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "storage/database.h"
#include "temporaryserver.h"
#include "verifyreceiptstandin.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QtTest>

using namespace KyozoTest;

namespace {

constexpr qint64 kDay = 86400000;
const QByteArray kSharedSecret = "5f2a9c0e4b7d4c1e8a6b3d2f1e0c9b8a";
const QString kBundle = QStringLiteral("app.kyozo.Kyozo");

QString ms(qint64 v)
{
    return QString::number(v);
}

// verifyReceipt's answer for one subscription of `product`, renewing or not.
QJsonObject receiptResponse(const QString &original, qint64 expires, const QString &autoRenew,
                            const QString &bundle = kBundle, const QString &token = {})
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonObject latest {
        { "original_transaction_id", original },   { "transaction_id", original + "1" },
        { "product_id", "app.kyozo.pro.monthly" }, { "purchase_date_ms", ms(now - kDay) },
        { "expires_date_ms", ms(expires) },        { "is_trial_period", "false" },
        { "is_in_intro_offer_period", "false" }
    };
    if (!token.isEmpty())
        latest.insert("app_account_token", token);
    return QJsonObject {
        { "receipt",
          QJsonObject { { "bundle_id", bundle },
                        { "request_date_ms", ms(now) },
                        { "receipt_type", "ProductionSandbox" },
                        { "in_app", QJsonArray {} } } },
        { "latest_receipt", "LATEST" + original },
        { "latest_receipt_info", QJsonArray { latest } },
        { "pending_renewal_info",
          QJsonArray { QJsonObject { { "original_transaction_id", original },
                                     { "product_id", "app.kyozo.pro.monthly" },
                                     { "auto_renew_product_id", "app.kyozo.pro.monthly" },
                                     { "auto_renew_status", autoRenew } } } },
    };
}

// The app's UUID form of our 128-bit hex user id (appAccountToken).
QString tokenOf(const QString &userId)
{
    return userId.left(8) + "-" + userId.mid(8, 4) + "-" + userId.mid(12, 4) + "-"
        + userId.mid(16, 4) + "-" + userId.mid(20);
}

} // namespace

class TestBillingReceipts : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;
    std::unique_ptr<TemporaryServer> server;
    std::unique_ptr<VerifyReceiptStandIn> apple;
    QString ada;
    QString adaId;

    QString config(const QByteArray &secret = kSharedSecret) const
    {
        return QStringLiteral("[billing.plans.pro]\ncell_runs_per_month = 10\n"
                              "[billing.prices]\n\"app.kyozo.pro.monthly\" = \"pro\"\n"
                              "[billing.apple]\nbundle_id = \"%1\"\nshared_secret = \"%2\"\n"
                              "verify_receipt_url = \"%3\"\nverify_receipt_sandbox_url = \"%4\"\n")
            .arg(kBundle, QString::fromLatin1(secret), apple->productionUrl(), apple->sandboxUrl());
    }
    RestResponse validate(const QByteArray &receipt)
    {
        return restRequest("POST", server->url("/api/v1/billing/apple/validate"), ada,
                           QJsonDocument(QJsonObject { { "receipt_data", QString(receipt) },
                                                       { "plan_code", "pro" } })
                               .toJson(),
                           "application/json", 60000);
    }
    RestResponse notify(const QJsonObject &body)
    {
        return restRequest("POST", server->url("/api/v1/billing/webhooks/apple"), {},
                           QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    QJsonObject status()
    {
        return restRequest("GET", server->url("/api/v1/billing/subscription/status"), ada).json;
    }
    // How many refused rows of the audit log give `reason`.
    int refusals(const QString &reason)
    {
        Kyozo::Server::Database db;
        QString error;
        const auto url = Kyozo::Server::DatabaseUrl::parse(server->databaseUrl(), &error);
        if (!url || !db.open(*url, &error))
            qFatal("cannot open the test database: %s", qPrintable(error));
        QSqlQuery q(db.connection());
        q.prepare(QStringLiteral(
            "SELECT count(*) FROM billing_events WHERE outcome = 'refused' AND reason = ?"));
        q.addBindValue(reason);
        if (!q.exec() || !q.next())
            qFatal("cannot read the audit log");
        return q.value(0).toInt();
    }
    QJsonObject v1(const QString &type, const QString &original, qint64 purchase, qint64 expires,
                   const QByteArray &password = kSharedSecret)
    {
        return QJsonObject {
            { "notification_type", type },
            { "password", QString(password) },
            { "environment", "PROD" },
            { "bid", kBundle },
            { "bvrs", "3" },
            { "original_transaction_id", original },
            { "auto_renew_status", "true" },
            { "unified_receipt",
              QJsonObject {
                  { "status", 0 },
                  { "environment", "Production" },
                  { "latest_receipt", "LATEST" },
                  { "latest_receipt_info",
                    QJsonArray { QJsonObject { { "original_transaction_id", original },
                                               { "transaction_id", original + ms(purchase) },
                                               { "product_id", "app.kyozo.pro.monthly" },
                                               { "purchase_date_ms", ms(purchase) },
                                               { "expires_date_ms", ms(expires) },
                                               { "is_trial_period", "false" } } } },
                  { "pending_renewal_info", QJsonArray {} } } },
        };
    }

private slots:
    void initTestCase_data() { DatabaseBackends::addRows(); }
    void initTestCase() { backends.start(); }
    void init()
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, database);
        apple = std::make_unique<VerifyReceiptStandIn>(kSharedSecret);
        QVERIFY(apple->start());
        server = std::make_unique<TemporaryServer>(database);
        QString error;
        QVERIFY2(server->start(config(), &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "owner");
        adaId = status().value("user_id").toString();
        QVERIFY(!adaId.isEmpty());
    }
    void cleanup()
    {
        server.reset();
        apple.reset();
    }

    void aSandboxReceiptIsValidatedAtTheSandbox()
    {
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 30 * kDay;
        apple->addReceipt("UkVDRUlQVA==", "Sandbox", receiptResponse("1000", expires, "1"));
        const RestResponse r = validate("UkVDRUlQVA==");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("outcome").toString(), QStringLiteral("accepted"));
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("active"));
        // Production first, then the sandbox on 21007; each with the shared secret.
        QCOMPARE(apple->seen.size(), 2);
        QCOMPARE(apple->seen[0].path, QStringLiteral("/production"));
        QCOMPARE(apple->seen[1].path, QStringLiteral("/sandbox"));
        QCOMPARE(apple->seen[1].body.value("password").toString(), QString(kSharedSecret));
        QCOMPARE(apple->seen[1].body.value("receipt-data").toString(),
                 QStringLiteral("UkVDRUlQVA=="));
        // The plan is the product's, not the plan_code the client named.
        const QJsonObject s = status();
        QCOMPARE(s.value("plan").toString(), QStringLiteral("pro"));
        QCOMPARE(s.value("state").toString(), QStringLiteral("active"));
    }

    void temporaryFailuresAreRetried()
    {
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 30 * kDay;
        apple->addReceipt("UFJPRA==", "Production", receiptResponse("2000", expires, "0"));
        apple->failNext(2, VerifyReceiptStandIn::Failure::Status21005);
        RestResponse r = validate("UFJPRA==");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("canceled")); // renewal off
        QCOMPARE(apple->seen.size(), 3);
        apple->seen.clear();
        apple->failNext(1, VerifyReceiptStandIn::Failure::Http503);
        r = validate("UFJPRA==");
        QCOMPARE(r.status, 200);
        QCOMPARE(apple->seen.size(), 2);
    }

    void aLaterValidationSeesApplesNewerState()
    {
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 30 * kDay;
        apple->addReceipt("UFJPRA==", "Production", receiptResponse("2100", expires, "1"));
        RestResponse r = validate("UFJPRA==");
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("active"));
        // The writer turns auto-renew off; the same receipt, validated again, says so.
        QTest::qWait(5);
        apple->addReceipt("UFJPRA==", "Production", receiptResponse("2100", expires, "0"));
        r = validate("UFJPRA==");
        QCOMPARE(r.json.value("outcome").toString(), QStringLiteral("accepted"));
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("canceled"));
        QCOMPARE(status().value("state").toString(), QStringLiteral("canceled"));
    }

    void aReceiptHandedAroundMovesNothing()
    {
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 30 * kDay;
        apple->addReceipt("U0hBUkVE", "Production", receiptResponse("2200", expires, "1"));
        QCOMPARE(validate("U0hBUkVE").status, 200);
        // Bob has Ada's receipt (no appAccountToken in it): her subscription stays hers.
        const QString bob = server->userWithToken("bob", "lab", "editor");
        const RestResponse r
            = restRequest("POST", server->url("/api/v1/billing/apple/validate"), bob,
                          QJsonDocument(QJsonObject { { "receipt_data", "U0hBUkVE" } }).toJson(),
                          "application/json", 60000);
        QCOMPARE(r.status, 403);
        QCOMPARE(status().value("plan").toString(), QStringLiteral("pro"));
        QCOMPARE(restRequest("GET", server->url("/api/v1/billing/subscription/status"), bob)
                     .json.value("plan")
                     .toString(),
                 QStringLiteral("free"));
    }

    void theAppStoreUnreachableIsA502()
    {
        apple->failNext(100, VerifyReceiptStandIn::Failure::Drop);
        const RestResponse r = validate("UFJPRA==");
        QCOMPARE(r.status, 502);
        QCOMPARE(r.errorCode(), QStringLiteral("upstream_error"));
        // maxAttempts, all at production; Qt's network stack may resend a request once on a
        // connection dropped before any answer, so there can be a few more.
        QVERIFY2(apple->seen.size() >= 4 && apple->seen.size() <= 8,
                 qPrintable(QString::number(apple->seen.size())));
        for (const VerifyReceiptStandIn::Seen &seen : apple->seen)
            QCOMPARE(seen.path, QStringLiteral("/production"));
        QCOMPARE(refusals("network_error"), 1);
        QCOMPARE(status().value("plan").toString(), QStringLiteral("free"));
    }

    void refusedReceiptsGrantNothing()
    {
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 30 * kDay;
        RestResponse r = validate("VU5LTk9XTg==");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("bad_receipt"));
        QCOMPARE(refusals("receipt_not_authentic"), 1);

        apple->addReceipt("T1RIRVI=", "Production",
                          receiptResponse("3000", expires, "1", "com.someone.else"));
        r = validate("T1RIRVI=");
        QCOMPARE(r.status, 400);
        QCOMPARE(refusals("wrong_bundle_id"), 1);

        // A purchase the app tied to another of our users stays theirs.
        apple->addReceipt("VEhFSVJT", "Production",
                          receiptResponse("4000", expires, "1", kBundle,
                                          tokenOf("00112233445566778899aabbccddeeff")));
        r = validate("VEhFSVJT");
        QCOMPARE(r.status, 403);
        QCOMPARE(refusals("another_users_transaction"), 1);

        r = validate("not base64!");
        QCOMPARE(r.status, 400);
        QCOMPARE(refusals("not_base64"), 1);
        QCOMPARE(status().value("plan").toString(), QStringLiteral("free"));

        // This server's shared secret is not the app's: Apple's 21004 is the operator's to fix.
        QCOMPARE(server->stop(), 0);
        QString error;
        QVERIFY2(server->start(config("wrong-secret"), &error), qPrintable(error));
        apple->addReceipt("UFJPRA==", "Production", receiptResponse("2000", expires, "1"));
        r = validate("UFJPRA==");
        QCOMPARE(r.status, 502);
        QCOMPARE(refusals("shared_secret_mismatch"), 1);
    }

    void v1NotificationsMoveTheSubscription()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        apple->addReceipt("UFJPRA==", "Production",
                          receiptResponse("5000", now + 2 * kDay, "1", kBundle, tokenOf(adaId)));
        QCOMPARE(validate("UFJPRA==").status, 200);

        // A renewal after the validation, then Apple's support refunding it.
        const QJsonObject renewal = v1("DID_RENEW", "5000", now + 1000, now + 32 * kDay);
        RestResponse r = notify(renewal);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("outcome").toString(), QStringLiteral("accepted"));
        QCOMPARE(
            status().value("expires_at").toString(),
            QDateTime::fromMSecsSinceEpoch(now + 32 * kDay, Qt::UTC).toString(Qt::ISODateWithMs));
        // Apple sends the same bytes again: a duplicate.
        QCOMPARE(notify(renewal).json.value("outcome").toString(), QStringLiteral("duplicate"));

        QJsonObject refund = v1("CANCEL", "5000", now + 1000, now + 32 * kDay);
        QJsonObject info
            = refund["unified_receipt"].toObject()["latest_receipt_info"][0].toObject();
        info.insert("cancellation_date_ms", ms(now + 2000));
        QJsonObject unified = refund["unified_receipt"].toObject();
        unified["latest_receipt_info"] = QJsonArray { info };
        refund["unified_receipt"] = unified;
        r = notify(refund);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("refunded"));
        // A renewal older than the refund, delivered late, changes nothing.
        r = notify(v1("INTERACTIVE_RENEWAL", "5000", now - 5000, now + 30 * kDay));
        QCOMPARE(r.json.value("outcome").toString(), QStringLiteral("stale"));
        QCOMPARE(status().value("state").toString(), QStringLiteral("refunded"));
        QCOMPARE(status().value("plan").toString(), QStringLiteral("free"));

        // Without the shared secret it is anyone's forgery.
        r = notify(v1("DID_RENEW", "5000", now + 9000, now + 60 * kDay, "guess"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("bad_signature"));
        QCOMPARE(refusals("wrong_password"), 1);
        QCOMPARE(status().value("state").toString(), QStringLiteral("refunded"));
    }
};

QTEST_GUILESS_MAIN(TestBillingReceipts)
#include "tst_billingreceipts.moc"
