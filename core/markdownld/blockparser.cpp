#include "blockparser.h"

#include "blockscanners.h"
#include "linkreferences.h"
#include "streamlistener.h"
#include "utf8.h"

namespace Kyozo::MarkdownLD {

namespace {
constexpr int kTabStop = 4;
constexpr int kCodeIndent = 4;

bool canContain(BlockKind parent, BlockKind child)
{
    switch (parent) {
    case BlockKind::BlockQuote:
    case BlockKind::ListItem: return child != BlockKind::ListItem;
    case BlockKind::List: return child == BlockKind::ListItem;
    default: return false;
    }
}

bool acceptsLines(BlockKind kind)
{
    return kind == BlockKind::Paragraph || kind == BlockKind::Heading
            || kind == BlockKind::FencedCode || kind == BlockKind::IndentedCode;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && Scan::isSpaceOrTab(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && Scan::isSpaceOrTab(v.back()))
        v.chop(1);
    return v;
}

// ATX heading text without its optional closing sequence of '#'.
QByteArrayView atxHeadingText(QByteArrayView text)
{
    text = trimmed(text);
    qsizetype end = text.size();
    while (end > 0 && text[end - 1] == '#')
        --end;
    if (end == 0)
        return {};
    if (end < text.size() && !Scan::isSpaceOrTab(text[end - 1]))
        return text;
    return trimmed(text.first(end));
}
} // namespace

BlockParser::BlockParser(StreamListener *listener, qsizetype maxBlockBytes,
                         FenceFilter wantsFenceContent)
    : m_listener(listener)
    , m_maxBlockBytes(maxBlockBytes)
    , m_wantsFenceContent(std::move(wantsFenceContent))
{
    m_stack.reserve(16);
}

void BlockParser::findFirstNonspace()
{
    if (m_firstNonspace <= m_offset) {
        qsizetype charsToTab = kTabStop - (m_column % kTabStop);
        m_firstNonspace = m_offset;
        m_firstNonspaceColumn = m_column;
        for (;;) {
            const char c = peek(m_firstNonspace);
            if (c == ' ') {
                ++m_firstNonspace;
                ++m_firstNonspaceColumn;
                if (--charsToTab == 0)
                    charsToTab = kTabStop;
            } else if (c == '\t') {
                ++m_firstNonspace;
                m_firstNonspaceColumn += charsToTab;
                charsToTab = kTabStop;
            } else {
                break;
            }
        }
    }
    m_indent = m_firstNonspaceColumn - m_column;
    const char c = peek(m_firstNonspace);
    m_blank = c == '\n' || c == '\r';
}

void BlockParser::advanceOffset(qsizetype count, bool columns)
{
    while (count > 0 && m_offset < m_text.size()) {
        if (m_text[m_offset] == '\t') {
            const qsizetype charsToTab = kTabStop - (m_column % kTabStop);
            if (columns) {
                m_partiallyConsumedTab = charsToTab > count;
                const qsizetype advance = qMin(count, charsToTab);
                m_column += advance;
                m_offset += m_partiallyConsumedTab ? 0 : 1;
                count -= advance;
            } else {
                m_partiallyConsumedTab = false;
                m_column += charsToTab;
                ++m_offset;
                --count;
            }
        } else {
            m_partiallyConsumedTab = false;
            ++m_offset;
            ++m_column;
            --count;
        }
    }
}

bool BlockParser::matchContinuation(OpenBlock &block, bool *fenceClosed)
{
    findFirstNonspace();
    switch (block.kind) {
    case BlockKind::BlockQuote:
        if (m_indent > 3 || peek(m_firstNonspace) != '>')
            return false;
        advanceOffset(m_indent + 1, true);
        if (Scan::isSpaceOrTab(peek(m_offset)))
            advanceOffset(1, true);
        return true;
    case BlockKind::ListItem:
        // In cmark's order (blocks.c, parse_item): the indentation first, so a blank line
        // indented enough keeps the columns beyond the item for the blocks inside it.
        if (m_indent >= block.markerOffset + block.padding) {
            advanceOffset(block.markerOffset + block.padding, true);
            return true;
        }
        if (m_blank && block.children > 0) {
            advanceOffset(m_firstNonspace - m_offset, false);
            return true;
        }
        return false;
    case BlockKind::FencedCode:
        if (m_indent <= 3 && peek(m_firstNonspace) == block.fenceChar
            && Scan::closingFence(m_text, m_firstNonspace, block.fenceChar, block.fenceLength)) {
            *fenceClosed = true;
            return true;
        }
        for (int i = block.fenceOffset; i > 0 && Scan::isSpaceOrTab(peek(m_offset)); --i)
            advanceOffset(1, true);
        return true;
    case BlockKind::IndentedCode:
        if (m_indent >= kCodeIndent) {
            advanceOffset(kCodeIndent, true);
            return true;
        }
        if (m_blank) {
            advanceOffset(m_firstNonspace - m_offset, false);
            return true;
        }
        return false;
    case BlockKind::HtmlBlock: return block.htmlType <= 5 || !m_blank;
    case BlockKind::Paragraph: return !m_blank;
    case BlockKind::Table:
        // cmark-gfm's table extension (matches()): a line continues the table if it is a
        // row of at least one cell; a lone "|" is none and ends the table.
        return !m_blank && Scan::tableRowCells(m_text.sliced(m_firstNonspace)) > 0;
    case BlockKind::List: return true;
    case BlockKind::Heading:
    case BlockKind::ThematicBreak:
    case BlockKind::FrontMatter: return false;
    }
    return false;
}

BlockParser::OpenBlock BlockParser::makeBlock(BlockKind kind, qsizetype pos) const
{
    OpenBlock b;
    b.kind = kind;
    b.range.startByte = m_lineStartByte + pos;
    b.range.startLine = m_lineNumber;
    b.range.startColumn = Utf8::codePointCount(m_text.first(qMin(pos, m_text.size()))) + 1;
    b.range.endByte = m_lineStartByte + m_text.size();
    b.range.endLine = m_lineNumber;
    return b;
}

BlockEvent BlockParser::eventFor(const OpenBlock &b) const
{
    BlockEvent e;
    e.kind = b.kind;
    e.range = b.range;
    e.level = b.level;
    e.ordered = b.ordered;
    e.listStart = b.listStart;
    e.htmlType = b.htmlType;
    if (b.kind == BlockKind::FencedCode) {
        e.info = m_info;
        e.unclosed = !b.closedByFence;
    }
    if (b.buffered) {
        e.content = m_content;
        e.contentLines = &m_contentLines;
        e.contentTruncated = m_contentTruncated;
    }
    return e;
}

void BlockParser::openBlock(OpenBlock block)
{
    while (!m_stack.isEmpty() && !canContain(m_stack.last().kind, block.kind))
        closeTop();
    if (!m_stack.isEmpty())
        ++m_stack.last().children;
    const bool leaf = !canContain(block.kind, BlockKind::Paragraph)
            && block.kind != BlockKind::List;
    if (leaf) {
        m_content.clear();
        m_contentLines.clear();
        m_contentTruncated = false;
        if (block.kind != BlockKind::FencedCode)
            m_info.clear();
        block.buffered = block.kind == BlockKind::Paragraph || block.kind == BlockKind::Heading
                || block.kind == BlockKind::HtmlBlock
                || (block.kind == BlockKind::FencedCode && m_wantsFenceContent
                    && m_wantsFenceContent(m_info));
    }
    m_stack.append(block);
    if (!leaf && m_listener)
        m_listener->blockOpened(eventFor(m_stack.last()));
}

void BlockParser::closeTop()
{
    const OpenBlock block = m_stack.takeLast();
    if (block.kind == BlockKind::Paragraph && !m_contentTruncated) {
        // cmark drops a paragraph made only of link reference definitions (finalize()
        // frees the node), so a list item it was the only child of has none again.
        if (linkReferenceDefinitionsLength(m_content) == m_content.size()) {
            if (!m_stack.isEmpty())
                --m_stack.last().children;
            return;
        }
    }
    if (m_listener)
        m_listener->blockClosed(eventFor(block));
    if (block.buffered) {
        m_content.clear();
        m_contentLines.clear();
        m_contentTruncated = false;
    }
}

void BlockParser::closeDownTo(qsizetype depth)
{
    while (m_stack.size() > depth)
        closeTop();
}

void BlockParser::appendContent(qsizetype from)
{
    OpenBlock &leaf = m_stack.last();
    ++leaf.lineCount;
    if (!leaf.buffered || m_contentTruncated)
        return;
    const QByteArrayView piece = m_text.sliced(qMin(from, m_text.size()));
    const qsizetype needed = piece.size() + (m_content.isEmpty() && m_contentLines.isEmpty() ? 0 : 1);
    if (m_content.size() + needed > m_maxBlockBytes) {
        m_contentTruncated = true;
        return;
    }
    if (!m_contentLines.isEmpty())
        m_content.append('\n');
    m_contentLines.append({ qint32(m_content.size()), m_lineStartByte + from, m_lineNumber,
                            Utf8::codePointCount(m_text.first(qMin(from, m_text.size()))) });
    m_content.append(piece);
}

bool BlockParser::paragraphHasTextBeyondReferences() const
{
    return m_contentTruncated || linkReferenceDefinitionsLength(m_content) < m_content.size();
}

void BlockParser::openTableFromParagraph()
{
    // cmark-gfm's try_opening_table_header(): the paragraph's lines before its last one
    // stay a paragraph, inserted before the table (its row_from_string() restarts at each
    // line end of the paragraph's content). cmark never finalizes that paragraph, so link
    // reference definitions in it stay text: it is a paragraph even if it holds only
    // definitions, which is why it is reported here and not through closeTop().
    OpenBlock &table = m_stack.last();
    const ContentLine header = m_contentLines.last();
    if (m_contentLines.size() > 1) {
        OpenBlock before = table;
        before.range.endLine = table.previousEndLine;
        before.range.endByte = table.previousEndByte;
        const QByteArray headerText = m_content.sliced(header.contentOffset);
        m_content.truncate(header.contentOffset - 1); // and the '\n' joining the lines
        m_contentLines.removeLast();
        if (m_listener)
            m_listener->blockClosed(eventFor(before));
        m_content = headerText;
        m_contentLines = { { 0, header.documentByte, header.line, header.prefixCodePoints } };
        table.range.startByte = header.documentByte;
        table.range.startLine = header.line;
        table.range.startColumn = header.prefixCodePoints + 1;
        table.lineCount = 1;
    }
    table.kind = BlockKind::Table;
}

void BlockParser::extendOpenBlocks(bool lineIsBlank)
{
    for (OpenBlock &b : m_stack) {
        if (lineIsBlank && b.kind != BlockKind::FencedCode && b.kind != BlockKind::IndentedCode
            && b.kind != BlockKind::HtmlBlock)
            continue;
        b.previousEndLine = b.range.endLine;
        b.previousEndByte = b.range.endByte;
        b.range.endLine = m_lineNumber;
        b.range.endByte = m_lineStartByte + m_text.size();
    }
}

void BlockParser::processLine(QByteArrayView text, qint64 startByte, qint64 lineNumber)
{
    m_text = text;
    m_lineStartByte = startByte;
    m_lineNumber = lineNumber;
    m_offset = m_column = m_firstNonspace = m_firstNonspaceColumn = 0;
    m_partiallyConsumedTab = false;
    const bool lineIsBlank = Scan::isBlankFrom(text, 0);

    // 1. Which open blocks does this line continue?
    qsizetype matched = 0;
    bool fenceClosed = false;
    while (matched < m_stack.size() && matchContinuation(m_stack[matched], &fenceClosed)) {
        ++matched;
        if (fenceClosed)
            break;
    }
    if (fenceClosed) {
        // The closing fence belongs to the code block, which is always the innermost block.
        extendOpenBlocks(false);
        m_stack.last().closedByFence = true;
        closeTop();
        return;
    }
    const qsizetype lastMatched = matched;
    const bool allMatched = matched == m_stack.size();
    const bool tipWasParagraph = !m_stack.isEmpty() && m_stack.last().kind == BlockKind::Paragraph;
    bool maybeLazy = tipWasParagraph;
    bool opened = false;

    // The innermost block new blocks go into: before any opens, the last matched one.
    auto container = [&]() -> const OpenBlock * {
        const qsizetype depth = opened ? m_stack.size() : lastMatched;
        return depth == 0 ? nullptr : &m_stack[depth - 1]; // nullptr: the document
    };
    auto containerKind = [&]() -> std::optional<BlockKind> {
        const OpenBlock *c = container();
        return c ? std::optional(c->kind) : std::nullopt;
    };
    auto open = [&](OpenBlock block) {
        if (!opened) {
            closeDownTo(lastMatched);
            opened = true;
        }
        openBlock(block);
    };

    auto lastParagraphLine = [&] {
        return QByteArrayView(m_content).sliced(m_contentLines.last().contentOffset);
    };

    // 2. Open new blocks.
    for (;;) {
        const auto ck = containerKind();
        if (ck == BlockKind::FencedCode || ck == BlockKind::IndentedCode
            || ck == BlockKind::HtmlBlock || m_stack.size() >= kMaxNesting)
            break;
        findFirstNonspace();
        const bool indented = m_indent >= kCodeIndent;
        const qsizetype fns = m_firstNonspace;
        const char c = peek(fns);
        int level = 0;
        qsizetype n = 0;
        int htmlType = 0;
        Scan::ListMarker marker;

        if (!indented && c == '>') {
            OpenBlock b = makeBlock(BlockKind::BlockQuote, fns);
            advanceOffset(fns + 1 - m_offset, false);
            if (Scan::isSpaceOrTab(peek(m_offset)))
                advanceOffset(1, true);
            open(b);
        } else if (!indented && (n = Scan::atxHeadingStart(text, fns, &level))) {
            OpenBlock b = makeBlock(BlockKind::Heading, fns);
            b.level = level;
            advanceOffset(fns + n - m_offset, false);
            open(b);
        } else if (!indented && (n = Scan::openingFence(text, fns))) {
            OpenBlock b = makeBlock(BlockKind::FencedCode, fns);
            b.fenceChar = c;
            b.fenceLength = int(n);
            b.fenceOffset = int(fns - m_offset);
            m_info = trimmed(text.sliced(fns + n)).toByteArray();
            advanceOffset(text.size() - m_offset, false);
            open(b);
        } else if (!indented
                   && ((htmlType = Scan::htmlBlockStart(text, fns))
                       || (ck != BlockKind::Paragraph && Scan::htmlBlockStart7(text, fns)
                           && (htmlType = 7)))) {
            OpenBlock b = makeBlock(BlockKind::HtmlBlock, fns);
            b.htmlType = htmlType;
            open(b);
        } else if (!indented && ck == BlockKind::Paragraph
                   && (level = Scan::setextUnderline(text, fns))) {
            if (paragraphHasTextBeyondReferences()) {
                OpenBlock &p = m_stack.last();
                p.kind = BlockKind::Heading;
                p.level = level;
                advanceOffset(text.size() - m_offset, false);
            } else {
                // cmark's resolve_reference_link_definitions() has taken the definitions out
                // of the paragraph, which stays open: its content starts afresh with this
                // line (so a GFM table's header row may be its first line again).
                m_content.clear();
                m_contentLines.clear();
            }
        } else if (!indented && !(ck == BlockKind::Paragraph && !allMatched)
                   && Scan::thematicBreak(text, fns)) {
            OpenBlock b = makeBlock(BlockKind::ThematicBreak, fns);
            advanceOffset(text.size() - m_offset, false);
            open(b);
        } else if ((!indented || ck == BlockKind::List) && m_indent < 4
                   && (marker = Scan::listMarker(text, fns, ck == BlockKind::Paragraph)).length) {
            OpenBlock item = makeBlock(BlockKind::ListItem, fns);
            advanceOffset(fns + marker.length - m_offset, false);
            const bool savedPartial = m_partiallyConsumedTab;
            const qsizetype savedOffset = m_offset, savedColumn = m_column;
            while (m_column - savedColumn <= 5 && Scan::isSpaceOrTab(peek(m_offset)))
                advanceOffset(1, true);
            const qsizetype spaces = m_column - savedColumn;
            if (spaces >= 5 || spaces < 1 || m_offset >= text.size()) {
                item.padding = int(marker.length + 1);
                m_offset = savedOffset;
                m_column = savedColumn;
                m_partiallyConsumedTab = savedPartial;
                if (spaces > 0)
                    advanceOffset(1, true);
            } else {
                item.padding = int(marker.length + spaces);
            }
            item.markerOffset = int(m_indent);
            item.ordered = marker.ordered;
            item.delimiter = marker.delimiter;
            item.listStart = marker.start;
            const OpenBlock *list = container();
            if (!list || list->kind != BlockKind::List || list->ordered != marker.ordered
                || list->delimiter != marker.delimiter) {
                OpenBlock list = item;
                list.kind = BlockKind::List;
                open(list);
            }
            open(item);
        } else if (indented && !maybeLazy && !m_blank) {
            advanceOffset(kCodeIndent, true);
            open(makeBlock(BlockKind::IndentedCode, m_offset));
        } else if (!indented && ck == BlockKind::Paragraph && allMatched && !m_contentTruncated
                   && (n = Scan::tableDelimiterRow(text, fns)) > 0
                   && n == Scan::tableRowCells(lastParagraphLine())) {
            // GFM table (cmark-gfm's extensions/table.c, try_opening_table_block): tried
            // after every core block start, never on an indented line; this line is the
            // delimiter row, the paragraph's last line the header row with as many cells.
            openTableFromParagraph();
            advanceOffset(text.size() - m_offset, false);
            break;
        } else {
            break;
        }
        const auto now = containerKind();
        if (now && acceptsLines(*now))
            break;
        maybeLazy = false;
    }

    // 3. Add the line's text.
    findFirstNonspace();
    if (!opened && lastMatched < m_stack.size() && !m_blank && tipWasParagraph
        && m_stack.last().kind == BlockKind::Paragraph) {
        // Lazy continuation: the paragraph keeps the line though its containers did not match.
        // cmark's add_line() keeps it from the offset its matched containers left, leading
        // spaces included (a GFM table header row " |a|b|" has three cells then).
        appendContent(m_offset);
        extendOpenBlocks(lineIsBlank);
        return;
    }
    if (!opened)
        closeDownTo(lastMatched);

    const std::optional<BlockKind> ck = m_stack.isEmpty() ? std::nullopt
                                                          : std::optional(m_stack.last().kind);
    if (ck == BlockKind::FencedCode) {
        if (m_stack.last().range.startLine != m_lineNumber)
            appendContent(m_offset);
    } else if (ck == BlockKind::IndentedCode) {
        appendContent(m_offset);
    } else if (ck == BlockKind::HtmlBlock) {
        appendContent(m_offset);
        const int type = m_stack.last().htmlType;
        if (type <= 5 && Scan::htmlBlockEnds(text.sliced(m_offset), type)) {
            extendOpenBlocks(lineIsBlank);
            closeTop();
            return;
        }
    } else if (m_blank) {
        // nothing to add
    } else if (ck == BlockKind::Heading) {
        if (m_stack.last().range.startLine == m_lineNumber) {
            // ATX: the text after the opening sequence, without the closing one.
            const QByteArrayView heading = atxHeadingText(text.sliced(m_offset));
            ++m_stack.last().lineCount;
            m_content = heading.toByteArray();
            // An empty heading's text is a null view: it starts where the line ends.
            const qsizetype at = heading.isNull() ? text.size() : heading.data() - text.data();
            m_contentLines = { { 0, m_lineStartByte + at, m_lineNumber,
                                 Utf8::codePointCount(text.first(at)) } };
        }
    } else if (ck == BlockKind::Paragraph) {
        appendContent(m_firstNonspace);
    } else if (ck == BlockKind::Table) {
        // Rows are content too (the words of `stats`, the dates and links of the implicit
        // rules), buffered like a paragraph's lines and capped the same way.
        appendContent(m_firstNonspace);
    } else {
        open(makeBlock(BlockKind::Paragraph, m_firstNonspace));
        appendContent(m_firstNonspace);
    }
    extendOpenBlocks(lineIsBlank);
}

void BlockParser::finish()
{
    closeDownTo(0);
}

} // namespace Kyozo::MarkdownLD
