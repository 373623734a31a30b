#pragma once

#include <QByteArray>
#include <QList>

namespace Kyozo::Stego {

// SPEC §3: a maximal run of invisible code points (U+200B..U+200D, U+2060..U+2064, U+FEFF,
// U+180E, tags U+E0000..U+E007F) that is not part of legitimate text. Offsets are bytes of
// the UTF-8 text (start inclusive, end exclusive); line and column are 1-based, the column
// in code points.
struct InvisibleRun
{
    qsizetype start = 0;
    qsizetype end = 0;
    qint64 line = 1;
    qint64 column = 1;
    qint64 codePoints = 0;
};

bool isInvisible(char32_t c);
// Offset of the first byte of the next invisible code point at or after `from`, or -1.
// Skips ASCII eight bytes at a time: the fast path of detection.
qsizetype findInvisible(QByteArrayView utf8, qsizetype from = 0);

// Every run in `utf8`. With `all`, the legitimate uses are runs too: U+200D inside an emoji
// sequence, U+200C/U+200D between letters of Arabic-script and Indic words, tag characters
// of an emoji flag sequence, a leading BOM.
QList<InvisibleRun> detectRuns(QByteArrayView utf8, bool all = false);
// The text without those runs (everything else byte for byte).
QByteArray stripRuns(QByteArrayView utf8, bool all = false);

} // namespace Kyozo::Stego
