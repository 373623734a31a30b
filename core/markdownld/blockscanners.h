#pragma once

#include <QByteArrayView>

// Pure scanners for CommonMark 0.29 block starts (as cmark-gfm 0.29 implements them).
// Each takes a line without its line ending and a position, and returns how many bytes
// matched (0 = no match) or the recognised value.
namespace Kyozo::MarkdownLD::Scan {

inline bool isSpaceOrTab(char c) { return c == ' ' || c == '\t'; }
bool isBlankFrom(QByteArrayView line, qsizetype pos);

// "#" x1..6 followed by space, tab or end of line; level returned through *level.
qsizetype atxHeadingStart(QByteArrayView line, qsizetype pos, int *level);
// ``` or ~~~ (3+); backtick fences may not have a backtick in their info string.
qsizetype openingFence(QByteArrayView line, qsizetype pos);
// A closing fence of at least minLength fenceChar, followed only by spaces or tabs.
bool closingFence(QByteArrayView line, qsizetype pos, char fenceChar, qsizetype minLength);
bool thematicBreak(QByteArrayView line, qsizetype pos);
// 1 for '=' underline, 2 for '-' underline, 0 otherwise.
int setextUnderline(QByteArrayView line, qsizetype pos);
// HTML block start conditions 1..6 (0 = none); condition 7 separately, since it
// cannot interrupt a paragraph.
int htmlBlockStart(QByteArrayView line, qsizetype pos);
bool htmlBlockStart7(QByteArrayView line, qsizetype pos);
bool htmlBlockEnds(QByteArrayView line, int htmlType);

struct ListMarker
{
    qsizetype length = 0; // bytes of the marker itself
    bool ordered = false;
    char delimiter = 0; // '.' or ')' for ordered lists; bullet char otherwise
    qint64 start = 1;
};
ListMarker listMarker(QByteArrayView line, qsizetype pos, bool interruptsParagraph);

// GFM table delimiter row as cmark-gfm 0.29's table extension scans it: cells of :?-+:?
// separated by pipes, leading and trailing pipe optional. Returns its column count, 0 if none.
int tableDelimiterRow(QByteArrayView line, qsizetype pos);
// Number of cells in a GFM table row as cmark-gfm's table extension counts them (leading and
// trailing pipe optional, a pipe after a backslash is text); 0: not a row (only "|").
int tableRowCells(QByteArrayView line);

} // namespace Kyozo::MarkdownLD::Scan
