#pragma once

#include "semanticitem.h"

#include <QByteArray>
#include <QHash>
#include <QList>

namespace Kyozo::MarkdownLD {

struct BlockEvent;

// SPEC §2.6: what the built-in extractors made of a block (or the hidden-data scan of a line)
// the last time the parser saw exactly that block, so that a document parsed again after an
// edit extracts only the blocks the edit changed. Keys hold everything an extraction reads
// (kind, info, content, its lines' places relative to the block, the CURIE prefixes);
// items are kept relative to the block's first byte and line and moved to where it is now.
// Entries not used by a pass are dropped when the next one ends: memory follows the document.
// Not thread-safe: one pass at a time.
class ExtractionMemo
{
public:
    struct Stats
    {
        qsizetype extracted = 0; // blocks and lines extracted afresh in the last pass
        qsizetype reused = 0; // taken from an earlier extraction
    };

    void beginPass();
    void endPass();
    Stats stats() const { return m_stats; }
    qsizetype size() const { return m_current.size() + m_previous.size(); }

    // nullptr when not known; marks the entry as used by this pass.
    const QList<SemanticItem> *find(const QByteArray &key);
    void store(const QByteArray &key, QList<SemanticItem> relativeItems);

    // The key of one plugin's extraction of `block`, given the prefixes' fingerprint.
    static QByteArray blockKey(qsizetype plugin, const BlockEvent &block, QByteArrayView prefixes);
    static QByteArray lineKey(QByteArrayView text);

    // An item's positions relative to a block or line starting at (byte, line), and back.
    static SemanticItem relative(SemanticItem item, qint64 byte, qint64 line);
    static SemanticItem placed(SemanticItem item, qint64 byte, qint64 line);

private:
    QHash<QByteArray, QList<SemanticItem>> m_current; // used by this pass
    QHash<QByteArray, QList<SemanticItem>> m_previous; // left from the last, until it ends
    Stats m_stats;
};

} // namespace Kyozo::MarkdownLD
