#include "markdownrenderer.h"

#include "markdownld/frontmatterextractor.h"
#include "markdownld/htmlmetadataextractor.h"
#include "markdownld/jsonldextractor.h"
#include "markdownld/streamparser.h"
#include "stego/invisiblerun.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <memory>

namespace Kyozo::App {

namespace {

struct ParserDeleter
{
    void operator()(cmark_parser *p) const { cmark_parser_free(p); }
};
struct NodeDeleter
{
    void operator()(cmark_node *n) const { cmark_node_free(n); }
};

void replaceCodeBlocks(cmark_node *root, const CodeHtml &codeHtml)
{
    cmark_iter *iter = cmark_iter_new(root);
    QList<cmark_node *> blocks;
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *node = cmark_iter_get_node(iter);
        // Only fenced blocks have an info string; indented code stays as cmark renders it.
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK)
            blocks.append(node);
    }
    cmark_iter_free(iter);
    for (cmark_node *node : std::as_const(blocks)) {
        const QString info = QString::fromUtf8(cmark_node_get_fence_info(node));
        if (info.isEmpty())
            continue;
        const QString body = codeHtml(info, QString::fromUtf8(cmark_node_get_literal(node)));
        if (body.isEmpty())
            continue;
        cmark_node *html = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        cmark_node_set_literal(html, QStringLiteral("<pre>%1</pre>\n").arg(body).toUtf8().constData());
        cmark_node_insert_before(node, html);
        cmark_node_free(node); // unlinks it
    }
}

using Json = nlohmann::ordered_json;
using MarkdownLD::FrontMatterExtractor;

std::unique_ptr<cmark_parser, ParserDeleter> gfmParser(int options)
{
    cmark_gfm_core_extensions_ensure_registered();
    std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(options));
    for (const char *name : { "table", "strikethrough", "autolink", "tagfilter", "tasklist" }) {
        if (cmark_syntax_extension *ext = cmark_find_syntax_extension(name))
            cmark_parser_attach_syntax_extension(parser.get(), ext);
    }
    return parser;
}

constexpr int kOptions = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES;

QString renderTree(cmark_parser *parser, cmark_node *root)
{
    char *html = cmark_render_html(root, kOptions, cmark_parser_get_syntax_extensions(parser));
    const QString out = QString::fromUtf8(html);
    free(html); // cmark's default allocator
    return out;
}

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString fromStd(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// A value in a card or the front matter table: text as it is, a node by its name or id,
// a list by its first few members. Bounded: nothing nested is walked below one level.
constexpr qsizetype kMaxValueChars = 160;
constexpr int kMaxListed = 3;

QString shortened(QString text)
{
    if (text.size() > kMaxValueChars)
        text = text.left(kMaxValueChars - 1) + QChar(0x2026);
    return text;
}

QString nodeLabel(const Json &node)
{
    for (const char *key :
         { "name", "headline", "title", "schema:name", "label", "@value", "@id" }) {
        const auto it = node.find(key);
        if (it != node.end() && it->is_string())
            return fromStd(it->get<std::string>());
    }
    return QString(QChar(0x2026));
}

QString valueText(const Json &value, bool nested = false)
{
    if (value.is_string())
        return shortened(fromStd(value.get<std::string>()));
    if (value.is_object())
        return shortened(nodeLabel(value));
    if (value.is_array()) {
        if (nested)
            return QString(QChar(0x2026));
        QStringList parts;
        for (const Json &member : value) {
            if (parts.size() == kMaxListed) {
                parts.append(QString(QChar(0x2026)));
                break;
            }
            parts.append(valueText(member, true));
        }
        return parts.join(QLatin1String(", "));
    }
    return fromStd(value.dump());
}

QString typeText(const Json &node)
{
    const auto it = node.find("@type");
    if (it == node.end())
        return QCoreApplication::translate("Kyozo::App::Preview", "Linked data");
    return valueText(*it);
}

// One node of a JSON-LD block as a card: its type, name and id, then its first properties
// in the order the block has them.
constexpr int kCardProperties = 6;

QString card(const Json &node)
{
    QString name;
    const char *nameKey = nullptr;
    for (const char *key : { "name", "headline", "title", "schema:name" }) {
        const auto it = node.find(key);
        if (it != node.end() && it->is_string()) {
            name = fromStd(it->get<std::string>());
            nameKey = key;
            break;
        }
    }
    QString html = QStringLiteral("<table class=\"ld-card\" border=\"1\" cellspacing=\"0\" "
                                  "cellpadding=\"4\" width=\"100%\" style=\"border-color: "
                                  "#8a9bb8; border-style: solid; margin-top: 4px; "
                                  "margin-bottom: 8px\">\n<tr><td colspan=\"2\">");
    html += QStringLiteral("<b>%1</b>").arg(escaped(typeText(node)));
    if (!name.isEmpty())
        html += QStringLiteral(" &middot; %1").arg(escaped(shortened(name)));
    const auto id = node.find("@id");
    if (id != node.end() && id->is_string())
        html += QStringLiteral("<br/><small>%1</small>")
                    .arg(escaped(shortened(fromStd(id->get<std::string>()))));
    html += QStringLiteral("</td></tr>\n");
    int shown = 0;
    int more = 0;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string &key = it.key();
        if (key == "@context" || key == "@type" || key == "@id" || (nameKey && key == nameKey))
            continue;
        if (shown == kCardProperties) {
            ++more;
            continue;
        }
        ++shown;
        html += QStringLiteral("<tr><td width=\"30%\"><small>%1</small></td><td>%2</td></tr>\n")
                    .arg(escaped(fromStd(key)), escaped(valueText(it.value())));
    }
    if (more > 0) {
        html += QStringLiteral("<tr><td colspan=\"2\"><small>%1</small></td></tr>\n")
                    .arg(escaped(QCoreApplication::translate("Kyozo::App::Preview", "and %1 more")
                                     .arg(more)));
    }
    return html + QStringLiteral("</table>\n");
}

// The nodes a JSON-LD text describes, as core's extractor counts them: an object, each
// member of a top-level array, each member of @graph.
QList<const Json *> nodesOf(const Json &json)
{
    QList<const Json *> nodes;
    const auto add = [&nodes](const Json &value) {
        if (!value.is_object())
            return;
        const auto graph = value.find("@graph");
        if (graph != value.end() && graph->is_array()) {
            for (const Json &member : *graph)
                if (member.is_object())
                    nodes.append(&member);
        } else {
            nodes.append(&value);
        }
    };
    if (json.is_array()) {
        for (const Json &member : json)
            add(member);
    } else {
        add(json);
    }
    return nodes;
}

// nlohmann-json parses without recursion but dumps with it: deeper texts are shown as code.
constexpr int kMaxNesting = 256;

int nesting(QByteArrayView json)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = qMax(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

class NotebookRenderer
{
public:
    NotebookRenderer(const PreviewOptions &options, const CodeHtml &codeHtml)
        : m_options(options)
        , m_codeHtml(codeHtml)
    {
    }

    RenderedNotebook render(const QByteArray &markdown)
    {
        RenderedNotebook out;
        QByteArrayView body = markdown;
        QString head;
        if (const auto fm = MarkdownLD::StreamParser::leadingFrontMatter(markdown)) {
            body = body.sliced(qsizetype(fm->bodyStart));
            if (m_options.frontMatter == PreviewOptions::FrontMatter::Table)
                head = frontMatterTable(*fm);
        }
        auto parser = gfmParser(kOptions);
        cmark_parser_feed(parser.get(), body.data(), size_t(body.size()));
        std::unique_ptr<cmark_node, NodeDeleter> root(cmark_parser_finish(parser.get()));
        rewrite(root.get());
        out.body = head + renderTree(parser.get(), root.get());
        out.jsonLd = m_jsonLd;
        return out;
    }

private:
    QString frontMatterTable(const MarkdownLD::StreamParser::LeadingFrontMatter &fm) const
    {
        const auto keys = FrontMatterExtractor::orderedKeys(
            fm.toml ? FrontMatterExtractor::Syntax::Toml : FrontMatterExtractor::Syntax::Yaml,
            fm.content);
        // Front matter that does not parse is shown as it is written: the Semantics panel
        // says what is wrong with it.
        if (!keys) {
            return QStringLiteral("<pre class=\"front-matter\"><code>%1</code></pre>\n")
                .arg(escaped(QString::fromUtf8(fm.content)));
        }
        if (keys->isEmpty())
            return {};
        QString html = QStringLiteral("<table class=\"front-matter\" cellspacing=\"0\" "
                                      "cellpadding=\"2\" style=\"margin-bottom: 8px\">\n");
        for (const auto &[key, value] : *keys) {
            // A list reads as the cards' lists do: "markdown-ld, linked data".
            const QString text = value.isArray() || value.isObject()
                ? valueText(Json::parse((value.isArray() ? QJsonDocument(value.toArray())
                                                         : QJsonDocument(value.toObject()))
                                            .toJson(QJsonDocument::Compact)
                                            .toStdString()))
                : value.isString() ? value.toString()
                                   : value.toVariant().toString();
            html += QStringLiteral("<tr><td><small><b>%1</b></small></td><td><small>%2</small>"
                                   "</td></tr>\n")
                        .arg(escaped(key), escaped(shortened(text)));
        }
        return html + QStringLiteral("</table>\n");
    }

    void rewrite(cmark_node *root)
    {
        cmark_iter *iter = cmark_iter_new(root);
        QList<cmark_node *> code;
        QList<cmark_node *> html;
        QList<cmark_node *> text;
        for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
            if (ev != CMARK_EVENT_ENTER)
                continue;
            cmark_node *node = cmark_iter_get_node(iter);
            switch (cmark_node_get_type(node)) {
            case CMARK_NODE_CODE_BLOCK:
                code.append(node);
                break;
            case CMARK_NODE_HTML_BLOCK:
                html.append(node);
                break;
            case CMARK_NODE_TEXT:
                text.append(node);
                break;
            default:
                break;
            }
        }
        cmark_iter_free(iter);
        // Changed after the walk: an iterator must not see its tree change under it.
        for (cmark_node *node : std::as_const(code))
            rewriteCodeBlock(node);
        for (cmark_node *node : std::as_const(html))
            rewriteHtmlBlock(node);
        if (m_options.markHiddenData) {
            for (cmark_node *node : std::as_const(text))
                markHiddenRuns(node);
        }
    }

    void replaceWithHtml(cmark_node *node, const QString &html)
    {
        cmark_node *block = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        cmark_node_set_literal(block, html.toUtf8().constData());
        cmark_node_insert_before(node, block);
        cmark_node_free(node); // unlinks it
    }

    QString codePre(const QString &language, const QString &code) const
    {
        const QString coloured = m_codeHtml ? m_codeHtml(language, code) : QString();
        if (!coloured.isEmpty())
            return QStringLiteral("<pre>%1</pre>\n").arg(coloured);
        return QStringLiteral("<pre><code>%1</code></pre>\n").arg(escaped(code));
    }

    // A JSON-LD text as the options want it, remembered for the page head when it parses.
    QString linkedData(const QByteArray &json)
    {
        Json parsed;
        bool valid = nesting(json) <= kMaxNesting;
        try {
            if (valid)
                parsed = Json::parse(json.constData(), json.constData() + json.size());
        } catch (const Json::exception &) {
            valid = false;
        }
        const QList<const Json *> nodes = valid ? nodesOf(parsed) : QList<const Json *>();
        if (valid)
            m_jsonLd.append(fromStd(parsed.dump(-1, ' ', false, Json::error_handler_t::replace)));
        const QString text = QString::fromUtf8(json);
        if (m_options.linkedData == PreviewOptions::LinkedData::Code || nodes.isEmpty()) {
            QString html = codePre(QStringLiteral("json"), text);
            if (!valid)
                html.prepend(QStringLiteral("<p><small>%1</small></p>\n")
                                 .arg(escaped(QCoreApplication::translate(
                                     "Kyozo::App::Preview",
                                     "This JSON-LD block does not parse: the "
                                     "Semantics panel says why."))));
            return html;
        }
        QString html;
        for (const Json *node : nodes)
            html += card(*node);
        return html;
    }

    void rewriteCodeBlock(cmark_node *node)
    {
        const QByteArray info = cmark_node_get_fence_info(node);
        if (info.isEmpty())
            return; // indented code stays as cmark renders it
        const QByteArray literal = cmark_node_get_literal(node);
        if (MarkdownLD::JsonLdExtractor::claimsFenceInfo(info)) {
            replaceWithHtml(node, linkedData(literal));
            return;
        }
        const QString coloured = m_codeHtml
            ? m_codeHtml(QString::fromUtf8(info), QString::fromUtf8(literal))
            : QString();
        if (!coloured.isEmpty())
            replaceWithHtml(node, QStringLiteral("<pre>%1</pre>\n").arg(coloured));
    }

    // <script type="application/ld+json"> elements become cards (or code); the block's other
    // HTML stays as it is, tagfilter still disarming any other <script>.
    void rewriteHtmlBlock(cmark_node *node)
    {
        const QByteArray literal = cmark_node_get_literal(node);
        const auto scripts = MarkdownLD::HtmlMetadataExtractor::jsonLdScripts(literal);
        if (scripts.isEmpty())
            return;
        QString html;
        qsizetype at = 0;
        for (const auto &script : scripts) {
            html += QString::fromUtf8(literal.sliced(at, script.start - at));
            html += linkedData(literal.sliced(script.textStart, script.textEnd - script.textStart));
            at = script.end;
        }
        html += QString::fromUtf8(literal.sliced(at));
        cmark_node_set_literal(node, html.toUtf8().constData());
    }

    // Invisible runs (core's definition, legitimate joiners left alone) get a visible mark
    // after them; their payload is the Hidden data panel's business.
    static void markHiddenRuns(cmark_node *node)
    {
        const QByteArray literal = cmark_node_get_literal(node);
        if (Stego::findInvisible(literal) < 0)
            return;
        const auto runs = Stego::detectRuns(literal);
        if (runs.isEmpty())
            return;
        qsizetype at = 0;
        for (const auto &run : runs) {
            // The run stays (copying from the preview copies the data); the mark follows it.
            cmark_node *before = cmark_node_new(CMARK_NODE_TEXT);
            cmark_node_set_literal(before, literal.sliced(at, run.end - at).constData());
            cmark_node_insert_before(node, before);
            cmark_node *mark = cmark_node_new(CMARK_NODE_HTML_INLINE);
            const QString title
                = QCoreApplication::translate("Kyozo::App::Preview",
                                              "Hidden data (%1 invisible characters)")
                      .arg(run.codePoints);
            cmark_node_set_literal(mark,
                                   QStringLiteral("<span class=\"hidden-data\" title=\"%1\" "
                                                  "style=\"color: #b35900\">&#x25C6;</span>")
                                       .arg(escaped(title))
                                       .toUtf8()
                                       .constData());
            cmark_node_insert_before(node, mark);
            at = run.end;
        }
        if (at < literal.size()) {
            cmark_node *after = cmark_node_new(CMARK_NODE_TEXT);
            cmark_node_set_literal(after, literal.sliced(at).constData());
            cmark_node_insert_before(node, after);
        }
        cmark_node_free(node);
    }

    const PreviewOptions &m_options;
    const CodeHtml &m_codeHtml;
    QStringList m_jsonLd;
};

} // namespace

QString renderMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml)
{
    auto parser = gfmParser(kOptions);
    cmark_parser_feed(parser.get(), markdown.constData(), size_t(markdown.size()));
    std::unique_ptr<cmark_node, NodeDeleter> root(cmark_parser_finish(parser.get()));
    if (codeHtml)
        replaceCodeBlocks(root.get(), codeHtml);
    return renderTree(parser.get(), root.get());
}

RenderedNotebook renderNotebook(const QByteArray &markdown, const PreviewOptions &options,
                                const CodeHtml &codeHtml)
{
    return NotebookRenderer(options, codeHtml).render(markdown);
}

QString htmlPage(const QString &title, const QString &body, const QStringList &jsonLd)
{
    QString scripts;
    for (QString json : jsonLd) {
        // '<' only occurs inside JSON strings, where \u003c means the same: no "</script>"
        // or "<!--" can end or bend the element early.
        json.replace(QLatin1Char('<'), QLatin1String("\\u003c"));
        scripts += QStringLiteral("<script type=\"application/ld+json\">%1</script>\n").arg(json);
    }
    return QStringLiteral(
               "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%1</title>\n"
               "%2</head>\n<body>\n%3</body>\n</html>\n")
        .arg(title.toHtmlEscaped(), scripts, body);
}

QString markdownEngineVersion()
{
    return QString::fromLatin1(cmark_version_string());
}

} // namespace Kyozo::App
