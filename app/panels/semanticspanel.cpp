#include "semanticspanel.h"

#include "markdownld/aiview.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScrollBar>
#include <QSet>

#include <algorithm>

namespace Kyozo::App {

using MarkdownLD::ItemKind;

namespace {

enum Column { Kind, Type, Confidence, Origin, Line };
constexpr int LineRole = Qt::UserRole;
constexpr int ColumnRole = Qt::UserRole + 1;

QString typeText(const QJsonValue &type)
{
    if (type.isString())
        return type.toString();
    if (type.isArray()) {
        QStringList parts;
        for (const QJsonValue &v : type.toArray())
            parts.append(v.toString());
        return parts.join(QLatin1String(", "));
    }
    return {};
}

QString valueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toVariant().toString();
}

// What identifies an item across re-analyses while the writer types: its kind, type and id
// (its line moves when lines are added above it).
QString nodeKey(const QTreeWidgetItem *node)
{
    return node->text(Kind) + QChar(0) + node->text(Type) + QChar(0) + node->data(Type, Qt::UserRole).toString();
}

QString errorText(const MarkdownLD::ItemError &e)
{
    return SemanticsPanel::tr("%1 (line %2, column %3)").arg(e.message).arg(e.line).arg(e.column);
}

// What is wrong, on the row itself (an error has no type to show there) and all of it in the
// row's tooltip: a writer should not have to open the row to read it (issue 19 item 5).
void showErrorsOnRow(QTreeWidgetItem *node, const MarkdownLD::SemanticItem &item)
{
    if (item.errors.isEmpty())
        return;
    QStringList all;
    for (const MarkdownLD::ItemError &e : item.errors)
        all.append(errorText(e));
    if (item.type.isNull() || item.type.isUndefined())
        node->setText(Type, all.first());
    for (int c = Kind; c <= Line; ++c)
        node->setToolTip(c, all.join(QLatin1Char('\n')));
}

// Its line and column, and those of its errors (its last children).
void setPlace(QTreeWidgetItem *node, const MarkdownLD::SemanticItem &item)
{
    node->setText(Line, QString::number(item.range.startLine));
    node->setData(Kind, LineRole, item.range.startLine);
    node->setData(Kind, ColumnRole, item.range.startColumn);
    const int firstError = node->childCount() - int(item.errors.size());
    for (int i = 0; i < item.errors.size() && firstError >= 0; ++i)
        node->child(firstError + i)->setText(1, errorText(item.errors[i]));
    showErrorsOnRow(node, item);
}

SemanticsPanel::Place placeOf(const MarkdownLD::SemanticItem &item)
{
    return { item.range.startLine, item.range.startColumn };
}

// Opens again the new nodes that stand for those the reader had opened, and selects again
// the one they had selected.
void restoreState(QTreeWidget *tree, const QList<QTreeWidgetItem *> &nodes,
                  const QSet<QString> &expanded, const QString &current)
{
    if (expanded.isEmpty() && current.isEmpty())
        return;
    for (QTreeWidgetItem *node : nodes) {
        const QString key = nodeKey(node);
        if (expanded.contains(key))
            node->setExpanded(true);
        if (!current.isEmpty() && key == current) {
            tree->setCurrentItem(node, 0, QItemSelectionModel::NoUpdate);
            node->setSelected(true);
        }
    }
}

} // namespace

SemanticsPanel::SemanticsPanel(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("semanticsPanel"));
    setHeaderLabels({ tr("Kind"), tr("Type"), tr("Confidence"), tr("Origin"), tr("Line") });
    header()->setSectionResizeMode(QHeaderView::Interactive);
    // A node's properties are keys in the first column: wide enough for them once shown.
    connect(this, &QTreeWidget::itemExpanded, this, [this] { resizeColumnToContents(Kind); });
    setUniformRowHeights(true);
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *node) {
        while (node && !node->data(Kind, LineRole).isValid())
            node = node->parent();
        if (node)
            emit jumpRequested(node->data(Kind, LineRole).toLongLong(), node->data(Kind, ColumnRole).toLongLong());
    });
}

QTreeWidgetItem *SemanticsPanel::nodeOf(const MarkdownLD::SemanticItem &item)
{
    auto *node = new QTreeWidgetItem;
    node->setText(Kind, MarkdownLD::itemKindName(item.kind));
    node->setText(Type, typeText(item.type));
    node->setText(Confidence, QLocale().toString(item.confidence, 'f', 2));
    node->setText(Origin, item.inferred ? tr("inferred") : tr("explicit"));
    setPlace(node, item);
    node->setData(Type, Qt::UserRole, item.id.toString());
    if (item.inferred) {
        // What the confidence means: the rule's measured precision (docs/semantics.md).
        if (!item.rule.isEmpty())
            node->setToolTip(
                Confidence,
                tr("Rule \"%1\": right %2% of the time on the labelled corpus")
                    .arg(item.rule, QLocale().toString(item.confidence * 100, 'f', 0)));
        QFont f = node->font(Kind);
        f.setItalic(true);
        for (int c = Kind; c <= Line; ++c)
            node->setFont(c, f);
    }
    if (!item.id.isNull())
        new QTreeWidgetItem(node, { QStringLiteral("@id"), item.id.toString() });
    for (auto it = item.properties.begin(); it != item.properties.end(); ++it)
        new QTreeWidgetItem(node, { it.key(), valueText(it.value()) });
    for (const MarkdownLD::ItemError &e : item.errors)
        new QTreeWidgetItem(node, { tr("error"), errorText(e) });
    showErrorsOnRow(node, item);
    return node;
}

void SemanticsPanel::rebuild(const QList<MarkdownLD::SemanticItem> &items)
{
    // Keep what the reader opened and where they were.
    QSet<QString> expanded;
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->isExpanded())
            expanded.insert(nodeKey(topLevelItem(i)));
    const QString current = currentItem() && !currentItem()->parent() ? nodeKey(currentItem()) : QString();
    const int scroll = verticalScrollBar()->value();

    setUpdatesEnabled(false);
    clear();
    QList<QTreeWidgetItem *> nodes;
    nodes.reserve(items.size());
    m_places.clear();
    m_places.reserve(items.size());
    for (const MarkdownLD::SemanticItem &item : items) {
        nodes.append(nodeOf(item));
        m_places.append(placeOf(item));
    }
    addTopLevelItems(nodes);
    restoreState(this, nodes, expanded, current);
    // Fitted once per rebuild: fitting on every change (ResizeToContents) measured up to a
    // thousand rows after each keystroke, 10-45 ms on a dense 1 MB notebook.
    for (int c = Kind; c <= Line; ++c)
        resizeColumnToContents(c);
    verticalScrollBar()->setValue(scroll);
    setUpdatesEnabled(true);
}

void SemanticsPanel::applyItems(const QList<MarkdownLD::SemanticItem> &items,
                                const ItemSplice &changes)
{
    // Past a few hundred changed items, one rebuild costs less than that many splices.
    constexpr qsizetype kMaxSplice = 256;
    const qsizetype shown = topLevelItemCount();
    if (changes.whole || shown != m_places.size() || changes.first + changes.removed > shown
        || shown - changes.removed + changes.inserted != items.size()
        || changes.removed + changes.inserted > kMaxSplice) {
        rebuild(items);
        return;
    }
    setUpdatesEnabled(false);
    QSet<QString> expanded;
    QString current;
    for (qsizetype i = 0; i < changes.removed; ++i) {
        QTreeWidgetItem *node = topLevelItem(int(changes.first));
        if (node->isExpanded())
            expanded.insert(nodeKey(node));
        if (node == currentItem())
            current = nodeKey(node);
        delete takeTopLevelItem(int(changes.first));
    }
    m_places.remove(changes.first, changes.removed);
    QList<QTreeWidgetItem *> nodes;
    QList<Place> places;
    for (qsizetype i = changes.first; i < changes.first + changes.inserted; ++i) {
        nodes.append(nodeOf(items[i]));
        places.append(placeOf(items[i]));
    }
    insertTopLevelItems(int(changes.first), nodes);
    m_places.insert(changes.first, places.size(), {});
    std::copy(places.cbegin(), places.cend(), m_places.begin() + changes.first);
    restoreState(this, nodes, expanded, current);
    // The others are the same items, but an edit above them moved them: compared here, where
    // it costs nanoseconds an item, and set (which repaints) only where they moved.
    for (qsizetype i = 0; i < items.size(); ++i) {
        const Place place = placeOf(items[i]);
        if (m_places[i] != place) {
            m_places[i] = place;
            setPlace(topLevelItem(int(i)), items[i]);
        }
    }
    setUpdatesEnabled(true);
}

QString SemanticsPanel::copyForAi(const QString &notebook)
{
    const std::optional<QByteArray> view = MarkdownLD::aiViewOf(notebook.toUtf8(), 0, nullptr);
    const QString text = view ? QString::fromUtf8(*view).trimmed() : QString();
    QGuiApplication::clipboard()->setText(text);
    return text;
}

} // namespace Kyozo::App
