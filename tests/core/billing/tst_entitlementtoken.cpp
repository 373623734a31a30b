// The licence token (issue 20 item 1): EdDSA JWS. Ed25519Key is held to RFC 8037 Appendix A's
// vectors (the key, its RFC 7638 thumbprint and the JWS of "Example of Ed25519 signing");
// tests/interop/tst_billinginterop has the npm `jose` package verify our tokens.
#include "billing/entitlementtoken.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::Billing;
using Refusal = EntitlementToken::Refusal;

namespace {

// RFC 8037 A.1.
const QByteArray kD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const QByteArray kX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

QByteArray b64url(const QByteArray &b)
{
    return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Ed25519Key rfcKey()
{
    // PKCS#8 (RFC 8410 §7) around the raw private key.
    const QByteArray der = QByteArray::fromHex("302e020100300506032b657004220420")
        + QByteArray::fromBase64(kD, QByteArray::Base64UrlEncoding);
    const QByteArray pem
        = "-----BEGIN PRIVATE KEY-----\n" + der.toBase64() + "\n-----END PRIVATE KEY-----\n";
    QString error;
    return Ed25519Key::fromPem(pem, &error);
}

EntitlementClaims claims(qint64 exp = 2000000000)
{
    return EntitlementClaims { QStringLiteral("u1"),
                               QStringLiteral("pro"),
                               QStringLiteral("active"),
                               QJsonObject { { QStringLiteral("cell_runs"), 1000 } },
                               1700000000,
                               exp };
}

// The token with its payload replaced by `payload` and the signature kept.
QByteArray withPayload(const QByteArray &token, const QJsonObject &payload)
{
    QList<QByteArray> parts = token.split('.');
    parts[1] = b64url(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return parts.join('.');
}

} // namespace

class TestEntitlementToken : public QObject
{
    Q_OBJECT
private slots:
    void theRfc8037KeyAndThumbprint()
    {
        const Ed25519Key key = rfcKey();
        QVERIFY(!key.isNull());
        QVERIFY(key.hasPrivateKey());
        QCOMPARE(b64url(key.rawPublicKey()), kX);
        QCOMPARE(key.keyId(), QStringLiteral("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
        QCOMPARE(key.publicJwk().value("x").toString(), QString::fromLatin1(kX));
    }

    void theRfc8037Signature()
    {
        // A.4: JWS Protected Header {"alg":"EdDSA"}, payload "Example of Ed25519 signing".
        const QByteArray input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        const QByteArray expected = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylG"
                                    "jg5BhVsPt9g7sVvpAr_MuM0KAg";
        QCOMPARE(b64url(rfcKey().sign(input)), expected);
        QString error;
        const Ed25519Key pub = Ed25519Key::fromJwk(QJsonObject { { "kty", "OKP" },
                                                                 { "crv", "Ed25519" },
                                                                 { "x", QString::fromLatin1(kX) } },
                                                   &error);
        QVERIFY2(!pub.isNull(), qPrintable(error));
        QVERIFY(!pub.hasPrivateKey());
        QVERIFY(pub.verify(input, QByteArray::fromBase64(expected, QByteArray::Base64UrlEncoding)));
        QVERIFY(!pub.verify(input + "x",
                            QByteArray::fromBase64(expected, QByteArray::Base64UrlEncoding)));
        QVERIFY(pub.sign(input).isEmpty()); // a public key cannot sign
    }

    void aPemRoundTrip()
    {
        const Ed25519Key key = Ed25519Key::generate();
        QString error;
        const Ed25519Key back = Ed25519Key::fromPem(key.privateKeyPem(), &error);
        QCOMPARE(back.keyId(), key.keyId());
        QVERIFY(Ed25519Key::fromPem(
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &error)
                    .isNull());
    }

    void signedTokensVerifyOfflineUntilExpiry()
    {
        const Ed25519Key key = Ed25519Key::generate();
        const QByteArray token = EntitlementToken::sign(claims(), key);
        const QList<QByteArray> parts = token.split('.');
        QCOMPARE(parts.size(), 3);
        const QJsonObject header
            = QJsonDocument::fromJson(
                  QByteArray::fromBase64(parts[0], QByteArray::Base64UrlEncoding))
                  .object();
        QCOMPARE(header.value("alg").toString(), QStringLiteral("EdDSA"));
        QCOMPARE(header.value("kid").toString(), key.keyId());

        // Verified by the public half alone, as the app does.
        QString error;
        const Ed25519Key pub = Ed25519Key::fromJwk(key.publicJwk(), &error);
        const auto ok
            = EntitlementToken::verify(token, { Ed25519Key::generate(), pub }, 1999999999);
        QCOMPARE(ok.refusal, Refusal::None);
        QCOMPARE(ok.claims.userId, QStringLiteral("u1"));
        QCOMPARE(ok.claims.plan, QStringLiteral("pro"));
        QCOMPARE(ok.claims.limits.value("cell_runs").toInt(), 1000);
        QCOMPARE(ok.claims.expiresAt, 2000000000);
        QCOMPARE(EntitlementToken::verify(token, { pub }, 2000000000).refusal, Refusal::Expired);
    }

    void refusals()
    {
        const Ed25519Key key = Ed25519Key::generate();
        const QByteArray token = EntitlementToken::sign(claims(), key);
        const qint64 now = 1800000000;
        QCOMPARE(EntitlementToken::verify(token, { Ed25519Key::generate() }, now).refusal,
                 Refusal::UnknownKey);
        QCOMPARE(EntitlementToken::verify(token, {}, now).refusal, Refusal::UnknownKey);

        // A raised plan under the old signature.
        QJsonObject raised
            = QJsonDocument::fromJson(
                  QByteArray::fromBase64(token.split('.')[1], QByteArray::Base64UrlEncoding))
                  .object();
        raised["plan"] = "team";
        QCOMPARE(EntitlementToken::verify(withPayload(token, raised), { key }, now).refusal,
                 Refusal::BadSignature);

        // alg "none" with the signature dropped (RFC 8725 §2.1).
        QList<QByteArray> parts = token.split('.');
        parts[0] = b64url(R"({"alg":"none","kid":")" + key.keyId().toLatin1() + R"("})");
        parts[2] = "";
        QCOMPARE(EntitlementToken::verify(parts.join('.'), { key }, now).refusal,
                 Refusal::WrongAlgorithm);

        QCOMPARE(EntitlementToken::verify("a.b", { key }, now).refusal, Refusal::Malformed);
        QCOMPARE(EntitlementToken::verify(token + "=", { key }, now).refusal, Refusal::Malformed);
        QCOMPARE(EntitlementToken::verify(token + ".x", { key }, now).refusal, Refusal::Malformed);
        QByteArray flipped = token;
        flipped[flipped.size() - 2] = flipped[flipped.size() - 2] == 'A' ? 'B' : 'A';
        QCOMPARE(EntitlementToken::verify(flipped, { key }, now).refusal, Refusal::BadSignature);
    }

    void claimsOfTheWrongTypeAreRefusedEvenWhenSigned()
    {
        // Signed by the right key but without exp: never accepted forever.
        const Ed25519Key key = Ed25519Key::generate();
        const QByteArray input
            = b64url(R"({"alg":"EdDSA","kid":")" + key.keyId().toLatin1() + R"("})") + '.'
            + b64url(R"({"sub":"u1","plan":"pro","limits":{},"iat":1})");
        const QByteArray token = input + '.' + b64url(key.sign(input));
        QCOMPARE(EntitlementToken::verify(token, { key }, 2).refusal, Refusal::BadClaims);
        // Complete, but another issuer's.
        const QByteArray other
            = b64url(R"({"alg":"EdDSA","kid":")" + key.keyId().toLatin1() + R"("})") + '.'
            + b64url(R"({"iss":"elsewhere","sub":"u1","plan":"pro","limits":{},"iat":1,"exp":9})");
        QCOMPARE(
            EntitlementToken::verify(other + '.' + b64url(key.sign(other)), { key }, 2).refusal,
            Refusal::BadClaims);
    }
};

QTEST_APPLESS_MAIN(TestEntitlementToken)
#include "tst_entitlementtoken.moc"
