#pragma once

#include "plugin.h"

namespace Kyozo::MarkdownLD {

// The built-in extractors as parser plugins (SPEC §2.4: "the built-in extractors are
// themselves plugins"): JSON-LD fences, HTML metadata blocks, inline annotations. They are
// trusted: they run on the parser's thread, unwatched.
QList<std::shared_ptr<ParserPlugin>> builtInParserPlugins();

// A block too large for maxBlockBytes: its data skipped, said as an error item.
SemanticItem blockTooLarge(const SourceRange &range, const QString &what, qsizetype limit);

} // namespace Kyozo::MarkdownLD
