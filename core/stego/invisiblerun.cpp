#include "invisiblerun.h"

#include <QChar>

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

QList<InvisibleRun> detectRuns(QByteArrayView utf8, bool all)
{
    const QList<CodePoint> cps = decode(utf8);
    const QList<bool> keep = all ? QList<bool>(cps.size(), false) : legitimate(cps);
    QList<InvisibleRun> runs;
    qint64 line = 1, column = 1;
    for (qsizetype i = 0; i < cps.size();) {
        if (isInvisible(cps[i].value) && !keep[i]) {
            InvisibleRun run;
            run.start = cps[i].offset;
            run.line = line;
            run.column = column;
            while (i < cps.size() && isInvisible(cps[i].value) && !keep[i]) {
                ++run.codePoints;
                ++column;
                ++i;
            }
            run.end = i < cps.size() ? cps[i].offset : utf8.size();
            runs.append(run);
            continue;
        }
        if (cps[i].value == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        ++i;
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
