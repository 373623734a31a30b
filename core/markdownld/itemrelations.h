#pragma once

#include "blockevent.h"
#include "semanticitem.h"

#include <QHash>
#include <QList>

namespace Kyozo::MarkdownLD {

// SPEC §2.2.7 relationships between items, as a stream can tell them (issue 16 item 5). Items
// are output as they are found, so an item names only items output before it: every relation
// `{type, n}` on an item reads "item n <type> this item".
// - same-id: item n has the same @id.
// - contains: item n is the item of the section this item is in (the first item found within
//   a heading's lines: its attribute list), or, for an item that --depth expanded out of
//   another, that item.
// - links-to: item n's section holds an inline link whose destination is this item's @id
//   (`#engine` for `{#engine}`, or an absolute IRI).
// What is remembered is capped (kMaxRemembered ids and link targets): past that, later items
// are related to what was remembered, and nothing new is.
class ItemRelations
{
public:
    void headingClosed(const BlockEvent &heading);
    // Inline links `[text](destination)` of a paragraph's or heading's text, for links-to.
    void linksIn(QByteArrayView text);
    // Relates `item` (whose index is set) to what came before, and remembers it.
    // `parent`: the item it was expanded out of, or -1.
    void relate(SemanticItem &item, qint64 parent);

    static constexpr qsizetype kMaxRemembered = 10000;
    static constexpr qsizetype kMaxPerKey = 64;

private:
    struct Section
    {
        int level = 0;
        qint64 startLine = 0;
        qint64 endLine = 0;
        qint64 item = -1;
    };
    qint64 sectionItem() const; // innermost section's item, or -1

    QList<Section> m_sections; // open sections, outermost first (at most 6 levels)
    QHash<QString, QList<qint64>> m_itemsById;
    QHash<QString, QList<qint64>> m_linkingSections; // link destination -> section items
    qsizetype m_remembered = 0;
};

} // namespace Kyozo::MarkdownLD
