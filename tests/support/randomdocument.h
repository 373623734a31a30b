#pragma once

#include <QByteArray>
#include <QRandomGenerator>

namespace KyozoTest {

// A random Markdown-LD document made of the constructs the parser must get right:
// fences of both kinds and several lengths (some unclosed), JSON-LD, HTML blocks, lists,
// quotes with lazy lines, setext headings, tables, tabs, multi-byte text, CRLF or LF
// endings, sometimes a BOM and front matter.
QByteArray randomDocument(QRandomGenerator &random, int blocks);

} // namespace KyozoTest
