#pragma once

#include "blockevent.h"

#include <QByteArray>
#include <QList>
#include <functional>

namespace Kyozo::MarkdownLD {

class StreamListener;

// CommonMark 0.29 block structure, line by line, following the algorithm of cmark's
// blocks.c (match open blocks, open new blocks, add the line's text) so that block
// boundaries agree with cmark-gfm (SPEC §2.1). It never builds a tree: the only state is
// the stack of open blocks and the content of the one leaf that is being buffered.
class BlockParser
{
public:
    using FenceFilter = std::function<bool(QByteArrayView info)>;

    BlockParser(StreamListener *listener, qsizetype maxBlockBytes, FenceFilter wantsFenceContent);

    // One line without its line ending; startByte is its first byte in the document.
    void processLine(QByteArrayView text, qint64 startByte, qint64 lineNumber);
    void finish();

    qsizetype bufferedBytes() const { return m_content.size() + m_info.size(); }
    // First line of the innermost open block if it is a leaf whose content is buffered (the
    // only open block that can still yield items spanning earlier lines), else 0.
    qint64 bufferedLeafStartLine() const
    {
        return !m_stack.isEmpty() && m_stack.last().buffered ? m_stack.last().range.startLine : 0;
    }
    static constexpr int kMaxNesting = 64;

private:
    struct OpenBlock
    {
        BlockKind kind = BlockKind::Paragraph;
        SourceRange range;
        int level = 0;
        bool ordered = false;
        char delimiter = 0;
        qint64 listStart = 1;
        int markerOffset = 0;
        int padding = 0;
        int children = 0; // open or closed, as the nodes cmark keeps (first_child)
        char fenceChar = 0;
        int fenceLength = 0;
        int fenceOffset = 0;
        int htmlType = 0;
        bool buffered = false; // this leaf's lines go to m_content
        bool closedByFence = false;
        int lineCount = 0;
        // Where the block ended before its last line: a paragraph's end when a GFM table
        // takes its last line as the header row.
        qint64 previousEndByte = 0;
        qint64 previousEndLine = 0;
    };

    char peek(qsizetype pos) const { return pos < m_text.size() ? m_text[pos] : '\n'; }
    void findFirstNonspace();
    void advanceOffset(qsizetype count, bool columns);
    bool matchContinuation(OpenBlock &block, bool *fenceClosed);

    OpenBlock makeBlock(BlockKind kind, qsizetype pos) const;
    void openBlock(OpenBlock block);
    void closeTop();
    void closeDownTo(qsizetype depth);
    void extendOpenBlocks(bool lineIsBlank);
    void appendContent(qsizetype from);
    bool paragraphHasTextBeyondReferences() const;
    void openTableFromParagraph();
    BlockEvent eventFor(const OpenBlock &block) const;

    StreamListener *m_listener;
    qsizetype m_maxBlockBytes;
    FenceFilter m_wantsFenceContent;

    QList<OpenBlock> m_stack; // the document itself is implicit
    QByteArray m_content;     // content of the buffered leaf (always the top of m_stack)
    QList<ContentLine> m_contentLines;
    QByteArray m_info;
    bool m_contentTruncated = false;

    // Per-line scanning state, as cmark's parser struct.
    QByteArrayView m_text;
    qint64 m_lineStartByte = 0;
    qint64 m_lineNumber = 0;
    qsizetype m_offset = 0;
    qsizetype m_column = 0;
    qsizetype m_firstNonspace = 0;
    qsizetype m_firstNonspaceColumn = 0;
    qsizetype m_indent = 0;
    bool m_blank = false;
    bool m_partiallyConsumedTab = false;
};

} // namespace Kyozo::MarkdownLD
