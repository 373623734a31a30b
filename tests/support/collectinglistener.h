#pragma once

#include "markdownld/streamlistener.h"
#include "markdownld/streamparser.h"

#include <QJsonArray>
#include <QStringList>

namespace KyozoTest {

// Records everything a StreamParser reports, in a comparable form.
class CollectingListener : public Kyozo::MarkdownLD::StreamListener
{
public:
    void blockOpened(const Kyozo::MarkdownLD::BlockEvent &e) override;
    void blockClosed(const Kyozo::MarkdownLD::BlockEvent &e) override;
    void itemFound(const Kyozo::MarkdownLD::SemanticItem &item) override;

    QStringList events; // "open list 3:1", "close paragraph 3-5 …"
    QJsonArray items;   // SPEC §11 jsonl objects
    struct Block
    {
        Kyozo::MarkdownLD::BlockKind kind;
        qint64 startLine, endLine;
        int level;
        int htmlType;
        bool unclosed;
    };
    QList<Block> blocks; // closed blocks
};

// Parses a whole document, fed in the given chunk sizes (cycled); empty = one feed().
CollectingListener parse(const QByteArray &document, const QList<qsizetype> &chunkSizes = {},
                         qsizetype maxBlockBytes = 1024 * 1024, bool includeImplicit = false);
// The same with any parser options (--context, --depth).
CollectingListener parseWith(const QByteArray &document, const QList<qsizetype> &chunkSizes,
                             const Kyozo::MarkdownLD::StreamParser::Options &options);

} // namespace KyozoTest
