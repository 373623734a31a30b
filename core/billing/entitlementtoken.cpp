#include "entitlementtoken.h"
#include "compactjws.h"
#include "protocol/json.h"

#include <QJsonDocument>

#include <openssl/evp.h>
#include <openssl/pem.h>

namespace Kyozo::Billing {

namespace {

    using CompactJws::base64Url;
    using CompactJws::fromBase64Url;

    EVP_PKEY *pkey(const std::shared_ptr<void> &key)
    {
        return static_cast<EVP_PKEY *>(key.get());
    }

    bool isWholeSeconds(const QJsonValue &v)
    {
        const std::optional<qint64> n = Protocol::jsonInt64(v);
        return n && double(*n) == v.toDouble() && *n >= 0;
    }

} // namespace

void Ed25519Key::Deleter::operator()(void *key) const
{
    EVP_PKEY_free(static_cast<EVP_PKEY *>(key));
}

Ed25519Key::Ed25519Key() = default;
Ed25519Key::~Ed25519Key() = default;
Ed25519Key::Ed25519Key(const Ed25519Key &other) = default;
Ed25519Key &Ed25519Key::operator=(const Ed25519Key &other) = default;

Ed25519Key::Ed25519Key(void *key, bool isPrivate)
    : m_key(key, Deleter {})
    , m_private(isPrivate)
{
}

Ed25519Key Ed25519Key::generate()
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    return key ? Ed25519Key(key, true) : Ed25519Key();
}

Ed25519Key Ed25519Key::fromPem(const QByteArray &pem, QString *error)
{
    const bool isPrivate = pem.contains("PRIVATE KEY");
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    EVP_PKEY *key = isPrivate ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) {
        *error = QStringLiteral("not a PEM key");
        return {};
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        *error = QStringLiteral("not an Ed25519 key");
        return {};
    }
    return Ed25519Key(key, isPrivate);
}

Ed25519Key Ed25519Key::fromJwk(const QJsonObject &jwk, QString *error)
{
    const std::optional<QByteArray> x
        = fromBase64Url(jwk.value(QLatin1String("x")).toString().toLatin1());
    if (jwk.value(QLatin1String("kty")) != QLatin1String("OKP")
        || jwk.value(QLatin1String("crv")) != QLatin1String("Ed25519") || !x || x->size() != 32) {
        *error = QStringLiteral("not an Ed25519 public JWK");
        return {};
    }
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(x->constData()), 32);
    if (!key) {
        *error = QStringLiteral("not an Ed25519 public key");
        return {};
    }
    return Ed25519Key(key, false);
}

QByteArray Ed25519Key::privateKeyPem() const
{
    if (!m_private)
        return {};
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(bio, pkey(m_key), nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    QByteArray pem(data, int(size));
    BIO_free(bio);
    return pem;
}

QByteArray Ed25519Key::rawPublicKey() const
{
    if (!m_key)
        return {};
    QByteArray raw(32, Qt::Uninitialized);
    size_t length = 32;
    if (EVP_PKEY_get_raw_public_key(pkey(m_key), reinterpret_cast<unsigned char *>(raw.data()),
                                    &length)
            != 1
        || length != 32)
        return {};
    return raw;
}

QString Ed25519Key::keyId() const
{
    // RFC 7638 §3.2: the required members in lexicographic order, no white space.
    const QByteArray canonical
        = R"({"crv":"Ed25519","kty":"OKP","x":")" + base64Url(rawPublicKey()) + R"("})";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(canonical.constData(), size_t(canonical.size()), digest, &length, EVP_sha256(),
               nullptr);
    return QString::fromLatin1(
        base64Url(QByteArray(reinterpret_cast<const char *>(digest), int(length))));
}

QJsonObject Ed25519Key::publicJwk() const
{
    return QJsonObject { { QStringLiteral("kty"), QStringLiteral("OKP") },
                         { QStringLiteral("crv"), QStringLiteral("Ed25519") },
                         { QStringLiteral("x"), QString::fromLatin1(base64Url(rawPublicKey())) },
                         { QStringLiteral("kid"), keyId() },
                         { QStringLiteral("alg"), QStringLiteral("EdDSA") },
                         { QStringLiteral("use"), QStringLiteral("sig") } };
}

QByteArray Ed25519Key::sign(const QByteArray &message) const
{
    if (!m_private)
        return {};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    QByteArray signature(64, Qt::Uninitialized);
    size_t length = 64;
    const bool ok = EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey(m_key)) == 1
        && EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(signature.data()), &length,
                          reinterpret_cast<const unsigned char *>(message.constData()),
                          size_t(message.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    return ok && length == 64 ? signature : QByteArray();
}

bool Ed25519Key::verify(const QByteArray &message, const QByteArray &signature) const
{
    if (!m_key || signature.size() != 64)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey(m_key)) == 1
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(signature.constData()), 64,
                            reinterpret_cast<const unsigned char *>(message.constData()),
                            size_t(message.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

namespace EntitlementToken {

    QByteArray sign(const EntitlementClaims &claims, const Ed25519Key &key)
    {
        const QJsonObject header { { QStringLiteral("alg"), QStringLiteral("EdDSA") },
                                   { QStringLiteral("kid"), key.keyId() },
                                   { QStringLiteral("typ"), QStringLiteral("JWT") } };
        const QJsonObject payload { { QStringLiteral("iss"), QStringLiteral("kyozo") },
                                    { QStringLiteral("sub"), claims.userId },
                                    { QStringLiteral("plan"), claims.plan },
                                    { QStringLiteral("state"), claims.state },
                                    { QStringLiteral("limits"), claims.limits },
                                    { QStringLiteral("iat"), double(claims.issuedAt) },
                                    { QStringLiteral("exp"), double(claims.expiresAt) } };
        const QByteArray signingInput
            = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
            + base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact));
        const QByteArray signature = key.sign(signingInput);
        return signature.isEmpty() ? QByteArray() : signingInput + '.' + base64Url(signature);
    }

    Verified verify(const QByteArray &token, const QList<Ed25519Key> &keys, qint64 nowSeconds)
    {
        Verified out;
        const std::optional<CompactJws::Parts> parts = CompactJws::parse(token, 64 * 1024);
        if (!parts) {
            out.refusal = Refusal::Malformed;
            return out;
        }
        const QJsonObject *header = &parts->header;
        const QJsonObject *payload = &parts->payload;
        // RFC 8725 §3.1: the algorithm is ours to choose, never the token's.
        if (header->value(QLatin1String("alg")) != QLatin1String("EdDSA")) {
            out.refusal = Refusal::WrongAlgorithm;
            return out;
        }
        const QString kid = header->value(QLatin1String("kid")).toString();
        const Ed25519Key *key = nullptr;
        for (const Ed25519Key &candidate : keys)
            if (!kid.isEmpty() && candidate.keyId() == kid)
                key = &candidate;
        if (!key) {
            out.refusal = Refusal::UnknownKey;
            return out;
        }
        if (!key->verify(parts->signingInput, parts->signature)) {
            out.refusal = Refusal::BadSignature;
            return out;
        }
        const QJsonValue sub = payload->value(QLatin1String("sub"));
        const QJsonValue plan = payload->value(QLatin1String("plan"));
        const QJsonValue exp = payload->value(QLatin1String("exp"));
        const QJsonValue iat = payload->value(QLatin1String("iat"));
        // Ours only (iss), and no critical extension we would not understand (RFC 7515 §4.1.11).
        if (payload->value(QLatin1String("iss")) != QLatin1String("kyozo")
            || header->contains(QLatin1String("crit")) || !sub.isString() || !plan.isString()
            || !isWholeSeconds(exp) || !isWholeSeconds(iat)
            || !payload->value(QLatin1String("limits")).isObject()) {
            out.refusal = Refusal::BadClaims;
            return out;
        }
        out.claims.userId = sub.toString();
        out.claims.plan = plan.toString();
        out.claims.state = payload->value(QLatin1String("state")).toString();
        out.claims.limits = payload->value(QLatin1String("limits")).toObject();
        out.claims.issuedAt = qint64(iat.toDouble());
        out.claims.expiresAt = qint64(exp.toDouble());
        // RFC 7519 §4.1.4: not accepted on or after exp.
        if (nowSeconds >= out.claims.expiresAt)
            out.refusal = Refusal::Expired;
        return out;
    }

    QString reasonCode(Refusal refusal)
    {
        switch (refusal) {
        case Refusal::None:
            return QStringLiteral("valid");
        case Refusal::Malformed:
            return QStringLiteral("malformed");
        case Refusal::WrongAlgorithm:
            return QStringLiteral("wrong_algorithm");
        case Refusal::UnknownKey:
            return QStringLiteral("unknown_key");
        case Refusal::BadSignature:
            return QStringLiteral("bad_signature");
        case Refusal::Expired:
            return QStringLiteral("expired");
        case Refusal::BadClaims:
            return QStringLiteral("bad_claims");
        }
        return {};
    }

} // namespace EntitlementToken

} // namespace Kyozo::Billing
