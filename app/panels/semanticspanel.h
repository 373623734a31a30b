#pragma once

#include "editor/documentanalysis.h"
#include "markdownld/semanticitem.h"

#include <QTreeWidget>
#include <utility>

namespace Kyozo::App {

// SPEC §9 semantics panel: every item as a tree node (kind, @type, confidence, origin, line)
// with its properties below it; activating a node jumps to its source.
class SemanticsPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit SemanticsPanel(QWidget *parent = nullptr);
    void setItems(const QList<MarkdownLD::SemanticItem> &items) { applyItems(items, {}); }
    // `items` differ from those shown as `changes` says: only the nodes of the changed items
    // are made again (issue 18 item 4), the rest keep their state and follow their item's
    // place; what the reader opened and selected stays open and selected.
    void applyItems(const QList<MarkdownLD::SemanticItem> &items, const ItemSplice &changes);

    // "Copy for AI" (issue 16 item 7): the notebook's AI view (SPEC §2.3, built by core's
    // aiViewOf(), the same as `kyozo-ld extract --implicit --format ai`) on the clipboard.
    // Returns what was copied.
    static QString copyForAi(const QString &notebook);

    // Where a node's item starts (line, column), as its node shows it.
    using Place = std::pair<qint64, qint64>;

signals:
    void jumpRequested(qint64 line, qint64 column);

private:
    void rebuild(const QList<MarkdownLD::SemanticItem> &items);
    static QTreeWidgetItem *nodeOf(const MarkdownLD::SemanticItem &item);

    QList<Place> m_places; // per top-level node
};

} // namespace Kyozo::App
