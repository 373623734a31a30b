#include "cursorpayload.h"

#include <cmath>
#include <initializer_list>

namespace Kyozo::Protocol {

namespace {

    // A JSON number that is a whole number in [0, max]. QJsonValue keeps every number as a
    // double or a qint64; both compare exactly against bounds far below 2^63.
    std::optional<qint64> wholeNumber(const QJsonValue &v, qint64 max)
    {
        if (!v.isDouble())
            return std::nullopt;
        const double d = v.toDouble();
        if (!std::isfinite(d) || d < 0 || d > double(max) || std::trunc(d) != d)
            return std::nullopt;
        return qint64(d);
    }

    // True when every key of `o` is one of `allowed` (an unknown key makes the payload another
    // shape, SPEC §11).
    bool onlyKeys(const QJsonObject &o, std::initializer_list<QLatin1StringView> allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            bool known = false;
            for (QLatin1StringView key : allowed)
                known = known || it.key() == key;
            if (!known)
                return false;
        }
        return true;
    }

    // An optional whole-number key: absent is fine, present must be valid.
    bool readOptional(const QJsonObject &o, QLatin1StringView key, qint64 max,
                      std::optional<qint64> *out)
    {
        const auto it = o.constFind(key);
        if (it == o.constEnd())
            return true;
        *out = wholeNumber(*it, max);
        return out->has_value();
    }

    void writeOptional(QJsonObject &o, QLatin1StringView key, const std::optional<qint64> &value)
    {
        if (value)
            o.insert(key, *value);
    }

} // namespace

std::optional<TextPosition> TextPosition::fromJson(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject o = value.toObject();
    if (o.size() != 2)
        return std::nullopt;
    const auto line = wholeNumber(o.value(QLatin1StringView("line")), MaxTextCoordinate);
    const auto column = wholeNumber(o.value(QLatin1StringView("column")), MaxTextCoordinate);
    if (!line || !column)
        return std::nullopt;
    return TextPosition { *line, *column };
}

QJsonObject TextPosition::toJson() const
{
    return QJsonObject { { "line", line }, { "column", column } };
}

std::optional<CursorMove> CursorMove::fromJson(const QJsonValue &payload)
{
    if (!payload.isObject())
        return std::nullopt;
    const QJsonObject o = payload.toObject();
    using L = QLatin1StringView;
    if (!onlyKeys(o, { L("position"), L("revision"), L("offset") }))
        return std::nullopt;
    const auto position = TextPosition::fromJson(o.value(L("position")));
    if (!position)
        return std::nullopt;
    CursorMove m { *position, std::nullopt, std::nullopt };
    if (!readOptional(o, L("revision"), MaxRevision, &m.revision)
        || !readOptional(o, L("offset"), MaxTextCoordinate, &m.offset))
        return std::nullopt;
    return m;
}

QJsonObject CursorMove::toJson() const
{
    QJsonObject o { { "position", position.toJson() } };
    writeOptional(o, QLatin1StringView("revision"), revision);
    writeOptional(o, QLatin1StringView("offset"), offset);
    return o;
}

std::optional<SelectionChange> SelectionChange::fromJson(const QJsonValue &payload)
{
    if (!payload.isObject())
        return std::nullopt;
    const QJsonObject o = payload.toObject();
    using L = QLatin1StringView;
    if (!onlyKeys(o,
                  { L("anchor"), L("head"), L("revision"), L("anchor_offset"), L("head_offset") }))
        return std::nullopt;
    const auto anchor = TextPosition::fromJson(o.value(L("anchor")));
    const auto head = TextPosition::fromJson(o.value(L("head")));
    if (!anchor || !head)
        return std::nullopt;
    SelectionChange s { *anchor, *head, std::nullopt, std::nullopt, std::nullopt };
    if (!readOptional(o, L("revision"), MaxRevision, &s.revision)
        || !readOptional(o, L("anchor_offset"), MaxTextCoordinate, &s.anchorOffset)
        || !readOptional(o, L("head_offset"), MaxTextCoordinate, &s.headOffset))
        return std::nullopt;
    return s;
}

QJsonObject SelectionChange::toJson() const
{
    QJsonObject o { { "anchor", anchor.toJson() }, { "head", head.toJson() } };
    writeOptional(o, QLatin1StringView("revision"), revision);
    writeOptional(o, QLatin1StringView("anchor_offset"), anchorOffset);
    writeOptional(o, QLatin1StringView("head_offset"), headOffset);
    return o;
}

} // namespace Kyozo::Protocol
