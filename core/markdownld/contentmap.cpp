#include "contentmap.h"

#include "utf8.h"

#include <algorithm>

namespace Kyozo::MarkdownLD {

const ContentLine &ContentMap::lineFor(qsizetype offset) const
{
    static const ContentLine none;
    if (m_lines.isEmpty())
        return none;
    auto it = std::upper_bound(m_lines.begin(), m_lines.end(), offset,
                               [](qsizetype o, const ContentLine &l) { return o < l.contentOffset; });
    return it == m_lines.begin() ? m_lines.front() : *(it - 1);
}

qint64 ContentMap::byteAt(qsizetype offset) const
{
    const ContentLine &l = lineFor(offset);
    return l.documentByte + (offset - l.contentOffset);
}

qint64 ContentMap::lineAt(qsizetype offset) const { return lineFor(offset).line; }

qint64 ContentMap::columnAt(qsizetype offset) const
{
    const ContentLine &l = lineFor(offset);
    const qsizetype from = qMin<qsizetype>(l.contentOffset, m_content.size());
    const qsizetype to = qBound<qsizetype>(from, offset, m_content.size());
    qint64 column;
    if (m_cachedLine == &l && to >= m_cachedOffset)
        column = m_cachedColumn + Utf8::codePointCount(m_content.sliced(m_cachedOffset, to - m_cachedOffset));
    else if (m_cachedLine == &l)
        column = m_cachedColumn - Utf8::codePointCount(m_content.sliced(to, m_cachedOffset - to));
    else
        column = l.prefixCodePoints + Utf8::codePointCount(m_content.sliced(from, to - from)) + 1;
    m_cachedLine = &l;
    m_cachedOffset = to;
    m_cachedColumn = column;
    return column;
}

SourceRange ContentMap::rangeOf(qsizetype begin, qsizetype end) const
{
    SourceRange r;
    r.startByte = byteAt(begin);
    r.startLine = lineAt(begin);
    r.startColumn = columnAt(begin);
    r.endByte = byteAt(end - 1) + 1;
    r.endLine = lineAt(end - 1);
    return r;
}

} // namespace Kyozo::MarkdownLD
