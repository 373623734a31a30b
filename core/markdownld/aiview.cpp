#include "aiview.h"

#include "implicitextractor.h"
#include "inlinescanner.h"
#include "streamparser.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Kyozo::MarkdownLD {

namespace {

    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(AiView)
    };

    // Vocabularies written out in full, and the prefixes SPEC §2.2.4 makes built in.
    constexpr std::pair<const char *, const char *> kVocabularies[] = {
        { "https://schema.org/", "schema:" },
        { "http://schema.org/", "schema:" },
        { "http://purl.org/dc/terms/", "dcterms:" },
        { "http://purl.org/dc/elements/1.1/", "dc:" },
        { "http://ogp.me/ns#", "og:" },
        { "http://xmlns.com/foaf/0.1/", "foaf:" },
    };

    QString compactIri(const QString &iri)
    {
        for (const auto &[base, prefix] : kVocabularies)
            if (iri.startsWith(QLatin1String(base)))
                return QLatin1String(prefix) + iri.mid(qsizetype(qstrlen(base)));
        return iri;
    }

    // The prefix a JSON-LD node's @context gives its bare terms: "https://schema.org" (with
    // or without the slash) or {"@vocab": …} of a known vocabulary; else none.
    QString vocabularyPrefix(const QJsonValue &context)
    {
        QString iri;
        if (context.isString())
            iri = context.toString();
        else if (context.isObject())
            iri = context[QLatin1String("@vocab")].toString();
        else if (context.isArray())
            for (const QJsonValue &c : context.toArray())
                if (c.isString())
                    iri = c.toString();
        if (iri.isEmpty())
            return {};
        if (!iri.endsWith(QLatin1Char('/')) && !iri.endsWith(QLatin1Char('#')))
            iri += QLatin1Char('/');
        const QString compact = compactIri(iri);
        return compact == iri ? QString() : compact;
    }

    QString compactTerm(const QString &term, const QString &prefix)
    {
        if (term.startsWith(QLatin1Char('@')))
            return term;
        if (term.contains(QLatin1Char(':')))
            return compactIri(term);
        return prefix.isEmpty() ? term : prefix + term;
    }

    QJsonValue compactType(const QJsonValue &type, const QString &prefix)
    {
        if (type.isString())
            return compactTerm(type.toString(), prefix);
        if (type.isArray()) {
            QJsonArray out;
            for (const QJsonValue &t : type.toArray())
                out.append(t.isString() ? QJsonValue(compactTerm(t.toString(), prefix)) : t);
            return out;
        }
        return QJsonValue::Null;
    }

    QJsonValue compactValue(const QJsonValue &v, const QString &prefix);

    QJsonObject compactObject(const QJsonObject &o, const QString &outer, bool top)
    {
        const QString prefix = o.contains(QLatin1String("@context"))
            ? vocabularyPrefix(o[QLatin1String("@context")])
            : outer;
        QJsonObject out;
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1String("@context"))
                continue;
            if (top && (it.key() == QLatin1String("@type") || it.key() == QLatin1String("@id")))
                continue; // the entity's own type and id
            if (it.key() == QLatin1String("@type"))
                out.insert(it.key(), compactType(it.value(), prefix));
            else
                out.insert(compactTerm(it.key(), prefix), compactValue(it.value(), prefix));
        }
        return out;
    }

    QJsonValue compactValue(const QJsonValue &v, const QString &prefix)
    {
        if (v.isObject())
            return compactObject(v.toObject(), prefix, false);
        if (v.isArray()) {
            QJsonArray out;
            for (const QJsonValue &e : v.toArray())
                out.append(compactValue(e, prefix));
            return out;
        }
        return v;
    }

    QString nameOf(const QJsonObject &p)
    {
        for (const char *key :
             { "schema:name", "og:title", "dc:title", "dcterms:title", "schema:headline",
               "foaf:name", "name", "schema:value", "schema:email" }) {
            const QJsonValue v = p.value(QLatin1String(key));
            if (v.isString() && !v.toString().trimmed().isEmpty())
                return v.toString().trimmed();
            if (v.isArray() && !v.toArray().isEmpty() && v.toArray().first().isString())
                return v.toArray().first().toString().trimmed();
        }
        return {};
    }

    QString firstType(const QJsonValue &type)
    {
        if (type.isString())
            return type.toString();
        if (type.isArray() && !type.toArray().isEmpty())
            return type.toArray().first().toString();
        return {};
    }

    // Every string an entity's properties hold, nested @id values included.
    void collectStrings(const QJsonValue &v, QSet<QString> *out)
    {
        if (out->size() > 4096)
            return;
        if (v.isString()) {
            out->insert(v.toString().trimmed());
        } else if (v.isArray()) {
            for (const QJsonValue &e : v.toArray())
                collectStrings(e, out);
        } else if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                collectStrings(it.value(), out);
        }
    }

    // Position weight (docs/semantics.md): the title and what comes before any heading 1.0,
    // then 0.1 less per heading level below the first, down to 0.6.
    double positionWeight(int level)
    {
        return level <= 1 ? 1.0 : qMax(0.6, 1.0 - 0.1 * (level - 1));
    }

    bool isDocumentScope(const SemanticItem &item)
    {
        return item.kind == ItemKind::FrontMatter || item.kind == ItemKind::OpenGraph
            || item.kind == ItemKind::DublinCore
            || (item.kind == ItemKind::Implicit
                && (item.rule == QLatin1String("outline")
                    || item.rule == QLatin1String("faq-page")));
    }

    bool isLinkRule(const QString &rule)
    {
        return rule == QLatin1String("profile-link") || rule == QLatin1String("mailto-name")
            || rule == QLatin1String("email");
    }

    double rounded(double v)
    {
        return std::round(v * 1000.0) / 1000.0;
    }

} // namespace

void AiView::blockClosed(const BlockEvent &event)
{
    m_stats.blockClosed(event);
    if (event.kind == BlockKind::Heading) {
        m_level = qBound(1, event.level, 6);
        if (event.level < m_headingTitleLevel) {
            m_headingTitleLevel = event.level;
            m_headingTitle = QString::fromUtf8(event.content).simplified();
        }
    }
    if (event.kind == BlockKind::HtmlBlock && m_language.isEmpty())
        m_language = htmlLangAttribute(event.content);
    if (event.kind == BlockKind::Paragraph || event.kind == BlockKind::Heading
        || event.kind == BlockKind::Table) {
        if (event.content.isEmpty())
            return;
        InlineEvents events;
        scanInlines(event.content, &events);
        for (const InlineEvent &e : events) {
            if (e.kind != InlineEvent::Link)
                continue;
            const QString dest = QString::fromUtf8(
                event.content.sliced(e.destinationBegin, e.destinationEnd - e.destinationBegin));
            auto it = m_linkCounts.find(dest);
            if (it != m_linkCounts.end())
                ++it.value();
            else if (m_linkCounts.size() < 65536)
                m_linkCounts.insert(dest, 1);
        }
    }
}

void AiView::itemFound(const SemanticItem &item)
{
    m_stats.itemFound(item);
    if (item.kind == ItemKind::Error || item.kind == ItemKind::SuspiciousHidden)
        return;
    if (item.kind == ItemKind::FrontMatter) {
        if (m_language.isEmpty())
            m_language = languageOf(item);
        const QJsonValue t = item.properties.value(QLatin1String("schema:name"));
        if (t.isString() && m_frontMatterTitle.isEmpty())
            m_frontMatterTitle = t.toString();
    }
    const QString prefix = vocabularyPrefix(item.properties.value(QLatin1String("@context")));
    Entity e;
    e.type = compactType(item.type, prefix);
    e.id = item.id.isString() ? item.id.toString() : QString();
    e.properties = compactObject(item.properties, prefix, true);
    e.name = nameOf(e.properties);
    e.sources.append(
        QJsonObject { { "kind", itemKindName(item.kind) }, { "startLine", item.range.startLine } });
    e.confidence = item.confidence;
    e.position = isDocumentScope(item) ? 1.0 : positionWeight(m_level);
    e.implicitSources = item.kind == ItemKind::Implicit ? 1 : 0;
    e.linkSourced = item.kind == ItemKind::Implicit && isLinkRule(item.rule);
    e.order = m_entities.size() + m_dropped;
    addEntity(std::move(e), QString());
}

void AiView::addEntity(Entity e, const QString &)
{
    // Deduplication (issue 16 item 6): the same @id, or the same type and name.
    const QString typeAndName
        = e.name.isEmpty() ? QString() : firstType(e.type) + QChar(0) + e.name.toCaseFolded();
    qsizetype at = -1;
    if (!e.id.isEmpty())
        at = m_byId.value(e.id, -1);
    if (at < 0 && !typeAndName.isEmpty())
        at = m_byTypeAndName.value(typeAndName, -1);
    if (at < 0) {
        if (m_entities.size() >= kMaxEntities) {
            ++m_dropped;
            return;
        }
        at = m_entities.size();
        m_entities.append(std::move(e));
    } else {
        // Merged: every source kept; the first value of a property wins, what only the
        // newcomer has is added; the best confidence and position count.
        Entity &m = m_entities[at];
        for (const QJsonValue &s : e.sources)
            m.sources.append(s);
        for (auto it = e.properties.begin(); it != e.properties.end(); ++it)
            if (!m.properties.contains(it.key()))
                m.properties.insert(it.key(), it.value());
        if (m.type.isNull())
            m.type = e.type;
        if (m.id.isEmpty())
            m.id = e.id;
        if (m.name.isEmpty())
            m.name = e.name;
        m.confidence = qMax(m.confidence, e.confidence);
        m.position = qMax(m.position, e.position);
        m.implicitSources += e.implicitSources;
        m.linkSourced = m.linkSourced || e.linkSourced;
    }
    const Entity &m = m_entities[at];
    if (!m.id.isEmpty())
        m_byId.insert(m.id, at);
    if (!m.name.isEmpty())
        m_byTypeAndName.insert(firstType(m.type) + QChar(0) + m.name.toCaseFolded(), at);
    if (!typeAndName.isEmpty())
        m_byTypeAndName.insert(typeAndName, at);
}

QList<AiView::Entity> AiView::ranked() const
{
    QList<Entity> entities = m_entities;
    // References (docs/semantics.md): other entities whose properties hold this one's @id or
    // name, links in the text to its @id (those that are not themselves its sources), and
    // every further time an implicit rule found it.
    QHash<QString, qint32> mentions;
    QList<QSet<QString>> strings(entities.size());
    for (qsizetype i = 0; i < entities.size(); ++i) {
        collectStrings(entities[i].properties, &strings[i]);
        for (const QString &s : std::as_const(strings[i]))
            ++mentions[s];
    }
    for (qsizetype i = 0; i < entities.size(); ++i) {
        Entity &e = entities[i];
        qint64 refs = 0;
        if (!e.id.isEmpty()) {
            refs += mentions.value(e.id) - (strings[i].contains(e.id) ? 1 : 0);
            if (!e.linkSourced)
                refs += m_linkCounts.value(e.id);
        }
        if (!e.name.isEmpty() && e.name != e.id)
            refs += mentions.value(e.name) - (strings[i].contains(e.name) ? 1 : 0);
        refs += qMax(0, e.implicitSources - 1);
        e.relevance
            = rounded(e.confidence * e.position * (1.0 - 0.4 * std::pow(0.5, double(refs))));
    }
    std::stable_sort(entities.begin(), entities.end(), [](const Entity &a, const Entity &b) {
        return a.relevance > b.relevance || (a.relevance == b.relevance && a.order < b.order);
    });
    return entities;
}

namespace {
    QJsonObject entityObject(const AiView::Entity &e)
    {
        return QJsonObject {
            { "type", e.type },
            { "id", e.id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.id) },
            { "name", e.name.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.name) },
            { "properties", e.properties },
            { "relevance", e.relevance },
            { "sources", e.sources }
        };
    }

    QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
} // namespace

QJsonArray AiView::rankedEntities() const
{
    QJsonArray out;
    for (const Entity &e : ranked())
        out.append(entityObject(e));
    return out;
}

QJsonObject AiView::documentObject() const
{
    const QString title = !m_frontMatterTitle.isEmpty() ? m_frontMatterTitle : m_headingTitle;
    const QJsonObject stats = m_stats.toJson();
    return QJsonObject {
        { "title", title.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(title) },
        { "language",
          m_language.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_language) },
        { "words", stats.value(QLatin1String("words")) },
        { "density", stats.value(QLatin1String("density")) }
    };
}

std::optional<QByteArray> AiView::render(qint64 budgetTokens, QString *error) const
{
    const QList<Entity> entities = ranked();
    const qint64 all = entities.size() + m_dropped;
    const QJsonObject document = documentObject();
    auto view = [&](const QJsonArray &kept, qint64 omitted) {
        return compact(QJsonObject {
                   { "document", document }, { "entities", kept }, { "omitted", omitted } })
            + '\n';
    };
    QJsonArray kept;
    if (budgetTokens <= 0) {
        for (const Entity &e : entities)
            kept.append(entityObject(e));
        return view(kept, m_dropped);
    }
    // The smallest view: no entities, all of them omitted (the most digits `omitted` takes).
    qsizetype size = view({}, all).size();
    if (tokens(size) > budgetTokens) {
        if (error)
            *error
                = Tr::tr("a budget of %1 tokens is too small: the view without entities takes %2")
                      .arg(budgetTokens)
                      .arg(tokens(size));
        return std::nullopt;
    }
    // In rank order, each entity that still fits (an entity and, after the first, a comma);
    // one that does not is omitted and the next ones are tried.
    qint64 omitted = m_dropped;
    for (const Entity &e : entities) {
        const QJsonObject o = entityObject(e);
        const qsizetype add = compact(o).size() + (kept.isEmpty() ? 0 : 1);
        if (tokens(size + add) <= budgetTokens) {
            kept.append(o);
            size += add;
        } else {
            ++omitted;
        }
    }
    return view(kept, omitted);
}

std::optional<QByteArray> aiViewOf(QByteArrayView document, qint64 budgetTokens, QString *error)
{
    StreamParser::Options options;
    options.includeImplicit = true;
    StreamParser parser(options);
    AiView view;
    parser.addListener(&view);
    parser.feed(document);
    parser.finish();
    return view.render(budgetTokens, error);
}

} // namespace Kyozo::MarkdownLD
