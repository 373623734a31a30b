#include "compactjws.h"

#include <QJsonDocument>
#include <QList>

namespace Kyozo::Billing::CompactJws {

namespace {

    std::optional<QJsonObject> jsonObject(const std::optional<QByteArray> &bytes)
    {
        if (!bytes)
            return std::nullopt;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return std::nullopt;
        return doc.object();
    }

} // namespace

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> fromBase64Url(QByteArrayView text)
{
    for (const char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_'))
            return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::Base64UrlEncoding
                                                      | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

std::optional<Parts> parse(const QByteArray &compact, qsizetype maxBytes)
{
    const QList<QByteArray> parts = compact.split('.');
    if (compact.size() > maxBytes || parts.size() != 3)
        return std::nullopt;
    const std::optional<QJsonObject> header = jsonObject(fromBase64Url(parts[0]));
    const std::optional<QJsonObject> payload = jsonObject(fromBase64Url(parts[1]));
    const std::optional<QByteArray> signature = fromBase64Url(parts[2]);
    if (!header || !payload || !signature)
        return std::nullopt;
    return Parts { *header, *payload, parts[0] + '.' + parts[1], *signature };
}

} // namespace Kyozo::Billing::CompactJws
