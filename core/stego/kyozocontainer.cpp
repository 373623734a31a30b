#include "kyozocontainer.h"

#include <QCoreApplication>
#include <QtEndian>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <memory>

namespace Kyozo::Stego::Container {

namespace {

constexpr char kMagic[2] = { 'K', 'Z' };
constexpr quint8 kVersion = 1;
constexpr quint8 kDeflate = 0x01;
constexpr quint8 kEncrypted = 0x02;
constexpr qsizetype kHeader = 8;
constexpr int kSalt = 16, kNonce = 12, kTag = 16;

// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS; a free tr() would be filed under the
// enclosing class ("lacks Q_OBJECT macro") and its translation never found at run time.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(KyozoContainer)
};

quint32 crc(QByteArrayView bytes)
{
    return quint32(crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(bytes.data()), uInt(bytes.size())));
}

void appendU32(QByteArray &out, quint32 v)
{
    char b[4];
    qToBigEndian(v, b);
    out.append(b, 4);
}

quint32 readU32(QByteArrayView in, qsizetype at) { return qFromBigEndian<quint32>(in.data() + at); }

std::optional<QByteArray> deflate(QByteArrayView in)
{
    uLongf size = compressBound(uLong(in.size()));
    QByteArray out(qsizetype(size) + 4, Qt::Uninitialized);
    qToBigEndian(quint32(in.size()), out.data());
    if (compress2(reinterpret_cast<Bytef *>(out.data() + 4), &size, reinterpret_cast<const Bytef *>(in.data()),
                  uLong(in.size()), Z_BEST_COMPRESSION) != Z_OK)
        return std::nullopt;
    out.truncate(qsizetype(size) + 4);
    return out;
}

std::optional<QByteArray> inflate(QByteArrayView in)
{
    if (in.size() < 4)
        return std::nullopt;
    const quint32 expected = readU32(in, 0);
    if (expected > kMaxPayload)
        return std::nullopt;
    QByteArray out(qsizetype(expected), Qt::Uninitialized);
    uLongf size = expected;
    if (uncompress(reinterpret_cast<Bytef *>(out.data()), &size, reinterpret_cast<const Bytef *>(in.data() + 4),
                   uLong(in.size() - 4)) != Z_OK || size != expected)
        return std::nullopt;
    return out;
}

// Containers come from untrusted text: a cost above 2^16 (64 MiB) is refused rather than
// letting a damaged or hostile payload make us allocate gigabytes.
constexpr int kMaxScryptLog2N = 16;

bool deriveKey(QByteArrayView passphrase, QByteArrayView salt, int log2N, unsigned char key[32])
{
    if (log2N < 1 || log2N > kMaxScryptLog2N)
        return false;
    // scrypt needs 128 * r * N bytes; OpenSSL's default maxmem (32 MiB) is just under N=2^15.
    const uint64_t maxmem = (uint64_t(128) * 8 << log2N) + (uint64_t(1) << 20);
    return EVP_PBE_scrypt(passphrase.data(), size_t(passphrase.size()), reinterpret_cast<const unsigned char *>(salt.data()),
                          size_t(salt.size()), uint64_t(1) << log2N, 8, 1, maxmem, key, 32) == 1;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

} // namespace

std::optional<QByteArray> seal(QByteArrayView payload, const SealOptions &options, QString *error)
{
    if (payload.size() > kMaxPayload) {
        *error = Tr::tr("the payload is larger than %1 bytes").arg(kMaxPayload);
        return std::nullopt;
    }
    QByteArray body = payload.toByteArray();
    quint8 flags = 0;
    if (options.compress) {
        const auto packed = deflate(payload);
        if (!packed) {
            *error = Tr::tr("compression failed");
            return std::nullopt;
        }
        body = *packed;
        flags |= kDeflate;
    }
    if (!options.passphrase.isEmpty())
        flags |= kEncrypted;

    QByteArray out(kMagic, 2);
    out.append(char(kVersion));
    out.append(char(flags));
    if (!(flags & kEncrypted)) {
        appendU32(out, quint32(body.size() + 4));
        out.append(body);
        appendU32(out, crc(out));
        return out;
    }
    unsigned char salt[kSalt], nonce[kNonce], key[32], tag[kTag];
    if (RAND_bytes(salt, kSalt) != 1 || RAND_bytes(nonce, kNonce) != 1
        || !deriveKey(options.passphrase, QByteArrayView(reinterpret_cast<char *>(salt), kSalt), options.scryptLog2N, key)) {
        *error = Tr::tr("key derivation failed");
        return std::nullopt;
    }
    appendU32(out, quint32(1 + kSalt + kNonce + body.size() + kTag));
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray cipher(body.size(), Qt::Uninitialized);
    int len = 0, finalLen = 0;
    const bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1
            && EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(out.constData()), int(kHeader)) == 1
            && EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(cipher.data()), &len,
                                 reinterpret_cast<const unsigned char *>(body.constData()), int(body.size())) == 1
            && EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(cipher.data()) + len, &finalLen) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, tag) == 1;
    OPENSSL_cleanse(key, sizeof key);
    if (!ok) {
        *error = Tr::tr("encryption failed");
        return std::nullopt;
    }
    out.append(char(options.scryptLog2N));
    out.append(reinterpret_cast<char *>(salt), kSalt);
    out.append(reinterpret_cast<char *>(nonce), kNonce);
    out.append(cipher);
    out.append(reinterpret_cast<char *>(tag), kTag);
    return out;
}

bool isWellFormed(QByteArrayView c)
{
    return c.size() >= kHeader && c[0] == kMagic[0] && c[1] == kMagic[1] && quint8(c[2]) == kVersion
            && (quint8(c[3]) & ~(kDeflate | kEncrypted)) == 0 && qsizetype(readU32(c, 4)) == c.size() - kHeader;
}

std::optional<QByteArray> open(QByteArrayView c, QByteArrayView passphrase, QString *error)
{
    if (!isWellFormed(c)) {
        *error = Tr::tr("not a Kyozo payload, or a damaged one (bad header)");
        return std::nullopt;
    }
    const quint8 flags = quint8(c[3]);
    QByteArray body;
    if (!(flags & kEncrypted)) {
        if (c.size() < kHeader + 4 || crc(c.first(c.size() - 4)) != readU32(c, c.size() - 4)) {
            *error = Tr::tr("the payload is damaged (CRC-32 mismatch)");
            return std::nullopt;
        }
        body = c.sliced(kHeader, c.size() - kHeader - 4).toByteArray();
    } else {
        if (passphrase.isEmpty()) {
            *error = Tr::tr("the payload is encrypted: a password is needed");
            return std::nullopt;
        }
        const qsizetype fixed = kHeader + 1 + kSalt + kNonce + kTag;
        if (c.size() < fixed) {
            *error = Tr::tr("the payload is damaged (too short)");
            return std::nullopt;
        }
        const int log2N = quint8(c[kHeader]);
        const QByteArrayView salt = c.sliced(kHeader + 1, kSalt);
        const auto *nonce = reinterpret_cast<const unsigned char *>(c.data() + kHeader + 1 + kSalt);
        const QByteArrayView cipher = c.sliced(kHeader + 1 + kSalt + kNonce, c.size() - fixed);
        QByteArray tag = c.sliced(c.size() - kTag).toByteArray();
        unsigned char key[32];
        if (!deriveKey(passphrase, salt, log2N, key)) {
            *error = Tr::tr("the payload is damaged (bad key parameters)");
            return std::nullopt;
        }
        CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
        body.resize(cipher.size());
        int len = 0, finalLen = 0;
        const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1
                && EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(c.data()), int(kHeader)) == 1
                && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(body.data()), &len,
                                     reinterpret_cast<const unsigned char *>(cipher.data()), int(cipher.size())) == 1
                && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) == 1
                && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(body.data()) + len, &finalLen) == 1;
        OPENSSL_cleanse(key, sizeof key);
        if (!ok) {
            // GCM cannot tell the two apart, and must not: say both.
            *error = Tr::tr("wrong password, or the payload is damaged (authentication failed)");
            return std::nullopt;
        }
    }
    if (flags & kDeflate) {
        const auto unpacked = inflate(body);
        if (!unpacked) {
            *error = Tr::tr("the payload is damaged (cannot decompress)");
            return std::nullopt;
        }
        return unpacked;
    }
    return body;
}

} // namespace Kyozo::Stego::Container
