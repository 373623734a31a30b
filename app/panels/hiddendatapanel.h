#pragma once

#include "editor/documentanalysis.h"
#include "markdownld/semanticitem.h"

#include <QTreeWidget>

namespace Kyozo::App {

// SPEC §9 hidden-data panel: every zero-width run with its decoded payload, "encrypted", or
// why it is undecodable; activating a row jumps to the run.
class HiddenDataPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit HiddenDataPanel(QWidget *parent = nullptr);
    // Takes every item and keeps the hidden-data ones.
    void setItems(const QList<MarkdownLD::SemanticItem> &items) { applyItems(items, {}); }
    // `items` differ from those shown as `changes` says: only the rows of changed items are
    // made again (issue 18 item 4); the others follow their item's place.
    void applyItems(const QList<MarkdownLD::SemanticItem> &items, const ItemSplice &changes);

signals:
    void jumpRequested(qint64 line, qint64 column);
    // A double-click on an encrypted payload: the user wants to read it with a passphrase.
    void openRequested(qint64 line, qint64 column);

private:
    static QTreeWidgetItem *rowOf(const MarkdownLD::SemanticItem &item);
    static bool isHidden(const MarkdownLD::SemanticItem &item);

    QList<qsizetype> m_itemOfRow; // the index in the items of each row's item, ascending
    qsizetype m_itemCount = 0; // of the items last applied
};

} // namespace Kyozo::App
