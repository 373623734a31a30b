#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QString>

namespace Kyozo::Billing {

// Stripe's webhook signature (https://docs.stripe.com/webhooks#verify-manually, and what
// stripe-node's `webhooks.constructEvent` and stripe-python's `WebhookSignature` do): the
// `Stripe-Signature` header is `t=TIMESTAMP,v1=HEX[,v1=HEX…][,v0=…]`, each v1 the hex
// HMAC-SHA256 of `TIMESTAMP.PAYLOAD` (the raw body bytes) with an endpoint secret. Several v1
// values appear while Stripe rolls a secret; several secrets are configured while the operator
// does. Items are split on ',' then on the first '=', without trimming, as Stripe's libraries
// do; other schemes (v0, the test-mode scheme) are ignored.
struct StripeSignatureCheck
{
    enum class Result {
        Valid,
        MissingHeader, // no Stripe-Signature header
        Malformed, // no `t=` integer, or no v1 signature ("Unable to extract timestamp and
                   // signatures")
        OutsideTolerance, // |now - t| > tolerance
        NoMatch, // no v1 matches any configured secret
    };

    QByteArrayList secrets; // whsec_… values, every one tried (rotation)
    qint64 toleranceSeconds = 300; // Stripe's DEFAULT_TOLERANCE; 0 disables the check

    // Constant time in the signatures' contents (CRYPTO_memcmp over equal lengths).
    Result verify(const QByteArray &header, const QByteArray &payload, qint64 nowSeconds) const;

    // `t=TIMESTAMP,v1=HEX`: what stripe-node's `generateTestHeaderString` gives, for the
    // local stand-in and tests.
    static QByteArray sign(const QByteArray &payload, const QByteArray &secret, qint64 timestamp);
    // The stable reason code for the audit log and the 400 answer.
    static QString reasonCode(Result result);
};

} // namespace Kyozo::Billing
