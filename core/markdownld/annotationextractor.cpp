#include "annotationextractor.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>

#include <optional>

namespace Kyozo::MarkdownLD {

namespace {

    // lupdate takes the context from Q_DECLARE_TR_FUNCTIONS (see streamparser.cpp).
    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(Annotation)
    };

    constexpr int kMaxBracketDepth = 64; // open '[' remembered; deeper ones are text
    constexpr int kMaxLinkParenDepth
        = 32; // CommonMark's limit on nested parentheses in a destination
    constexpr qsizetype kMaxInlineHtmlBytes = 1024;

    bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\n';
    }
    bool isAlpha(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    bool isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }
    // Pandoc's identifiers and class names: letters, digits, '-', '_', ':', '.'; and any
    // non-ASCII byte, so that identifiers in other scripts are identifiers too.
    bool isIdentChar(char c)
    {
        return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == ':' || c == '.'
            || quint8(c) >= 0x80;
    }
    bool isKeyStart(char c)
    {
        return isAlpha(c) || c == '_';
    }
    bool isAsciiPunct(char c)
    {
        return c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c);
    }

    struct Attribute
    {
        char kind = '='; // '#', '.' or '=' (key=value)
        QByteArrayView key;
        QByteArrayView value;
        qsizetype keyOffset = 0;
        qsizetype valueOffset = 0;
    };

    struct AttributeList
    {
        qsizetype begin = 0; // '{'
        qsizetype end = 0; // just past '}'
        QList<Attribute> attributes;
    };

    // `{` at p, its `}` at close (the first one after p: a value cannot hold '}').
    std::optional<AttributeList> parseAttributeList(QByteArrayView t, qsizetype p, qsizetype close)
    {
        if (close < 0 || close + 1 - p > AnnotationExtractor::kMaxAttributeListBytes)
            return std::nullopt;
        AttributeList list;
        list.begin = p;
        list.end = close + 1;
        qsizetype q = p + 1;
        for (;;) {
            while (q < close && isSpace(t[q]))
                ++q;
            if (q == close)
                break;
            Attribute a;
            const char c = t[q];
            if (c == '#' || c == '.') {
                const qsizetype s = q + 1;
                qsizetype e = s;
                while (e < close && isIdentChar(t[e]))
                    ++e;
                if (e == s || (e < close && !isSpace(t[e])))
                    return std::nullopt;
                a.kind = c;
                a.value = t.sliced(s, e - s);
                a.keyOffset = q;
                a.valueOffset = s;
                list.attributes.append(a);
                q = e;
                continue;
            }
            if (!isKeyStart(c))
                return std::nullopt;
            const qsizetype ks = q;
            while (q < close && (isIdentChar(t[q]) && quint8(t[q]) < 0x80))
                ++q;
            a.key = t.sliced(ks, q - ks);
            a.keyOffset = ks;
            if (q >= close || t[q] != '=')
                return std::nullopt;
            ++q;
            if (q < close && (t[q] == '"' || t[q] == '\'')) {
                const qsizetype vs = q + 1;
                const qsizetype ve = t.sliced(vs, close - vs).indexOf(t[q]);
                if (ve < 0)
                    return std::nullopt;
                a.value = t.sliced(vs, ve);
                a.valueOffset = vs;
                q = vs + ve + 1;
            } else {
                const qsizetype vs = q;
                while (q < close && !isSpace(t[q]) && !std::strchr("\"'=<>`{", t[q]))
                    ++q;
                if (q == vs)
                    return std::nullopt;
                a.value = t.sliced(vs, q - vs);
                a.valueOffset = vs;
            }
            if (q < close && !isSpace(t[q]))
                return std::nullopt;
            list.attributes.append(a);
        }
        if (list.attributes.isEmpty())
            return std::nullopt;
        return list;
    }

    // The next occurrence of one byte at or after `from`, remembered so that repeated look-aheads
    // from later positions do not scan the same bytes again: the answer stays valid for every
    // `from` between the position it was computed from and the answer itself.
    class NextByte
    {
    public:
        NextByte(QByteArrayView t, char c)
            : m_t(t)
            , m_c(c)
        {
        }
        qsizetype from(qsizetype p)
        {
            if (p < m_computedFrom || p > m_at) {
                m_computedFrom = p;
                const void *hit = p < m_t.size()
                    ? std::memchr(m_t.data() + p, m_c, size_t(m_t.size() - p))
                    : nullptr;
                m_at = hit ? static_cast<const char *>(hit) - m_t.data() : m_t.size();
            }
            return m_at < m_t.size() ? m_at : -1;
        }

    private:
        QByteArrayView m_t;
        char m_c;
        qsizetype m_computedFrom = 1; // > m_at: nothing computed yet
        qsizetype m_at = 0;
    };

    struct Link
    {
        qsizetype end = 0; // just past ')'
        QByteArrayView destination;
    };

    class InlineScanner
    {
    public:
        InlineScanner(QByteArrayView t, const ContentMap &map, const CuriePrefixes &prefixes,
                      const ItemSink &sink)
            : m_t(t)
            , m_map(map)
            , m_prefixes(prefixes)
            , m_sink(sink)
            , m_closeBrace(t, '}')
            , m_closeParen(t, ')')
            , m_doubleQuote(t, '"')
            , m_singleQuote(t, '\'')
        {
        }

        // Pandoc's header_attributes: an attribute list ending the heading's text, after a space.
        // Returns where the text before it ends (the whole text when there is none).
        qsizetype headingAttributes()
        {
            qsizetype end = m_t.size();
            while (end > 0 && isSpace(m_t[end - 1]))
                --end;
            if (end == 0 || m_t[end - 1] != '}')
                return m_t.size();
            const qsizetype close = end - 1;
            qsizetype open = close;
            while (open > 0 && m_t[open] != '{'
                   && close - open < AnnotationExtractor::kMaxAttributeListBytes)
                --open;
            if (m_t[open] != '{' || (open > 0 && !isSpace(m_t[open - 1])))
                return m_t.size();
            const auto list = parseAttributeList(m_t, open, close);
            if (!list)
                return m_t.size();
            qsizetype textEnd = open;
            while (textEnd > 0 && isSpace(m_t[textEnd - 1]))
                --textEnd;
            emitItem(0, list->end, QString::fromUtf8(m_t.first(textEnd)).simplified(), *list, {});
            return open;
        }

        void scan(qsizetype to)
        {
            m_to = to;
            qsizetype i = 0;
            while (i < to) {
                const char c = m_t[i];
                switch (c) {
                case '\\':
                    i += i + 1 < to && isAsciiPunct(m_t[i + 1]) ? 2 : 1;
                    break;
                case '`':
                    i = skipCodeSpan(i);
                    break;
                case '<':
                    i = skipInlineHtml(i);
                    break;
                case '[':
                    if (m_openers.size() < kMaxBracketDepth)
                        m_openers.append(i > 0 && m_t[i - 1] == '!' ? i - 1 : i);
                    ++i;
                    break;
                case ']':
                    i = closeBracket(i);
                    break;
                default:
                    ++i;
                    break;
                }
            }
        }

    private:
        qsizetype closeBracket(qsizetype i)
        {
            if (m_openers.isEmpty())
                return i + 1;
            const qsizetype open = m_openers.takeLast();
            const qsizetype textBegin = m_t[open] == '!' ? open + 2 : open + 1;
            const qsizetype after = i + 1;
            auto text = [&] {
                return QString::fromUtf8(m_t.sliced(textBegin, i - textBegin)).simplified();
            };
            if (after < m_to && m_t[after] == '{') {
                if (const auto list = attributeListAt(after)) {
                    emitItem(open, list->end, text(), *list, {});
                    return list->end;
                }
                return after;
            }
            if (after < m_to && m_t[after] == '(') {
                const auto link = linkTail(after);
                if (!link)
                    return after;
                if (link->end < m_to && m_t[link->end] == '{') {
                    if (const auto list = attributeListAt(link->end)) {
                        emitItem(open, list->end, text(), *list,
                                 QString::fromUtf8(link->destination));
                        return list->end;
                    }
                }
                return link->end;
            }
            return after;
        }

        std::optional<AttributeList> attributeListAt(qsizetype brace)
        {
            const qsizetype close = m_closeBrace.from(brace);
            if (close < 0 || close >= m_to) {
                // `[text]{` whose '}' never comes: the writer meant an annotation. Said once per
                // block; every later '{' of the block has no '}' either.
                if (!m_reportedUnclosed) {
                    m_reportedUnclosed = true;
                    const SourceRange range = m_map.rangeOf(brace, brace + 1);
                    m_sink(errorItem(range, Tr::tr("unclosed attribute list: '{' without '}'"),
                                     range.startLine, range.startColumn));
                }
                return std::nullopt;
            }
            return parseAttributeList(m_t, brace, close);
        }

        // CommonMark inline link tail "(destination "title")" at p ('(').
        std::optional<Link> linkTail(qsizetype p)
        {
            if (m_closeParen.from(p) < 0)
                return std::nullopt;
            qsizetype q = p + 1;
            while (q < m_to && isSpace(m_t[q]))
                ++q;
            Link link;
            if (q < m_to && m_t[q] == '<') {
                const qsizetype s = q + 1;
                for (++q; q < m_to && m_t[q] != '>'; ++q) {
                    if (m_t[q] == '\n' || m_t[q] == '<')
                        return std::nullopt;
                    if (m_t[q] == '\\')
                        ++q;
                }
                if (q >= m_to)
                    return std::nullopt;
                link.destination = m_t.sliced(s, q - s);
                ++q;
            } else {
                const qsizetype s = q;
                int depth = 0;
                while (q < m_to && !isSpace(m_t[q]) && quint8(m_t[q]) > 0x20) {
                    const char c = m_t[q];
                    if (c == '\\' && q + 1 < m_to) {
                        q += 2;
                        continue;
                    }
                    if (c == '(' && ++depth > kMaxLinkParenDepth)
                        return std::nullopt;
                    if (c == ')' && depth-- == 0)
                        break;
                    ++q;
                }
                if (depth > 0)
                    return std::nullopt;
                link.destination = m_t.sliced(s, q - s);
            }
            const qsizetype afterDestination = q;
            while (q < m_to && isSpace(m_t[q]))
                ++q;
            if (q > afterDestination && q < m_to
                && (m_t[q] == '"' || m_t[q] == '\'' || m_t[q] == '(')) {
                NextByte &closer = m_t[q] == '"' ? m_doubleQuote
                    : m_t[q] == '\''             ? m_singleQuote
                                                 : m_closeParen;
                const qsizetype close = closer.from(q + 1);
                if (close < 0 || close >= m_to)
                    return std::nullopt;
                q = close + 1;
                while (q < m_to && isSpace(m_t[q]))
                    ++q;
            }
            if (q >= m_to || m_t[q] != ')')
                return std::nullopt;
            link.end = q + 1;
            return link;
        }

        // CommonMark code spans: a run of n backticks up to the next run of exactly n. The runs
        // are listed once per block; each length keeps a cursor that only moves forward.
        qsizetype skipCodeSpan(qsizetype i)
        {
            qsizetype length = 1;
            while (i + length < m_to && m_t[i + length] == '`')
                ++length;
            if (!m_runsListed) {
                m_runsListed = true;
                for (qsizetype p = 0; p < m_to;) {
                    if (m_t[p] != '`') {
                        ++p;
                        continue;
                    }
                    qsizetype n = 1;
                    while (p + n < m_to && m_t[p + n] == '`')
                        ++n;
                    m_runsByLength[n].append(p);
                    p += n;
                }
            }
            auto it = m_runsByLength.find(length);
            if (it == m_runsByLength.end())
                return i + length;
            qsizetype &cursor = m_runCursor[length];
            const QList<qsizetype> &runs = it.value();
            while (cursor < runs.size() && runs[cursor] <= i)
                ++cursor;
            if (cursor >= runs.size())
                return i + length; // no closer: the backticks are text
            return runs[cursor++] + length;
        }

        // Inline HTML (CommonMark 6.6: open and closing tags, comments, processing instructions,
        // declarations, CDATA) and autolinks (6.5), looked for within kMaxInlineHtmlBytes.
        qsizetype skipInlineHtml(qsizetype i)
        {
            const qsizetype limit = qMin(m_to, i + kMaxInlineHtmlBytes);
            qsizetype q = i + 1;
            if (q >= limit)
                return i + 1;
            const char c = m_t[q];
            if (c == '!' || c == '?') {
                // Comments, declarations, instructions, CDATA: to the first '>' (that is where the
                // shortest of them ends; a longer end condition is rare enough to leave as text).
                for (; q < limit; ++q)
                    if (m_t[q] == '>')
                        return q + 1;
                return i + 1;
            }
            const bool closing = c == '/';
            if (closing)
                ++q;
            if (q >= limit || !isAlpha(m_t[q]))
                return i + 1;
            const qsizetype nameStart = q;
            while (q < limit && (isAlpha(m_t[q]) || isDigit(m_t[q]) || m_t[q] == '-'))
                ++q;
            // An autolink: scheme of 2..32 characters, ':', no spaces or '<' up to '>'.
            if (!closing && q < limit && (m_t[q] == ':' || m_t[q] == '+' || m_t[q] == '.')) {
                while (q < limit
                       && (isAlpha(m_t[q]) || isDigit(m_t[q]) || m_t[q] == '+' || m_t[q] == '.'
                           || m_t[q] == '-'))
                    ++q;
                const qsizetype schemeLength = q - nameStart;
                if (q < limit && m_t[q] == ':' && schemeLength >= 2 && schemeLength <= 32) {
                    for (++q; q < limit; ++q) {
                        if (m_t[q] == '>')
                            return q + 1;
                        if (quint8(m_t[q]) <= 0x20 || m_t[q] == '<')
                            return i + 1;
                    }
                }
                return i + 1;
            }
            if (closing) {
                while (q < limit && isSpace(m_t[q]))
                    ++q;
                return q < limit && m_t[q] == '>' ? q + 1 : i + 1;
            }
            for (;;) {
                const qsizetype beforeSpace = q;
                while (q < limit && isSpace(m_t[q]))
                    ++q;
                if (q >= limit)
                    return i + 1;
                if (m_t[q] == '>')
                    return q + 1;
                if (m_t[q] == '/')
                    return q + 1 < limit && m_t[q + 1] == '>' ? q + 2 : i + 1;
                if (q == beforeSpace || !(isAlpha(m_t[q]) || m_t[q] == '_' || m_t[q] == ':'))
                    return i + 1;
                while (q < limit
                       && (isAlpha(m_t[q]) || isDigit(m_t[q]) || std::strchr("_.:-", m_t[q])))
                    ++q;
                qsizetype r = q;
                while (r < limit && isSpace(m_t[r]))
                    ++r;
                if (r < limit && m_t[r] == '=') {
                    ++r;
                    while (r < limit && isSpace(m_t[r]))
                        ++r;
                    if (r >= limit)
                        return i + 1;
                    if (m_t[r] == '"' || m_t[r] == '\'') {
                        const char quote = m_t[r];
                        for (++r; r < limit && m_t[r] != quote; ++r) { }
                        if (r >= limit)
                            return i + 1;
                        ++r;
                    } else {
                        const qsizetype vs = r;
                        while (r < limit && !isSpace(m_t[r]) && !std::strchr("\"'=<>`", m_t[r]))
                            ++r;
                        if (r == vs)
                            return i + 1;
                    }
                    q = r;
                }
            }
        }

        // SPEC §2.2.4 / §11: one annotation item from an attribute list. RDFa Lite's attribute
        // names carry the semantics (typeof, property, resource; about and content and datatype
        // from RDFa Core), as in HTML+RDFa; a `prefix:name=value` pair is a property with that
        // value; `.class` and other keys are presentation (Pandoc passes them to HTML) and are not
        // linked data. A list with nothing of the first kinds gives no item.
        void emitItem(qsizetype begin, qsizetype end, const QString &text,
                      const AttributeList &list, const QString &linkDestination)
        {
            SemanticItem item;
            item.kind = ItemKind::Annotation;
            item.range = m_map.rangeOf(begin, end);
            QJsonObject context;
            QHash<QString, QJsonArray> values;
            QStringList valueOrder;
            QStringList types;
            QStringList properties;
            QString id;
            QString resource;
            std::optional<QString> content;
            QString datatype;

            auto curie = [&](QByteArrayView token, qsizetype offset) {
                const QString s = QString::fromUtf8(token);
                const QString prefix = CuriePrefixes::prefixOfCurie(s);
                if (!prefix.isEmpty()) {
                    if (const auto iri = m_prefixes.iri(prefix))
                        context.insert(prefix, *iri);
                    else
                        item.errors.append(
                            { Tr::tr("unknown prefix \"%1\" in \"%2\"").arg(prefix, s),
                              m_map.lineAt(offset), m_map.columnAt(offset) });
                }
                return s;
            };
            auto tokens = [&](const Attribute &a, QStringList *out) {
                qsizetype p = 0;
                while (p < a.value.size()) {
                    while (p < a.value.size() && isSpace(a.value[p]))
                        ++p;
                    const qsizetype s = p;
                    while (p < a.value.size() && !isSpace(a.value[p]))
                        ++p;
                    if (p > s)
                        out->append(curie(a.value.sliced(s, p - s), a.valueOffset + s));
                }
            };
            auto add = [&](const QString &key, const QJsonValue &value) {
                if (!values.contains(key))
                    valueOrder.append(key);
                values[key].append(value);
            };

            for (const Attribute &a : list.attributes) {
                if (a.kind == '#') {
                    id = QLatin1Char('#') + QString::fromUtf8(a.value);
                    continue;
                }
                if (a.kind == '.')
                    continue;
                if (a.key == "typeof") {
                    tokens(a, &types);
                } else if (a.key == "property") {
                    tokens(a, &properties);
                } else if (a.key == "resource" || a.key == "about") {
                    resource = curie(a.value, a.valueOffset);
                } else if (a.key == "content") {
                    content = QString::fromUtf8(a.value);
                } else if (a.key == "datatype") {
                    datatype = curie(a.value, a.valueOffset);
                } else if (a.key.contains(':')) {
                    add(curie(a.key, a.keyOffset), QString::fromUtf8(a.value));
                }
            }
            const QString value = content.value_or(text);
            const QJsonValue written = datatype.isEmpty()
                ? QJsonValue(value)
                : QJsonValue(QJsonObject { { QStringLiteral("@value"), value },
                                           { QStringLiteral("@type"), datatype } });
            for (const QString &p : properties)
                add(p, written);
            if (types.isEmpty() && values.isEmpty() && id.isEmpty() && resource.isEmpty()
                && item.errors.isEmpty())
                return;
            // RDFa: @resource names the subject; a link annotates its destination.
            const QString subject = !resource.isEmpty() ? resource
                : !id.isEmpty()                         ? id
                                                        : linkDestination;
            item.type = types.isEmpty() ? QJsonValue(QJsonValue::Null)
                : types.size() == 1     ? QJsonValue(types.first())
                                        : QJsonValue(QJsonArray::fromStringList(types));
            item.id = subject.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(subject);
            for (const QString &key : valueOrder) {
                const QJsonArray &v = values[key];
                item.properties.insert(key, v.size() == 1 ? v.first() : QJsonValue(v));
            }
            if (!context.isEmpty())
                item.properties.insert(QStringLiteral("@context"), context);
            m_sink(item);
        }

        QByteArrayView m_t;
        const ContentMap &m_map;
        const CuriePrefixes &m_prefixes;
        const ItemSink &m_sink;
        qsizetype m_to = 0;
        QList<qsizetype> m_openers;
        NextByte m_closeBrace;
        NextByte m_closeParen;
        NextByte m_doubleQuote;
        NextByte m_singleQuote;
        bool m_reportedUnclosed = false;
        bool m_runsListed = false;
        QHash<qsizetype, QList<qsizetype>> m_runsByLength;
        QHash<qsizetype, qsizetype> m_runCursor;
    };

} // namespace

void AnnotationExtractor::extract(QByteArrayView text, const ContentMap &map, Block block,
                                  const CuriePrefixes &prefixes, const ItemSink &sink)
{
    InlineScanner scanner(text, map, prefixes, sink);
    const qsizetype to = block == Block::Heading ? scanner.headingAttributes() : text.size();
    scanner.scan(to);
}

} // namespace Kyozo::MarkdownLD
