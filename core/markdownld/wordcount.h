#pragma once

#include <QByteArrayView>

namespace Kyozo::MarkdownLD {

// SPEC §11 `kyozo-ld stats` `words`: the segments between Unicode word boundaries (UAX #29,
// as QTextBoundaryFinder::Word finds them) that QTextBoundaryFinder marks as a word item
// and that hold a letter or a digit. ASCII text is counted straight from the UTF-8 bytes;
// any stretch holding a non-ASCII byte goes, with its neighbours up to the next safe cut,
// to QTextBoundaryFinder. The result is the same as countWordsWithBoundaryFinder() on every
// input; tst_wordcount proves it.
qint64 countWords(QByteArrayView utf8);

// The definition itself: the whole text through QTextBoundaryFinder. The oracle of the
// tests, and what countWords() falls back to where a script's word breaks are tailored.
qint64 countWordsWithBoundaryFinder(QByteArrayView utf8);

namespace WordCountDetail {
    // The ASCII counter on its own (text holding only bytes < 0x80), with the vector code the
    // machine has and with the portable code other machines use, so that a test on this
    // machine checks both.
    qint64 countAsciiWords(QByteArrayView ascii);
    qint64 countAsciiWordsPortable(QByteArrayView ascii);
} // namespace WordCountDetail

} // namespace Kyozo::MarkdownLD
