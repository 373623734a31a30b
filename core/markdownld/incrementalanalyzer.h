#pragma once

#include "extractionmemo.h"
#include "semanticitem.h"
#include "streamparser.h"

#include <QByteArray>
#include <QList>
#include <memory>

namespace Kyozo::MarkdownLD {

// Where an edit replaced text, in the document before and after it (SPEC §11 positions:
// bytes 0-based, lines 1-based, columns 1-based code points).
struct TextEdit
{
    qint64 startByte = 0;
    qint64 oldEndByte = 0; // the replaced text ended here
    qint64 newEndByte = 0; // and its replacement ends here
    qint64 startLine = 1;
    qint64 oldEndLine = 1;
    qint64 oldEndColumn = 1;
    qint64 newEndLine = 1;
    qint64 newEndColumn = 1;
};

// SPEC §2.6: how the items changed. Old items [first, first + removedCount) were replaced by
// `inserted`; those before are unchanged, those after are the same items moved with the text
// (positions after the edit shifted, indexes and relations renumbered).
struct ItemDiff
{
    qsizetype first = 0;
    qsizetype removedCount = 0;
    QList<SemanticItem> inserted;
    TextEdit edit;
    qsizetype indexDelta = 0; // new item count minus old

    // Of the splice, matched by kind and place: items there before and after (changed),
    // only after (added), only before (removed).
    qsizetype added = 0;
    qsizetype changed = 0;
    qsizetype removed = 0;

    bool isEmpty() const { return removedCount == 0 && inserted.isEmpty(); }
    // The old items, as the diff leaves them: the new items.
    void apply(QList<SemanticItem> &items) const;
    // An old item after the splice, where the edit moved it.
    SemanticItem moved(SemanticItem item) const;
};

// SPEC §2.6, issue 18 item 4: the analysis of a document that is being edited. After an
// edit the document is read again, but only the blocks (and hidden-data lines) the edit
// changed are extracted again, which is what costs (JSON-LD, YAML, HTML metadata,
// zero-width payloads); a fence opened or closed changes the blocks it re-scopes, and only
// those. The block structure, the implicit rules and the relations are document-wide and
// follow from a fresh pass. The items equal a full parse's, always.
class IncrementalAnalyzer
{
public:
    explicit IncrementalAnalyzer(StreamParser::Options options = {});

    // The document is now `text`; the edit is found by comparing it with the previous one.
    // `listener` (optional) sees the pass's block events and items as a StreamParser's would.
    ItemDiff update(const QByteArray &text, StreamListener *listener = nullptr);
    // `removedBytes` bytes at `startByte` were replaced by `inserted`.
    ItemDiff replace(qint64 startByte, qint64 removedBytes, QByteArrayView inserted,
                     StreamListener *listener = nullptr);

    const QByteArray &text() const { return m_text; }
    const QList<SemanticItem> &items() const { return m_items; }
    // Blocks and lines extracted afresh and reused by the last update.
    ExtractionMemo::Stats lastStats() const { return m_memo->stats(); }

private:
    ItemDiff reanalyse(const TextEdit &edit, StreamListener *listener);
    TextEdit editBetween(const QByteArray &old, qint64 start, qint64 oldEnd, qint64 newEnd) const;

    StreamParser::Options m_options;
    std::shared_ptr<ExtractionMemo> m_memo;
    QByteArray m_text;
    QList<SemanticItem> m_items;
};

} // namespace Kyozo::MarkdownLD
