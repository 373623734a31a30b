#include "stripesignature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace Kyozo::Billing {

namespace {

    QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &message)
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        HMAC(EVP_sha256(), key.constData(), int(key.size()),
             reinterpret_cast<const unsigned char *>(message.constData()), size_t(message.size()),
             digest, &length);
        return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
    }

    bool parseTimestamp(const QByteArray &text, qint64 *out)
    {
        if (text.isEmpty() || text.size() > 18)
            return false;
        for (const char c : text)
            if (c < '0' || c > '9')
                return false;
        *out = text.toLongLong();
        return true;
    }

} // namespace

StripeSignatureCheck::Result StripeSignatureCheck::verify(const QByteArray &header,
                                                          const QByteArray &payload,
                                                          qint64 nowSeconds) const
{
    if (header.isEmpty())
        return Result::MissingHeader;
    qint64 timestamp = -1;
    QByteArrayList signatures;
    for (const QByteArray &item : header.split(',')) {
        const qsizetype eq = item.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArray key = item.left(eq);
        const QByteArray value = item.mid(eq + 1);
        if (key == "t" && !parseTimestamp(value, &timestamp))
            return Result::Malformed;
        if (key == "v1" && signatures.size() < 16) // a header names a handful; bound the work
            signatures.append(value);
    }
    if (timestamp < 0 || signatures.isEmpty())
        return Result::Malformed;

    // The signature is checked before the time: a forged header learns nothing of the clock.
    const QByteArray signedPayload = QByteArray::number(timestamp) + '.' + payload;
    bool matched = false;
    for (const QByteArray &secret : secrets) {
        const QByteArray expected = hmacSha256Hex(secret, signedPayload);
        for (const QByteArray &candidate : signatures) {
            // Every comparison runs, whatever the earlier ones gave.
            if (candidate.size() == expected.size()
                && CRYPTO_memcmp(candidate.constData(), expected.constData(),
                                 size_t(expected.size()))
                    == 0)
                matched = true;
        }
    }
    if (!matched)
        return Result::NoMatch;
    // Stripe's libraries refuse only old timestamps; one far in the future is refused too,
    // so that a leaked signed body cannot be kept for later.
    if (toleranceSeconds > 0
        && (nowSeconds - timestamp > toleranceSeconds || timestamp - nowSeconds > toleranceSeconds))
        return Result::OutsideTolerance;
    return Result::Valid;
}

QByteArray StripeSignatureCheck::sign(const QByteArray &payload, const QByteArray &secret,
                                      qint64 timestamp)
{
    const QByteArray t = QByteArray::number(timestamp);
    return "t=" + t + ",v1=" + hmacSha256Hex(secret, t + '.' + payload);
}

QString StripeSignatureCheck::reasonCode(Result result)
{
    switch (result) {
    case Result::Valid:
        return QStringLiteral("valid");
    case Result::MissingHeader:
        return QStringLiteral("missing_signature");
    case Result::Malformed:
        return QStringLiteral("malformed_signature");
    case Result::OutsideTolerance:
        return QStringLiteral("timestamp_outside_tolerance");
    case Result::NoMatch:
        return QStringLiteral("signature_mismatch");
    }
    return {};
}

} // namespace Kyozo::Billing
