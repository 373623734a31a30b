#pragma once

#include <QByteArrayView>
#include <QJsonDocument>

namespace Kyozo::Protocol {

// QJsonDocument::fromJson that keeps every U+FEFF. Qt 6.4's parser turns each string into a
// QString with QString::fromUtf8, which drops a byte-order mark at the string's start
// (checked: {"a":"\xEF\xBB\xBFx"} parses as "x"), yet a notebook's text may begin with one
// and must arrive exactly (SPEC §5: its UTF-16 code units; issue 15: "its exact text"). The
// raw bytes EF BB BF are read as the escape \ufeff, which the parser keeps; one at the very
// start of the document is skipped, as RFC 8259 §8.1 lets a parser do. Linear in the input.
QJsonDocument parseJson(QByteArrayView json, QJsonParseError *error = nullptr);

} // namespace Kyozo::Protocol
