#include "htmlmetadataextractor.h"

#include "curieprefixes.h"

#include <QCoreApplication>

#include <QHash>
#include <QJsonArray>
#include <QList>

namespace Kyozo::MarkdownLD {

namespace {

struct Tag
{
    QByteArray name; // lower case
    bool closing = false;
    bool selfClosing = false;
    QList<std::pair<QByteArray, QString>> attributes; // names lower case
    qsizetype end = 0;                                // just past '>'

    bool has(const char *attr) const
    {
        for (const auto &a : attributes)
            if (a.first == attr)
                return true;
        return false;
    }
    QString value(const char *attr) const
    {
        for (const auto &a : attributes)
            if (a.first == attr)
                return a.second;
        return {};
    }
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool isNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == ':' || c == '_' || c == '.';
}

QString decodeEntities(QByteArrayView raw)
{
    QString s = QString::fromUtf8(raw);
    s.replace(QLatin1String("&quot;"), QLatin1String("\""));
    s.replace(QLatin1String("&#39;"), QLatin1String("'"));
    s.replace(QLatin1String("&apos;"), QLatin1String("'"));
    s.replace(QLatin1String("&lt;"), QLatin1String("<"));
    s.replace(QLatin1String("&gt;"), QLatin1String(">"));
    s.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return s;
}

// Reads a start or end tag at p ('<'); returns false if it is not one.
bool readTag(QByteArrayView t, qsizetype p, Tag *tag)
{
    qsizetype q = p + 1;
    tag->closing = q < t.size() && t[q] == '/';
    if (tag->closing)
        ++q;
    const qsizetype nameStart = q;
    while (q < t.size() && isNameChar(t[q]))
        ++q;
    if (q == nameStart)
        return false;
    tag->name = t.sliced(nameStart, q - nameStart).toByteArray().toLower();
    while (q < t.size() && t[q] != '>') {
        if (isSpace(t[q])) {
            ++q;
            continue;
        }
        if (t[q] == '/') {
            tag->selfClosing = true;
            ++q;
            continue;
        }
        const qsizetype an = q;
        while (q < t.size() && !isSpace(t[q]) && t[q] != '=' && t[q] != '>' && t[q] != '/')
            ++q;
        QByteArray name = t.sliced(an, q - an).toByteArray().toLower();
        while (q < t.size() && isSpace(t[q]))
            ++q;
        QString value;
        if (q < t.size() && t[q] == '=') {
            ++q;
            while (q < t.size() && isSpace(t[q]))
                ++q;
            if (q < t.size() && (t[q] == '"' || t[q] == '\'')) {
                const char quote = t[q];
                const qsizetype close = t.sliced(q + 1).indexOf(quote);
                const qsizetype vend = close < 0 ? t.size() : q + 1 + close;
                value = decodeEntities(t.sliced(q + 1, vend - q - 1));
                q = qMin(vend + 1, t.size());
            } else {
                const qsizetype vs = q;
                while (q < t.size() && !isSpace(t[q]) && t[q] != '>')
                    ++q;
                value = decodeEntities(t.sliced(vs, q - vs));
            }
        }
        if (!name.isEmpty())
            tag->attributes.append({ name, value });
        else
            ++q;
    }
    tag->end = qMin(q + 1, t.size());
    return true;
}

bool isJsonLdScript(const Tag &tag)
{
    return tag.value("type").trimmed().compare(QLatin1String("application/ld+json"),
                                               Qt::CaseInsensitive)
        == 0;
}

// A <script> element whose start tag `tag` begins at `lt`: its text runs to "</script" in any
// case (as an HTML parser ends script data), the element past that end tag's '>'.
HtmlMetadataExtractor::Script readScript(QByteArrayView html, qsizetype lt, const Tag &tag)
{
    HtmlMetadataExtractor::Script script;
    script.start = lt;
    script.textStart = tag.end;
    qsizetype close = -1;
    for (qsizetype q = html.indexOf("</", tag.end); q >= 0; q = html.indexOf("</", q + 2)) {
        if (html.size() - q - 2 >= 6 && qstrnicmp(html.data() + q + 2, "script", 6) == 0) {
            close = q;
            break;
        }
    }
    script.textEnd = close < 0 ? html.size() : close;
    const qsizetype gt = close < 0 ? -1 : html.indexOf('>', close);
    script.end = gt < 0 ? html.size() : gt + 1;
    return script;
}

bool isVoidElement(const QByteArray &name)
{
    static const QByteArrayList voids = { "area", "base", "br", "col", "embed", "hr", "img",
                                          "input", "link", "meta", "param", "source", "track", "wbr" };
    return voids.contains(name);
}

// An item's properties while its tags are read: a property written more than once becomes
// an array of its values, in document order. The values are kept in lists until the item is
// made: appending to an array that lives inside a QJsonObject copies the array, which made n
// values of one property (n <meta name="dc.subject">) cost n squared (issue 14 item 8).
class Properties
{
public:
    void add(const QString &key, const QJsonValue &value) { m_values[key].append(value); }
    bool isEmpty() const { return m_values.isEmpty(); }
    QJsonObject toObject() const
    {
        QJsonObject o;
        for (auto it = m_values.cbegin(); it != m_values.cend(); ++it) {
            if (it.value().size() == 1) {
                o.insert(it.key(), it.value().first());
            } else {
                QJsonArray a;
                for (const QJsonValue &v : it.value())
                    a.append(v);
                o.insert(it.key(), a);
            }
        }
        return o;
    }

private:
    QHash<QString, QList<QJsonValue>> m_values;
};

// schema.org property names as compact IRIs; other vocabularies keep the name as written.
QString propertyName(const QString &itemType, const QString &prop)
{
    static const QRegularExpression schemaOrg(QStringLiteral("^https?://(www\\.)?schema\\.org/"));
    if (schemaOrg.match(itemType).hasMatch())
        return QLatin1String("schema:") + prop;
    return prop;
}

struct Scope
{
    QString itemType;
    Properties properties;
    QString id;
    QString propOfParent; // itemprop under which it nests into its parent, if any
    int depth = 0;        // element depth of the itemscope element
};

struct TextProp
{
    QString name;
    QString text;
    int depth = 0;
    int scope = 0;
};

class MicrodataBuilder
{
public:
    MicrodataBuilder(const SourceRange &range, const ItemSink &sink) : m_range(range), m_sink(sink) { }

    void startTag(const Tag &tag)
    {
        const bool isVoid = isVoidElement(tag.name) || tag.selfClosing;
        const int depth = m_depth + 1;
        const QString prop = tag.value("itemprop");
        if (tag.has("itemscope")) {
            Scope s;
            s.itemType = tag.value("itemtype");
            s.id = tag.value("itemid");
            s.propOfParent = prop;
            s.depth = depth;
            m_scopes.append(s);
        } else if (!prop.isEmpty() && !m_scopes.isEmpty()) {
            const char *valueAttrs[] = { "content", "href", "src", "datetime", "value", "data" };
            bool found = false;
            for (const char *a : valueAttrs) {
                if (tag.has(a)) {
                    m_scopes.last().properties.add(propertyName(m_scopes.last().itemType, prop),
                                                   tag.value(a));
                    found = true;
                    break;
                }
            }
            if (!found && !isVoid)
                m_textProps.append({ prop, {}, depth, int(m_scopes.size()) - 1 });
        }
        if (!isVoid)
            m_depth = depth;
        else if (!m_scopes.isEmpty() && m_scopes.last().depth == depth)
            closeScope();
    }

    void endTag()
    {
        if (!m_textProps.isEmpty() && m_textProps.last().depth == m_depth) {
            const TextProp p = m_textProps.takeLast();
            if (p.scope < m_scopes.size())
                m_scopes[p.scope].properties.add(propertyName(m_scopes[p.scope].itemType, p.name),
                                                 p.text.simplified());
        }
        if (!m_scopes.isEmpty() && m_scopes.last().depth == m_depth)
            closeScope();
        m_depth = qMax(0, m_depth - 1);
    }

    void text(const QString &t)
    {
        for (TextProp &p : m_textProps)
            p.text += t;
    }

    void finish()
    {
        while (!m_scopes.isEmpty())
            closeScope();
    }

private:
    void closeScope()
    {
        Scope s = m_scopes.takeLast();
        QJsonObject node = s.properties.toObject();
        if (!m_scopes.isEmpty() && !s.propOfParent.isEmpty()) {
            if (!s.itemType.isEmpty())
                node.insert(QLatin1String("@type"), s.itemType);
            m_scopes.last().properties.add(propertyName(m_scopes.last().itemType, s.propOfParent),
                                           node);
            return;
        }
        SemanticItem item;
        item.kind = ItemKind::Microdata;
        item.range = m_range;
        const QStringList types = s.itemType.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        item.type = types.isEmpty() ? QJsonValue(QJsonValue::Null)
                : types.size() == 1 ? QJsonValue(types.first())
                                    : QJsonValue(QJsonArray::fromStringList(types));
        item.id = s.id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s.id);
        item.properties = node;
        m_sink(item);
    }

    SourceRange m_range;
    const ItemSink &m_sink;
    QList<Scope> m_scopes;
    QList<TextProp> m_textProps;
    int m_depth = 0;
};

// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS (see streamparser.cpp).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Rdfa)
};

QStringList whitespaceTokens(const QString &value)
{
    if (value.isEmpty())
        return {};
    static const QRegularExpression space(QStringLiteral("\\s+"));
    return value.split(space, Qt::SkipEmptyParts);
}

// The Open Graph protocol's own prefixes (https://ogp.me: og, fb and the object types'
// namespaces), which pages use without declaring them.
bool isOpenGraphProperty(const QString &token)
{
    static const QStringList prefixes = { QStringLiteral("og:"),      QStringLiteral("fb:"),
                                          QStringLiteral("article:"), QStringLiteral("book:"),
                                          QStringLiteral("profile:"), QStringLiteral("music:"),
                                          QStringLiteral("video:"),   QStringLiteral("website:") };
    for (const QString &p : prefixes)
        if (token.startsWith(p))
            return true;
    return false;
}

// W3C RDFa Lite 1.1 (https://www.w3.org/TR/rdfa-lite/): vocab, typeof, property, resource
// and prefix, read as RDFa Core 1.1 reads them, in one raw HTML block (the microdata rule).
// An element with typeof starts a new item (its resource is the item's @id); one that also
// has property nests it into the enclosing item under that property, as itemprop on an
// itemscope does. A property's value is the element's content attribute, else its resource,
// href or src (an IRI), else its datetime (HTML+RDFa 1.1 §3.1), else its text. Properties
// outside any typeof are about the document; they make one item without type, except
// `og:*` ones, which are the Open Graph item already (Open Graph is written in RDFa).
class RdfaBuilder
{
public:
    RdfaBuilder(const ContentMap &map, const SourceRange &range, const ItemSink &sink)
        : m_map(map), m_range(range), m_sink(sink), m_builtIn(CuriePrefixes::builtIn())
    {
        m_scopes.append(Scope{}); // the document
    }

    void startTag(const Tag &tag, qsizetype offset)
    {
        const bool isVoid = isVoidElement(tag.name) || tag.selfClosing;
        const int depth = m_depth + 1;
        m_offset = offset;
        if (tag.has("vocab") || tag.has("prefix")) {
            Frame frame;
            frame.depth = depth;
            frame.vocab = tag.has("vocab") ? std::optional(tag.value("vocab").trimmed()) : std::nullopt;
            const QStringList parts = whitespaceTokens(tag.value("prefix"));
            for (qsizetype i = 0; i + 1 < parts.size(); i += 2)
                if (parts[i].endsWith(QLatin1Char(':')))
                    frame.prefixes.insert(parts[i].chopped(1), parts[i + 1]);
            m_frames.append(frame);
        }
        const bool inDocument = m_scopes.size() == 1;
        QStringList properties;
        for (const QString &p : whitespaceTokens(tag.value("property")))
            if (!inDocument || tag.has("typeof") || !isOpenGraphProperty(p))
                properties.append(compact(expand(p)));
        const bool opens = tag.has("typeof") || (tag.has("resource") && properties.isEmpty());
        if (opens) {
            Scope scope;
            scope.depth = depth;
            for (const QString &t : whitespaceTokens(tag.value("typeof")))
                scope.types.append(expand(t));
            scope.id = tag.value("resource");
            scope.propertiesOfParent = properties;
            if (properties.isEmpty() || m_scopes.size() == 1)
                scope.propertiesOfParent.clear();
            takeErrors(&scope);
            m_scopes.append(scope);
        } else if (!properties.isEmpty()) {
            const char *iriAttributes[] = { "resource", "href", "src" };
            std::optional<QString> value;
            if (tag.has("content"))
                value = tag.value("content");
            for (const char *a : iriAttributes)
                if (!value && tag.has(a))
                    value = tag.value(a);
            if (!value && tag.has("datetime"))
                value = tag.value("datetime");
            takeErrors(&m_scopes.last());
            if (value) {
                for (const QString &p : properties)
                    m_scopes.last().properties.add(p, *value);
            } else if (!isVoid) {
                m_textProperties.append({ properties, {}, depth, int(m_scopes.size()) - 1 });
            }
        }
        if (!isVoid) {
            m_depth = depth;
        } else {
            if (m_scopes.size() > 1 && m_scopes.last().depth == depth)
                closeScope();
            popFrames(depth);
        }
    }

    void endTag()
    {
        if (!m_textProperties.isEmpty() && m_textProperties.last().depth == m_depth) {
            const TextProperty p = m_textProperties.takeLast();
            if (p.scope < m_scopes.size())
                for (const QString &name : p.names)
                    m_scopes[p.scope].properties.add(name, p.text.simplified());
        }
        if (m_scopes.size() > 1 && m_scopes.last().depth == m_depth)
            closeScope();
        popFrames(m_depth);
        m_depth = qMax(0, m_depth - 1);
    }

    void text(const QString &t)
    {
        for (TextProperty &p : m_textProperties)
            p.text += t;
    }

    void finish()
    {
        while (m_scopes.size() > 1)
            closeScope();
        const Scope &document = m_scopes.first();
        if (!document.properties.isEmpty() || !document.errors.isEmpty())
            emitItem(document, document.properties.toObject());
    }

private:
    struct Frame
    {
        int depth = 0;
        std::optional<QString> vocab;
        QHash<QString, QString> prefixes;
    };
    struct Scope
    {
        QStringList types;
        QString id;
        Properties properties;
        QStringList propertiesOfParent;
        QList<ItemError> errors;
        int depth = 0;
    };
    struct TextProperty
    {
        QStringList names;
        QString text;
        int depth = 0;
        int scope = 0;
    };

    void popFrames(int depth)
    {
        while (!m_frames.isEmpty() && m_frames.last().depth >= depth)
            m_frames.removeLast();
    }

    std::optional<QString> prefixIri(const QString &prefix) const
    {
        for (qsizetype i = m_frames.size() - 1; i >= 0; --i)
            if (const auto it = m_frames[i].prefixes.constFind(prefix); it != m_frames[i].prefixes.cend())
                return it.value();
        return m_builtIn.iri(prefix);
    }

    // RDFa Core 1.1 §7.4: a term against the in-scope vocabulary, a CURIE against the
    // in-scope prefixes, an absolute IRI as it is.
    QString expand(const QString &token)
    {
        if (CuriePrefixes::isAbsoluteIri(token))
            return token;
        const QString prefix = CuriePrefixes::prefixOfCurie(token);
        if (prefix.isEmpty()) {
            for (qsizetype i = m_frames.size() - 1; i >= 0; --i)
                if (m_frames[i].vocab)
                    return m_frames[i].vocab->isEmpty() ? token : *m_frames[i].vocab + token;
            return token;
        }
        if (const auto iri = prefixIri(prefix))
            return *iri + token.mid(prefix.size() + 1);
        m_errors.append({ Tr::tr("unknown prefix \"%1\" in \"%2\"").arg(prefix, token),
                          m_map.lineAt(m_offset), m_map.columnAt(m_offset) });
        return token;
    }

    // Property names as compact IRIs (SPEC §11), with the prefixes in scope; schema.org's in
    // either spelling as `schema:`, as microdata's are.
    QString compact(const QString &iri) const
    {
        static const QRegularExpression schemaOrg(QStringLiteral("^https?://(www\\.)?schema\\.org/"));
        if (const auto m = schemaOrg.match(iri); m.hasMatch())
            return QLatin1String("schema:") + iri.mid(m.capturedLength());
        for (qsizetype i = m_frames.size() - 1; i >= 0; --i)
            for (auto it = m_frames[i].prefixes.cbegin(); it != m_frames[i].prefixes.cend(); ++it)
                if (iri.startsWith(it.value()) && iri.size() > it.value().size())
                    return it.key() + QLatin1Char(':') + iri.mid(it.value().size());
        if (const auto prefix = m_builtIn.prefixOf(iri))
            return *prefix + QLatin1Char(':') + iri.mid(m_builtIn.iri(*prefix)->size());
        return iri;
    }

    void takeErrors(Scope *scope)
    {
        scope->errors += m_errors;
        m_errors.clear();
    }

    void closeScope()
    {
        Scope s = m_scopes.takeLast();
        QJsonObject node = s.properties.toObject();
        if (!s.propertiesOfParent.isEmpty()) {
            if (!s.types.isEmpty())
                node.insert(QLatin1String("@type"), typeValue(s.types));
            if (!s.id.isEmpty())
                node.insert(QLatin1String("@id"), s.id);
            for (const QString &p : s.propertiesOfParent)
                m_scopes.last().properties.add(p, node);
            m_scopes.last().errors += s.errors;
            return;
        }
        emitItem(s, node);
    }

    static QJsonValue typeValue(const QStringList &types)
    {
        return types.isEmpty() ? QJsonValue(QJsonValue::Null)
                : types.size() == 1 ? QJsonValue(types.first())
                                    : QJsonValue(QJsonArray::fromStringList(types));
    }

    void emitItem(const Scope &s, const QJsonObject &properties)
    {
        SemanticItem item;
        item.kind = ItemKind::Rdfa;
        item.range = m_range;
        item.type = typeValue(s.types);
        item.id = s.id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s.id);
        item.properties = properties;
        item.errors = s.errors;
        m_sink(item);
    }

    const ContentMap &m_map;
    SourceRange m_range;
    const ItemSink &m_sink;
    CuriePrefixes m_builtIn;
    QList<Frame> m_frames;
    QList<Scope> m_scopes;
    QList<TextProperty> m_textProperties;
    QList<ItemError> m_errors; // of the tag being read
    qsizetype m_offset = 0;
    int m_depth = 0;
};

} // namespace

void HtmlMetadataExtractor::extract(QByteArrayView html, const ContentMap &map,
                                    const SourceRange &blockRange, const ItemSink &sink)
{
    Properties dc;
    Properties og;
    QJsonObject dcContext;
    MicrodataBuilder microdata(blockRange, sink);
    RdfaBuilder rdfa(map, blockRange, sink);

    qsizetype p = 0;
    while (p < html.size()) {
        const qsizetype lt = html.indexOf('<', p);
        if (lt < 0) {
            const QString text = decodeEntities(html.sliced(p));
            microdata.text(text);
            rdfa.text(text);
            break;
        }
        const QString text = decodeEntities(html.sliced(p, lt - p));
        microdata.text(text);
        rdfa.text(text);
        if (html.sliced(lt).startsWith("<!--")) {
            const qsizetype close = html.indexOf("-->", lt + 4);
            p = close < 0 ? html.size() : close + 3;
            continue;
        }
        Tag tag;
        if (!readTag(html, lt, &tag)) {
            microdata.text(QStringLiteral("<"));
            rdfa.text(QStringLiteral("<"));
            p = lt + 1;
            continue;
        }
        p = tag.end;
        if (tag.closing) {
            microdata.endTag();
            rdfa.endTag();
            continue;
        }
        if (tag.name == "script") {
            const HtmlMetadataExtractor::Script script = readScript(html, lt, tag);
            if (isJsonLdScript(tag)) {
                JsonLdExtractor::extract(
                    html.sliced(script.textStart, script.textEnd - script.textStart), map,
                    script.textStart, blockRange, sink);
            }
            p = script.end;
            continue;
        }
        if (tag.name == "meta") {
            const QString name = tag.value("name");
            const QString property = tag.value("property");
            const QString content = tag.value("content");
            const qsizetype dot = name.indexOf(QLatin1Char('.'));
            const QString prefix = name.left(dot).toLower();
            if (dot > 0 && (prefix == QLatin1String("dc") || prefix == QLatin1String("dcterms")))
                dc.add(prefix + QLatin1Char(':') + name.mid(dot + 1), content);
            else if (property.startsWith(QLatin1String("og:")))
                og.add(property, content);
        } else if (tag.name == "link") {
            const QString rel = tag.value("rel");
            if (rel.startsWith(QLatin1String("schema."), Qt::CaseInsensitive))
                dcContext.insert(rel.mid(7), tag.value("href"));
        }
        microdata.startTag(tag);
        rdfa.startTag(tag, lt);
    }
    microdata.finish();
    rdfa.finish();
    if (!dc.isEmpty()) {
        SemanticItem item;
        item.kind = ItemKind::DublinCore;
        item.range = blockRange;
        item.properties = dc.toObject();
        if (!dcContext.isEmpty())
            item.properties.insert(QLatin1String("@context"), dcContext);
        sink(item);
    }
    if (!og.isEmpty()) {
        SemanticItem item;
        item.kind = ItemKind::OpenGraph;
        item.range = blockRange;
        item.properties = og.toObject();
        sink(item);
    }
}

QList<HtmlMetadataExtractor::Script> HtmlMetadataExtractor::jsonLdScripts(QByteArrayView html)
{
    QList<Script> scripts;
    qsizetype p = 0;
    while ((p = html.indexOf('<', p)) >= 0) {
        if (html.sliced(p).startsWith("<!--")) {
            const qsizetype close = html.indexOf("-->", p + 4);
            p = close < 0 ? html.size() : close + 3;
            continue;
        }
        Tag tag;
        if (!readTag(html, p, &tag)) {
            ++p;
            continue;
        }
        if (tag.closing || tag.name != "script") {
            p = tag.end;
            continue;
        }
        const Script script = readScript(html, p, tag);
        if (isJsonLdScript(tag))
            scripts.append(script);
        p = script.end;
    }
    return scripts;
}

} // namespace Kyozo::MarkdownLD
