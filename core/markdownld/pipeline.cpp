#include "pipeline.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibrary>
#include <QPluginLoader>

namespace Kyozo::MarkdownLD {

namespace {

    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(Pipeline)
    };

    // Loaded libraries stay loaded: their plugins may be in use by any stream, and an
    // abandoned plugin's thread may still run their code.
    QList<QPluginLoader *> &loaders()
    {
        static QList<QPluginLoader *> all;
        return all;
    }

} // namespace

Pipeline &Pipeline::add(std::shared_ptr<ParserPlugin> plugin)
{
    m_parsers.append(std::move(plugin));
    return *this;
}

Pipeline &Pipeline::add(std::shared_ptr<TransformPlugin> transform)
{
    m_transforms.append(std::move(transform));
    return *this;
}

Pipeline &Pipeline::addListener(std::function<std::unique_ptr<StreamListener>()> factory)
{
    m_listeners.append(std::move(factory));
    return *this;
}

void Pipeline::addFactory(const PluginFactory &factory)
{
    m_parsers += factory.parserPlugins();
    m_transforms += factory.transforms();
    if (factory.createListener())
        m_listeners.append([&factory] { return factory.createListener(); });
}

bool Pipeline::addLibrary(const QString &path, QString *error)
{
    auto *loader = new QPluginLoader(QDir::current().absoluteFilePath(path));
    QObject *instance = loader->instance();
    auto *factory = qobject_cast<PluginFactory *>(instance);
    if (!factory) {
        *error = instance
            ? Tr::tr("%1 is not a Kyozo plugin (no %2)")
                  .arg(path, QLatin1String(KyozoPluginFactory_iid))
            : Tr::tr("cannot load the plugin %1: %2").arg(path, loader->errorString());
        loader->unload();
        delete loader;
        return false;
    }
    loaders().append(loader);
    addFactory(*factory);
    return true;
}

QStringList Pipeline::searchDirectories()
{
    QStringList dirs = qEnvironmentVariable("KYOZO_PLUGIN_PATH")
                           .split(QDir::listSeparator(), Qt::SkipEmptyParts);
    dirs.append(QStringLiteral(KYOZO_PLUGIN_INSTALL_DIR));
    return dirs;
}

QStringList Pipeline::addSearchPath()
{
    QStringList failures;
    for (const QString &dir : searchDirectories()) {
        const QDir d(dir);
        for (const QString &name : d.entryList(QDir::Files, QDir::Name)) {
            if (!QLibrary::isLibrary(name))
                continue;
            QString error;
            if (!addLibrary(d.filePath(name), &error))
                failures.append(error);
        }
    }
    return failures;
}

QStringList Pipeline::names() const
{
    QStringList out;
    for (const auto &p : m_parsers)
        out.append(p->name());
    for (const auto &t : m_transforms)
        out.append(t->name());
    return out;
}

void Pipeline::configure(StreamParser::Options &options) const
{
    options.plugins += m_parsers;
    options.transforms += m_transforms;
}

std::unique_ptr<PipelineStream> Pipeline::open(StreamParser::Options options) const
{
    configure(options);
    auto stream = std::unique_ptr<PipelineStream>(new PipelineStream);
    stream->m_parser = std::make_unique<StreamParser>(options);
    for (const auto &make : m_listeners) {
        stream->m_ownListeners.push_back(make());
        if (stream->m_ownListeners.back())
            stream->m_parser->addListener(stream->m_ownListeners.back().get());
    }
    return stream;
}

} // namespace Kyozo::MarkdownLD
