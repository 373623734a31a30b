#include "tlstestcertificates.h"

#include <QDir>
#include <QFile>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace KyozoTest {

namespace {

    using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
    using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

    Key newKey()
    {
        return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    }

    void addExtension(X509 *x, X509 *issuer, int nid, const char *value)
    {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }

    Certificate certificate(const char *commonName, EVP_PKEY *key, X509 *issuer,
                            EVP_PKEY *issuerKey, long serial, qint64 notBefore, qint64 notAfter)
    {
        Certificate x(X509_new(), X509_free);
        X509_set_version(x.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
        X509_gmtime_adj(X509_getm_notBefore(x.get()), long(notBefore));
        X509_gmtime_adj(X509_getm_notAfter(x.get()), long(notAfter));
        X509_set_pubkey(x.get(), key);
        X509_NAME *name = X509_get_subject_name(x.get());
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("Kyozo Test"), -1, -1,
                                   0);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
        X509 *signer = issuer ? issuer : x.get();
        X509_set_issuer_name(x.get(), X509_get_subject_name(signer));
        if (issuer) {
            addExtension(x.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
            addExtension(x.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
            addExtension(x.get(), signer, NID_ext_key_usage, "serverAuth");
        } else {
            addExtension(x.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
            addExtension(x.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        }
        X509_sign(x.get(), issuerKey, EVP_sha256());
        return x;
    }

    QByteArray pem(X509 *x)
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_X509(bio.get(), x);
        char *data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        return QByteArray(data, n);
    }

    QByteArray pem(EVP_PKEY *key)
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
        char *data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        return QByteArray(data, n);
    }

    bool write(const QString &path, const QByteArray &bytes)
    {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    }

} // namespace

TlsTestCertificates::TlsTestCertificates()
    : TlsTestCertificates(Options {})
{
}

TlsTestCertificates::TlsTestCertificates(const Options &options)
{
    const Key caKey = newKey();
    const Key serverKey = newKey();
    const Key other = newKey();
    const Certificate ca
        = certificate("Kyozo Test CA", caKey.get(), nullptr, caKey.get(), 1, -86400, 10 * 86400);
    const Certificate server
        = certificate("127.0.0.1", serverKey.get(), ca.get(), caKey.get(), options.serial,
                      options.notBeforeSeconds, options.notAfterSeconds);
    caPem = pem(ca.get());
    certificatePem = pem(server.get());
    privateKeyPem = pem(serverKey.get());
    otherKeyPem = pem(other.get());
}

bool TlsTestCertificates::writeTo(const QString &directory) const
{
    const QDir d(directory);
    return write(d.filePath(QStringLiteral("ca.pem")), caPem)
        && write(d.filePath(QStringLiteral("server.pem")), certificatePem)
        && write(d.filePath(QStringLiteral("server.key")), privateKeyPem)
        && write(d.filePath(QStringLiteral("other.key")), otherKeyPem);
}

} // namespace KyozoTest
