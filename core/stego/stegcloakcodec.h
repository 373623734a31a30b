#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace Kyozo::Stego {

// StegCloak 1.1.1's format (npm `stegcloak`), read from its source:
//  message -> lzutf8 -> every byte XOR 0xFF -> [encrypt: salt[8] | (integrity: HMAC-SHA256[32]) |
//  AES-256-CTR ciphertext; key and IV from PBKDF2-SHA512(password, salt, 10000) -> 48 bytes,
//  IV first; the HMAC, keyed with the key, covers the plaintext] -> bits, two per character
//  U+200C U+200D U+2061 U+2062, after a mode flag (U+200C encrypted+HMAC, U+200D encrypted,
//  U+2061 plain) -> doubled characters of a pair chosen by a leading flag become U+2063/U+2064
//  -> the run goes in front of a word in the first half of the cover.
// Only the HMAC mode can tell a wrong password or damage; the others yield whatever the
// bytes decrypt to (we refuse what is not UTF-8, which catches most but not all of it).
class StegCloakCodec
{
public:
    struct Options
    {
        QByteArray password; // empty: not encrypted
        bool integrity = true;
    };
    // `wordIndexSeed` picks the word as StegCloak's Math.random() would (tests fix it).
    static std::optional<QByteArray> encode(QByteArrayView coverUtf8, QByteArrayView message,
                                            const Options &options, QString *error,
                                            quint32 wordIndexSeed = 0);
    // Reveals as StegCloak does: the last word that starts with its characters.
    static std::optional<QByteArray> decode(QByteArrayView textUtf8, QByteArrayView password, QString *error);
    // The run's decoded bytes before decryption (mode flag parsed), or nullopt if it is not a
    // StegCloak stream; used by `detect` ("decodes") and by damage tests.
    struct Stream
    {
        bool encrypted = false;
        bool integrity = false;
        QByteArray bytes;
    };
    static std::optional<Stream> parseRun(QByteArrayView runUtf8);
    static QByteArray buildRun(const Stream &stream);
    static std::optional<QByteArray> open(const Stream &stream, QByteArrayView password, QString *error);
    // `stego detect`'s "decodes" without a password: a plain stream opens; an encrypted one
    // has at least its salt (and HMAC) and one byte.
    static bool decodes(QByteArrayView runUtf8);
    static bool decodes(const Stream &stream);
};

} // namespace Kyozo::Stego
