#pragma once

#include <QByteArrayView>
#include <QJsonDocument>
#include <QJsonValue>
#include <optional>

namespace Kyozo::Protocol {

// QJsonDocument::fromJson that keeps every U+FEFF. Qt 6.4's parser turns each string into a
// QString with QString::fromUtf8, which drops a byte-order mark at the string's start
// (checked: {"a":"\xEF\xBB\xBFx"} parses as "x"), yet a notebook's text may begin with one
// and must arrive exactly (SPEC §5: its UTF-16 code units; issue 15: "its exact text"). The
// raw bytes EF BB BF are read as the escape \ufeff, which the parser keeps; one at the very
// start of the document is skipped, as RFC 8259 §8.1 lets a parser do. Linear in the input.
QJsonDocument parseJson(QByteArrayView json, QJsonParseError *error = nullptr);

// A JSON number as a whole number, a fraction cut towards zero: nullopt unless it is a finite
// number of magnitude at most 2^53 (the integers a double holds exactly). Every integer read
// from hostile JSON goes through this: casting a double outside qint64's range to it is
// undefined behaviour (fuzz_billing found a signedDate of 1.8e79).
std::optional<qint64> jsonInt64(const QJsonValue &value);

} // namespace Kyozo::Protocol
