#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Kyozo::Billing {

// An Ed25519 key of the licence signer (RFC 8037 "OKP", crv "Ed25519"). Its `kid` is the key's
// RFC 7638 JWK thumbprint (base64url SHA-256 of {"crv","kty","x"}), so that the id follows
// from the key and a published key names itself.
class Ed25519Key
{
public:
    Ed25519Key();
    ~Ed25519Key();
    Ed25519Key(const Ed25519Key &other);
    Ed25519Key &operator=(const Ed25519Key &other);

    static Ed25519Key generate();
    // A PKCS#8 private key or a SubjectPublicKeyInfo public key, PEM; null on anything else.
    static Ed25519Key fromPem(const QByteArray &pem, QString *error);
    // A public JWK {"kty":"OKP","crv":"Ed25519","x":…}; null on anything else.
    static Ed25519Key fromJwk(const QJsonObject &jwk, QString *error);

    bool isNull() const { return !m_key; }
    bool hasPrivateKey() const { return m_private; }
    QByteArray privateKeyPem() const; // PKCS#8
    QByteArray rawPublicKey() const; // 32 bytes
    QString keyId() const;
    // {"kty","crv","x","kid","alg":"EdDSA","use":"sig"}: an entry of GET /api/v1/billing/keys.
    QJsonObject publicJwk() const;

    QByteArray sign(const QByteArray &message) const; // 64 bytes; empty without a private key
    bool verify(const QByteArray &message, const QByteArray &signature) const;

private:
    struct Deleter
    {
        void operator()(void *key) const;
    };
    explicit Ed25519Key(void *key, bool isPrivate);
    std::shared_ptr<void> m_key; // EVP_PKEY, immutable once made: shared between copies
    bool m_private = false;
};

// The licence the server issues after a validated purchase (issue 20 item 1): a compact JWS
// (RFC 7515) signed with EdDSA/Ed25519 (RFC 8037), header {"alg":"EdDSA","kid","typ":"JWT"},
// claims {"iss":"kyozo","sub": user id, "plan", "state", "limits", "iat", "exp"} (seconds
// since the epoch, RFC 7519). The app verifies it offline against the keys it fetched at
// sign-in until `exp`.
struct EntitlementClaims
{
    QString userId;
    QString plan;
    QString state; // the subscription's state when issued (SubscriptionState's name)
    QJsonObject limits; // the plan's limits, as the config names them
    qint64 issuedAt = 0;
    qint64 expiresAt = 0;
};

namespace EntitlementToken {

    QByteArray sign(const EntitlementClaims &claims, const Ed25519Key &key);

    enum class Refusal {
        None,
        Malformed, // not three base64url parts, or not JSON objects
        WrongAlgorithm, // alg is not EdDSA (alg "none" and HMAC confusion refused here)
        UnknownKey, // no published key has this kid
        BadSignature,
        Expired, // now >= exp
        BadClaims, // a claim missing or of the wrong type
    };
    struct Verified
    {
        Refusal refusal = Refusal::None;
        EntitlementClaims claims;
    };
    Verified verify(const QByteArray &token, const QList<Ed25519Key> &keys, qint64 nowSeconds);
    QString reasonCode(Refusal refusal);

} // namespace EntitlementToken

} // namespace Kyozo::Billing
