#pragma once

#include <QtGlobal>

namespace Kyozo::MarkdownLD {

// SPEC §11: bytes 0-based, startByte inclusive, endByte exclusive, a BOM counted;
// lines 1-based inclusive; columns 1-based, counted in code points.
struct SourceRange
{
    qint64 startByte = 0;
    qint64 endByte = 0;
    qint64 startLine = 0;
    qint64 endLine = 0;
    qint64 startColumn = 1;
    bool operator==(const SourceRange &) const = default;
};

} // namespace Kyozo::MarkdownLD
