#pragma once

#include "blockevent.h"
#include "semanticitem.h"
#include "streamlistener.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QtPlugin>

#include <memory>

namespace Kyozo::MarkdownLD {

class CuriePrefixes;

// SPEC §2.4, issue 18 item 1, docs/plugins.md: the interface of every stage of a stream,
// the built-in extractors included.

// What a parser plugin is given while it extracts one block.
class PluginContext
{
public:
    virtual ~PluginContext() = default;
    // The block's time budget is spent: stop and return (work is cooperative; a plugin that
    // has not returned within 10x its budget is abandoned, docs/plugins.md).
    virtual bool expired() const = 0;
    // An item found in the block; its range must lie inside the block's.
    virtual void addItem(SemanticItem item) = 0;
    // An item as JSON text: a JSON-LD node (an object), kept as its properties, with its
    // @type and @id; anything else is garbage and isolates the plugin.
    virtual void addJson(QByteArrayView node) = 0;
    // The CURIE prefixes known so far (built-ins and front matter's `prefixes:`).
    virtual const CuriePrefixes &prefixes() const = 0;
    virtual qsizetype maxBlockBytes() const = 0;
};

// Claims blocks and turns them into items: fenced code by its info string (whose content
// the parser then buffers), HTML blocks, paragraphs or headings by their content.
class ParserPlugin
{
public:
    virtual ~ParserPlugin() = default;
    virtual QString name() const = 0;
    // Asked when a fence opens, so that its content is kept for extract().
    virtual bool claimsFenceInfo(QByteArrayView info) const
    {
        Q_UNUSED(info);
        return false;
    }
    // Asked when a block closes. The default: fenced code whose info it claimed.
    virtual bool claims(const BlockEvent &block) const
    {
        return block.kind == BlockKind::FencedCode && claimsFenceInfo(block.info);
    }
    // Must be reentrant: one plugin may serve several streams at once.
    virtual void extract(const BlockEvent &block, PluginContext &context) const = 0;
    // Built-ins run on the parser's thread without a budget; every other plugin on a
    // worker, watched.
    virtual bool trusted() const { return false; }
};

// Rewrites, enriches or filters each item on its way out.
class TransformPlugin
{
public:
    virtual ~TransformPlugin() = default;
    virtual QString name() const = 0;
    // False drops the item.
    virtual bool transform(SemanticItem &item) const = 0;
};

// What a plugin library exports (QPluginLoader): its stages. Listeners are made per stream.
class PluginFactory
{
public:
    virtual ~PluginFactory() = default;
    virtual QList<std::shared_ptr<ParserPlugin>> parserPlugins() const { return {}; }
    virtual QList<std::shared_ptr<TransformPlugin>> transforms() const { return {}; }
    virtual std::unique_ptr<StreamListener> createListener() const { return nullptr; }
};

} // namespace Kyozo::MarkdownLD

#define KyozoPluginFactory_iid "net.kyozo.MarkdownLD.PluginFactory/1"
Q_DECLARE_INTERFACE(Kyozo::MarkdownLD::PluginFactory, KyozoPluginFactory_iid)
