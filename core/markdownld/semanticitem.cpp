#include "semanticitem.h"

#include "jsonwriter.h"

namespace Kyozo::MarkdownLD {

QString itemKindName(ItemKind kind)
{
    switch (kind) {
    case ItemKind::JsonLd:
        return QStringLiteral("json-ld");
    case ItemKind::FrontMatter:
        return QStringLiteral("front-matter");
    case ItemKind::OpenGraph:
        return QStringLiteral("open-graph");
    case ItemKind::DublinCore:
        return QStringLiteral("dublin-core");
    case ItemKind::Microdata:
        return QStringLiteral("microdata");
    case ItemKind::Rdfa:
        return QStringLiteral("rdfa");
    case ItemKind::Annotation:
        return QStringLiteral("annotation");
    case ItemKind::HiddenData:
        return QStringLiteral("hidden-data");
    case ItemKind::SuspiciousHidden:
        return QStringLiteral("suspicious-hidden");
    case ItemKind::Implicit:
        return QStringLiteral("implicit");
    case ItemKind::Plugin:
        return QStringLiteral("plugin");
    case ItemKind::Error:
        return QStringLiteral("error");
    }
    return {};
}

QString relationTypeName(ItemRelation::Type type)
{
    switch (type) {
    case ItemRelation::Type::SameId:
        return QStringLiteral("same-id");
    case ItemRelation::Type::Contains:
        return QStringLiteral("contains");
    case ItemRelation::Type::LinksTo:
        return QStringLiteral("links-to");
    }
    return {};
}

QJsonObject SemanticItem::toJson() const
{
    QJsonArray errorArray;
    for (const ItemError &e : errors)
        errorArray.append(
            QJsonObject { { "message", e.message }, { "line", e.line }, { "column", e.column } });
    QJsonArray relationArray;
    for (const ItemRelation &r : relations)
        relationArray.append(QJsonObject { { "type", relationTypeName(r.type) }, { "n", r.n } });
    QJsonObject object {
        { "kind", itemKindName(kind) },
        { "type", type },
        { "id", id },
        { "properties", properties },
        { "range",
          QJsonObject { { "startByte", range.startByte },
                        { "endByte", range.endByte },
                        { "startLine", range.startLine },
                        { "endLine", range.endLine } } },
        { "confidence", confidence },
        { "origin", inferred ? QStringLiteral("inferred") : QStringLiteral("explicit") },
        { "errors", errorArray },
        { "relations", relationArray },
    };
    if (!rule.isEmpty())
        object.insert(QLatin1String("rule"), rule);
    if (!plugin.isEmpty())
        object.insert(QLatin1String("plugin"), plugin);
    if (index >= 0)
        object.insert(QLatin1String("n"), index);
    if (context)
        object.insert(QLatin1String("context"), *context);
    return object;
}

void SemanticItem::appendJson(QByteArray &out) const
{
    using namespace JsonWriter;
    // Keys in the order QJsonObject keeps them (sorted), so the text is toJson()'s.
    out.append("{\"confidence\":");
    appendDouble(out, confidence);
    if (context) {
        out.append(",\"context\":");
        appendString(out, *context);
    }
    out.append(",\"errors\":[");
    for (qsizetype i = 0; i < errors.size(); ++i) {
        const ItemError &e = errors[i];
        out.append(i ? ",{\"column\":" : "{\"column\":");
        appendInteger(out, e.column);
        out.append(",\"line\":");
        appendInteger(out, e.line);
        out.append(",\"message\":");
        appendString(out, e.message);
        out.append('}');
    }
    out.append("],\"id\":");
    appendValue(out, id);
    out.append(",\"kind\":");
    appendString(out, itemKindName(kind));
    if (index >= 0) {
        out.append(",\"n\":");
        appendInteger(out, index);
    }
    out.append(inferred ? ",\"origin\":\"inferred\"" : ",\"origin\":\"explicit\"");
    if (!plugin.isEmpty()) {
        out.append(",\"plugin\":");
        appendString(out, plugin);
    }
    out.append(",\"properties\":");
    appendObject(out, properties);
    out.append(",\"range\":{\"endByte\":");
    appendInteger(out, range.endByte);
    out.append(",\"endLine\":");
    appendInteger(out, range.endLine);
    out.append(",\"startByte\":");
    appendInteger(out, range.startByte);
    out.append(",\"startLine\":");
    appendInteger(out, range.startLine);
    out.append("},\"relations\":[");
    for (qsizetype i = 0; i < relations.size(); ++i) {
        out.append(i ? ",{\"n\":" : "{\"n\":");
        appendInteger(out, relations[i].n);
        out.append(",\"type\":");
        appendString(out, relationTypeName(relations[i].type));
        out.append('}');
    }
    out.append(']');
    if (!rule.isEmpty()) {
        out.append(",\"rule\":");
        appendString(out, rule);
    }
    out.append(",\"type\":");
    appendValue(out, type);
    out.append('}');
}

SemanticItem errorItem(const SourceRange &range, const QString &message, qint64 line, qint64 column)
{
    SemanticItem item;
    item.kind = ItemKind::Error;
    item.range = range;
    item.errors.append({ message, line, column });
    return item;
}

} // namespace Kyozo::MarkdownLD
