#include "inlinescanner.h"

#include <QHash>

#include <array>

namespace Kyozo::MarkdownLD {

namespace {

    bool isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }
    bool isAsciiAlpha(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    bool isAlnum(char c)
    {
        return isDigit(c) || isAsciiAlpha(c);
    }
    bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    bool isAsciiPunct(char c)
    {
        return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`')
            || (c >= '{' && c <= '~');
    }
    // RFC 5321 local-part characters as people write them (dot-atom), and domain labels.
    bool isLocalChar(char c)
    {
        return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }
    bool isDomainChar(char c)
    {
        return isAlnum(c) || c == '-' || c == '.';
    }
    // A byte that is part of a word: ASCII letters and digits and any UTF-8 byte of a
    // non-ASCII character (so "é2024-01-01" is not a date standing on its own).
    bool isWordByte(char c)
    {
        return isAlnum(c) || (static_cast<unsigned char>(c) >= 0x80);
    }

    // The bytes the scanner stops at; everything else is skipped in a tight loop.
    constexpr std::array<bool, 256> makeInteresting()
    {
        std::array<bool, 256> t {};
        for (const char c : { '`', '\\', '[', ']', '<', '@', '-', ':', '!' })
            t[static_cast<unsigned char>(c)] = true;
        return t;
    }
    constexpr std::array<bool, 256> kInteresting = makeInteresting();

    int twoDigits(QByteArrayView t, qsizetype at)
    {
        if (at + 2 > t.size() || !isDigit(t[at]) || !isDigit(t[at + 1]))
            return -1;
        return (t[at] - '0') * 10 + (t[at + 1] - '0');
    }

    // Length of an e-mail address whose '@' is at `at` and whose local part starts at
    // `localBegin`, or 0. The domain needs a dot and a final label of two letters or more;
    // an address followed by ':' or '/' is an scp-style path or part of a URL
    // (git@github.com:org/repo.git), not an address.
    qsizetype emailEnd(QByteArrayView t, qsizetype at)
    {
        qsizetype e = at + 1;
        while (e < t.size() && isDomainChar(t[e]) && e - at < 256)
            ++e;
        while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-'))
            --e; // a sentence's full stop is not part of the domain
        const QByteArrayView domain = t.sliced(at + 1, e - at - 1);
        const qsizetype dot = domain.lastIndexOf('.');
        if (dot <= 0 || domain.startsWith('-') || domain.contains(".."))
            return 0;
        const QByteArrayView tld = domain.sliced(dot + 1);
        if (tld.size() < 2)
            return 0;
        for (const char c : tld)
            if (!isAsciiAlpha(c))
                return 0;
        if (e < t.size() && (t[e] == ':' || t[e] == '/' || t[e] == '@' || isWordByte(t[e])))
            return 0;
        return e;
    }

    struct Scanner
    {
        QByteArrayView t;
        InlineEvents *events = nullptr;
        qsizetype maxEvents = 0;
        qsizetype consumed = 0; // nothing before this may start a new e-mail's local part
        qsizetype opener = -1; // the last unmatched '['
        bool openerIsImage = false;
        // Code span closers (CommonMark 6.1): where the last backtick run of each length
        // starts, found in one pass the first time a backtick is met. A run at `at` has a
        // closer exactly when a run of its length starts after it, so no search fails and
        // the text is walked at most twice, as cmark's `backticks` table does.
        bool runsIndexed = false;
        std::array<qsizetype, 64> lastRun {};
        QHash<qsizetype, qsizetype> lastLongRun;
        qsizetype nextParen = -1; // the first ')' at or after the last position asked for

        void add(const InlineEvent &e)
        {
            if (events->size() < maxEvents)
                events->append(e);
        }

        qsizetype runLength(qsizetype at) const
        {
            qsizetype e = at;
            while (e < t.size() && t[e] == '`')
                ++e;
            return e - at;
        }

        void indexRuns(qsizetype from)
        {
            runsIndexed = true;
            lastRun.fill(-1);
            for (qsizetype p = from; p < t.size();) {
                if (t[p] != '`') {
                    ++p;
                    continue;
                }
                const qsizetype l = runLength(p);
                if (l < qsizetype(lastRun.size()))
                    lastRun[size_t(l)] = p;
                else
                    lastLongRun.insert(l, p);
                p += l;
            }
        }

        // At a backtick run: the end of its code span, or the end of the run when it has
        // no closer (then it is literal text).
        qsizetype codeSpan(qsizetype at)
        {
            if (!runsIndexed)
                indexRuns(at);
            const qsizetype len = runLength(at);
            const qsizetype last = len < qsizetype(lastRun.size()) ? lastRun[size_t(len)]
                                                                   : lastLongRun.value(len, -1);
            if (last <= at)
                return at + len;
            for (qsizetype p = at + len; p < t.size();) {
                if (t[p] != '`') {
                    ++p;
                    continue;
                }
                const qsizetype l = runLength(p);
                if (l == len)
                    return p + l;
                p += l;
            }
            return at + len; // not reached: `last` is such a run
        }

        qsizetype closeParenFrom(qsizetype p)
        {
            if (nextParen < p && nextParen != qsizetype(t.size())) {
                const qsizetype found = t.sliced(p).indexOf(')');
                nextParen = found < 0 ? t.size() : p + found;
            }
            return nextParen >= p ? nextParen : p;
        }

        // After "](" at `open` (the '('): the destination and the closing ')', or -1.
        qsizetype linkTail(qsizetype open, qsizetype *destBegin, qsizetype *destEnd)
        {
            qsizetype p = open + 1;
            while (p < t.size() && isSpace(t[p]))
                ++p;
            if (p < t.size() && t[p] == '<') {
                *destBegin = p + 1;
                while (p < t.size() && t[p] != '>' && t[p] != '\n')
                    ++p;
                if (p >= t.size() || t[p] != '>')
                    return -1;
                *destEnd = p++;
            } else {
                *destBegin = p;
                int depth = 0;
                while (p < t.size() && !isSpace(t[p]) && static_cast<unsigned char>(t[p]) >= 0x20) {
                    if (t[p] == '\\' && p + 1 < t.size()) {
                        p += 2;
                        continue;
                    }
                    if (t[p] == '(')
                        ++depth;
                    else if (t[p] == ')' && depth-- == 0)
                        break;
                    ++p;
                }
                *destEnd = p;
            }
            // An optional title ("…", '…' or (…)), skipped up to the next ')'; then ')'.
            while (p < t.size() && isSpace(t[p]))
                ++p;
            if (p < t.size() && (t[p] == '"' || t[p] == '\'' || t[p] == '('))
                p = closeParenFrom(p + 1);
            return p < t.size() && t[p] == ')' ? p + 1 : -1;
        }

        // At '<': an autolink (`<scheme:…>` or `<address>`) and its end, or -1.
        qsizetype autolink(qsizetype at)
        {
            qsizetype p = at + 1;
            while (p < t.size() && t[p] != '>' && t[p] != '<' && !isSpace(t[p]) && p - at < 2048)
                ++p;
            if (p >= t.size() || t[p] != '>' || p == at + 1)
                return -1;
            const QByteArrayView inner = t.sliced(at + 1, p - at - 1);
            const qsizetype colon = inner.indexOf(':');
            const qsizetype atSign = inner.indexOf('@');
            bool scheme = colon >= 2 && colon <= 32 && isAsciiAlpha(inner[0]);
            for (qsizetype i = 1; scheme && i < colon; ++i)
                scheme = isAlnum(inner[i]) || inner[i] == '+' || inner[i] == '.' || inner[i] == '-';
            if (scheme) {
                add({ InlineEvent::Link, at, p + 1, at + 1, p, at + 1, p });
                return p + 1;
            }
            if (atSign > 0 && emailEnd(inner, atSign) == inner.size()) {
                bool local = true;
                for (qsizetype i = 0; i < atSign; ++i)
                    local = local && isLocalChar(inner[i]);
                if (local) {
                    add({ InlineEvent::Email, at, p + 1, at + 1, p, 0, 0 });
                    return p + 1;
                }
            }
            return -1;
        }

        // At ':' of "scheme://": skip the bare URL (GFM's autolink extension) to the next
        // space, so that its path's dates and user@host parts are not read as text.
        qsizetype bareUrl(qsizetype colon) const
        {
            if (colon + 2 >= t.size() || t[colon + 1] != '/' || t[colon + 2] != '/')
                return -1;
            qsizetype s = colon;
            while (s > consumed && isAsciiAlpha(t[s - 1]) && colon - s < 16)
                --s;
            if (s == colon)
                return -1;
            qsizetype p = colon + 3;
            while (p < t.size() && !isSpace(t[p]) && t[p] != '<' && t[p] != ')')
                ++p;
            return p;
        }

        void run()
        {
            qsizetype i = 0;
            const qsizetype n = t.size();
            while (i < n) {
                while (i < n && !kInteresting[static_cast<unsigned char>(t[i])])
                    ++i;
                if (i >= n)
                    break;
                const char c = t[i];
                switch (c) {
                case '\\':
                    i += (i + 1 < n && isAsciiPunct(t[i + 1])) ? 2 : 1;
                    break;
                case '`':
                    i = codeSpan(i);
                    consumed = i;
                    break;
                case '!':
                    if (i + 1 < n && t[i + 1] == '[') {
                        opener = i + 1;
                        openerIsImage = true;
                        i += 2;
                    } else {
                        ++i;
                    }
                    break;
                case '[':
                    opener = i;
                    openerIsImage = false;
                    ++i;
                    break;
                case ']': {
                    qsizetype destBegin = 0, destEnd = 0, end = -1;
                    if (opener >= 0 && i + 1 < n && t[i + 1] == '(')
                        end = linkTail(i + 1, &destBegin, &destEnd);
                    if (end < 0) {
                        // What the destination scan walked is one word without spaces; it
                        // is not walked again (a run of "](](" stays linear).
                        i = qMax(i + 1, destEnd);
                        break;
                    }
                    if (!openerIsImage)
                        add({ InlineEvent::Link, opener, end, opener + 1, i, destBegin, destEnd });
                    opener = -1;
                    i = consumed = end;
                    break;
                }
                case '<': {
                    const qsizetype end = autolink(i);
                    if (end < 0) {
                        ++i;
                    } else {
                        i = consumed = end;
                    }
                    break;
                }
                case ':': {
                    const qsizetype end = bareUrl(i);
                    if (end < 0) {
                        ++i;
                    } else {
                        i = consumed = end;
                    }
                    break;
                }
                case '@': {
                    qsizetype s = i;
                    while (s > consumed && isLocalChar(t[s - 1]) && i - s < 64)
                        --s;
                    while (s < i && (t[s] == '.' || t[s] == '-'))
                        ++s;
                    const bool standsAlone = s == 0 || s == consumed || !isWordByte(t[s - 1]);
                    const bool notInUrl = !(s >= 1 && (t[s - 1] == '/' || t[s - 1] == ':'));
                    const qsizetype e = s < i && standsAlone && notInUrl ? emailEnd(t, i) : 0;
                    if (e > 0) {
                        add({ InlineEvent::Email, s, e, s, e, 0, 0 });
                        i = consumed = e;
                    } else {
                        ++i;
                    }
                    break;
                }
                case '-': {
                    // A date's first '-' has four digits before it.
                    const qsizetype s = i - 4;
                    if (s >= consumed && s >= 0 && isDigit(t[s]) && isDigit(t[s + 1])
                        && isDigit(t[s + 2]) && isDigit(t[s + 3])
                        && (s == 0
                            || (!isWordByte(t[s - 1]) && t[s - 1] != '-' && t[s - 1] != '.'
                                && t[s - 1] != '/'))) {
                        const qsizetype len = isoDateLength(t, s);
                        if (len > 0) {
                            add({ InlineEvent::Date, s, s + len, s, s + len, 0, 0 });
                            i = consumed = s + len;
                            break;
                        }
                    }
                    ++i;
                    break;
                }
                default:
                    ++i;
                    break;
                }
            }
        }
    };

} // namespace

qsizetype isoDateLength(QByteArrayView t, qsizetype at)
{
    if (at + 10 > t.size())
        return 0;
    for (qsizetype k = 0; k < 4; ++k)
        if (!isDigit(t[at + k]))
            return 0;
    if (t[at + 4] != '-' || t[at + 7] != '-')
        return 0;
    const int year = (t[at] - '0') * 1000 + (t[at + 1] - '0') * 100 + (t[at + 2] - '0') * 10
        + (t[at + 3] - '0');
    const int month = twoDigits(t, at + 5);
    const int day = twoDigits(t, at + 8);
    if (month < 1 || month > 12 || day < 1)
        return 0;
    static constexpr int kDays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap))
        return 0;
    qsizetype e = at + 10;
    // ISO 8601 extended time: Thh:mm[:ss[.fff]] then Z or ±hh:mm.
    if (e + 6 <= t.size() && t[e] == 'T' && twoDigits(t, e + 1) >= 0 && t[e + 3] == ':'
        && twoDigits(t, e + 4) >= 0) {
        qsizetype p = e + 6;
        if (p + 3 <= t.size() && t[p] == ':' && twoDigits(t, p + 1) >= 0) {
            p += 3;
            if (p < t.size() && t[p] == '.') {
                qsizetype q = p + 1;
                while (q < t.size() && isDigit(t[q]) && q - p < 10)
                    ++q;
                if (q > p + 1)
                    p = q;
            }
        }
        if (p < t.size() && t[p] == 'Z') {
            ++p;
        } else if (p + 6 <= t.size() && (t[p] == '+' || t[p] == '-') && twoDigits(t, p + 1) >= 0
                   && t[p + 3] == ':' && twoDigits(t, p + 4) >= 0) {
            p += 6;
        }
        e = p;
    }
    // Standing on its own: "2024-05-2b" or "2024-05-141" are not dates.
    if (e < t.size()
        && (isWordByte(t[e]) || (t[e] == '-' && e + 1 < t.size() && isDigit(t[e + 1]))))
        return 0;
    return e - at;
}

void scanInlines(QByteArrayView text, InlineEvents *events, qsizetype maxEvents)
{
    Scanner s;
    s.t = text;
    s.events = events;
    s.maxEvents = maxEvents;
    s.run();
}

} // namespace Kyozo::MarkdownLD
