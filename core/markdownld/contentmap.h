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
};

} // namespace Kyozo::MarkdownLD
