// App Store signed data (issue 20 item 1): AppStoreVerifier refuses every way a chain or a
// payload can be wrong, as Apple's SignedDataVerifier does, with test chains made by OpenSSL
// here (tests/support/appletestchain); tests/interop/tst_billinginterop has Apple's own
// library accept what these chains sign. Notification payloads follow Apple's documented
// ResponseBodyV2DecodedPayload, JWSTransactionDecodedPayload and JWSRenewalInfoDecodedPayload.
#include "appletestchain.h"
#include "billing/appstoreevents.h"
#include "billing/appstoresigneddata.h"

#include <QDateTime>
#include <QtTest>

using namespace Kyozo::Billing;
using KyozoTest::AppleTestChain;
using R = AppStoreVerifier::Refusal;

namespace {

const QString kBundle = QStringLiteral("app.kyozo.Kyozo");

AppStoreVerifier verifierFor(const AppleTestChain &chain, const QString &environment = "Sandbox")
{
    AppStoreVerifier v;
    QString error;
    if (!v.addRootCertificate(chain.rootDer(), &error))
        qFatal("%s", qPrintable(error));
    v.bundleId = kBundle;
    v.environment = environment;
    return v;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QJsonObject notification(const AppleTestChain &chain, const QString &type, const QString &subtype,
                         const QJsonObject &transaction, const QJsonObject &renewal,
                         const QString &bundle = kBundle, const QString &environment = "Sandbox")
{
    QJsonObject data { { "bundleId", bundle },
                       { "environment", environment },
                       { "appAppleId", 1234567890 },
                       { "bundleVersion", "1.0" },
                       { "signedTransactionInfo", QString::fromLatin1(chain.sign(transaction)) } };
    if (!renewal.isEmpty())
        data["signedRenewalInfo"] = QString::fromLatin1(chain.sign(renewal));
    QJsonObject n { { "notificationType", type },
                    { "notificationUUID", "002e14d5-51f5-4503-b5a8-c3a1af68eb20" },
                    { "version", "2.0" },
                    { "signedDate", double(nowMs()) },
                    { "data", data } };
    if (!subtype.isEmpty())
        n["subtype"] = subtype;
    return n;
}

QJsonObject transaction(const QString &environment = "Sandbox")
{
    return QJsonObject { { "transactionId", "2000000001" },
                         { "originalTransactionId", "1000000001" },
                         { "bundleId", kBundle },
                         { "productId", "app.kyozo.pro.monthly" },
                         { "purchaseDate", double(nowMs() - 1000) },
                         { "expiresDate", double(nowMs() + 86400000) },
                         { "type", "Auto-Renewable Subscription" },
                         { "environment", environment },
                         { "appAccountToken", "0123abcd-0000-4000-8000-00000000beef" },
                         { "price", 9990 },
                         { "currency", "USD" },
                         { "signedDate", double(nowMs()) } };
}

QJsonObject renewal(int autoRenew = 1)
{
    return QJsonObject { { "originalTransactionId", "1000000001" },
                         { "autoRenewStatus", autoRenew },
                         { "autoRenewProductId", "app.kyozo.pro.monthly" },
                         { "environment", "Sandbox" },
                         { "gracePeriodExpiresDate", double(nowMs() + 3 * 86400000) },
                         { "signedDate", double(nowMs()) } };
}

} // namespace

class TestAppStoreSignedData : public QObject
{
    Q_OBJECT
    AppleTestChain chain;

private slots:
    void aSignedNotificationVerifies()
    {
        const QByteArray jws = chain.sign(
            notification(chain, "SUBSCRIBED", "INITIAL_BUY", transaction(), renewal()));
        const auto r = verifierFor(chain).verifyNotification(jws, nowMs());
        QCOMPARE(r.refusal, R::None);
        QCOMPARE(r.payload.value("notificationType").toString(), QStringLiteral("SUBSCRIBED"));
        // A PEM root is the same root.
        AppStoreVerifier pem;
        QString error;
        QVERIFY(pem.addRootCertificate(chain.rootPem(), &error));
        pem.bundleId = kBundle;
        pem.environment = "Sandbox";
        QCOMPARE(pem.verifyNotification(jws, nowMs()).refusal, R::None);
    }

    void everyBrokenChainIsRefused()
    {
        const QJsonObject n = notification(chain, "SUBSCRIBED", {}, transaction(), {});
        const AppStoreVerifier v = verifierFor(chain);
        QCOMPARE(
            v.verifySignedData(chain.sign(n, { chain.leafDer(), chain.intermediateDer() }), nowMs())
                .refusal,
            R::InvalidChainLength);
        QCOMPARE(v.verifySignedData(chain.sign(n,
                                               { chain.leafDer(), chain.intermediateDer(),
                                                 chain.rootDer(), chain.rootDer() }),
                                    nowMs())
                     .refusal,
                 R::InvalidChainLength);
        QCOMPARE(v.verifySignedData(chain.sign(n, { chain.leafDer(), "not DER", chain.rootDer() }),
                                    nowMs())
                     .refusal,
                 R::InvalidCertificate);

        AppleTestChain::Options noLeafOid;
        noLeafOid.leafOid = false;
        const AppleTestChain a(noLeafOid);
        QCOMPARE(verifierFor(a).verifySignedData(a.sign(n), nowMs()).refusal,
                 R::VerificationFailure);

        AppleTestChain::Options noIntermediateOid;
        noIntermediateOid.intermediateOid = false;
        const AppleTestChain b(noIntermediateOid);
        QCOMPARE(verifierFor(b).verifySignedData(b.sign(n), nowMs()).refusal,
                 R::VerificationFailure);

        AppleTestChain::Options notCa;
        notCa.intermediateIsCa = false;
        const AppleTestChain c(notCa);
        QCOMPARE(verifierFor(c).verifySignedData(c.sign(n), nowMs()).refusal,
                 R::VerificationFailure);

        // A well-formed chain to a root we were not given.
        const AppleTestChain other;
        QCOMPARE(v.verifySignedData(other.sign(n), nowMs()).refusal, R::VerificationFailure);
        // Our root last in x5c does not help: the root is the configured one, never x5c's.
        QCOMPARE(v.verifySignedData(
                      other.sign(n, { other.leafDer(), other.intermediateDer(), chain.rootDer() }),
                      nowMs())
                     .refusal,
                 R::VerificationFailure);
    }

    void validityHasSixtySecondsOfSkew()
    {
        const QJsonObject n = notification(chain, "SUBSCRIBED", {}, transaction(), {});
        AppleTestChain::Options expired;
        expired.leafNotAfterSeconds = -120;
        const AppleTestChain e(expired);
        QCOMPARE(verifierFor(e).verifySignedData(e.sign(n), nowMs()).refusal,
                 R::InvalidCertificate);
        AppleTestChain::Options justExpired;
        justExpired.leafNotAfterSeconds = -20;
        const AppleTestChain j(justExpired);
        QCOMPARE(verifierFor(j).verifySignedData(j.sign(n), nowMs()).refusal, R::None);
        AppleTestChain::Options notYet;
        notYet.leafNotBeforeSeconds = 600;
        const AppleTestChain y(notYet);
        QCOMPARE(verifierFor(y).verifySignedData(y.sign(n), nowMs()).refusal,
                 R::InvalidCertificate);
    }

    void aTamperedPayloadOrAnotherAlgorithmIsRefused()
    {
        const QByteArray jws = chain.sign(notification(chain, "SUBSCRIBED", {}, transaction(), {}));
        QList<QByteArray> parts = jws.split('.');
        const QByteArray other = chain.sign(notification(chain, "REFUND", {}, transaction(), {}));
        parts[1] = other.split('.')[1];
        QCOMPARE(verifierFor(chain).verifySignedData(parts.join('.'), nowMs()).refusal,
                 R::VerificationFailure);
        QList<QByteArray> none = jws.split('.');
        none[0] = QByteArray(R"({"alg":"none"})")
                      .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QCOMPARE(verifierFor(chain).verifySignedData(none.join('.'), nowMs()).refusal,
                 R::Malformed);
        QCOMPARE(verifierFor(chain).verifySignedData("a.b", nowMs()).refusal, R::Malformed);
    }

    void aChainVerifiedOnceIsStillCheckedEveryTime()
    {
        // The second use of a chain takes the verifier's cache: the signature and the
        // certificates' validity are still checked.
        const AppStoreVerifier v = verifierFor(chain);
        const QByteArray jws = chain.sign(notification(chain, "SUBSCRIBED", {}, transaction(), {}));
        QCOMPARE(v.verifySignedData(jws, nowMs()).refusal, R::None);
        QCOMPARE(v.verifySignedData(jws, nowMs()).refusal, R::None);
        QList<QByteArray> parts = jws.split('.');
        parts[1] = chain.sign(notification(chain, "REFUND", {}, transaction(), {})).split('.')[1];
        QCOMPARE(v.verifySignedData(parts.join('.'), nowMs()).refusal, R::VerificationFailure);
        // The leaf lasts a day: two days on, the known chain is no longer valid.
        QCOMPARE(v.verifySignedData(jws, nowMs() + 2 * 86400000).refusal, R::InvalidCertificate);
        QCOMPARE(v.verifySignedData(jws, nowMs() - 2 * 86400000).refusal, R::InvalidCertificate);
    }

    void bundleIdEnvironmentAndAppAppleId()
    {
        const AppStoreVerifier v = verifierFor(chain);
        QCOMPARE(v.verifyNotification(chain.sign(notification(chain, "SUBSCRIBED", {},
                                                              transaction(), {}, "com.other")),
                                      nowMs())
                     .refusal,
                 R::InvalidAppIdentifier);
        QCOMPARE(
            v.verifyNotification(chain.sign(notification(chain, "SUBSCRIBED", {}, transaction(), {},
                                                         kBundle, "Production")),
                                 nowMs())
                .refusal,
            R::InvalidEnvironment);
        AppStoreVerifier production = verifierFor(chain, "Production");
        const QByteArray live = chain.sign(notification(
            chain, "SUBSCRIBED", {}, transaction("Production"), {}, kBundle, "Production"));
        QCOMPARE(production.verifyNotification(live, nowMs()).refusal,
                 R::InvalidAppIdentifier); // none configured
        production.appAppleId = 99;
        QCOMPARE(production.verifyNotification(live, nowMs()).refusal, R::InvalidAppIdentifier);
        production.appAppleId = 1234567890;
        QCOMPARE(production.verifyNotification(live, nowMs()).refusal, R::None);
        // The transaction inside is checked too.
        QCOMPARE(
            readAppStoreNotification(
                v, chain.sign(notification(chain, "SUBSCRIBED", {}, transaction("Production"), {})),
                nowMs())
                .refusal,
            R::InvalidEnvironment);
    }

    void notificationsBecomeReports()
    {
        const AppStoreVerifier v = verifierFor(chain);
        AppStoreEventReading r = readAppStoreNotification(
            v,
            chain.sign(notification(chain, "SUBSCRIBED", "INITIAL_BUY", transaction(), renewal())),
            nowMs());
        QCOMPARE(r.refusal, R::None);
        QVERIFY(r.report);
        QCOMPARE(r.type, QStringLiteral("SUBSCRIBED/INITIAL_BUY"));
        QCOMPARE(r.report->subscriptionId, QStringLiteral("1000000001"));
        QCOMPARE(r.report->state, SubscriptionState::Active);
        QCOMPARE(*r.report->userId, QStringLiteral("0123abcd00004000800000000000beef"));
        QCOMPARE(*r.report->priceId, QStringLiteral("app.kyozo.pro.monthly"));
        QCOMPARE(*r.report->price, (Money { 999, "USD" })); // 9990 milli-dollars
        QCOMPARE(*r.report->autoRenew, true);

        QJsonObject trial = transaction();
        trial["offerType"] = 1;
        trial["offerDiscountType"] = "FREE_TRIAL";
        r = readAppStoreNotification(
            v, chain.sign(notification(chain, "SUBSCRIBED", {}, trial, {})), nowMs());
        QCOMPARE(r.report->state, SubscriptionState::Trial);
        QCOMPARE(*r.report->offer, QStringLiteral("trial"));

        r = readAppStoreNotification(
            v,
            chain.sign(
                notification(chain, "DID_FAIL_TO_RENEW", "GRACE_PERIOD", transaction(), renewal())),
            nowMs());
        QCOMPARE(r.report->state, SubscriptionState::GracePeriod);
        QVERIFY(*r.report->expiresAtMs > nowMs() + 2 * 86400000); // the grace period's end
        r = readAppStoreNotification(
            v,
            chain.sign(notification(chain, "DID_CHANGE_RENEWAL_STATUS", "AUTO_RENEW_DISABLED",
                                    transaction(), renewal(0))),
            nowMs());
        QCOMPARE(r.report->state, SubscriptionState::Canceled);
        QCOMPARE(*r.report->autoRenew, false);
        r = readAppStoreNotification(
            v, chain.sign(notification(chain, "REVOKE", {}, transaction(), {})), nowMs());
        QCOMPARE(r.report->state, SubscriptionState::Revoked);

        QJsonObject test = notification(chain, "TEST", {}, transaction(), {});
        test["data"] = QJsonObject { { "bundleId", kBundle }, { "environment", "Sandbox" } };
        r = readAppStoreNotification(v, chain.sign(test), nowMs());
        QCOMPARE(r.refusal, R::None);
        QCOMPARE(r.ignoredReason, QStringLiteral("no_transaction"));
    }

    void milliUnitsBecomeMinorUnits()
    {
        QCOMPARE(*moneyFromMilliUnits(9990, "usd"), (Money { 999, "USD" }));
        QCOMPARE(*moneyFromMilliUnits(1500000, "JPY"), (Money { 1500, "JPY" }));
        QCOMPARE(*moneyFromMilliUnits(1250, "KWD"), (Money { 1250, "KWD" }));
        QVERIFY(!moneyFromMilliUnits(9995, "USD")); // half a cent: not made up
        QVERIFY(!moneyFromMilliUnits(100, "US"));
    }
};

QTEST_APPLESS_MAIN(TestAppStoreSignedData)
#include "tst_appstoresigneddata.moc"
