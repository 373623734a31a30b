#include "json.h"

namespace Kyozo::Protocol {

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
