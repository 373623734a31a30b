#include "appletestchain.h"

#include "billing/compactjws.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace KyozoTest {

namespace {

    QByteArray der(X509 *x)
    {
        unsigned char *out = nullptr;
        const int n = i2d_X509(x, &out);
        QByteArray bytes(reinterpret_cast<const char *>(out), n);
        OPENSSL_free(out);
        return bytes;
    }

    void addMarker(X509 *x, const char *oid)
    {
        ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        const unsigned char asn1Null[] = { 0x05, 0x00 }; // Apple's markers hold ASN.1 NULL
        ASN1_OCTET_STRING_set(value, asn1Null, 2);
        X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, value);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(value);
        ASN1_OBJECT_free(obj);
    }

    X509 *certificate(const char *commonName, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuerKey,
                      bool ca, qint64 notBefore, qint64 notAfter, long serial)
    {
        X509 *x = X509_new();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
        X509_gmtime_adj(X509_getm_notBefore(x), long(notBefore));
        X509_gmtime_adj(X509_getm_notAfter(x), long(notAfter));
        X509_set_pubkey(x, key);
        X509_NAME *name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("Kyozo Test"), -1, -1,
                                   0);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
        X509_EXTENSION *bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints,
                                                 ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        X509_add_ext(x, bc, -1);
        X509_EXTENSION_free(bc);
        X509_sign(x, issuerKey, EVP_sha256());
        return x;
    }

} // namespace

struct AppleTestChain::Keys
{
    EVP_PKEY *root = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    EVP_PKEY *intermediate = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    EVP_PKEY *leaf = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ~Keys()
    {
        EVP_PKEY_free(root);
        EVP_PKEY_free(intermediate);
        EVP_PKEY_free(leaf);
    }
};

AppleTestChain::AppleTestChain()
    : AppleTestChain(Options {})
{
}

AppleTestChain::AppleTestChain(const Options &o)
    : m_keys(std::make_shared<Keys>())
{
    X509 *root = certificate("Test Root CA - G3", m_keys->root, nullptr, m_keys->root, true, -86400,
                             10 * 365 * 86400, 1);
    X509 *intermediate
        = certificate("Test Worldwide Developer Relations", m_keys->intermediate, root,
                      m_keys->root, o.intermediateIsCa, -86400, 5 * 365 * 86400, 2);
    if (o.intermediateOid) {
        addMarker(intermediate, "1.2.840.113635.100.6.2.1");
        X509_sign(intermediate, m_keys->root, EVP_sha256());
    }
    X509 *leaf = certificate("Test Mac App Store and iTunes Store Receipt Signing", m_keys->leaf,
                             intermediate, m_keys->intermediate, false, o.leafNotBeforeSeconds,
                             o.leafNotAfterSeconds, 3);
    if (o.leafOid) {
        addMarker(leaf, "1.2.840.113635.100.6.11.1");
        X509_sign(leaf, m_keys->intermediate, EVP_sha256());
    }
    m_rootDer = der(root);
    m_intermediateDer = der(intermediate);
    m_leafDer = der(leaf);
    X509_free(root);
    X509_free(intermediate);
    X509_free(leaf);
}

AppleTestChain::~AppleTestChain() = default;

QByteArray AppleTestChain::rootPem() const
{
    return "-----BEGIN CERTIFICATE-----\n" + m_rootDer.toBase64() + "\n-----END CERTIFICATE-----\n";
}

QByteArray AppleTestChain::sign(const QJsonObject &payload) const
{
    return sign(payload, { m_leafDer, m_intermediateDer, m_rootDer });
}

QByteArray AppleTestChain::sign(const QJsonObject &payload, const QList<QByteArray> &x5cDer) const
{
    QJsonArray x5c;
    for (const QByteArray &d : x5cDer)
        x5c.append(QString::fromLatin1(d.toBase64()));
    const QByteArray input = Kyozo::Billing::CompactJws::base64Url(
                                 QJsonDocument(QJsonObject { { "alg", "ES256" }, { "x5c", x5c } })
                                     .toJson(QJsonDocument::Compact))
        + '.'
        + Kyozo::Billing::CompactJws::base64Url(
                                 QJsonDocument(payload).toJson(QJsonDocument::Compact));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t length = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_keys->leaf);
    EVP_DigestSign(ctx, nullptr, &length,
                   reinterpret_cast<const unsigned char *>(input.constData()),
                   size_t(input.size()));
    QByteArray derSig(int(length), Qt::Uninitialized);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(derSig.data()), &length,
                   reinterpret_cast<const unsigned char *>(input.constData()),
                   size_t(input.size()));
    EVP_MD_CTX_free(ctx);
    // DER ECDSA-Sig-Value -> R || S (RFC 7518 §3.4).
    const unsigned char *p = reinterpret_cast<const unsigned char *>(derSig.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(length));
    QByteArray raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return input + '.' + Kyozo::Billing::CompactJws::base64Url(raw);
}

} // namespace KyozoTest
