#include "tokenhash.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace Kyozo::Server {

namespace {
QByteArray randomBytes(int n)
{
    QByteArray bytes(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), n) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed"); // no entropy: nothing safe to do
    return bytes;
}
} // namespace

QString newToken()
{
    return QStringLiteral("kyz_")
            + QString::fromLatin1(randomBytes(32).toBase64(QByteArray::Base64UrlEncoding
                                                           | QByteArray::OmitTrailingEquals));
}

QString tokenHash(const QString &token)
{
    const QByteArray in = token.toUtf8();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(in.constData(), size_t(in.size()), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL EVP_Digest failed");
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

QString newId() { return QString::fromLatin1(randomBytes(16).toHex()); }

} // namespace Kyozo::Server
