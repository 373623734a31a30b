// libFuzzer target (issue 20): the billing decoders on any bytes, as the server reads every
// webhook body and header and the app every licence it is handed. The first byte picks one:
//  0 a Stripe-Signature header (up to the first newline) and a body: verify() never crashes,
//    and the same body signed by sign() verifies, with a header that names it first or last;
//  1 a licence JWS: EntitlementToken::verify() never crashes, and claims read from the bytes
//    (as a JSON object), signed, verify back to the same claims;
//  2 App Store signed data: AppStoreVerifier refuses or accepts without crashing, and a JSON
//    object read from the bytes, signed by the test chain, verifies to that very payload;
//  3 a Stripe event (readStripeEvent) and an App Store notification (readAppStoreNotification)
//    read from the bytes never crash, and what they report is the event's own id;
//  4 a verifyReceipt answer and a V1 notification (readReceipt, readAppStoreV1Notification,
//    ReceiptVerification::onReply) never crash; every report names a subscription, and a V1
//    notification is only ever read with the right password.
#include "appletestchain.h"
#include "billing/appstoreevents.h"
#include "billing/appstorereceipt.h"
#include "billing/entitlementtoken.h"
#include "billing/stripeevents.h"
#include "billing/stripesignature.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace Kyozo::Billing;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_billing: %s\n", what);
        __builtin_trap();
    }
}

constexpr qint64 kNow = 1767225600; // 2026-01-01, seconds

const Ed25519Key &licenceKey()
{
    static const Ed25519Key key = Ed25519Key::generate();
    return key;
}

const KyozoTest::AppleTestChain &chain()
{
    static const KyozoTest::AppleTestChain c;
    return c;
}

const AppStoreVerifier &verifier()
{
    static const AppStoreVerifier v = [] {
        AppStoreVerifier v;
        QString error;
        v.addRootCertificate(chain().rootDer(), &error);
        v.bundleId = QStringLiteral("app.kyozo.Kyozo");
        v.environment = QStringLiteral("Sandbox");
        return v;
    }();
    return v;
}

void stripe(const QByteArray &input)
{
    const qsizetype newline = input.indexOf('\n');
    const QByteArray header = newline < 0 ? input : input.left(newline);
    const QByteArray body = newline < 0 ? QByteArray() : input.mid(newline + 1);
    StripeSignatureCheck c;
    c.secrets = { "whsec_fuzz" };
    (void)c.verify(header, body, kNow);
    const QByteArray signedHeader = StripeSignatureCheck::sign(body, "whsec_fuzz", kNow);
    check(c.verify(signedHeader, body, kNow) == StripeSignatureCheck::Result::Valid,
          "signed body refused");
    // One more v1 (the header's first bytes, without commas: they would start other items).
    const QByteArray extra = QByteArray(header.left(64)).replace(',', "");
    check(c.verify(signedHeader + ",v1=" + extra, body, kNow)
              == StripeSignatureCheck::Result::Valid,
          "an extra v1 broke a valid header");
}

void licence(const QByteArray &input)
{
    (void)EntitlementToken::verify(input, { licenceKey() }, kNow);
    const QJsonObject o = QJsonDocument::fromJson(input).object();
    EntitlementClaims claims { o.value(QLatin1String("sub")).toString(),
                               o.value(QLatin1String("plan")).toString(),
                               o.value(QLatin1String("state")).toString(),
                               o.value(QLatin1String("limits")).toObject(),
                               kNow,
                               kNow + 3600 };
    const EntitlementToken::Verified v = EntitlementToken::verify(
        EntitlementToken::sign(claims, licenceKey()), { licenceKey() }, kNow);
    check(v.refusal == EntitlementToken::Refusal::None, "a signed licence does not verify");
    check(v.claims.userId == claims.userId && v.claims.plan == claims.plan
              && v.claims.limits == claims.limits,
          "a licence's claims changed on the way");
}

void appStore(const QByteArray &input)
{
    (void)verifier().verifyNotification(input, kNow * 1000);
    (void)verifier().verifySignedData(input, kNow * 1000);
    const QJsonObject payload = QJsonDocument::fromJson(input).object();
    if (payload.isEmpty())
        return;
    const AppStoreVerifier::Result r
        = verifier().verifySignedData(chain().sign(payload), QDateTime::currentMSecsSinceEpoch());
    check(r.refusal == AppStoreVerifier::Refusal::None, "data signed by the test chain refused");
    check(r.payload == payload, "a payload changed on the way");
}

void events(const QByteArray &input)
{
    const QJsonObject o = QJsonDocument::fromJson(input).object();
    const StripeEventReading s = readStripeEvent(o);
    if (s.report)
        check(s.report->stamp.eventId == o.value(QLatin1String("id")).toString(),
              "Stripe event id changed");
    const AppStoreEventReading a = readAppStoreNotification(verifier(), chain().sign(o),
                                                            QDateTime::currentMSecsSinceEpoch());
    if (a.report)
        check(a.report->stamp.eventId == o.value(QLatin1String("notificationUUID")).toString(),
              "notification id changed");
    (void)readAppStoreNotification(verifier(), input, kNow * 1000);
}

void receipts(const QByteArray &input)
{
    ReceiptVerification v(ReceiptOptions {}, "cmVjZWlwdA==");
    v.start();
    (void)v.onReply(200, input);
    const QJsonObject o = QJsonDocument::fromJson(input).object();
    const ReceiptReading r
        = readReceipt(o, QStringLiteral("app.kyozo.Kyozo"), kNow * 1000, QStringLiteral("r"));
    for (const SubscriptionReport &report : r.reports)
        check(!report.subscriptionId.isEmpty() && report.stamp.occurredAtMs > 0,
              "a receipt report without a subscription or a time");
    const AppStoreV1Reading v1 = readAppStoreV1Notification(
        o, input, "fuzz-secret", QStringLiteral("app.kyozo.Kyozo"), QStringLiteral("Production"));
    if (v1.refusal.isEmpty())
        check(o.value(QLatin1String("password")) == QLatin1String("fuzz-secret"),
              "a V1 notification read without its password");
    if (v1.report)
        check(!v1.report->subscriptionId.isEmpty() && v1.report->stamp.occurredAtMs > 0,
              "a V1 report without a subscription or a time");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 5) {
    case 0:
        stripe(input);
        break;
    case 1:
        licence(input);
        break;
    case 2:
        appStore(input);
        break;
    case 3:
        events(input);
        break;
    default:
        receipts(input);
        break;
    }
    return 0;
}
