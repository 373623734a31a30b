#pragma once

#include "markdownld/semanticitem.h"

#include <QTreeWidget>

namespace Kyozo::App {

// SPEC §9 semantics panel: every item as a tree node (kind, @type, confidence, origin, line)
// with its properties below it; activating a node jumps to its source.
class SemanticsPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit SemanticsPanel(QWidget *parent = nullptr);
    void setItems(const QList<MarkdownLD::SemanticItem> &items);

    // "Copy for AI" (issue 16 item 7): the notebook's AI view (SPEC §2.3, built by core's
    // aiViewOf(), the same as `kyozo-ld extract --implicit --format ai`) on the clipboard.
    // Returns what was copied.
    static QString copyForAi(const QString &notebook);

signals:
    void jumpRequested(qint64 line, qint64 column);
};

} // namespace Kyozo::App
