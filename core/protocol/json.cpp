#include "json.h"

namespace Kyozo::Protocol {

std::optional<qint64> jsonInt64(const QJsonValue &value)
{
    constexpr double kExact = 9007199254740992.0; // 2^53
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    // NaN fails both comparisons; JSON has no infinities, but Qt's values may.
    if (!(d >= -kExact && d <= kExact))
        return std::nullopt;
    return qint64(d);
}

QJsonDocument parseJson(QByteArrayView json, QJsonParseError *error)
{
    static constexpr QByteArrayView kBom("\xEF\xBB\xBF");
    if (json.startsWith(kBom))
        json = json.sliced(kBom.size());
    if (!json.contains(kBom))
        return QJsonDocument::fromJson(json.toByteArray(), error);
    QByteArray escaped;
    escaped.reserve(json.size() + json.size() / 2);
    qsizetype from = 0;
    for (qsizetype at = json.indexOf(kBom); at >= 0; at = json.indexOf(kBom, from)) {
        escaped += json.sliced(from, at - from);
        // Outside a string the escape is as invalid as the raw bytes were: the same error.
        escaped += QByteArrayView("\\ufeff");
        from = at + kBom.size();
    }
    escaped += json.sliced(from);
    return QJsonDocument::fromJson(escaped, error);
}

} // namespace Kyozo::Protocol
