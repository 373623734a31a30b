#include "frontmatterextractor.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace Kyozo::MarkdownLD {

namespace {

// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS; a free tr() would be filed under the
// enclosing class ("lacks Q_OBJECT macro") and its translation never found at run time.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(FrontMatter)
};

// YAML 1.2 core schema for plain scalars; everything else stays a string (dates too).
QJsonValue yamlScalar(const YAML::Node &node)
{
    const QString s = QString::fromStdString(node.Scalar());
    if (node.Tag() == "!")
        return s; // quoted
    static const QRegularExpression intRe(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression floatRe(
            QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
    if (s == QLatin1String("true") || s == QLatin1String("True") || s == QLatin1String("TRUE"))
        return true;
    if (s == QLatin1String("false") || s == QLatin1String("False") || s == QLatin1String("FALSE"))
        return false;
    if (s.isEmpty() || s == QLatin1String("~") || s == QLatin1String("null") || s == QLatin1String("Null")
        || s == QLatin1String("NULL"))
        return QJsonValue::Null;
    if (intRe.match(s).hasMatch())
        return s.toLongLong();
    if (floatRe.match(s).hasMatch())
        return s.toDouble();
    return s;
}

QJsonValue fromYaml(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Scalar: return yamlScalar(node);
    case YAML::NodeType::Sequence: {
        QJsonArray a;
        for (const auto &child : node)
            a.append(fromYaml(child));
        return a;
    }
    case YAML::NodeType::Map: {
        QJsonObject o;
        for (const auto &kv : node)
            o.insert(QString::fromStdString(kv.first.as<std::string>()), fromYaml(kv.second));
        return o;
    }
    default: return QJsonValue::Null;
    }
}

QJsonValue fromToml(const toml::node &node)
{
    if (auto t = node.as_table()) {
        QJsonObject o;
        for (auto &&[k, v] : *t)
            o.insert(QString::fromUtf8(k.str().data(), qsizetype(k.str().size())), fromToml(v));
        return o;
    }
    if (auto a = node.as_array()) {
        QJsonArray arr;
        for (auto &&v : *a)
            arr.append(fromToml(v));
        return arr;
    }
    if (auto s = node.as_string())
        return QString::fromStdString(s->get());
    if (auto i = node.as_integer())
        return qint64(i->get());
    if (auto f = node.as_floating_point())
        return f->get();
    if (auto b = node.as_boolean())
        return b->get();
    // Dates and times: their TOML (RFC 3339) text.
    std::ostringstream out;
    if (auto d = node.as_date())
        out << *d;
    else if (auto t = node.as_time())
        out << *t;
    else if (auto dt = node.as_date_time())
        out << *dt;
    return QString::fromStdString(out.str());
}

struct Mapping
{
    const char *key;
    const char *schema;
    const char *dc;
};
// SPEC §2.2.2 vocabulary mapping.
constexpr Mapping kMappings[] = {
    { "title", "schema:name", "dc:title" },
    { "author", "schema:author", "dc:creator" },
    { "date", "schema:datePublished", "dc:date" },
    { "description", "schema:description", "dc:description" },
    { "tags", "schema:keywords", "dc:subject" },
    { "keywords", "schema:keywords", "dc:subject" },
    { "lang", "schema:inLanguage", "dc:language" },
};

SemanticItem makeItem(ItemKind kind, const SourceRange &range)
{
    SemanticItem item;
    item.kind = kind;
    item.range = range;
    return item;
}

} // namespace

void FrontMatterExtractor::mapKeys(const QJsonObject &fm, const SourceRange &range,
                                   const ItemSink &sink)
{
    SemanticItem main = makeItem(ItemKind::FrontMatter, range);
    SemanticItem og = makeItem(ItemKind::OpenGraph, range);
    SemanticItem dc = makeItem(ItemKind::DublinCore, range);
    for (auto it = fm.begin(); it != fm.end(); ++it) {
        const QString key = it.key();
        const QJsonValue value = it.value();
        if (key.startsWith(QLatin1String("og:"))) {
            og.properties.insert(key, value);
        } else if (key.startsWith(QLatin1String("dc."), Qt::CaseInsensitive)
                   || key.startsWith(QLatin1String("dcterms."), Qt::CaseInsensitive)) {
            const qsizetype dot = key.indexOf(QLatin1Char('.'));
            dc.properties.insert(key.left(dot).toLower() + QLatin1Char(':') + key.mid(dot + 1), value);
        } else if (key.startsWith(QLatin1Char('@'))) {
            main.properties.insert(key, value);
            if (key == QLatin1String("@type"))
                main.type = value;
            else if (key == QLatin1String("@id") && value.isString())
                main.id = value;
        } else {
            for (const Mapping &m : kMappings) {
                if (key == QLatin1String(m.key)) {
                    main.properties.insert(QLatin1String(m.schema), value);
                    main.properties.insert(QLatin1String(m.dc), value);
                }
            }
        }
    }
    sink(main);
    if (!og.properties.isEmpty())
        sink(og);
    if (!dc.properties.isEmpty())
        sink(dc);
}

void FrontMatterExtractor::extract(Syntax syntax, QByteArrayView text, const ContentMap &map,
                                   const SourceRange &range, const ItemSink &sink,
                                   QJsonObject *parsedKeys)
{
    const std::string source(text.data(), size_t(text.size()));
    QJsonValue parsed;
    if (syntax == Syntax::Yaml) {
        try {
            parsed = fromYaml(YAML::Load(source));
        } catch (const YAML::Exception &e) {
            // yaml-cpp marks are 0-based lines and columns inside the front matter text.
            const qint64 line = e.mark.line >= 0 ? e.mark.line : 0;
            qsizetype offset = 0;
            for (qint64 l = 0; l < line && offset >= 0; ++l)
                offset = text.indexOf('\n', offset) + 1;
            offset += qMax(0, e.mark.column);
            sink(errorItem(
                range, Tr::tr("invalid YAML front matter: %1").arg(QString::fromStdString(e.msg)),
                map.lineAt(offset), map.columnAt(offset)));
            return;
        }
        if (parsed.isNull() && text.trimmed().isEmpty())
            parsed = QJsonObject{};
    } else {
        try {
            parsed = fromToml(toml::parse(std::string_view(source)));
        } catch (const toml::parse_error &e) {
            const auto &begin = e.source().begin;
            qsizetype offset = 0;
            for (qint64 l = 1; l < qint64(begin.line) && offset >= 0; ++l)
                offset = text.indexOf('\n', offset) + 1;
            sink(errorItem(range,
                           Tr::tr("invalid TOML front matter: %1")
                                   .arg(QString::fromUtf8(e.description().data(),
                                                          qsizetype(e.description().size()))),
                           map.lineAt(offset), qint64(begin.column)
                                   + map.columnAt(offset) - 1));
            return;
        }
    }
    if (!parsed.isObject()) {
        sink(errorItem(range, Tr::tr("front matter must be a mapping of keys to values"),
                       range.startLine, 1));
        return;
    }
    if (parsedKeys)
        *parsedKeys = parsed.toObject();
    mapKeys(parsed.toObject(), range, sink);
}

std::optional<QList<std::pair<QString, QJsonValue>>>
FrontMatterExtractor::orderedKeys(Syntax syntax, QByteArrayView text)
{
    QList<std::pair<QString, QJsonValue>> keys;
    const std::string source(text.data(), size_t(text.size()));
    try {
        if (syntax == Syntax::Yaml) {
            const YAML::Node root = YAML::Load(source);
            if (root.IsNull() && text.trimmed().isEmpty())
                return keys;
            if (!root.IsMap())
                return std::nullopt;
            for (const auto &kv : root)
                keys.append(
                    { QString::fromStdString(kv.first.as<std::string>()), fromYaml(kv.second) });
        } else {
            const QJsonObject table = fromToml(toml::parse(std::string_view(source))).toObject();
            for (auto it = table.begin(); it != table.end(); ++it)
                keys.append({ it.key(), it.value() });
        }
    } catch (const YAML::Exception &) {
        return std::nullopt;
    } catch (const toml::parse_error &) {
        return std::nullopt;
    }
    return keys;
}

} // namespace Kyozo::MarkdownLD
