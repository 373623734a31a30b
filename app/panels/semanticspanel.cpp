#include "semanticspanel.h"

#include "markdownld/aiview.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScrollBar>
#include <QSet>

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

} // namespace

SemanticsPanel::SemanticsPanel(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("semanticsPanel"));
    setHeaderLabels({ tr("Kind"), tr("Type"), tr("Confidence"), tr("Origin"), tr("Line") });
    header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setUniformRowHeights(true);
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *node) {
        while (node && !node->data(Kind, LineRole).isValid())
            node = node->parent();
        if (node)
            emit jumpRequested(node->data(Kind, LineRole).toLongLong(), node->data(Kind, ColumnRole).toLongLong());
    });
}


void SemanticsPanel::setItems(const QList<MarkdownLD::SemanticItem> &items)
{
    // The panel is rebuilt after each pause in typing; keep what the reader opened and where
    // they were.
    QSet<QString> expanded;
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->isExpanded())
            expanded.insert(nodeKey(topLevelItem(i)));
    const QString current = currentItem() && !currentItem()->parent() ? nodeKey(currentItem()) : QString();
    const int scroll = verticalScrollBar()->value();

    setUpdatesEnabled(false);
    clear();
    QList<QTreeWidgetItem *> nodes;
    for (const MarkdownLD::SemanticItem &item : items) {
        auto *node = new QTreeWidgetItem;
        node->setText(Kind, MarkdownLD::itemKindName(item.kind));
        node->setText(Type, typeText(item.type));
        node->setText(Confidence, QLocale().toString(item.confidence, 'f', 2));
        node->setText(Origin, item.inferred ? tr("inferred") : tr("explicit"));
        node->setText(Line, QString::number(item.range.startLine));
        node->setData(Kind, LineRole, item.range.startLine);
        node->setData(Kind, ColumnRole, item.range.startColumn);
        node->setData(Type, Qt::UserRole, item.id.toString());
        if (item.inferred) {
            // What the confidence means: the rule's measured precision (docs/semantics.md).
            if (!item.rule.isEmpty())
                node->setToolTip(Confidence, tr("Rule \"%1\": right %2% of the time on the labelled corpus")
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
            new QTreeWidgetItem(node, { tr("error"), tr("%1 (line %2, column %3)").arg(e.message).arg(e.line).arg(e.column) });
        nodes.append(node);
    }
    addTopLevelItems(nodes);
    for (QTreeWidgetItem *node : std::as_const(nodes)) {
        const QString key = nodeKey(node);
        if (expanded.contains(key))
            node->setExpanded(true);
        if (!current.isEmpty() && key == current) {
            setCurrentItem(node, 0, QItemSelectionModel::NoUpdate);
            node->setSelected(true);
        }
    }
    verticalScrollBar()->setValue(scroll);
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
