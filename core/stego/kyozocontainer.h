#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace Kyozo::Stego {

// Kyozo's hidden-payload container (SPEC §3):
//   "KZ" | version 1 | flags (bit 0 deflate, bit 1 encrypted) | length (u32 BE) | body
// unencrypted body: payload (deflated if flagged) | CRC-32 of everything before it (zlib)
// encrypted body:   scrypt log2(N) | salt[16] | nonce[12] | AES-256-GCM ciphertext | tag[16]
//                   (key = scrypt(passphrase, salt, N, r=8, p=1), the 8-byte header is AAD)
// A deflated payload starts with its uncompressed size (u32 BE), bounding inflation.
namespace Container {

struct SealOptions
{
    bool compress = true;
    QByteArray passphrase; // empty: no encryption
    int scryptLog2N = 15;  // 32 MiB of memory, OWASP's minimum for scrypt; tests use less
};

std::optional<QByteArray> seal(QByteArrayView payload, const SealOptions &options, QString *error);
// The payload, or nullopt with a one-line reason: damaged, wrong or missing passphrase.
std::optional<QByteArray> open(QByteArrayView container, QByteArrayView passphrase, QString *error);
// The header is well-formed and the length matches: what `stego detect` calls "decodes".
bool isWellFormed(QByteArrayView container);

inline constexpr qsizetype kMaxPayload = 64 * 1024 * 1024;

} // namespace Container
} // namespace Kyozo::Stego
