#pragma once

#include "jsonldextractor.h"

namespace Kyozo::MarkdownLD {

// SPEC §2.2.2: YAML (`---`, yaml-cpp) or TOML (`+++`, toml++) front matter to a
// front-matter item with its keys mapped to vocabularies, plus open-graph and
// dublin-core items for `og:*` and `dc.*`/`dcterms.*` keys.
class FrontMatterExtractor
{
public:
    enum class Syntax { Yaml, Toml };
    static void extract(Syntax syntax, QByteArrayView text, const ContentMap &map,
                        const SourceRange &range, const ItemSink &sink);
    // The mapping alone, from already parsed keys (shared with tests and future callers).
    static void mapKeys(const QJsonObject &frontMatter, const SourceRange &range,
                        const ItemSink &sink);
};

} // namespace Kyozo::MarkdownLD
