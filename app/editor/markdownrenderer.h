#pragma once

#include <QByteArray>
#include <QString>
#include <functional>

namespace Kyozo::App {

// Markdown → HTML with cmark-gfm and the GFM extensions (table, strikethrough, autolink,
// tagfilter, tasklist), as GitHub renders it: raw HTML kept, with tagfilter disarming
// <script>, <iframe> and the like. `codeHtml` may colour a fenced code block: given the
// fence's info string and code, it returns the inside of a <pre> or an empty string.
using CodeHtml = std::function<QString(const QString &info, const QString &code)>;
QString renderMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml = {});

// The cmark-gfm library's version, as it says it (Help → About).
QString markdownEngineVersion();

// A whole HTML page for "Export HTML": the rendered body with a title and UTF-8 charset.
QString htmlPage(const QString &title, const QString &body);

} // namespace Kyozo::App
