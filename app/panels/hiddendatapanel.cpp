#include "hiddendatapanel.h"

#include "editor/hiddenpayloadtext.h"

#include <QHeaderView>

#include <algorithm>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

namespace {
enum Column { Line, Format, Payload };
constexpr int ColumnRole = Qt::UserRole;
constexpr int EncryptedRole = Qt::UserRole + 1;

// Its line and column, where they changed: setting a row's data repaints it.
void setPlace(QTreeWidgetItem *row, const MarkdownLD::SemanticItem &item)
{
    if (row->data(Line, ColumnRole) == QVariant(item.range.startColumn)
        && row->text(Line) == QString::number(item.range.startLine))
        return;
    row->setText(Line, QString::number(item.range.startLine));
    row->setData(Line, ColumnRole, item.range.startColumn);
}
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

bool HiddenDataPanel::isHidden(const MarkdownLD::SemanticItem &item)
{
    return item.kind == ItemKind::HiddenData || item.kind == ItemKind::SuspiciousHidden;
}

QTreeWidgetItem *HiddenDataPanel::rowOf(const MarkdownLD::SemanticItem &item)
{
    const QString format = item.kind == ItemKind::HiddenData
        ? item.properties.value(QLatin1String("format")).toString()
        : tr("unknown");
    auto *row = new QTreeWidgetItem({ QString(), format, hiddenPayloadText(item) });
    setPlace(row, item);
    const bool sealed = item.properties.value(QLatin1String("encrypted")).toBool()
        && !item.properties.contains(QLatin1String("payload"));
    row->setData(Line, EncryptedRole, sealed);
    row->setToolTip(
        Payload, sealed ? tr("Double-click to open it with its passphrase.") : row->text(Payload));
    return row;
}

void HiddenDataPanel::applyItems(const QList<MarkdownLD::SemanticItem> &items,
                                 const ItemSplice &changes)
{
    if (changes.whole || changes.first + changes.removed > m_itemCount
        || m_itemCount - changes.removed + changes.inserted != items.size()) {
        clear();
        m_itemOfRow.clear();
        QList<QTreeWidgetItem *> rows;
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (isHidden(items[i])) {
                rows.append(rowOf(items[i]));
                m_itemOfRow.append(i);
            }
        }
        addTopLevelItems(rows);
        m_itemCount = items.size();
        return;
    }
    // The rows of the items the splice replaced go; those after it are renumbered.
    const auto from = std::lower_bound(m_itemOfRow.begin(), m_itemOfRow.end(), changes.first);
    const auto to = std::lower_bound(from, m_itemOfRow.end(), changes.first + changes.removed);
    const int firstRow = int(from - m_itemOfRow.begin());
    const int goneRows = int(to - from);
    for (int i = 0; i < goneRows; ++i)
        delete takeTopLevelItem(firstRow);
    m_itemOfRow.remove(firstRow, goneRows);
    for (qsizetype r = firstRow; r < m_itemOfRow.size(); ++r)
        m_itemOfRow[r] += changes.inserted - changes.removed;
    QList<QTreeWidgetItem *> rows;
    QList<qsizetype> indexes;
    for (qsizetype i = changes.first; i < changes.first + changes.inserted; ++i) {
        if (isHidden(items[i])) {
            rows.append(rowOf(items[i]));
            indexes.append(i);
        }
    }
    insertTopLevelItems(firstRow, rows);
    m_itemOfRow.insert(firstRow, indexes.size(), 0);
    std::copy(indexes.cbegin(), indexes.cend(), m_itemOfRow.begin() + firstRow);
    m_itemCount = items.size();
    for (qsizetype r = 0; r < m_itemOfRow.size(); ++r)
        setPlace(topLevelItem(int(r)), items[m_itemOfRow[r]]);
}

} // namespace Kyozo::App
