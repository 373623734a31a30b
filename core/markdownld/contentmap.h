#pragma once

#include "blockevent.h"

namespace Kyozo::MarkdownLD {

// Maps offsets inside a block's buffered content back to the document (SPEC §11 ranges
// and error positions).
class ContentMap
{
public:
    ContentMap(QByteArrayView content, const QList<ContentLine> &lines)
        : m_content(content), m_lines(lines) { }

    qint64 byteAt(qsizetype offset) const;
    qint64 lineAt(qsizetype offset) const;
    qint64 columnAt(qsizetype offset) const; // 1-based, in code points
    // Range of content[begin, end) in the document.
    SourceRange rangeOf(qsizetype begin, qsizetype end) const;

private:
    const ContentLine &lineFor(qsizetype offset) const;
    QByteArrayView m_content;
    const QList<ContentLine> &m_lines;
    // The last column computed: the next one on the same line is counted from there, so that
    // many positions on one long line (10,000 annotations, issue 16) cost the distance between
    // them, not the distance from the line's start each time.
    mutable const ContentLine *m_cachedLine = nullptr;
    mutable qsizetype m_cachedOffset = 0;
    mutable qint64 m_cachedColumn = 0;
};

} // namespace Kyozo::MarkdownLD
