#include "jsonwriter.h"

#include <QLocale>
#include <QVariant>

#include <charconv>
#include <cmath>

namespace Kyozo::MarkdownLD::JsonWriter {

namespace {

    char hexDigit(unsigned v)
    {
        return char(v < 10 ? '0' + v : 'a' + (v - 10));
    }

    char *escapeUnit(char *p, char16_t u)
    {
        *p++ = '\\';
        *p++ = 'u';
        *p++ = hexDigit((u >> 12) & 0xF);
        *p++ = hexDigit((u >> 8) & 0xF);
        *p++ = hexDigit((u >> 4) & 0xF);
        *p++ = hexDigit(u & 0xF);
        return p;
    }

} // namespace

void appendString(QByteArray &out, QStringView s)
{
    // At most six bytes per UTF-16 unit (an escape); a surrogate pair is four bytes for two.
    const qsizetype start = out.size();
    out.resize(start + 2 + 6 * s.size());
    char *p = out.data() + start;
    *p++ = '"';
    const char16_t *src = s.utf16();
    const char16_t *const end = src + s.size();
    while (src != end) {
        const char16_t u = *src++;
        if (u < 0x80) {
            if (u >= 0x20 && u != u'"' && u != u'\\') {
                *p++ = char(u);
                continue;
            }
            *p++ = '\\';
            switch (u) {
            case u'"':
                *p++ = '"';
                break;
            case u'\\':
                *p++ = '\\';
                break;
            case 0x08:
                *p++ = 'b';
                break;
            case 0x0C:
                *p++ = 'f';
                break;
            case 0x0A:
                *p++ = 'n';
                break;
            case 0x0D:
                *p++ = 'r';
                break;
            case 0x09:
                *p++ = 't';
                break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hexDigit(u >> 4);
                *p++ = hexDigit(u & 0xF);
            }
        } else if (u < 0x800) {
            *p++ = char(0xC0 | (u >> 6));
            *p++ = char(0x80 | (u & 0x3F));
        } else if (QChar::isHighSurrogate(u) && src != end && QChar::isLowSurrogate(*src)) {
            const char32_t c = QChar::surrogateToUcs4(u, *src++);
            *p++ = char(0xF0 | (c >> 18));
            *p++ = char(0x80 | ((c >> 12) & 0x3F));
            *p++ = char(0x80 | ((c >> 6) & 0x3F));
            *p++ = char(0x80 | (c & 0x3F));
        } else if (QChar::isSurrogate(u)) {
            p = escapeUnit(p, u); // unpaired: no UTF-8 for it
        } else {
            *p++ = char(0xE0 | (u >> 12));
            *p++ = char(0x80 | ((u >> 6) & 0x3F));
            *p++ = char(0x80 | (u & 0x3F));
        }
    }
    *p++ = '"';
    out.resize(p - out.constData());
}

void appendAscii(QByteArray &out, QLatin1StringView s)
{
    out.append('"');
    out.append(s.data(), s.size());
    out.append('"');
}

void appendInteger(QByteArray &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    // QJsonValue(double) keeps a double that holds an integer of at most 53 bits as that
    // integer (Qt 6.4: 1e15 prints as 1000000000000000, 1e16 as 1e+16).
    if (value >= -9007199254740992.0 && value <= 9007199254740992.0 && value == std::trunc(value)) {
        appendInteger(out, qint64(value));
        return;
    }
    out.append(QByteArray::number(value, 'g', QLocale::FloatingPointShortest));
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double: {
        // Stored as an integer (parsed without a fraction, or a double with an integral
        // value) or as a double: QVariant tells which, as QJsonDocument prints them apart.
        const QVariant v = value.toVariant();
        if (v.typeId() == QMetaType::LongLong)
            appendInteger(out, v.toLongLong());
        else
            appendDouble(out, v.toDouble());
        break;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array:
        appendArray(out, value.toArray());
        break;
    case QJsonValue::Object:
        appendObject(out, value.toObject());
        break;
    }
}

void appendObject(QByteArray &out, const QJsonObject &object)
{
    out.append('{');
    bool first = true;
    for (auto it = object.begin(), end = object.end(); it != end; ++it) {
        if (!first)
            out.append(',');
        first = false;
        appendString(out, it.key());
        out.append(':');
        appendValue(out, it.value());
    }
    out.append('}');
}

void appendArray(QByteArray &out, const QJsonArray &array)
{
    out.append('[');
    bool first = true;
    for (const QJsonValue &v : array) {
        if (!first)
            out.append(',');
        first = false;
        appendValue(out, v);
    }
    out.append(']');
}

} // namespace Kyozo::MarkdownLD::JsonWriter
