#include "wordcount.h"

#include <QString>
#include <QTextBoundaryFinder>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Kyozo::MarkdownLD {

// How QTextBoundaryFinder (Qt 6.4, qunicodetools.cpp) segments ASCII text, from UAX #29's
// rules with Qt's two tailorings, measured against Qt by tst_wordcount:
// - letters (ALetter) and digits (Numeric) stay together (WB5, WB8, WB9, WB10);
// - `_` (ExtendNumLet) joins what follows it (WB13a/b), but a segment that starts with it is
//   no word item for Qt (it marks word starts only at ALetter, Hebrew_Letter, Numeric and
//   Katakana): "foo_bar" is one word, "_foo" none;
// - `'` (Single_Quote) joins letter to letter (WB6/WB7: "can't") and digit to digit;
// - `,` `;` (MidNum) and `.` join digit to digit only (WB11/WB12: "3.14", "1,000"). UAX #29
//   makes `.` MidNumLet and `:` MidLetter (WB6/WB7: "e.g" one word, "k:a" one word); Qt keeps
//   Unicode 5.0's classes instead ("to keep hi.there two words"), so `.` is MidNum and `:`
//   Other, and we count as Qt does;
// - everything else (spaces, controls, other punctuation) joins nothing.
// So a word starts at a letter or digit j unless j-1 is a letter, digit or `_`, or j-1 is `'`
// between two letters, or j-1 is `'` `,` `.` `;` between two digits. Every word item holds
// the letter or digit it starts with, so the count is the number of such starts.
namespace {

    enum Flag : quint8 {
        Letter = 1,
        Digit = 2,
        Underscore = 4,
        MidLetter = 8, // joins letter to letter
        MidNum = 16, // joins digit to digit
        // A boundary after this byte, when the next byte is ASCII too, cuts the text in two
        // that QTextBoundaryFinder segments independently: no rule joins across it (its class is
        // Other, CR, LF, Newline or WSegSpace; Qt's WB table breaks between it and any ASCII byte
        // or joins only spaces, which hold no word) and no rule looks past it (WB6/7/11/12/7b/7c
        // look through a Mid* or quote, never through these).
        CutAfter = 32,
    };

    constexpr std::array<quint8, 256> makeFlags()
    {
        std::array<quint8, 256> f {};
        for (int c = 0; c < 0x80; ++c) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                f[c] = Letter;
            else if (c >= '0' && c <= '9')
                f[c] = Digit;
            else if (c == '_')
                f[c] = Underscore;
            else if (c == '\'')
                f[c] = MidLetter | MidNum;
            else if (c == ',' || c == '.' || c == ';')
                f[c] = MidNum;
            else if (c != '"' && c != ':') // Double_Quote (WB7b/c) and UAX #29's MidLetter: no cut
                f[c] = CutAfter;
        }
        return f;
    }

    constexpr std::array<quint8, 256> kFlags = makeFlags();

    // Per-byte masks of one 64-byte block: bit k stands for byte k.
    struct BlockMasks
    {
        quint64 letter = 0;
        quint64 digit = 0;
        quint64 joinsNext = 0; // letter, digit or `_`
        quint64 midLetter = 0;
        quint64 midNum = 0;
        quint64 nonAscii = 0;
    };

    // The masks of the first `bytes` (1..64) bytes at p; p holds them rounded up to 16.
    BlockMasks masksPortable(const char *p, int bytes)
    {
        BlockMasks m;
        for (int k = 0; k < bytes; ++k) {
            const quint8 f = kFlags[quint8(p[k])];
            m.letter |= quint64(f & Letter) << k;
            m.digit |= quint64((f & Digit) >> 1) << k;
            m.joinsNext |= quint64((f & (Letter | Digit | Underscore)) != 0) << k;
            m.midLetter |= quint64((f & MidLetter) >> 3) << k;
            m.midNum |= quint64((f & MidNum) >> 4) << k;
            m.nonAscii |= quint64(quint8(p[k]) >> 7) << k;
        }
        return m;
    }

#if defined(__SSE2__)
    BlockMasks masksSse2(const char *p, int bytes)
    {
        BlockMasks m;
        // Signed compares after a bias: `x + (0x80 - first)` is below `-128 + count` exactly
        // for the `count` bytes from `first` on (bytes >= 0x80 land elsewhere).
        const __m128i caseBit = _mm_set1_epi8(0x20);
        const __m128i letterBias = _mm_set1_epi8(char(0x80 - 'a')),
                      letterLimit = _mm_set1_epi8(-128 + 26);
        const __m128i digitBias = _mm_set1_epi8(char(0x80 - '0')),
                      digitLimit = _mm_set1_epi8(-128 + 10);
        const __m128i underscore = _mm_set1_epi8('_'), quote = _mm_set1_epi8('\'');
        const __m128i comma = _mm_set1_epi8(','), dot = _mm_set1_epi8('.'),
                      semicolon = _mm_set1_epi8(';');
        __m128i anyHigh = _mm_setzero_si128();
        for (int k = 0; k < bytes; k += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + k));
            const __m128i isLetter
                = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, caseBit), letterBias), letterLimit);
            const __m128i isDigit = _mm_cmplt_epi8(_mm_add_epi8(v, digitBias), digitLimit);
            const __m128i isQuote = _mm_cmpeq_epi8(v, quote);
            const __m128i isMidNum
                = _mm_or_si128(_mm_or_si128(isQuote, _mm_cmpeq_epi8(v, comma)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, semicolon)));
            m.letter |= quint64(quint16(_mm_movemask_epi8(isLetter))) << k;
            m.digit |= quint64(quint16(_mm_movemask_epi8(isDigit))) << k;
            const __m128i joinsNext
                = _mm_or_si128(_mm_or_si128(isLetter, isDigit), _mm_cmpeq_epi8(v, underscore));
            m.joinsNext |= quint64(quint16(_mm_movemask_epi8(joinsNext))) << k;
            m.midLetter |= quint64(quint16(_mm_movemask_epi8(isQuote))) << k;
            m.midNum |= quint64(quint16(_mm_movemask_epi8(isMidNum))) << k;
            anyHigh = _mm_or_si128(anyHigh, v);
        }
        if (_mm_movemask_epi8(anyHigh)) { // rare: only then where
            for (int k = 0; k < bytes; k += 16) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + k));
                m.nonAscii |= quint64(quint16(_mm_movemask_epi8(v))) << k;
            }
        }
        return m;
    }
#endif

    // std::popcount is a call into libgcc on x86-64 without POPCNT (the baseline); a few shifts
    // and adds here instead.
    int popcount64(quint64 x)
    {
#if defined(__POPCNT__) || !defined(__x86_64__)
        return std::popcount(x);
#else
        x -= (x >> 1) & 0x5555555555555555ULL;
        x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
        x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
        return int((x * 0x0101010101010101ULL) >> 56);
#endif
    }

    // The word starts of a block, given the block before it (its bits 62 and 63 are the two
    // bytes before this block's first; zero at the start of the text). Whether byte j starts a
    // word depends on bytes j-2..j only.
    quint64 wordStarts(const BlockMasks &m, const BlockMasks &before)
    {
        auto back1 = [](quint64 now, quint64 prev) { return (now << 1) | (prev >> 63); };
        auto back2 = [](quint64 now, quint64 prev) { return (now << 2) | (prev >> 62); };
        const quint64 alnum = m.letter | m.digit;
        const quint64 joined = back1(m.joinsNext, before.joinsNext)
            | (back1(m.midLetter, before.midLetter) & back2(m.letter, before.letter) & m.letter)
            | (back1(m.midNum, before.midNum) & back2(m.digit, before.digit) & m.digit);
        return alnum & ~joined;
    }

    // Counts the words that start before the first non-ASCII byte of p[0, n) and returns
    // that byte's offset in `*stop` (n when there is none).
    template<BlockMasks (*masks)(const char *, int)>
    qint64 countAsciiUntilNonAscii(const char *p, qsizetype n, qsizetype *stop)
    {
        qint64 words = 0;
        BlockMasks before;
        for (qsizetype at = 0; at < n; at += 64) {
            BlockMasks m;
            if (at + 64 <= n) {
                m = masks(p + at, 64);
            } else {
                // The tail, padded with NUL bytes (Other, they start no word) to whole 16s.
                char tail[64] = {};
                std::memcpy(tail, p + at, size_t(n - at));
                m = masks(tail, int(n - at));
            }
            const quint64 starts = wordStarts(m, before);
            if (m.nonAscii) {
                const int first = std::countr_zero(m.nonAscii);
                *stop = at + first;
                return words + popcount64(starts & ((quint64(1) << first) - 1));
            }
            words += popcount64(starts);
            before = m;
        }
        *stop = n;
        return words;
    }

    qint64 countAsciiFast(const char *p, qsizetype n, qsizetype *stop)
    {
#if defined(__SSE2__)
        return countAsciiUntilNonAscii<masksSse2>(p, n, stop);
#else
        return countAsciiUntilNonAscii<masksPortable>(p, n, stop);
#endif
    }

    bool isCutAfter(char c)
    {
        return kFlags[quint8(c)] & CutAfter;
    }

    // Thai (U+0E00–U+0E7F, UTF-8 E0 B8 xx / E0 B9 xx) is the one script whose word breaks Qt
    // tailors (libthai, over the whole script run including the Common characters around it),
    // so a piece of Thai text would not be segmented as in the whole text.
    bool holdsThai(const char *p, qsizetype n)
    {
        for (qsizetype at = 0; at + 1 < n; ++at) {
            if (quint8(p[at]) == 0xE0 && (quint8(p[at + 1]) == 0xB8 || quint8(p[at + 1]) == 0xB9))
                return true;
        }
        return false;
    }

} // namespace

qint64 countWordsWithBoundaryFinder(QByteArrayView utf8)
{
    const QString text = QString::fromUtf8(utf8);
    QTextBoundaryFinder finder(QTextBoundaryFinder::Word, text);
    qint64 words = 0;
    qsizetype start = -1;
    for (qsizetype pos = finder.toNextBoundary(); pos != -1; pos = finder.toNextBoundary()) {
        if (finder.boundaryReasons() & QTextBoundaryFinder::EndOfItem) {
            // A segment between boundaries is a word when it holds a letter or a digit.
            const qsizetype from = qMax<qsizetype>(0, start);
            if (std::any_of(text.begin() + from, text.begin() + pos,
                            [](QChar c) { return c.isLetterOrNumber(); }))
                ++words;
        }
        if (finder.boundaryReasons() & QTextBoundaryFinder::StartOfItem)
            start = pos;
    }
    return words;
}

qint64 countWords(QByteArrayView utf8)
{
    const char *p = utf8.data();
    const qsizetype n = utf8.size();
    qint64 words = 0;
    qsizetype done = 0; // bytes before `done` are counted, and `done` is a cut (or 0)
    for (;;) {
        qsizetype stop = 0;
        words += countAsciiFast(p + done, n - done, &stop);
        if (done + stop == n)
            return words;
        const qsizetype nonAscii = done + stop;
        // The piece for QTextBoundaryFinder: from the last cut before the non-ASCII byte to
        // the first cut after it. A cut needs ASCII on both sides, so that a combining mark
        // or a joiner stays with the character before it (WB4, WB3c).
        qsizetype from = nonAscii - 1;
        while (from > done && !isCutAfter(p[from - 1]))
            --from;
        from = qMax(from, done);
        qsizetype to = n;
        for (qsizetype k = nonAscii + 1; k + 1 < n; ++k) {
            if (isCutAfter(p[k]) && quint8(p[k + 1]) < 0x80) {
                to = k + 1;
                break;
            }
        }
        if (holdsThai(p + from, to - from))
            return countWordsWithBoundaryFinder(utf8);
        // The words that start in [from, nonAscii) were counted above, and belong to the
        // piece: `from` is a cut, so they are the same counted alone.
        words -= countAsciiFast(p + from, nonAscii - from, &stop);
        words += countWordsWithBoundaryFinder(QByteArrayView(p + from, to - from));
        done = to;
    }
}

namespace WordCountDetail {

    qint64 countAsciiWords(QByteArrayView ascii)
    {
        qsizetype stop = 0;
        return countAsciiFast(ascii.data(), ascii.size(), &stop);
    }

    qint64 countAsciiWordsPortable(QByteArrayView ascii)
    {
        qsizetype stop = 0;
        return countAsciiUntilNonAscii<masksPortable>(ascii.data(), ascii.size(), &stop);
    }

} // namespace WordCountDetail

} // namespace Kyozo::MarkdownLD
