#pragma once

#include "sourcerange.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace Kyozo::MarkdownLD {

enum class ItemKind {
    JsonLd,
    FrontMatter,
    OpenGraph,
    DublinCore,
    Microdata,
    Annotation,
    HiddenData,
    SuspiciousHidden,
    Implicit,
    Error,
};

QString itemKindName(ItemKind kind);

struct ItemError
{
    QString message;
    qint64 line = 0;
    qint64 column = 0;
};

// SPEC §2.2: one extracted piece of linked data (or a problem found while extracting it).
struct SemanticItem
{
    ItemKind kind = ItemKind::Error;
    QJsonValue type = QJsonValue::Null; // @type as written: string, array or null
    QJsonValue id = QJsonValue::Null;   // @id or null
    QJsonObject properties;
    SourceRange range;
    double confidence = 1.0;
    bool inferred = false;
    QList<ItemError> errors;
    // Inferred items: the implicit rule that found them (docs/semantics.md), else empty.
    QString rule;

    // The jsonl object of SPEC §11 `kyozo-ld extract`.
    QJsonObject toJson() const;
};

SemanticItem errorItem(const SourceRange &range, const QString &message, qint64 line,
                       qint64 column);

} // namespace Kyozo::MarkdownLD
