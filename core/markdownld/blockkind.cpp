#include "blockevent.h"

namespace Kyozo::MarkdownLD {

const char *blockKindName(BlockKind kind)
{
    switch (kind) {
    case BlockKind::FrontMatter: return "front_matter";
    case BlockKind::BlockQuote: return "block_quote";
    case BlockKind::List: return "list";
    case BlockKind::ListItem: return "item";
    case BlockKind::Paragraph: return "paragraph";
    case BlockKind::Heading: return "heading";
    case BlockKind::ThematicBreak: return "thematic_break";
    case BlockKind::FencedCode: return "code_block";
    case BlockKind::IndentedCode: return "indented_code";
    case BlockKind::HtmlBlock: return "html_block";
    case BlockKind::Table: return "table";
    }
    return "";
}

} // namespace Kyozo::MarkdownLD
