#include "markdownrenderer.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

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

} // namespace

QString renderMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml)
{
    cmark_gfm_core_extensions_ensure_registered();
    const int options = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES;
    std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(options));
    for (const char *name : { "table", "strikethrough", "autolink", "tagfilter", "tasklist" }) {
        if (cmark_syntax_extension *ext = cmark_find_syntax_extension(name))
            cmark_parser_attach_syntax_extension(parser.get(), ext);
    }
    cmark_parser_feed(parser.get(), markdown.constData(), size_t(markdown.size()));
    std::unique_ptr<cmark_node, NodeDeleter> root(cmark_parser_finish(parser.get()));
    if (codeHtml)
        replaceCodeBlocks(root.get(), codeHtml);
    char *html = cmark_render_html(root.get(), options, cmark_parser_get_syntax_extensions(parser.get()));
    const QString out = QString::fromUtf8(html);
    free(html); // cmark's default allocator
    return out;
}

QString htmlPage(const QString &title, const QString &body)
{
    return QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%1</title>\n"
                          "</head>\n<body>\n%2</body>\n</html>\n")
            .arg(title.toHtmlEscaped(), body);
}

QString markdownEngineVersion()
{
    return QString::fromLatin1(cmark_version_string());
}

} // namespace Kyozo::App
