#include "pluginrunner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace Kyozo::MarkdownLD {

namespace {

    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(StreamParser)
    };

    // Everything a worker touches, owned, and kept alive by the worker itself: an
    // abandoned one goes on with its copy after the parser has moved on.
    struct Job : PluginContext
    {
        std::shared_ptr<ParserPlugin> plugin;
        QByteArray info, content;
        QList<ContentLine> lines;
        BlockEvent block;
        CuriePrefixes prefixesCopy;
        qsizetype maxBytes = 0;
        qint64 budgetMs = 0;
        QElapsedTimer clock;

        std::mutex mutex;
        std::condition_variable finished;
        bool done = false;
        QList<SemanticItem> items;
        QString failure;

        bool expired() const override { return clock.elapsed() >= budgetMs; }
        const CuriePrefixes &prefixes() const override { return prefixesCopy; }
        qsizetype maxBlockBytes() const override { return maxBytes; }

        void addItem(SemanticItem item) override
        {
            const std::lock_guard lock(mutex);
            if (done || !failure.isEmpty())
                return;
            const SourceRange &r = block.range;
            if (item.range.startByte < r.startByte || item.range.endByte > r.endByte
                || item.range.startByte > item.range.endByte || item.range.startLine < r.startLine
                || item.range.endLine > r.endLine) {
                failure = Tr::tr("it returned an item outside its block");
                return;
            }
            items.append(std::move(item));
        }

        void addJson(QByteArrayView node) override
        {
            std::optional<SemanticItem> item = pluginItemFromJson(node, block.range);
            if (!item) {
                const std::lock_guard lock(mutex);
                if (failure.isEmpty())
                    failure = Tr::tr("it returned invalid JSON (not a JSON-LD node object)");
                return;
            }
            addItem(std::move(*item));
        }
    };

    void work(const std::shared_ptr<Job> &job)
    {
        QString thrown;
        try {
            job->plugin->extract(job->block, *job);
        } catch (const std::exception &e) {
            thrown = Tr::tr("it threw: %1").arg(QString::fromLocal8Bit(e.what()));
        } catch (...) {
            thrown = Tr::tr("it threw");
        }
        const std::lock_guard lock(job->mutex);
        if (!thrown.isEmpty() && job->failure.isEmpty())
            job->failure = thrown;
        job->done = true;
        job->finished.notify_all();
    }

} // namespace

std::optional<SemanticItem> pluginItemFromJson(QByteArrayView node, const SourceRange &range)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(node.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    SemanticItem item;
    item.kind = ItemKind::Plugin;
    item.properties = doc.object();
    const QJsonValue type = item.properties.value(QLatin1String("@type"));
    item.type = type.isString() || type.isArray() ? type : QJsonValue(QJsonValue::Null);
    const QJsonValue id = item.properties.value(QLatin1String("@id"));
    item.id = id.isString() ? id : QJsonValue(QJsonValue::Null);
    item.range = range;
    return item;
}

PluginRun runPlugin(const std::shared_ptr<ParserPlugin> &plugin, const BlockEvent &block,
                    const CuriePrefixes &prefixes, qsizetype maxBlockBytes, int budgetMs)
{
    auto job = std::make_shared<Job>();
    job->plugin = plugin;
    job->info = block.info.toByteArray();
    job->content = block.content.toByteArray();
    if (block.contentLines)
        job->lines = *block.contentLines;
    job->block = block;
    job->block.info = job->info;
    job->block.content = job->content;
    job->block.contentLines = &job->lines;
    job->prefixesCopy = prefixes;
    job->maxBytes = maxBlockBytes;
    job->budgetMs = budgetMs;

    job->clock.start();
    std::thread worker([job] { work(job); });
    std::unique_lock lock(job->mutex);
    const bool returned = job->finished.wait_for(lock, std::chrono::milliseconds(10 * budgetMs),
                                                 [&] { return job->done; });
    PluginRun run;
    if (!returned) {
        job->failure = Tr::tr("it did not return within 10x its time budget (%1 ms) and was "
                              "abandoned")
                           .arg(budgetMs);
        run.failure = job->failure;
        lock.unlock();
        worker.detach(); // cannot be stopped safely: left behind, on its own copy
        return run;
    }
    lock.unlock();
    worker.join();
    if (job->failure.isEmpty() && job->clock.elapsed() > budgetMs)
        job->failure = Tr::tr("it ran past its time budget (%1 ms)").arg(budgetMs);
    run.failure = job->failure;
    if (run.failure.isEmpty()) {
        run.items = job->items;
        for (SemanticItem &item : run.items)
            item.plugin = plugin->name();
    }
    return run;
}

} // namespace Kyozo::MarkdownLD
