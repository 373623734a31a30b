#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <functional>

namespace Kyozo::App {

// Markdown → HTML with cmark-gfm and the GFM extensions (table, strikethrough, autolink,
// tagfilter, tasklist), as GitHub renders it: raw HTML kept, with tagfilter disarming
// <script>, <iframe> and the like. `codeHtml` may colour a fenced code block: given the
// fence's info string and code, it returns the inside of a <pre> or an empty string.
using CodeHtml = std::function<QString(const QString &info, const QString &code)>;
QString renderMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml = {});

// How the preview and Export HTML show what is Markdown-LD rather than Markdown (issue 19
// item 4). Kept in QSettings under "preview/…" by the main window.
struct PreviewOptions
{
    enum class FrontMatter { Table, Hidden };
    enum class LinkedData { Cards, Code };
    FrontMatter frontMatter = FrontMatter::Table;
    LinkedData linkedData = LinkedData::Cards;
    // A visible mark after each hidden-data run (the preview); an exported page keeps the
    // runs, unmarked, as the text has them.
    bool markHiddenData = true;
};

struct RenderedNotebook
{
    QString body;
    // Each JSON-LD block (fence or <script>) that parses, compact and in its own key
    // order: what Export HTML puts in the page's head for search engines.
    QStringList jsonLd;
};

// A notebook as a reader sees it: the front matter (core's definition of it) as a small
// table or not at all, never as a heading; JSON-LD fences and <script type=
// "application/ld+json"> as linked-data cards or as code; hidden-data runs marked.
// Everything of the text is in the page: runs are marked, not removed.
RenderedNotebook renderNotebook(const QByteArray &markdown, const PreviewOptions &options,
                                const CodeHtml &codeHtml = {});

// The cmark-gfm library's version, as it says it (Help → About).
QString markdownEngineVersion();

// A whole HTML page for "Export HTML": the rendered body with a title and UTF-8 charset,
// and each JSON-LD text as a <script type="application/ld+json"> in the head.
QString htmlPage(const QString &title, const QString &body, const QStringList &jsonLd = {});

} // namespace Kyozo::App
