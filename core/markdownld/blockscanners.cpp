#include "blockscanners.h"

#include <array>
#include <cstring>

namespace Kyozo::MarkdownLD::Scan {

namespace {

char at(QByteArrayView line, qsizetype pos) { return pos < line.size() ? line[pos] : '\0'; }

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool startsWithNoCase(QByteArrayView line, qsizetype pos, const char *word)
{
    const qsizetype n = qsizetype(std::strlen(word));
    if (line.size() - pos < n)
        return false;
    for (qsizetype i = 0; i < n; ++i)
        if (lower(line[pos + i]) != word[i])
            return false;
    return true;
}

bool containsNoCase(QByteArrayView line, const char *needle)
{
    const qsizetype n = qsizetype(std::strlen(needle));
    for (qsizetype i = 0; i + n <= line.size(); ++i)
        if (startsWithNoCase(line, i, needle))
            return true;
    return false;
}

// CommonMark 0.29, HTML block condition 6 (as cmark-gfm 0.29 has it: no "meta", "search").
constexpr std::array<const char *, 61> kBlockTags = {
    "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption",
    "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2",
    "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link",
    "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p",
    "param", "section", "source", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "title", "tr", "track", // "ul" below
};

bool isBlockTag(QByteArrayView name)
{
    auto equalsNoCase = [&](const char *tag) {
        const qsizetype n = qsizetype(std::strlen(tag));
        if (n != name.size())
            return false;
        for (qsizetype i = 0; i < n; ++i)
            if (lower(name[i]) != tag[i])
                return false;
        return true;
    };
    if (equalsNoCase("ul"))
        return true;
    for (const char *tag : kBlockTags)
        if (equalsNoCase(tag))
            return true;
    return false;
}

qsizetype tagNameEnd(QByteArrayView line, qsizetype pos)
{
    if (!isAsciiAlpha(at(line, pos)))
        return pos;
    ++pos;
    while (pos < line.size() && (isAsciiAlpha(line[pos]) || isAsciiDigit(line[pos]) || line[pos] == '-'))
        ++pos;
    return pos;
}

// cmark's scanners.re: spacechar = [ \t\v\f\r\n].
bool isHtmlSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\n' || c == '\f' || c == '\r';
}

// What may follow an HTML block start of condition 7 on its line: [\t\n\f ]* (scanners.re).
bool restIsTabFormFeedOrSpace(QByteArrayView line, qsizetype p)
{
    for (; p < line.size(); ++p)
        if (line[p] != ' ' && line[p] != '\t' && line[p] != '\f')
            return false;
    return true;
}

// cmark-gfm's table extension (extensions/ext_scanners.re) counts these as spaces around
// table cells and delimiters: spacechar = [ \t\v\f].
bool isTableSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

} // namespace

bool isBlankFrom(QByteArrayView line, qsizetype pos)
{
    for (; pos < line.size(); ++pos)
        if (line[pos] != ' ' && line[pos] != '\t')
            return false;
    return true;
}

qsizetype atxHeadingStart(QByteArrayView line, qsizetype pos, int *level)
{
    qsizetype p = pos;
    while (p < line.size() && line[p] == '#')
        ++p;
    const qsizetype hashes = p - pos;
    if (hashes < 1 || hashes > 6)
        return 0;
    if (p < line.size() && !isSpaceOrTab(line[p]))
        return 0;
    *level = int(hashes);
    return hashes;
}

qsizetype openingFence(QByteArrayView line, qsizetype pos)
{
    const char c = at(line, pos);
    if (c != '`' && c != '~')
        return 0;
    qsizetype p = pos;
    while (p < line.size() && line[p] == c)
        ++p;
    const qsizetype n = p - pos;
    if (n < 3)
        return 0;
    if (c == '`')
        for (qsizetype i = p; i < line.size(); ++i)
            if (line[i] == '`')
                return 0;
    return n;
}

bool closingFence(QByteArrayView line, qsizetype pos, char fenceChar, qsizetype minLength)
{
    qsizetype p = pos;
    while (p < line.size() && line[p] == fenceChar)
        ++p;
    return p - pos >= minLength && isBlankFrom(line, p);
}

bool thematicBreak(QByteArrayView line, qsizetype pos)
{
    const char c = at(line, pos);
    if (c != '*' && c != '-' && c != '_')
        return false;
    int count = 0;
    for (qsizetype p = pos; p < line.size(); ++p) {
        if (line[p] == c)
            ++count;
        else if (!isSpaceOrTab(line[p]))
            return false;
    }
    return count >= 3;
}

int setextUnderline(QByteArrayView line, qsizetype pos)
{
    const char c = at(line, pos);
    if (c != '=' && c != '-')
        return 0;
    qsizetype p = pos;
    while (p < line.size() && line[p] == c)
        ++p;
    if (!isBlankFrom(line, p))
        return 0;
    return c == '=' ? 1 : 2;
}

int htmlBlockStart(QByteArrayView line, qsizetype pos)
{
    if (at(line, pos) != '<')
        return 0;
    const qsizetype p = pos + 1;
    for (const char *tag : { "script", "pre", "style" }) {
        if (startsWithNoCase(line, p, tag)) {
            const char after = at(line, p + qsizetype(std::strlen(tag)));
            if (after == '\0' || after == '>' || isHtmlSpace(after))
                return 1;
        }
    }
    if (line.sliced(p).startsWith("!--"))
        return 2;
    if (at(line, p) == '?')
        return 3;
    if (at(line, p) == '!' && at(line, p + 1) >= 'A' && at(line, p + 1) <= 'Z')
        return 4;
    if (line.sliced(p).startsWith("![CDATA["))
        return 5;
    qsizetype nameStart = p + (at(line, p) == '/' ? 1 : 0);
    const qsizetype nameEnd = tagNameEnd(line, nameStart);
    if (nameEnd > nameStart && isBlockTag(line.sliced(nameStart, nameEnd - nameStart))) {
        const char after = at(line, nameEnd);
        if (after == '\0' || after == '>' || isHtmlSpace(after)
            || (after == '/' && at(line, nameEnd + 1) == '>'))
            return 6;
    }
    return 0;
}

bool htmlBlockStart7(QByteArrayView line, qsizetype pos)
{
    if (at(line, pos) != '<')
        return false;
    qsizetype p = pos + 1;
    const bool closing = at(line, p) == '/';
    if (closing)
        ++p;
    const qsizetype nameEnd = tagNameEnd(line, p);
    if (nameEnd == p)
        return false;
    p = nameEnd;
    if (closing) {
        while (isHtmlSpace(at(line, p)))
            ++p;
        if (at(line, p) != '>')
            return false;
        return restIsTabFormFeedOrSpace(line, p + 1);
    }
    // Attributes: whitespace, name, optional value specification.
    for (;;) {
        const qsizetype wsStart = p;
        while (p < line.size() && isHtmlSpace(line[p]))
            ++p;
        const char c = at(line, p);
        if (c == '>' || (c == '/' && at(line, p + 1) == '>'))
            break;
        if (p == wsStart)
            return false;
        if (!(isAsciiAlpha(c) || c == '_' || c == ':'))
            return false;
        while (p < line.size()
               && (isAsciiAlpha(line[p]) || isAsciiDigit(line[p]) || line[p] == '_'
                   || line[p] == '.' || line[p] == ':' || line[p] == '-'))
            ++p;
        qsizetype q = p;
        while (q < line.size() && isHtmlSpace(line[q]))
            ++q;
        if (at(line, q) != '=')
            continue;
        ++q;
        while (q < line.size() && isHtmlSpace(line[q]))
            ++q;
        const char quote = at(line, q);
        if (quote == '"' || quote == '\'') {
            const qsizetype close = line.sliced(q + 1).indexOf(quote);
            if (close < 0)
                return false;
            p = q + 1 + close + 1;
        } else {
            const qsizetype valueStart = q;
            while (q < line.size() && !isHtmlSpace(line[q])
                   && std::strchr("\"'=<>`", line[q]) == nullptr)
                ++q;
            if (q == valueStart)
                return false;
            p = q;
        }
    }
    p += at(line, p) == '/' ? 2 : 1;
    return restIsTabFormFeedOrSpace(line, p);
}

bool htmlBlockEnds(QByteArrayView line, int htmlType)
{
    switch (htmlType) {
    case 1:
        return containsNoCase(line, "</script>") || containsNoCase(line, "</pre>")
                || containsNoCase(line, "</style>");
    case 2: return line.indexOf("-->") >= 0;
    case 3: return line.indexOf("?>") >= 0;
    case 4: return line.indexOf('>') >= 0;
    case 5: return line.indexOf("]]>") >= 0;
    default: return false; // 6 and 7 end at a blank line
    }
}

ListMarker listMarker(QByteArrayView line, qsizetype pos, bool interruptsParagraph)
{
    ListMarker marker;
    const char c = at(line, pos);
    qsizetype p = pos;
    if (c == '*' || c == '+' || c == '-') {
        ++p;
        marker.delimiter = c;
    } else if (isAsciiDigit(c)) {
        qint64 start = 0;
        int digits = 0;
        while (isAsciiDigit(at(line, p)) && digits < 10) {
            start = start * 10 + (line[p] - '0');
            ++p;
            ++digits;
        }
        const char d = at(line, p);
        if (digits > 9 || (d != '.' && d != ')'))
            return {};
        if (interruptsParagraph && start != 1)
            return {};
        ++p;
        marker.ordered = true;
        marker.delimiter = d;
        marker.start = start;
    } else {
        return {};
    }
    if (p < line.size() && !isSpaceOrTab(line[p]))
        return {};
    if (interruptsParagraph && isBlankFrom(line, p))
        return {};
    marker.length = p - pos;
    return marker;
}

int tableRowCells(QByteArrayView line)
{
    // As row_from_string() in cmark-gfm's extensions/table.c on one line: an optional
    // leading '|' with the spaces after it, then cells. A cell is the longest run of
    // (escaped_char | [^|\r\n]) where escaped_char includes "\|"; the longest match lets a
    // backslash escape the pipe right after it whatever precedes it, so a '|' ends a cell
    // exactly when the byte before it is not a backslash ("a\\|b" is one cell). Every such
    // pipe ends a cell, an empty one too; what follows the last pipe (and its spaces) is
    // one more cell if anything is left. A row of no cell ("|") is no row.
    qsizetype p = 0;
    if (p < line.size() && line[p] == '|') {
        ++p;
        while (p < line.size() && isTableSpace(line[p]))
            ++p;
    }
    int cells = 0;
    bool open = false;
    for (; p < line.size(); ++p) {
        if (line[p] == '|' && line[p - 1] != '\\') {
            ++cells;
            open = false;
            while (p + 1 < line.size() && isTableSpace(line[p + 1]))
                ++p;
        } else {
            open = true;
        }
    }
    return cells + (open ? 1 : 0);
}

int tableDelimiterRow(QByteArrayView line, qsizetype pos)
{
    // cmark-gfm's scan_table_start (extensions/ext_scanners.re):
    //   [|]? table_marker ([|] table_marker)* [|]? spacechar* newline
    //   table_marker = spacechar* [:]? [-]+ [:]? spacechar*
    // so colons only at a cell's ends, its dashes contiguous, and at most one trailing pipe.
    auto skipSpaces = [&](qsizetype p) {
        while (p < line.size() && isTableSpace(line[p]))
            ++p;
        return p;
    };
    qsizetype p = pos;
    if (at(line, p) == '|')
        ++p;
    int cells = 0;
    for (;;) {
        p = skipSpaces(p);
        if (at(line, p) == ':')
            ++p;
        const qsizetype dashes = p;
        while (at(line, p) == '-')
            ++p;
        if (p == dashes)
            return 0;
        if (at(line, p) == ':')
            ++p;
        p = skipSpaces(p);
        ++cells;
        if (p == line.size())
            return cells;
        if (line[p] != '|')
            return 0;
        p = skipSpaces(p + 1);
        if (p == line.size())
            return cells;
    }
}

} // namespace Kyozo::MarkdownLD::Scan
