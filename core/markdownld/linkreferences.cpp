#include "linkreferences.h"

namespace Kyozo::MarkdownLD {

namespace {

bool isWhite(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Spaces and tabs with at most one newline; returns false when a blank line intervenes.
qsizetype skipSpacesAndOneNewline(QByteArrayView t, qsizetype p, bool *sawNewline)
{
    *sawNewline = false;
    while (p < t.size() && (t[p] == ' ' || t[p] == '\t'))
        ++p;
    if (p < t.size() && t[p] == '\n') {
        *sawNewline = true;
        ++p;
        while (p < t.size() && (t[p] == ' ' || t[p] == '\t'))
            ++p;
    }
    return p;
}

// Returns the end of one definition starting at p, or -1. It must start with '[' right at
// p, as in cmark's resolve_reference_link_definitions(): paragraph lines come without their
// indentation, except a lazy continuation line, whose leading spaces cmark keeps and which
// therefore holds no definition to cmark.
qsizetype oneDefinition(QByteArrayView t, qsizetype p)
{
    if (p >= t.size() || t[p] != '[')
        return -1;
    ++p;
    const qsizetype labelStart = p;
    bool labelHasText = false;
    while (p < t.size() && t[p] != ']') {
        if (t[p] == '[')
            return -1;
        if (t[p] == '\\' && p + 1 < t.size())
            ++p;
        if (!isWhite(t[p]))
            labelHasText = true;
        ++p;
    }
    if (p >= t.size() || p - labelStart > 999 || !labelHasText)
        return -1;
    ++p; // ']'
    if (p >= t.size() || t[p] != ':')
        return -1;
    ++p;
    bool newline = false;
    p = skipSpacesAndOneNewline(t, p, &newline);
    // Destination.
    if (p < t.size() && t[p] == '<') {
        ++p;
        while (p < t.size() && t[p] != '>' && t[p] != '\n' && t[p] != '<') {
            if (t[p] == '\\' && p + 1 < t.size())
                ++p;
            ++p;
        }
        if (p >= t.size() || t[p] != '>')
            return -1;
        ++p;
    } else {
        const qsizetype start = p;
        int depth = 0;
        while (p < t.size() && !isWhite(t[p]) && quint8(t[p]) > 0x20) {
            if (t[p] == '\\' && p + 1 < t.size() && !isWhite(t[p + 1])) {
                p += 2;
                continue;
            }
            if (t[p] == '(')
                ++depth;
            else if (t[p] == ')' && --depth < 0)
                break;
            ++p;
        }
        if (p == start || depth != 0)
            return -1;
    }
    const qsizetype afterDestination = p;
    // The rest of the destination's line, if blank, is where a definition without title ends.
    qsizetype q = p;
    while (q < t.size() && (t[q] == ' ' || t[q] == '\t'))
        ++q;
    const bool destinationEndsLine = q >= t.size() || t[q] == '\n';
    const qsizetype endWithoutTitle = destinationEndsLine ? (q < t.size() ? q + 1 : q) : -1;

    // Optional title, separated by whitespace.
    p = skipSpacesAndOneNewline(t, afterDestination, &newline);
    if (p > afterDestination && p < t.size() && (t[p] == '"' || t[p] == '\'' || t[p] == '(')) {
        const char close = t[p] == '(' ? ')' : t[p];
        qsizetype r = p + 1;
        bool ok = false;
        while (r < t.size()) {
            if (t[r] == '\\' && r + 1 < t.size()) {
                r += 2;
                continue;
            }
            if (t[r] == close) {
                ok = true;
                break;
            }
            if (close == ')' && t[r] == '(')
                break;
            if (t[r] == '\n' && r + 1 < t.size() && t[r + 1] == '\n')
                break;
            ++r;
        }
        if (ok) {
            ++r;
            while (r < t.size() && (t[r] == ' ' || t[r] == '\t'))
                ++r;
            if (r >= t.size() || t[r] == '\n')
                return r < t.size() ? r + 1 : r;
        }
    }
    return endWithoutTitle;
}

} // namespace

qsizetype linkReferenceDefinitionsLength(QByteArrayView text)
{
    qsizetype p = 0;
    for (;;) {
        const qsizetype end = oneDefinition(text, p);
        if (end < 0)
            break;
        p = end;
    }
    // Trailing whitespace after the last definition counts as consumed.
    qsizetype q = p;
    while (q < text.size() && isWhite(text[q]))
        ++q;
    return q == text.size() ? q : p;
}

} // namespace Kyozo::MarkdownLD
