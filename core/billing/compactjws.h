#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

#include <optional>

namespace Kyozo::Billing::CompactJws {

// base64url without padding (RFC 7515 §2).
QByteArray base64Url(const QByteArray &bytes);
// Strict: any character outside the base64url alphabet (padding included) is refused.
std::optional<QByteArray> fromBase64Url(QByteArrayView text);

// A compact JWS (RFC 7515 §7.1) split and decoded; nothing when it is not three base64url
// parts, or its header or payload is not a JSON object, or it is longer than `maxBytes`.
// The caller checks `alg` and the signature over `signingInput`.
struct Parts
{
    QJsonObject header;
    QJsonObject payload;
    QByteArray signingInput; // "HEADER.PAYLOAD" as received
    QByteArray signature;
};
std::optional<Parts> parse(const QByteArray &compact, qsizetype maxBytes);

} // namespace Kyozo::Billing::CompactJws
