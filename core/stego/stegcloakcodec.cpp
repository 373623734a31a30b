#include "stegcloakcodec.h"

#include "lzutf8.h"
#include "markdownld/utf8.h"

#include <QCoreApplication>
#include <QList>
#include <QRandomGenerator>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

namespace Kyozo::Stego {

namespace {

// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS; a free tr() would be filed under the
// enclosing class ("lacks Q_OBJECT macro") and its translation never found at run time.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(StegCloak)
};

// zwc[0..5] of stegcloak.js: U+200C U+200D U+2061 U+2062 U+2063 U+2064.
constexpr std::array<char32_t, 6> kZwc = { 0x200C, 0x200D, 0x2061, 0x2062, 0x2063, 0x2064 };
// The run-length flag: zwc[i] names the pair tableMap[i] whose doubles were replaced.
constexpr std::array<std::pair<int, int>, 6> kPairs = { { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 2 }, { 1, 3 }, { 2, 3 } } };

int zwcIndex(char32_t c)
{
    for (int i = 0; i < 6; ++i)
        if (kZwc[i] == c)
            return i;
    return -1;
}

void appendUtf8(QByteArray &out, char32_t c) // all of kZwc are three bytes
{
    out.append(char(0xE0 | (c >> 12)));
    out.append(char(0x80 | ((c >> 6) & 0x3F)));
    out.append(char(0x80 | (c & 0x3F)));
}

QList<char32_t> decode3(QByteArrayView utf8, bool *ok)
{
    QList<char32_t> cps;
    *ok = utf8.size() % 3 == 0;
    for (qsizetype i = 0; *ok && i < utf8.size(); i += 3) {
        const uchar a = uchar(utf8[i]), b = uchar(utf8[i + 1]), c = uchar(utf8[i + 2]);
        if ((a & 0xF0) != 0xE0 || (b & 0xC0) != 0x80 || (c & 0xC0) != 0x80) {
            *ok = false;
            break;
        }
        cps.append(char32_t(((a & 0x0F) << 12) | ((b & 0x3F) << 6) | (c & 0x3F)));
    }
    return cps;
}

bool deriveKeyIv(QByteArrayView password, QByteArrayView salt, unsigned char keyIv[48])
{
    return PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), reinterpret_cast<const unsigned char *>(salt.data()),
                             int(salt.size()), 10000, EVP_sha512(), 48, keyIv) == 1;
}

bool aesCtr(const unsigned char *key, const unsigned char *iv, QByteArrayView in, QByteArray *out)
{
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    out->resize(in.size());
    int len = 0, finalLen = 0;
    return ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_ctr(), nullptr, key, iv) == 1
            && EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out->data()), &len,
                                 reinterpret_cast<const unsigned char *>(in.data()), int(in.size())) == 1
            && EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(out->data()) + len, &finalLen) == 1;
}

QByteArray hmacSha256(const unsigned char *key, QByteArrayView data)
{
    unsigned char mac[32];
    size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key, 32,
                   reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()), mac, sizeof mac, &length))
        return {};
    return QByteArray(reinterpret_cast<char *>(mac), int(length));
}

QByteArray complement(QByteArrayView in)
{
    QByteArray out = in.toByteArray();
    for (char &c : out)
        c = char(~uchar(c));
    return out;
}

} // namespace

QByteArray StegCloakCodec::buildRun(const Stream &stream)
{
    // Mode flag, then two bits per character, most significant first.
    QList<int> digits;
    digits.append(stream.integrity && stream.encrypted ? 0 : stream.encrypted ? 1 : 2);
    for (char byte : stream.bytes)
        for (int shift = 6; shift >= 0; shift -= 2)
            digits.append((uchar(byte) >> shift) & 3);
    // Which two characters repeat most often in pairs (StegCloak's findOptimal spirit; its
    // reveal only needs the flag, so any distinct pair decodes).
    std::array<int, 4> doubles = { 0, 0, 0, 0 };
    for (qsizetype i = 0; i + 1 < digits.size(); ++i)
        if (digits[i] == digits[i + 1] && digits[i] < 4) {
            ++doubles[digits[i]];
            ++i;
        }
    int first = 0, second = 1;
    for (int c = 0; c < 4; ++c)
        if (doubles[c] > doubles[first])
            first = c;
    second = first == 0 ? 1 : 0;
    for (int c = 0; c < 4; ++c)
        if (c != first && doubles[c] > doubles[second])
            second = c;
    const int lo = qMin(first, second), hi = qMax(first, second);
    int flag = 0;
    for (int i = 0; i < 6; ++i)
        if (kPairs[i] == std::pair(lo, hi))
            flag = i;
    // JS String.replace(/xx/g): non-overlapping, left to right; hi's doubles first, then lo's.
    QList<int> shrunk;
    for (int pass = 0; pass < 2; ++pass) {
        const int target = pass == 0 ? hi : lo;
        const int replacement = pass == 0 ? 5 : 4;
        shrunk.clear();
        for (qsizetype i = 0; i < digits.size(); ++i) {
            if (digits[i] == target && i + 1 < digits.size() && digits[i + 1] == target) {
                shrunk.append(replacement);
                ++i;
            } else {
                shrunk.append(digits[i]);
            }
        }
        digits = shrunk;
    }
    QByteArray run;
    appendUtf8(run, kZwc[flag]);
    for (int d : digits)
        appendUtf8(run, kZwc[d]);
    return run;
}

std::optional<StegCloakCodec::Stream> StegCloakCodec::parseRun(QByteArrayView runUtf8)
{
    bool ok = false;
    const QList<char32_t> cps = decode3(runUtf8, &ok);
    if (!ok || cps.size() < 2)
        return std::nullopt;
    QList<int> indices;
    for (char32_t c : cps) {
        const int i = zwcIndex(c);
        if (i < 0)
            return std::nullopt;
        indices.append(i);
    }
    const auto [lo, hi] = kPairs[indices[0]];
    QList<int> digits;
    for (qsizetype i = 1; i < indices.size(); ++i) {
        if (indices[i] == 4) {
            digits += { lo, lo };
        } else if (indices[i] == 5) {
            digits += { hi, hi };
        } else {
            digits.append(indices[i]);
        }
    }
    if (digits.isEmpty() || digits[0] > 2 || (digits.size() - 1) % 4 != 0)
        return std::nullopt;
    Stream stream;
    stream.encrypted = digits[0] <= 1;
    stream.integrity = digits[0] == 0;
    for (qsizetype i = 1; i < digits.size(); i += 4)
        stream.bytes.append(char((digits[i] << 6) | (digits[i + 1] << 4) | (digits[i + 2] << 2) | digits[i + 3]));
    return stream;
}

std::optional<QByteArray> StegCloakCodec::open(const Stream &stream, QByteArrayView password, QString *error)
{
    QByteArray secret = stream.bytes;
    if (stream.encrypted) {
        const qsizetype header = stream.integrity ? 40 : 8;
        if (password.isEmpty()) {
            *error = Tr::tr("the StegCloak payload is encrypted: a password is needed");
            return std::nullopt;
        }
        if (stream.bytes.size() < header) {
            *error = Tr::tr("the StegCloak payload is damaged (too short)");
            return std::nullopt;
        }
        unsigned char keyIv[48];
        if (!deriveKeyIv(password, QByteArrayView(stream.bytes).first(8), keyIv)
            || !aesCtr(keyIv + 16, keyIv, QByteArrayView(stream.bytes).sliced(header), &secret)) {
            *error = Tr::tr("decryption failed");
            return std::nullopt;
        }
        if (stream.integrity) {
            const QByteArray mac = hmacSha256(keyIv + 16, secret);
            if (mac.size() != 32 || CRYPTO_memcmp(mac.constData(), stream.bytes.constData() + 8, 32) != 0) {
                OPENSSL_cleanse(keyIv, sizeof keyIv);
                *error = Tr::tr("wrong password, or the payload is damaged (StegCloak HMAC mismatch)");
                return std::nullopt;
            }
        }
        OPENSSL_cleanse(keyIv, sizeof keyIv);
    }
    const QByteArray message = Lzutf8::decompress(complement(secret));
    Kyozo::MarkdownLD::Utf8::StreamValidator utf8;
    if (!utf8.feed(message) || !utf8.finish()) {
        *error = stream.integrity
                ? Tr::tr("the StegCloak payload is damaged (not UTF-8)")
                : Tr::tr("wrong password, or a damaged payload (StegCloak without integrity cannot tell)");
        return std::nullopt;
    }
    return message;
}

bool StegCloakCodec::decodes(QByteArrayView runUtf8)
{
    const auto stream = parseRun(runUtf8);
    return stream && decodes(*stream);
}

bool StegCloakCodec::decodes(const Stream &stream)
{
    if (stream.encrypted)
        return stream.bytes.size() > (stream.integrity ? 40 : 8);
    QString ignored;
    return open(stream, {}, &ignored).has_value();
}

std::optional<QByteArray> StegCloakCodec::encode(QByteArrayView cover, QByteArrayView message, const Options &options,
                                                 QString *error, quint32 wordIndexSeed)
{
    Kyozo::MarkdownLD::Utf8::StreamValidator utf8;
    if (!utf8.feed(message) || !utf8.finish()) {
        *error = Tr::tr("StegCloak hides text: the message must be UTF-8");
        return std::nullopt;
    }
    const QList<QByteArrayView> words = [&] {
        QList<QByteArrayView> w;
        qsizetype from = 0;
        for (qsizetype i = 0; i <= cover.size(); ++i)
            if (i == cover.size() || cover[i] == ' ') {
                w.append(cover.sliced(from, i - from));
                from = i + 1;
            }
        return w;
    }();
    if (words.size() < 2) {
        *error = Tr::tr("StegCloak needs a cover of at least two words");
        return std::nullopt;
    }
    Stream stream;
    stream.encrypted = !options.password.isEmpty();
    stream.integrity = stream.encrypted && options.integrity;
    const QByteArray secret = complement(Lzutf8::compress(message));
    if (!stream.encrypted) {
        stream.bytes = secret;
    } else {
        unsigned char salt[8], keyIv[48];
        QByteArray cipher;
        if (RAND_bytes(salt, 8) != 1 || !deriveKeyIv(options.password, QByteArrayView(reinterpret_cast<char *>(salt), 8), keyIv)
            || !aesCtr(keyIv + 16, keyIv, secret, &cipher)) {
            *error = Tr::tr("encryption failed");
            return std::nullopt;
        }
        stream.bytes = QByteArray(reinterpret_cast<char *>(salt), 8);
        if (stream.integrity)
            stream.bytes += hmacSha256(keyIv + 16, secret);
        stream.bytes += cipher;
        OPENSSL_cleanse(keyIv, sizeof keyIv);
    }
    // embed(): the run goes in front of word targetIndex + 1, targetIndex < floor(words / 2).
    QRandomGenerator random(wordIndexSeed ? wordIndexSeed : QRandomGenerator::system()->generate());
    const qsizetype target = random.bounded(qMax<qsizetype>(1, words.size() / 2)) + 1;
    QByteArray out;
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i)
            out.append(' ');
        if (i == target)
            out.append(buildRun(stream));
        out.append(words[i]);
    }
    return out;
}

std::optional<QByteArray> StegCloakCodec::decode(QByteArrayView text, QByteArrayView password, QString *error)
{
    // detach(): the last word (split on ' ') holding any of its characters decides; its
    // leading run of them is the stream (none if the word does not start with one).
    // Its six characters in UTF-8: E2 80 8C/8D (U+200C/D), E2 81 A1..A4 (U+2061..2064).
    // Compared in place: this looks at every byte of the text.
    auto zwcAt = [](QByteArrayView word, qsizetype at) {
        if (at + 3 > word.size() || uchar(word[at]) != 0xE2)
            return false;
        const uchar b = uchar(word[at + 1]), c = uchar(word[at + 2]);
        return (b == 0x80 && (c == 0x8C || c == 0x8D)) || (b == 0x81 && c >= 0xA1 && c <= 0xA4);
    };
    std::optional<Stream> found;
    bool seen = false;
    qsizetype from = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != ' ')
            continue;
        const QByteArrayView word = text.sliced(from, i - from);
        from = i + 1;
        bool holds = false;
        for (qsizetype k = 0; k + 3 <= word.size() && !holds; ++k)
            holds = zwcAt(word, k);
        if (!holds)
            continue;
        seen = true;
        qsizetype end = 0;
        while (zwcAt(word, end))
            end += 3;
        found = end > 0 ? parseRun(word.first(end)) : std::nullopt;
    }
    if (!found) {
        *error = seen ? Tr::tr("the StegCloak payload is damaged (no stream at the start of its word)")
                      : Tr::tr("no StegCloak payload found");
        return std::nullopt;
    }
    return open(*found, password, error);
}

} // namespace Kyozo::Stego
