#pragma once

#include "sourcerange.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace Kyozo::MarkdownLD {

enum class ItemKind {
    JsonLd,
    FrontMatter,
    OpenGraph,
    DublinCore,
    Microdata,
    Rdfa,
    Annotation,
    HiddenData,
    SuspiciousHidden,
    Implicit,
    Plugin, // found by a parser plugin (docs/plugins.md); `plugin` names it
    Error,
};

QString itemKindName(ItemKind kind);

struct ItemError
{
    QString message;
    qint64 line = 0;
    qint64 column = 0;
    bool operator==(const ItemError &) const = default;
};

// SPEC §2.2.7, §11 `relations`: how an item relates to an earlier item of the same output.
struct ItemRelation
{
    enum class Type { SameId, Contains, LinksTo };
    Type type = Type::SameId;
    qint64 n = 0; // the other item's output index
    bool operator==(const ItemRelation &) const = default;
};

QString relationTypeName(ItemRelation::Type type);

// SPEC §2.2: one extracted piece of linked data (or a problem found while extracting it).
struct SemanticItem
{
    ItemKind kind = ItemKind::Error;
    QJsonValue type = QJsonValue::Null; // @type as written: string, array or null
    QJsonValue id = QJsonValue::Null; // @id or null
    QJsonObject properties;
    SourceRange range;
    double confidence = 1.0;
    bool inferred = false;
    QList<ItemError> errors;
    // Inferred items: the implicit rule that found them (docs/semantics.md), else empty.
    QString rule;
    // Items of a parser plugin, and errors isolating one: the plugin's name, else empty.
    QString plugin;
    // Set by the StreamParser as it outputs the item (SPEC §11, issue 16 item 5): its 0-based
    // output index (`n`, -1 until then), its relations to earlier items, and with a context
    // window the document lines around it.
    qint64 index = -1;
    QList<ItemRelation> relations;
    std::optional<QString> context;

    bool operator==(const SemanticItem &) const = default;

    // The jsonl object of SPEC §11 `kyozo-ld extract`.
    QJsonObject toJson() const;
    // The same object as compact JSON text appended to `out`, byte for byte what
    // QJsonDocument(toJson()).toJson(QJsonDocument::Compact) gives, without building it.
    void appendJson(QByteArray &out) const;
};

SemanticItem errorItem(const SourceRange &range, const QString &message, qint64 line,
                       qint64 column);

} // namespace Kyozo::MarkdownLD
