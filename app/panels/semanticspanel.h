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

signals:
    void jumpRequested(qint64 line, qint64 column);
};

} // namespace Kyozo::App
