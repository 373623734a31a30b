#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QStringView>

namespace Kyozo::MarkdownLD {

// Appends compact JSON text (RFC 8259) to a byte buffer, byte for byte as
// QJsonDocument::toJson(QJsonDocument::Compact) writes the same values: `"`, `\` and the
// control characters escaped (\b \f \n \r \t, the others as \u00xx in lower-case hex),
// everything else as UTF-8, an unpaired surrogate (which UTF-8 cannot hold) as \uxxxx;
// integers in decimal, other doubles in their shortest round-trip form, non-finite ones as
// null; object keys in QJsonObject's (sorted) order. It exists because `kyozo-ld extract`
// spent a third of its time building QJsonObjects only to serialise them (bench/README.md).
namespace JsonWriter {

    void appendString(QByteArray &out, QStringView s);
    // `s` must be ASCII (keys and fixed values written by us).
    void appendAscii(QByteArray &out, QLatin1StringView s);
    void appendInteger(QByteArray &out, qint64 value);
    void appendDouble(QByteArray &out, double value);
    void appendValue(QByteArray &out, const QJsonValue &value);
    void appendObject(QByteArray &out, const QJsonObject &object);
    void appendArray(QByteArray &out, const QJsonArray &array);

} // namespace JsonWriter

} // namespace Kyozo::MarkdownLD
