#pragma once

#include "jsonldextractor.h"

namespace Kyozo::MarkdownLD {

// SPEC §2.2 item 5: invisible runs on a line become items. A Kyozo or StegCloak payload
// that opens without a password (or is well-formed and encrypted) is `hidden-data`
// (confidence 1.0) with the word it is attached to; anything else is `suspicious-hidden`.
class HiddenDataScanner
{
public:
    // A cheap test for the UTF-8 of any invisible code point of SPEC §3, so ordinary
    // lines (curly quotes and dashes included) never pay for the full scan.
    static bool mayContainInvisible(QByteArrayView line);
    static void scanLine(QByteArrayView text, qint64 startByte, qint64 lineNumber, const ItemSink &sink);
};

} // namespace Kyozo::MarkdownLD
