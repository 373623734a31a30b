#pragma once

#include "plugin.h"
#include "streamparser.h"

#include <QStringList>

#include <functional>
#include <vector>

namespace Kyozo::MarkdownLD {

class PipelineStream;

// SPEC §2.4: an ordered composition of stages — the built-in extractors, then parser
// plugins, then transforms, then listeners — reused for any number of streams. Stages come
// from code (add) or from plugin libraries (addLibrary, addSearchPath): docs/plugins.md.
class Pipeline
{
public:
    Pipeline &add(std::shared_ptr<ParserPlugin> plugin);
    Pipeline &add(std::shared_ptr<TransformPlugin> transform);
    // Listeners keep per-stream state: a factory makes one for each stream.
    Pipeline &addListener(std::function<std::unique_ptr<StreamListener>()> factory);

    // A plugin library (QPluginLoader) exporting a PluginFactory. False with *error set when
    // it cannot be loaded or is not a Kyozo plugin.
    bool addLibrary(const QString &path, QString *error);
    // Every library in KYOZO_PLUGIN_PATH's directories (separated as PATH is), then in the
    // install prefix's plugin directory. Returns the ones that failed, with why.
    QStringList addSearchPath();
    static QStringList searchDirectories();

    QStringList names() const; // the stages added, for --help and the About box

    std::unique_ptr<PipelineStream> open(StreamParser::Options options = {}) const;
    // The parser and transform stages added to `options`, for a StreamParser of one's own
    // (the listeners are left out).
    void configure(StreamParser::Options &options) const;

private:
    void addFactory(const PluginFactory &factory);
    QList<std::shared_ptr<ParserPlugin>> m_parsers;
    QList<std::shared_ptr<TransformPlugin>> m_transforms;
    QList<std::function<std::unique_ptr<StreamListener>()>> m_listeners;
};

// One stream through a pipeline: its parser and its own listeners.
class PipelineStream
{
public:
    StreamParser &parser() { return *m_parser; }
    void addListener(StreamListener *listener) { m_parser->addListener(listener); }
    void feed(QByteArrayView chunk) { m_parser->feed(chunk); }
    void finish() { m_parser->finish(); }

private:
    friend class Pipeline;
    std::vector<std::unique_ptr<StreamListener>> m_ownListeners;
    std::unique_ptr<StreamParser> m_parser;
};

} // namespace Kyozo::MarkdownLD
