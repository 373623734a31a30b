#include "appstoresigneddata.h"
#include "compactjws.h"
#include "protocol/json.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace Kyozo::Billing {

namespace {

    constexpr qint64 kMaxSkewMs = 60000; // jws_verification.ts MAX_SKEW
    constexpr const char *kLeafOid = "1.2.840.113635.100.6.11.1";
    constexpr const char *kIntermediateOid = "1.2.840.113635.100.6.2.1";

    struct X509Free
    {
        void operator()(X509 *x) const { X509_free(x); }
    };
    using X509Ptr = std::unique_ptr<X509, X509Free>;
    struct PkeyFree
    {
        void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
    };
    using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

    X509Ptr fromDer(const QByteArray &der)
    {
        const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
        X509 *x = d2i_X509(nullptr, &p, long(der.size()));
        // Trailing bytes after the certificate are not a certificate.
        if (x && p != reinterpret_cast<const unsigned char *>(der.constData()) + der.size()) {
            X509_free(x);
            return nullptr;
        }
        return X509Ptr(x);
    }

    bool hasExtension(X509 *x, const char *oid)
    {
        ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        const bool found = obj && X509_get_ext_by_OBJ(x, obj, -1) >= 0;
        ASN1_OBJECT_free(obj);
        return found;
    }

    bool validAt(X509 *x, qint64 ms)
    {
        // notBefore <= t + skew and notAfter >= t - skew.
        const time_t late = time_t((ms + kMaxSkewMs) / 1000);
        const time_t early = time_t((ms - kMaxSkewMs) / 1000);
        return X509_cmp_time(X509_get0_notBefore(x), const_cast<time_t *>(&late)) <= 0
            && X509_cmp_time(X509_get0_notAfter(x), const_cast<time_t *>(&early)) >= 0;
    }

    // JWS ES256 (RFC 7518 §3.4): R || S, 32 bytes each, not DER.
    bool verifyEs256(EVP_PKEY *key, const QByteArray &input, const QByteArray &signature)
    {
        if (signature.size() != 64 || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC
            || EVP_PKEY_get_bits(key) != 256)
            return false;
        ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()), 32,
                              nullptr);
        BIGNUM *s = BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()) + 32,
                              32, nullptr);
        ECDSA_SIG_set0(sig, r, s);
        unsigned char *der = nullptr;
        const int derLength = i2d_ECDSA_SIG(sig, &der);
        ECDSA_SIG_free(sig);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        const bool ok = derLength > 0
            && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1
            && EVP_DigestVerify(ctx, der, size_t(derLength),
                                reinterpret_cast<const unsigned char *>(input.constData()),
                                size_t(input.size()))
                == 1;
        EVP_MD_CTX_free(ctx);
        OPENSSL_free(der);
        return ok;
    }

    AppStoreVerifier::Result refused(AppStoreVerifier::Refusal r)
    {
        return { r, {} };
    }

    qint64 asMs(const ASN1_TIME *t)
    {
        struct tm tm
        {
        };
        if (ASN1_TIME_to_tm(t, &tm) != 1)
            return 0;
        return qint64(timegm(&tm)) * 1000;
    }

} // namespace

bool AppStoreVerifier::addRootCertificate(const QByteArray &certificate, QString *error)
{
    QByteArray der = certificate;
    if (certificate.contains("-----BEGIN CERTIFICATE-----")) {
        BIO *bio = BIO_new_mem_buf(certificate.constData(), int(certificate.size()));
        X509 *x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (x) {
            unsigned char *out = nullptr;
            const int n = i2d_X509(x, &out);
            der = QByteArray(reinterpret_cast<const char *>(out), n);
            OPENSSL_free(out);
            X509_free(x);
        }
    }
    if (!fromDer(der)) {
        *error = QStringLiteral("not an X.509 certificate (DER or PEM)");
        return false;
    }
    m_rootsDer.append(der);
    return true;
}

AppStoreVerifier::Result AppStoreVerifier::verifySignedData(const QByteArray &jws,
                                                            qint64 nowMs) const
{
    const std::optional<CompactJws::Parts> jwsParts = CompactJws::parse(jws, 256 * 1024);
    if (!jwsParts || jwsParts->header.value(QLatin1String("alg")) != QLatin1String("ES256"))
        return refused(Refusal::Malformed);
    const QJsonObject &payload = jwsParts->payload;
    const QByteArray &signingInput = jwsParts->signingInput;
    const QByteArray &signature = jwsParts->signature;
    const QJsonArray x5c = jwsParts->header.value(QLatin1String("x5c")).toArray();
    if (x5c.size() != 3)
        return refused(Refusal::InvalidChainLength);
    // x5c entries are standard base64 of DER (RFC 7515 §4.1.6), not base64url.
    auto cert = [&](int i) -> X509Ptr {
        if (!x5c.at(i).isString())
            return nullptr;
        auto der = QByteArray::fromBase64Encoding(x5c.at(i).toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
        return der ? fromDer(*der) : nullptr;
    };
    // Known chain: its verdict holds while all three certificates are valid.
    const QByteArray chainKey = QCryptographicHash::hash(x5c.at(0).toString().toLatin1() + '|'
                                                             + x5c.at(1).toString().toLatin1(),
                                                         QCryptographicHash::Sha256);
    const auto known = m_verified.constFind(chainKey);
    if (known != m_verified.constEnd()) {
        if (known->notBeforeMs > nowMs + kMaxSkewMs || known->notAfterMs < nowMs - kMaxSkewMs)
            return refused(Refusal::InvalidCertificate);
        if (!verifyEs256(static_cast<EVP_PKEY *>(known->leafKey.get()), signingInput, signature))
            return refused(Refusal::VerificationFailure);
        return { Refusal::None, payload };
    }

    const X509Ptr leaf = cert(0);
    const X509Ptr intermediate = cert(1);
    if (!leaf || !intermediate)
        return refused(Refusal::InvalidCertificate);

    X509Ptr root;
    for (const QByteArray &der : m_rootsDer) {
        X509Ptr candidate = fromDer(der);
        EVP_PKEY *rootKey = candidate ? X509_get0_pubkey(candidate.get()) : nullptr;
        if (rootKey && X509_verify(intermediate.get(), rootKey) == 1
            && X509_NAME_cmp(X509_get_issuer_name(intermediate.get()),
                             X509_get_subject_name(candidate.get()))
                == 0)
            root = std::move(candidate);
    }
    EVP_PKEY *intermediateKey = X509_get0_pubkey(intermediate.get());
    const bool chained = root && intermediateKey && X509_verify(leaf.get(), intermediateKey) == 1
        && X509_NAME_cmp(X509_get_issuer_name(leaf.get()),
                         X509_get_subject_name(intermediate.get()))
            == 0
        && X509_check_ca(intermediate.get()) == 1 && hasExtension(leaf.get(), kLeafOid)
        && hasExtension(intermediate.get(), kIntermediateOid);
    if (!chained)
        return refused(Refusal::VerificationFailure);
    if (!validAt(leaf.get(), nowMs) || !validAt(intermediate.get(), nowMs)
        || !validAt(root.get(), nowMs))
        return refused(Refusal::InvalidCertificate);
    EVP_PKEY *leafKey = X509_get0_pubkey(leaf.get());
    if (!leafKey || !verifyEs256(leafKey, signingInput, signature))
        return refused(Refusal::VerificationFailure);

    VerifiedChain verified;
    EVP_PKEY_up_ref(leafKey);
    verified.leafKey = std::shared_ptr<void>(
        leafKey, [](void *k) { EVP_PKEY_free(static_cast<EVP_PKEY *>(k)); });
    verified.notBeforeMs = std::max({ asMs(X509_get0_notBefore(leaf.get())),
                                      asMs(X509_get0_notBefore(intermediate.get())),
                                      asMs(X509_get0_notBefore(root.get())) });
    verified.notAfterMs = std::min({ asMs(X509_get0_notAfter(leaf.get())),
                                     asMs(X509_get0_notAfter(intermediate.get())),
                                     asMs(X509_get0_notAfter(root.get())) });
    if (m_verified.size() >= 32)
        m_verified.clear();
    m_verified.insert(chainKey, verified);
    return { Refusal::None, payload };
}

AppStoreVerifier::Result AppStoreVerifier::verifyNotification(const QByteArray &signedPayload,
                                                              qint64 nowMs) const
{
    Result r = verifySignedData(signedPayload, nowMs);
    if (r.refusal != Refusal::None)
        return r;
    // jws_verification.ts verifyAndDecodeNotification: the identifiers from `data`, else
    // `summary` (a renewal-date extension summary).
    QJsonObject source = r.payload.value(QLatin1String("data")).toObject();
    if (source.isEmpty())
        source = r.payload.value(QLatin1String("summary")).toObject();
    const QJsonValue appAppleIdValue = source.value(QLatin1String("appAppleId"));
    const bool production = environment == QLatin1String("Production");
    if (source.value(QLatin1String("bundleId")).toString() != bundleId
        || (production && (!appAppleId || Protocol::jsonInt64(appAppleIdValue) != appAppleId)))
        return refused(Refusal::InvalidAppIdentifier);
    if (source.value(QLatin1String("environment")).toString() != environment)
        return refused(Refusal::InvalidEnvironment);
    return r;
}

AppStoreVerifier::Result AppStoreVerifier::verifyTransaction(const QByteArray &signedTransaction,
                                                             qint64 nowMs) const
{
    Result r = verifySignedData(signedTransaction, nowMs);
    if (r.refusal != Refusal::None)
        return r;
    if (r.payload.value(QLatin1String("bundleId")).toString() != bundleId)
        return refused(Refusal::InvalidAppIdentifier);
    if (r.payload.value(QLatin1String("environment")).toString() != environment)
        return refused(Refusal::InvalidEnvironment);
    return r;
}

AppStoreVerifier::Result AppStoreVerifier::verifyRenewalInfo(const QByteArray &signedRenewalInfo,
                                                             qint64 nowMs) const
{
    Result r = verifySignedData(signedRenewalInfo, nowMs);
    if (r.refusal == Refusal::None
        && r.payload.value(QLatin1String("environment")).toString() != environment)
        return refused(Refusal::InvalidEnvironment);
    return r;
}

QString AppStoreVerifier::reasonCode(Refusal refusal)
{
    switch (refusal) {
    case Refusal::None:
        return QStringLiteral("valid");
    case Refusal::Malformed:
        return QStringLiteral("malformed");
    case Refusal::InvalidChainLength:
        return QStringLiteral("invalid_chain_length");
    case Refusal::InvalidCertificate:
        return QStringLiteral("invalid_certificate");
    case Refusal::VerificationFailure:
        return QStringLiteral("verification_failure");
    case Refusal::InvalidAppIdentifier:
        return QStringLiteral("invalid_app_identifier");
    case Refusal::InvalidEnvironment:
        return QStringLiteral("invalid_environment");
    }
    return {};
}

} // namespace Kyozo::Billing
