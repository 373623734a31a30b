#include "semanticitem.h"

namespace Kyozo::MarkdownLD {

QString itemKindName(ItemKind kind)
{
    switch (kind) {
    case ItemKind::JsonLd: return QStringLiteral("json-ld");
    case ItemKind::FrontMatter: return QStringLiteral("front-matter");
    case ItemKind::OpenGraph: return QStringLiteral("open-graph");
    case ItemKind::DublinCore: return QStringLiteral("dublin-core");
    case ItemKind::Microdata: return QStringLiteral("microdata");
    case ItemKind::Annotation: return QStringLiteral("annotation");
    case ItemKind::HiddenData: return QStringLiteral("hidden-data");
    case ItemKind::SuspiciousHidden: return QStringLiteral("suspicious-hidden");
    case ItemKind::Implicit: return QStringLiteral("implicit");
    case ItemKind::Error: return QStringLiteral("error");
    }
    return {};
}

QJsonObject SemanticItem::toJson() const
{
    QJsonArray errorArray;
    for (const ItemError &e : errors)
        errorArray.append(QJsonObject{ { "message", e.message },
                                       { "line", e.line },
                                       { "column", e.column } });
    QJsonObject json{
        { "kind", itemKindName(kind) },
        { "type", type },
        { "id", id },
        { "properties", properties },
        { "range",
          QJsonObject{ { "startByte", range.startByte },
                       { "endByte", range.endByte },
                       { "startLine", range.startLine },
                       { "endLine", range.endLine } } },
        { "confidence", confidence },
        { "origin", inferred ? QStringLiteral("inferred") : QStringLiteral("explicit") },
        { "errors", errorArray },
    };
    if (!rule.isEmpty())
        json.insert(QLatin1String("rule"), rule);
    return json;
}

SemanticItem errorItem(const SourceRange &range, const QString &message, qint64 line,
                       qint64 column)
{
    SemanticItem item;
    item.kind = ItemKind::Error;
    item.range = range;
    item.errors.append({ message, line, column });
    return item;
}

} // namespace Kyozo::MarkdownLD
