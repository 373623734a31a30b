#pragma once

#include "curieprefixes.h"
#include "plugin.h"

namespace Kyozo::MarkdownLD {

// Runs one parser plugin on one block, isolated (docs/plugins.md): on a worker thread, with
// its own copy of the block, within a time budget. A C++ thread cannot be killed safely, so
// time is cooperative: PluginContext::expired() says the budget is spent, and a plugin that
// has not returned within 10x the budget is abandoned — its thread is left running on its
// copy and whatever it still emits goes nowhere.
struct PluginRun
{
    QList<SemanticItem> items; // empty when it failed
    QString failure; // why the plugin is isolated: it threw, returned garbage, ran too long
};

PluginRun runPlugin(const std::shared_ptr<ParserPlugin> &plugin, const BlockEvent &block,
                    const CuriePrefixes &prefixes, qsizetype maxBlockBytes, int budgetMs);

// The one item of a node a plugin emitted as JSON text, within `range`; empty when the text
// is not a JSON object.
std::optional<SemanticItem> pluginItemFromJson(QByteArrayView node, const SourceRange &range);

} // namespace Kyozo::MarkdownLD
