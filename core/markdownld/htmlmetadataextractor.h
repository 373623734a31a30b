#pragma once

#include "jsonldextractor.h"

namespace Kyozo::MarkdownLD {

// SPEC §2.2.3: metadata in one raw HTML block — <meta name="DC.*|dcterms.*">,
// <meta property="og:*">, <link rel="schema.DC">, microdata (itemscope/itemtype/itemprop)
// and <script type="application/ld+json">, whose text goes to the JSON-LD extractor.
class HtmlMetadataExtractor
{
public:
    static void extract(QByteArrayView html, const ContentMap &map, const SourceRange &blockRange,
                        const ItemSink &sink);

    // Each <script type="application/ld+json"> of an HTML block, as extract() reads them:
    // the element from '<' to past its end tag (or the block's end), and its text.
    struct Script
    {
        qsizetype start = 0;
        qsizetype end = 0;
        qsizetype textStart = 0;
        qsizetype textEnd = 0;
    };
    static QList<Script> jsonLdScripts(QByteArrayView html);
};

} // namespace Kyozo::MarkdownLD
