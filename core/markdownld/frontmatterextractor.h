#pragma once

#include "jsonldextractor.h"

#include <optional>

namespace Kyozo::MarkdownLD {

// SPEC §2.2.2: YAML (`---`, yaml-cpp) or TOML (`+++`, toml++) front matter to a
// front-matter item with its keys mapped to vocabularies, plus open-graph and
// dublin-core items for `og:*` and `dc.*`/`dcterms.*` keys.
class FrontMatterExtractor
{
public:
    enum class Syntax { Yaml, Toml };
    // `parsed`, when given, receives the front matter's keys as parsed (empty when it is
    // invalid), for what reads keys beyond the mapping (`prefixes:`, SPEC §2.2.4).
    static void extract(Syntax syntax, QByteArrayView text, const ContentMap &map,
                        const SourceRange &range, const ItemSink &sink,
                        QJsonObject *parsed = nullptr);
    // The top-level keys in the order the text has them (TOML's tables are ordered by key),
    // for showing the front matter as it was written; nullopt when it does not parse to a
    // mapping.
    static std::optional<QList<std::pair<QString, QJsonValue>>> orderedKeys(Syntax syntax,
                                                                            QByteArrayView text);
    // The mapping alone, from already parsed keys (shared with tests and future callers).
    static void mapKeys(const QJsonObject &frontMatter, const SourceRange &range,
                        const ItemSink &sink);
};

} // namespace Kyozo::MarkdownLD
