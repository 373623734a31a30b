#pragma once

#include "sourcerange.h"

#include <QByteArrayView>
#include <QList>

namespace Kyozo::MarkdownLD {

enum class BlockKind : quint8 {
    FrontMatter,
    BlockQuote,
    List,
    ListItem,
    Paragraph,
    Heading,
    ThematicBreak,
    FencedCode,
    IndentedCode,
    HtmlBlock,
    Table,
};

const char *blockKindName(BlockKind kind);

// Where one line of a block's buffered content sits in the document, so that an
// extractor can turn an offset inside the content into document line and column.
struct ContentLine
{
    qint32 contentOffset = 0;   // first byte of this line inside BlockEvent::content
    qint64 documentByte = 0;    // the same byte in the document
    qint64 line = 0;            // document line, 1-based
    qint64 prefixCodePoints = 0; // code points on the document line before the content
};

// A block as listeners see it. Views point into parser-owned memory and are valid only
// during the callback (md4c-style: no copies on the hot path).
struct BlockEvent
{
    BlockKind kind = BlockKind::Paragraph;
    SourceRange range; // on blockOpened only the start is known
    int level = 0;     // heading level 1..6
    bool ordered = false;
    qint64 listStart = 1;
    int htmlType = 0;     // CommonMark HTML block condition 1..7
    QByteArrayView info;  // fenced code info string; front matter: "---" or "+++"
    // Buffered content (paragraph, heading text, HTML block, front matter, and fenced code
    // whose info string an extractor claimed), lines joined by '\n', container prefixes removed.
    QByteArrayView content;
    const QList<ContentLine> *contentLines = nullptr;
    bool contentTruncated = false; // the block exceeded maxBlockBytes; content is partial
    bool unclosed = false;         // fenced code that ended without its closing fence
};

} // namespace Kyozo::MarkdownLD
