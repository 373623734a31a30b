#pragma once

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
    void setItems(const QList<MarkdownLD::SemanticItem> &items);

signals:
    void jumpRequested(qint64 line, qint64 column);
    // A double-click on an encrypted payload: the user wants to read it with a passphrase.
    void openRequested(qint64 line, qint64 column);
};

} // namespace Kyozo::App
