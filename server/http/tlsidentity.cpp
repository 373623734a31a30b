#include "tlsidentity.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace Kyozo::Server {

namespace {

    QString tr(const char *text)
    {
        return QCoreApplication::translate("Kyozo::Server::TlsIdentity", text);
    }

    std::optional<QByteArray> readFile(const QString &path, QString *error)
    {
        QFile f(path);
        // A certificate or a key is a few kilobytes; a chain a few more.
        constexpr qint64 kMaxBytes = 1024 * 1024;
        if (!f.open(QIODevice::ReadOnly)) {
            *error = tr("%1: %2").arg(path, f.errorString());
            return std::nullopt;
        }
        if (f.size() > kMaxBytes) {
            *error = tr("%1: larger than 1 MiB, not a PEM certificate or key").arg(path);
            return std::nullopt;
        }
        return f.readAll();
    }

    // Whether the private key is the certificate's: OpenSSL's own check, which Qt does not
    // expose (a mismatch would otherwise show only as every handshake failing).
    bool keyMatches(const QByteArray &certificatePem, const QByteArray &keyPem)
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> certBio(
            BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size())), BIO_free);
        std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
            BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())), BIO_free);
        std::unique_ptr<X509, decltype(&X509_free)> certificate(
            PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr), X509_free);
        // No passphrase: OpenSSL's default would ask for one on the terminal.
        pem_password_cb *noPassphrase = [](char *, int, int, void *) { return 0; };
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
            PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr), EVP_PKEY_free);
        return certificate && key && X509_check_private_key(certificate.get(), key.get()) == 1;
    }

} // namespace

std::optional<QSslConfiguration> loadTlsIdentity(const QString &certificateFile,
                                                 const QString &privateKeyFile, QString *error)
{
    const std::optional<QByteArray> certificatePem = readFile(certificateFile, error);
    if (!certificatePem)
        return std::nullopt;
    const std::optional<QByteArray> keyPem = readFile(privateKeyFile, error);
    if (!keyPem)
        return std::nullopt;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(*certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = tr("%1: no PEM certificate in it").arg(certificateFile);
        return std::nullopt;
    }
    const QSslCertificate &leaf = chain.first();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (leaf.expiryDate() < now) {
        *error = tr("%1: the certificate expired on %2")
                     .arg(certificateFile, leaf.expiryDate().toString(Qt::ISODate));
        return std::nullopt;
    }
    if (leaf.effectiveDate() > now) {
        *error = tr("%1: the certificate is not valid before %2")
                     .arg(certificateFile, leaf.effectiveDate().toString(Qt::ISODate));
        return std::nullopt;
    }
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : { QSsl::Rsa, QSsl::Ec, QSsl::Dsa }) {
        key = QSslKey(*keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error
            = tr("%1: no unencrypted RSA or EC private key in PEM form in it").arg(privateKeyFile);
        return std::nullopt;
    }
    if (!keyMatches(*certificatePem, *keyPem)) {
        *error = tr("%1: the private key is not the key of the certificate in %2")
                     .arg(privateKeyFile, certificateFile);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    // Clients are not asked for certificates: they authenticate with tokens (SPEC §4).
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

} // namespace Kyozo::Server
