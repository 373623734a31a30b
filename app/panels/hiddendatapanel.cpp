#include "hiddendatapanel.h"

#include "editor/hiddenpayloadtext.h"

#include <QHeaderView>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

namespace {
enum Column { Line, Format, Payload };
constexpr int ColumnRole = Qt::UserRole;
constexpr int EncryptedRole = Qt::UserRole + 1;
} // namespace

HiddenDataPanel::HiddenDataPanel(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("hiddenDataPanel"));
    setHeaderLabels({ tr("Line"), tr("Format"), tr("Payload") });
    setRootIsDecorated(false);
    header()->setSectionResizeMode(Line, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(Format, QHeaderView::ResizeToContents);
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *row) {
        emit jumpRequested(row->text(Line).toLongLong(), row->data(Line, ColumnRole).toLongLong());
    });
    connect(this, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *row) {
        if (row->data(Line, EncryptedRole).toBool())
            emit openRequested(row->text(Line).toLongLong(), row->data(Line, ColumnRole).toLongLong());
    });
}

void HiddenDataPanel::setItems(const QList<MarkdownLD::SemanticItem> &items)
{
    clear();
    for (const MarkdownLD::SemanticItem &item : items) {
        if (item.kind != ItemKind::HiddenData && item.kind != ItemKind::SuspiciousHidden)
            continue;
        const QString format = item.kind == ItemKind::HiddenData
                ? item.properties.value(QLatin1String("format")).toString()
                : tr("unknown");
        auto *row = new QTreeWidgetItem(this, { QString::number(item.range.startLine), format, hiddenPayloadText(item) });
        row->setData(Line, ColumnRole, item.range.startColumn);
        const bool sealed = item.properties.value(QLatin1String("encrypted")).toBool()
                && !item.properties.contains(QLatin1String("payload"));
        row->setData(Line, EncryptedRole, sealed);
        row->setToolTip(Payload, sealed ? tr("Double-click to open it with its passphrase.") : row->text(Payload));
    }
}

} // namespace Kyozo::App
