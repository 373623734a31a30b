#include "jsonldextractor.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QList>

#include <nlohmann/json.hpp>

#include <QRegularExpression>

namespace Kyozo::MarkdownLD {

namespace {

struct Span
{
    qsizetype begin = 0;
    qsizetype end = 0;
};

// Walks text QJsonDocument has already validated, only to find where each node is.
class JsonSpans
{
public:
    explicit JsonSpans(QByteArrayView t) : m_t(t) { }

    qsizetype skipSpace(qsizetype p) const
    {
        while (p < m_t.size() && (m_t[p] == ' ' || m_t[p] == '\t' || m_t[p] == '\n' || m_t[p] == '\r'))
            ++p;
        return p;
    }
    qsizetype skipString(qsizetype p) const // p at the opening quote
    {
        for (++p; p < m_t.size(); ++p) {
            if (m_t[p] == '\\')
                ++p;
            else if (m_t[p] == '"')
                return p + 1;
        }
        return p;
    }
    qsizetype skipValue(qsizetype p) const
    {
        p = skipSpace(p);
        if (p >= m_t.size())
            return p;
        if (m_t[p] == '"')
            return skipString(p);
        if (m_t[p] == '{' || m_t[p] == '[') {
            int depth = 0;
            for (; p < m_t.size(); ++p) {
                const char c = m_t[p];
                if (c == '"') {
                    p = skipString(p) - 1;
                } else if (c == '{' || c == '[') {
                    ++depth;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0)
                        return p + 1;
                }
            }
            return p;
        }
        while (p < m_t.size() && m_t[p] != ',' && m_t[p] != '}' && m_t[p] != ']'
               && m_t[p] != ' ' && m_t[p] != '\n' && m_t[p] != '\r' && m_t[p] != '\t')
            ++p;
        return p;
    }
    QList<Span> arrayElements(qsizetype p) const // p at '['
    {
        QList<Span> spans;
        p = skipSpace(p + 1);
        while (p < m_t.size() && m_t[p] != ']') {
            const qsizetype b = skipSpace(p);
            const qsizetype e = skipValue(b);
            spans.append({ b, e });
            p = skipSpace(e);
            if (p < m_t.size() && m_t[p] == ',')
                p = skipSpace(p + 1);
        }
        return spans;
    }
    // Start of the value of a member of the object at p ('{'), or -1.
    qsizetype memberValue(qsizetype p, QByteArrayView key) const
    {
        p = skipSpace(p + 1);
        while (p < m_t.size() && m_t[p] == '"') {
            const qsizetype keyEnd = skipString(p);
            const QByteArrayView k = m_t.sliced(p + 1, keyEnd - p - 2);
            p = skipSpace(keyEnd);
            p = skipSpace(p + 1); // ':'
            if (k == key)
                return p;
            p = skipSpace(skipValue(p));
            if (p < m_t.size() && m_t[p] == ',')
                p = skipSpace(p + 1);
        }
        return -1;
    }

private:
    QByteArrayView m_t;
};

SemanticItem nodeItem(const QJsonObject &node, const SourceRange &range)
{
    SemanticItem item;
    item.kind = ItemKind::JsonLd;
    item.type = node.value(QLatin1String("@type"));
    if (item.type.isUndefined())
        item.type = QJsonValue::Null;
    item.id = node.value(QLatin1String("@id"));
    if (!item.id.isString())
        item.id = QJsonValue::Null;
    item.properties = node;
    item.range = range;
    return item;
}

void emitNodes(const QJsonArray &nodes, const QList<Span> &spans, const ContentMap &map,
               qsizetype jsonOffset, const ItemSink &sink)
{
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const Span s = i < spans.size() ? spans[i] : Span{};
        const SourceRange range = map.rangeOf(jsonOffset + s.begin, jsonOffset + s.end);
        if (!nodes[i].isObject()) {
            sink(errorItem(range, QCoreApplication::translate("JsonLd", "a JSON-LD node must be an object"),
                           range.startLine, range.startColumn));
            continue;
        }
        sink(nodeItem(nodes[i].toObject(), range));
    }
}

} // namespace

bool JsonLdExtractor::claimsFenceInfo(QByteArrayView info)
{
    // The first word of the info string, as CommonMark takes a language from it.
    qsizetype end = 0;
    while (end < info.size() && info[end] != ' ' && info[end] != '\t' && info[end] != '{')
        ++end;
    const QByteArray word = info.first(end).toByteArray().toLower();
    return word == "json-ld" || word == "jsonld" || word == "ld+json";
}

QString JsonLdExtractor::plainJsonError(const QString &parserMessage)
{
    // nlohmann-json's words: "syntax error while parsing CONTEXT - unexpected 'X'; expected
    // ...", "... - unexpected end of input; ...", "... - invalid literal; last read: 'tru'",
    // "... - invalid string: missing closing quote; last read: ...".
    static const QRegularExpression shape(QStringLiteral(
        "while parsing ([a-z ]+) - (?:unexpected ('[^']*'|[a-z]+ literal)|"
        "(unexpected end of input)|"
        "invalid literal; last read: '([^']*)'|(invalid string: missing closing quote)|"
        "(invalid string: control character)|(invalid number))"));
    const QRegularExpressionMatch m = shape.match(parserMessage);
    if (!m.hasMatch())
        return parserMessage;
    const QString context = m.captured(1);
    // 'X' as the parser quotes it, or a literal it names ("number literal", "true literal").
    QString token = m.captured(2);
    if (token == QLatin1String("number literal"))
        token = QCoreApplication::translate("JsonLd", "a number");
    else if (token == QLatin1String("string literal"))
        token = QCoreApplication::translate("JsonLd", "a string");
    else if (token.endsWith(QLatin1String(" literal"))) // true, false, null
        token = QLatin1Char('\'') + token.chopped(8) + QLatin1Char('\'');
    if (!m.captured(3).isEmpty())
        return context == QLatin1String("array") ? QCoreApplication::translate(
                   "JsonLd", "the block ends before the array does: a ']' is missing")
            : context.startsWith(QLatin1String("object"))
            ? QCoreApplication::translate("JsonLd",
                                          "the block ends before the object does: a '}' is missing")
            : QCoreApplication::translate("JsonLd", "the block ends where a value should be");
    if (!m.captured(4).isEmpty()) // "last read" is all the lexer took in: its last word
        return QCoreApplication::translate(
                   "JsonLd",
                   "'%1' is not a JSON value (true, false, null, a number, or text in double "
                   "quotes)")
            .arg(m.captured(4)
                     .split(QLatin1Char(' '))
                     .last()
                     .remove(QRegularExpression(QStringLiteral("[\\]},:]+$"))));
    if (!m.captured(5).isEmpty())
        return QCoreApplication::translate("JsonLd", "a string is not closed with '\"'");
    if (!m.captured(6).isEmpty())
        return QCoreApplication::translate(
            "JsonLd",
            "a string holds a line break or another control character; write it as \\n "
            "or another escape");
    if (!m.captured(7).isEmpty())
        return QCoreApplication::translate("JsonLd",
                                           "a number is not written as JSON writes numbers");
    if (context == QLatin1String("value"))
        return QCoreApplication::translate("JsonLd", "a value is missing before %1").arg(token);
    if (context == QLatin1String("object key"))
        return QCoreApplication::translate("JsonLd",
                                           "a key (text in double quotes) is missing before %1")
            .arg(token);
    if (context == QLatin1String("object separator"))
        return QCoreApplication::translate("JsonLd", "a ':' is missing after a key, before %1")
            .arg(token);
    if (context == QLatin1String("object"))
        return QCoreApplication::translate("JsonLd", "a ',' or '}' is missing before %1")
            .arg(token);
    if (context == QLatin1String("array"))
        return QCoreApplication::translate("JsonLd", "a ',' or ']' is missing before %1")
            .arg(token);
    return parserMessage;
}

void JsonLdExtractor::extract(QByteArrayView json, const ContentMap &map, qsizetype jsonOffset,
                              const SourceRange &blockRange, const ItemSink &sink)
{
    if (json.trimmed().isEmpty()) {
        sink(errorItem(blockRange, QCoreApplication::translate("JsonLd", "invalid JSON-LD: the block is empty"),
                       blockRange.startLine, blockRange.startColumn));
        return;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError) {
        // QJsonParseError::offset lands on or after the bad character depending on the
        // error; nlohmann-json names the offending byte consistently, so it locates it.
        qsizetype at = qBound(qsizetype(0), qsizetype(error.offset), json.size());
        QString message = error.errorString();
        try {
            const auto located = nlohmann::json::parse(json.begin(), json.end());
            Q_UNUSED(located);
        } catch (const nlohmann::json::parse_error &e) {
            at = qsizetype(e.byte) - 1; // 1-based index of the offending byte
            // In a writer's words (issue 19 item 5), not the parser's ("syntax error while
            // parsing value - unexpected ']'; expected '[', '{', or a literal").
            message = plainJsonError(QString::fromUtf8(e.what()));
        }
        at = jsonOffset + qBound(qsizetype(0), at, qMax(qsizetype(0), json.size() - 1));
        sink(errorItem(blockRange, QCoreApplication::translate("JsonLd", "invalid JSON-LD: %1").arg(message),
                       map.lineAt(at), map.columnAt(at)));
        return;
    }
    const JsonSpans spans(json);
    const qsizetype top = spans.skipSpace(0);
    if (doc.isArray()) {
        emitNodes(doc.array(), spans.arrayElements(top), map, jsonOffset, sink);
        return;
    }
    const QJsonObject object = doc.object();
    const QJsonValue graph = object.value(QLatin1String("@graph"));
    if (graph.isArray()) {
        const qsizetype at = spans.memberValue(top, "@graph");
        emitNodes(graph.toArray(), at >= 0 ? spans.arrayElements(at) : QList<Span>{}, map,
                  jsonOffset, sink);
        return;
    }
    sink(nodeItem(object, blockRange));
}

} // namespace Kyozo::MarkdownLD
