#include "invisiblerun.h"

#include <QChar>

#include <cstring>

namespace Kyozo::Stego {

namespace {

struct CodePoint
{
    char32_t value;
    qsizetype offset;
    qsizetype length;
};

// Decodes valid UTF-8; an invalid byte becomes U+FFFD of length 1 (never invisible).
QList<CodePoint> decode(QByteArrayView s)
{
    QList<CodePoint> out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size();) {
        const uchar b = uchar(s[i]);
        int n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = n > 0 && i + n <= s.size();
        for (int k = 1; ok && k < n; ++k) {
            const uchar cb = uchar(s[i + k]);
            ok = (cb & 0xC0) == 0x80;
            c = (c << 6) | (cb & 0x3F);
        }
        if (!ok) {
            out.append({ 0xFFFD, i, 1 });
            ++i;
            continue;
        }
        out.append({ c, i, n });
        i += n;
    }
    return out;
}

// One code point at `at` without allocating; length 0 for invalid UTF-8.
char32_t decodeAt(const uchar *p, qsizetype n, qsizetype at, int *length)
{
    const uchar b = p[at];
    const int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    *length = 0;
    if (len == 0 || at + len > n)
        return 0xFFFD;
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) {
        if ((p[at + k] & 0xC0) != 0x80)
            return 0xFFFD;
        c = (c << 6) | (p[at + k] & 0x3F);
    }
    *length = len;
    return c;
}

bool isTag(char32_t c) { return c >= 0xE0000 && c <= 0xE007F; }

bool isEmojiLike(char32_t c)
{
    // Extended_Pictographic in practice, plus the pieces that sit next to a ZWJ in
    // sequences: variation selector 16 and skin-tone modifiers (Unicode TS #51).
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0xFE0F
            || (c >= 0x2190 && c <= 0x21FF) || (c >= 0x2B00 && c <= 0x2BFF) || c == 0x200D
            || c == 0x2640 || c == 0x2642 || c == 0x2695 || c == 0x2696 || c == 0x2708 || c == 0x2764;
}

// Scripts whose words use ZWNJ/ZWJ between letters (Arabic script incl. Persian; Indic).
bool isJoiningScriptLetter(char32_t c)
{
    if (!QChar::isLetterOrNumber(c) && QChar::category(c) != QChar::Mark_NonSpacing
        && QChar::category(c) != QChar::Mark_SpacingCombining)
        return false;
    switch (QChar::script(c)) {
    case QChar::Script_Arabic:
    case QChar::Script_Syriac:
    case QChar::Script_Nko:
    case QChar::Script_Mongolian:
    case QChar::Script_Devanagari:
    case QChar::Script_Bengali:
    case QChar::Script_Gurmukhi:
    case QChar::Script_Gujarati:
    case QChar::Script_Oriya:
    case QChar::Script_Tamil:
    case QChar::Script_Telugu:
    case QChar::Script_Kannada:
    case QChar::Script_Malayalam:
    case QChar::Script_Sinhala:
        return true;
    default:
        return false;
    }
}

// Marks the code points that are legitimate text (SPEC §3) rather than hidden data.
QList<bool> legitimate(const QList<CodePoint> &cps)
{
    QList<bool> keep(cps.size(), false);
    for (qsizetype i = 0; i < cps.size(); ++i) {
        const char32_t c = cps[i].value;
        const char32_t prev = i > 0 ? cps[i - 1].value : 0;
        const char32_t next = i + 1 < cps.size() ? cps[i + 1].value : 0;
        if (c == 0xFEFF && i == 0)
            keep[i] = true;
        else if (c == 0x200D && isEmojiLike(prev) && prev != 0x200D && isEmojiLike(next) && next != 0x200D)
            keep[i] = true;
        else if ((c == 0x200C || c == 0x200D) && isJoiningScriptLetter(prev) && isJoiningScriptLetter(next))
            keep[i] = true;
    }
    // Emoji tag sequences: U+1F3F4, tags U+E0020..U+E007E, then the cancel tag U+E007F.
    for (qsizetype i = 0; i < cps.size(); ++i) {
        if (cps[i].value != 0x1F3F4)
            continue;
        qsizetype j = i + 1;
        while (j < cps.size() && cps[j].value >= 0xE0020 && cps[j].value <= 0xE007E)
            ++j;
        if (j > i + 1 && j < cps.size() && cps[j].value == 0xE007F)
            for (qsizetype k = i + 1; k <= j; ++k)
                keep[k] = true;
    }
    return keep;
}

} // namespace

bool isInvisible(char32_t c)
{
    return (c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF || c == 0x180E || isTag(c);
}

qsizetype findInvisible(QByteArrayView utf8, qsizetype from)
{
    const auto *p = reinterpret_cast<const uchar *>(utf8.data());
    const qsizetype n = utf8.size();
    for (qsizetype i = from; i + 2 < n; ++i) {
        // Eight ASCII bytes at a time: every invisible code point starts with a byte >= 0xE1.
        while (i + 8 <= n) {
            quint64 word;
            std::memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i + 2 >= n)
            break;
        const uchar a = p[i];
        if (a < 0xE1)
            continue;
        const uchar b = p[i + 1], c = p[i + 2];
        if ((a == 0xE2 && b == 0x80 && c >= 0x8B && c <= 0x8D) || (a == 0xE2 && b == 0x81 && c >= 0xA0 && c <= 0xA4)
            || (a == 0xEF && b == 0xBB && c == 0xBF) || (a == 0xE1 && b == 0xA0 && c == 0x8E)
            || (a == 0xF3 && b == 0xA0 && (c == 0x80 || c == 0x81) && i + 3 < n && (p[i + 3] & 0xC0) == 0x80))
            return i;
    }
    return -1;
}

QList<InvisibleRun> detectRuns(QByteArrayView utf8, bool all)
{
    const auto *p = reinterpret_cast<const uchar *>(utf8.data());
    const qsizetype n = utf8.size();
    QList<InvisibleRun> runs;
    qint64 line = 1;
    qsizetype linesCountedTo = 0, lineStart = 0;
    qsizetype columnCountedTo = 0;
    qint64 column = 1; // of the byte columnCountedTo
    auto advanceTo = [&](qsizetype offset) {
        // Lines with memchr, then code points from the line's start (or from where we were).
        for (qsizetype at = linesCountedTo; at < offset;) {
            const void *nl = std::memchr(p + at, '\n', size_t(offset - at));
            if (!nl)
                break;
            at = static_cast<const uchar *>(nl) - p + 1;
            ++line;
            lineStart = at;
        }
        linesCountedTo = offset;
        if (columnCountedTo < lineStart) {
            columnCountedTo = lineStart;
            column = 1;
        }
        for (; columnCountedTo < offset; ++columnCountedTo)
            column += (p[columnCountedTo] & 0xC0) != 0x80;
    };
    for (qsizetype from = 0;;) {
        const qsizetype candidate = findInvisible(utf8, from);
        if (candidate < 0)
            break;
        // The window the legitimacy rules need: one code point before the run, the run, one after.
        qsizetype windowStart = candidate;
        if (windowStart > 0) {
            --windowStart;
            while (windowStart > 0 && (p[windowStart] & 0xC0) == 0x80)
                --windowStart;
        }
        qsizetype end = candidate;
        // Extend over the run, a code point at a time.
        int length = 0;
        while (end < n && isInvisible(decodeAt(p, n, end, &length)) && length > 0)
            end += length;
        qsizetype windowEnd = n;
        if (end < n) {
            decodeAt(p, n, end, &length);
            windowEnd = end + qMax(1, length);
        }
        QList<CodePoint> cps = decode(utf8.sliced(windowStart, windowEnd - windowStart));
        for (CodePoint &cp : cps)
            cp.offset += windowStart;
        QList<bool> keep = all ? QList<bool>(cps.size(), false) : legitimate(cps);
        if (!all && windowStart > 0 && !cps.isEmpty() && cps.first().value == 0xFEFF)
            keep[0] = false; // only a BOM at offset 0 is a BOM
        for (qsizetype i = 0; i < cps.size();) {
            if (cps[i].offset < candidate || cps[i].offset >= end || !isInvisible(cps[i].value) || keep[i]) {
                ++i;
                continue;
            }
            InvisibleRun run;
            run.start = cps[i].offset;
            advanceTo(run.start);
            run.line = line;
            run.column = column;
            while (i < cps.size() && cps[i].offset < end && isInvisible(cps[i].value) && !keep[i]) {
                ++run.codePoints;
                ++i;
            }
            run.end = i < cps.size() ? cps[i].offset : windowEnd;
            runs.append(run);
        }
        // Always forward, even past a candidate that did not decode (invalid UTF-8).
        from = qMax(end, candidate + 1);
    }
    return runs;
}

QByteArray stripRuns(QByteArrayView utf8, bool all)
{
    QByteArray out;
    out.reserve(utf8.size());
    qsizetype from = 0;
    for (const InvisibleRun &run : detectRuns(utf8, all)) {
        out.append(utf8.sliced(from, run.start - from));
        from = run.end;
    }
    out.append(utf8.sliced(from));
    return out;
}

} // namespace Kyozo::Stego
