#pragma once

#include "contentmap.h"
#include "semanticitem.h"

#include <QString>
#include <functional>

namespace Kyozo::MarkdownLD {

using ItemSink = std::function<void(const SemanticItem &)>;

// SPEC §2.2.1: JSON-LD text (a fenced block or a <script type="application/ld+json">) to
// one item per node; objects, arrays and @graph. Parsing is QJsonDocument's.
class JsonLdExtractor
{
public:
    static bool claimsFenceInfo(QByteArrayView info);

    // json: the JSON text; map locates it in the document; blockRange is the item range
    // for a single top-level object (a fenced block's item covers its fence lines).
    static void extract(QByteArrayView json, const ContentMap &map, qsizetype jsonOffset,
                        const SourceRange &blockRange, const ItemSink &sink);

    // nlohmann-json's message of a syntax error in plain words, naming the character it was
    // found before: "a value is missing before ']'". An unknown message stays as it is.
    static QString plainJsonError(const QString &parserMessage);
};

} // namespace Kyozo::MarkdownLD
