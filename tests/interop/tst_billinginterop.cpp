// Billing against real third-party code (issue 20, "Proven by"): stripe-node 19 signs the
// webhooks kyozo-server accepts and checks what Kyozo's StripeSignatureCheck signs; the npm
// `jose` package verifies the server's licence from its published keys (billing_interop.mjs).
#include "appletestchain.h"
#include "billing/appstoresigneddata.h"
#include "billing/stripesignature.h"
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace KyozoTest;

class TestBillingInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
                      QStringLiteral("node"));
        KYOZO_REQUIRE(
            QDir(QStringLiteral(KYOZO_INTEROP_DIR)).exists(QStringLiteral("node_modules/stripe"))
                && QDir(QStringLiteral(KYOZO_INTEROP_DIR))
                       .exists(QStringLiteral("node_modules/jose")),
            QStringLiteral("tests/interop/node_modules (npm ci)"));
    }

    void stripeAndJoseAgreeWithKyozo()
    {
        TemporaryServer server;
        QString error;
        QVERIFY2(
            server.start(QStringLiteral("[billing]\nstripe_webhook_secrets = [\"whsec_interop\"]\n"
                                        "[billing.plans.pro]\ncell_runs_per_month = 5\n"),
                         &error),
            qPrintable(error));
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());

        const QByteArray ourPayload = R"({"id":"evt_from_kyozo","object":"event","type":"ping"})";
        const QByteArray ourHeader = Kyozo::Billing::StripeSignatureCheck::sign(
            ourPayload, "whsec_interop", QDateTime::currentSecsSinceEpoch());

        QProcess node;
        node.setWorkingDirectory(QStringLiteral(KYOZO_INTEROP_DIR));
        node.start(QStandardPaths::findExecutable(QStringLiteral("node")),
                   { QDir(QStringLiteral(KYOZO_INTEROP_DIR))
                         .filePath(QStringLiteral("billing_interop.mjs")) });
        QVERIFY(node.waitForStarted(10000));
        node.write(QJsonDocument(
                       QJsonObject { { "url", server.url({}).toString(QUrl::StripTrailingSlash) },
                                     { "token", token },
                                     { "secret", "whsec_interop" },
                                     { "ourPayload", QString::fromLatin1(ourPayload) },
                                     { "ourHeader", QString::fromLatin1(ourHeader) } })
                       .toJson(QJsonDocument::Compact));
        node.closeWriteChannel();
        QVERIFY(node.waitForFinished(60000));
        const QByteArray err = node.readAllStandardError();
        QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0,
                 err.constData());
        const QJsonObject seen = QJsonDocument::fromJson(node.readAllStandardOutput()).object();

        QCOMPARE(seen.value("outcomes").toVariant().toStringList(),
                 (QStringList { "accepted", "accepted" }));
        QCOMPARE(seen.value("alg").toString(), QStringLiteral("EdDSA"));
        QCOMPARE(seen.value("sub").toString(), seen.value("userId").toString());
        QCOMPARE(seen.value("plan").toString(), QStringLiteral("pro")); // the webhooks' plan
        // A paid plan's licence ends with the subscription's period.
        QCOMPARE(seen.value("exp").toInteger(), seen.value("end").toInteger());
        const QJsonObject status = seen.value("status").toObject();
        QCOMPARE(status.value("state").toString(), QStringLiteral("active"));
        QCOMPARE(status.value("limits").toObject().value("cell_runs_per_month").toInt(), 5);
        // JPY has no minor unit: 1500 is ¥1,500, kept as Stripe wrote it.
        const QJsonObject price
            = status.value("subscriptions").toArray().at(0).toObject().value("price").toObject();
        QCOMPARE(price.value("currency").toString(), QStringLiteral("JPY"));
        QCOMPARE(price.value("amount").toInt(), 1500);
    }

    // Apple's SignedDataVerifier and ours give the same verdict on the same bytes: a valid
    // notification (so our fixtures are Apple's format, not our reading of it) and each way
    // of breaking one.
    void appleAndKyozoJudgeNotificationsAlike()
    {
        using KyozoTest::AppleTestChain;
        const QString bundle = QStringLiteral("app.kyozo.Kyozo");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const AppleTestChain chain;
        const auto notification
            = [&](const AppleTestChain &c, const QString &bundleId, const QString &environment) {
                  const QJsonObject transaction { { "transactionId", "2000000001" },
                                                  { "originalTransactionId", "1000000001" },
                                                  { "bundleId", bundleId },
                                                  { "productId", "app.kyozo.pro.monthly" },
                                                  { "purchaseDate", double(now - 1000) },
                                                  { "originalPurchaseDate", double(now - 1000) },
                                                  { "expiresDate", double(now + 86400000) },
                                                  { "quantity", 1 },
                                                  { "type", "Auto-Renewable Subscription" },
                                                  { "inAppOwnershipType", "PURCHASED" },
                                                  { "signedDate", double(now) },
                                                  { "environment", environment },
                                                  { "transactionReason", "PURCHASE" },
                                                  { "storefront", "USA" },
                                                  { "storefrontId", "143441" },
                                                  { "price", 9990 },
                                                  { "currency", "USD" } };
                  const QJsonObject renewal { { "originalTransactionId", "1000000001" },
                                              { "autoRenewProductId", "app.kyozo.pro.monthly" },
                                              { "productId", "app.kyozo.pro.monthly" },
                                              { "autoRenewStatus", 1 },
                                              { "signedDate", double(now) },
                                              { "environment", environment },
                                              { "recentSubscriptionStartDate", double(now - 1000) },
                                              { "renewalDate", double(now + 86400000) } };
                  const QJsonObject payload {
                      { "notificationType", "SUBSCRIBED" },
                      { "subtype", "INITIAL_BUY" },
                      { "notificationUUID", "002e14d5-51f5-4503-b5a8-c3a1af68eb20" },
                      { "version", "2.0" },
                      { "signedDate", double(now) },
                      { "data",
                        QJsonObject {
                            { "bundleId", bundleId },
                            { "environment", environment },
                            { "bundleVersion", "1" },
                            { "status", 1 },
                            { "signedTransactionInfo", QString::fromLatin1(c.sign(transaction)) },
                            { "signedRenewalInfo", QString::fromLatin1(c.sign(renewal)) } } }
                  };
                  return payload;
              };
        QList<std::pair<QString, QByteArray>> cases;
        cases.append({ "valid", chain.sign(notification(chain, bundle, "Sandbox")) });
        cases.append({ "two_certificates",
                       chain.sign(notification(chain, bundle, "Sandbox"),
                                  { chain.leafDer(), chain.intermediateDer() }) });
        AppleTestChain::Options o;
        o.leafOid = false;
        const AppleTestChain noLeafOid(o);
        cases.append(
            { "leaf_without_oid", noLeafOid.sign(notification(noLeafOid, bundle, "Sandbox")) });
        o = {};
        o.intermediateOid = false;
        const AppleTestChain noIntermediateOid(o);
        cases.append(
            { "intermediate_without_oid",
              noIntermediateOid.sign(notification(noIntermediateOid, bundle, "Sandbox")) });
        o = {};
        o.intermediateIsCa = false;
        const AppleTestChain notCa(o);
        cases.append({ "intermediate_not_ca", notCa.sign(notification(notCa, bundle, "Sandbox")) });
        const AppleTestChain otherRoot;
        cases.append(
            { "another_root", otherRoot.sign(notification(otherRoot, bundle, "Sandbox")) });
        o = {};
        o.leafNotAfterSeconds = -120;
        const AppleTestChain expired(o);
        cases.append({ "expired_leaf", expired.sign(notification(expired, bundle, "Sandbox")) });
        QList<QByteArray> parts = cases.first().second.split('.');
        parts[1] = chain.sign(notification(chain, "app.kyozo.Other", "Sandbox")).split('.')[1];
        cases.append({ "tampered_payload", parts.join('.') });
        cases.append(
            { "wrong_bundle_id", chain.sign(notification(chain, "app.kyozo.Other", "Sandbox")) });
        cases.append(
            { "wrong_environment", chain.sign(notification(chain, bundle, "Production")) });

        QJsonArray input;
        for (const auto &[name, jws] : cases)
            input.append(
                QJsonObject { { "name", name }, { "signedPayload", QString::fromLatin1(jws) } });
        QProcess node;
        node.setWorkingDirectory(QStringLiteral(KYOZO_INTEROP_DIR));
        node.start(QStandardPaths::findExecutable(QStringLiteral("node")),
                   { QDir(QStringLiteral(KYOZO_INTEROP_DIR))
                         .filePath(QStringLiteral("apple_interop.mjs")) });
        QVERIFY(node.waitForStarted(10000));
        node.write(
            QJsonDocument(QJsonObject { { "root", QString::fromLatin1(chain.rootDer().toBase64()) },
                                        { "bundleId", bundle },
                                        { "cases", input } })
                .toJson(QJsonDocument::Compact));
        node.closeWriteChannel();
        QVERIFY(node.waitForFinished(60000));
        QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
        const QJsonObject apple = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
        QCOMPARE(apple.value("valid").toString(),
                 QStringLiteral("ok")); // Apple accepts our fixture

        Kyozo::Billing::AppStoreVerifier ours;
        QString error;
        QVERIFY(ours.addRootCertificate(chain.rootDer(), &error));
        ours.bundleId = bundle;
        ours.environment = QStringLiteral("Sandbox");
        for (const auto &[name, jws] : cases) {
            const auto verdict = ours.verifyNotification(jws, now).refusal;
            QString mine = verdict == Kyozo::Billing::AppStoreVerifier::Refusal::None
                ? QStringLiteral("ok")
                : Kyozo::Billing::AppStoreVerifier::reasonCode(verdict).toUpper();
            // Apple's verifyJWT throws INVALID_CHAIN_LENGTH inside the try that turns every
            // Error into INVALID_CERTIFICATE, so that is what its callers see; ours keeps the
            // more precise reason.
            if (mine == QLatin1String("INVALID_CHAIN_LENGTH"))
                mine = QStringLiteral("INVALID_CERTIFICATE");
            QVERIFY2(mine == apple.value(name).toString(),
                     qPrintable(QStringLiteral("%1: Apple says %2, Kyozo %3")
                                    .arg(name, apple.value(name).toString(), mine)));
        }
        qInfo("Apple's SignedDataVerifier and AppStoreVerifier agree on %lld cases",
              qint64(cases.size()));
    }
};

QTEST_GUILESS_MAIN(TestBillingInterop)
#include "tst_billinginterop.moc"
