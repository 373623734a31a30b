#pragma once

#include "curieprefixes.h"
#include "jsonldextractor.h"

#include <cstring>

namespace Kyozo::MarkdownLD {

// SPEC §2.2.4: Markdown-LD's inline annotations in a paragraph's or a heading's text —
// `[text]{typeof=schema:Person property=schema:author}` spans, and attribute lists
// `{#id .class key=value}` after a heading's text or after a link — to `annotation` items.
// The attribute-list syntax is Pandoc's (`header_attributes`, `bracketed_spans`,
// `link_attributes`), which markdown-it-attrs and kramdown's IALs share in their
// `{#id .class key=value}` form. Code spans, inline HTML and autolinks are skipped, so
// nothing inside them is an annotation; fenced code and HTML blocks never reach here.
// One pass over the text; every look-ahead is bounded or cached (issue 16: linear on any input).
class AnnotationExtractor
{
public:
    enum class Block { Paragraph, Heading };

    // The check done on every paragraph and heading: an annotation needs a '{'.
    static bool mayContain(QByteArrayView text)
    {
        return !text.isEmpty() && std::memchr(text.data(), '{', size_t(text.size())) != nullptr;
    }

    static void extract(QByteArrayView text, const ContentMap &map, Block block,
                        const CuriePrefixes &prefixes, const ItemSink &sink);

    // The most bytes an attribute list may span, braces included.
    static constexpr qsizetype kMaxAttributeListBytes = 4096;
};

} // namespace Kyozo::MarkdownLD
