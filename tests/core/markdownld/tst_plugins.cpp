// Plugins and pipelines (SPEC §2.4, issue 18 items 1–2, docs/plugins.md): a plugin that
// throws, one that loops forever, one that returns invalid JSON, one too slow and one that
// reports outside its block are each isolated — one error item naming it, disabled for the
// rest of the stream — and the rest of the document's items are what they are without
// them; transforms rewrite, filter and are isolated too; a pipeline serves several streams;
// the example plugin is loaded from disk. Expected items are written by hand.
#include "collectinglistener.h"
#include "markdownld/pipeline.h"
#include "testpaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <stdexcept>
#include <thread>

using namespace Kyozo::MarkdownLD;

namespace {

// Claims fences whose info string is its name.
class Named : public ParserPlugin
{
public:
    explicit Named(QString name)
        : m_name(std::move(name))
    {
    }
    QString name() const override { return m_name; }
    bool claimsFenceInfo(QByteArrayView info) const override { return info == m_name.toUtf8(); }

private:
    QString m_name;
};

class Throws final : public Named
{
public:
    Throws()
        : Named(QStringLiteral("throws"))
    {
    }
    void extract(const BlockEvent &, PluginContext &) const override
    {
        throw std::runtime_error("instrument file is corrupt");
    }
};

class LoopsForever final : public Named
{
public:
    LoopsForever()
        : Named(QStringLiteral("loops"))
    {
    }
    void extract(const BlockEvent &, PluginContext &) const override
    {
        for (;;) // never looks at expired(); sleeps so the abandoned thread costs no CPU
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
};

class InvalidJson final : public Named
{
public:
    InvalidJson()
        : Named(QStringLiteral("garbage"))
    {
    }
    void extract(const BlockEvent &, PluginContext &context) const override
    {
        context.addJson("{\"@type\": \"Thing\", ");
    }
};

class Slow final : public Named
{
public:
    Slow()
        : Named(QStringLiteral("slow"))
    {
    }
    void extract(const BlockEvent &, PluginContext &) const override
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(120)); // 2.4x a 50 ms budget
    }
};

class OutOfBlock final : public Named
{
public:
    OutOfBlock()
        : Named(QStringLiteral("astray"))
    {
    }
    void extract(const BlockEvent &block, PluginContext &context) const override
    {
        SemanticItem item;
        item.kind = ItemKind::Plugin;
        item.range = block.range;
        item.range.endByte += 1000;
        context.addItem(item);
    }
};

// A well-behaved one: each line of an ```instrument fence is a measurement.
class Instrument final : public Named
{
public:
    Instrument()
        : Named(QStringLiteral("instrument"))
    {
    }
    void extract(const BlockEvent &block, PluginContext &context) const override
    {
        for (const QByteArray &line : block.content.toByteArray().split('\n')) {
            if (context.expired())
                return;
            if (!line.isEmpty())
                context.addJson("{\"@type\":\"Observation\",\"value\":\"" + line + "\"}");
        }
    }
};

const QByteArray kDoc
    = "# Lab\n"
      "\n"
      "```json-ld\n{\"@context\":\"https://schema.org\",\"@id\":\"#a\",\"name\":\"A\"}\n```\n"
      "\n"
      "```throws\nx\n```\n"
      "\n"
      "```loops\nx\n```\n"
      "\n"
      "```garbage\nx\n```\n"
      "\n"
      "```instrument\n1.5\n2.5\n```\n"
      "\n"
      "```throws\nagain\n```\n"
      "\n"
      "```loops\nagain\n```\n"
      "\n"
      "```json-ld\n{\"@context\":\"https://schema.org\",\"@id\":\"#b\",\"name\":\"B\"}\n```\n";

// 200 ms, the default: well-behaved plugins stay far inside it even on a loaded machine.
QJsonArray parse(const QByteArray &doc, const Pipeline &pipeline, int budgetMs = 200)
{
    StreamParser::Options options;
    options.pluginBudgetMs = budgetMs;
    std::unique_ptr<PipelineStream> stream = pipeline.open(options);
    KyozoTest::CollectingListener listener;
    stream->addListener(&listener);
    stream->feed(doc);
    stream->finish();
    return listener.items;
}

QList<QJsonObject> ofKind(const QJsonArray &items, const QString &kind)
{
    QList<QJsonObject> out;
    for (const QJsonValue &v : items) {
        QJsonObject o = v.toObject();
        o.remove("n"); // the output index counts the other items too
        if (o.value("kind").toString() == kind)
            out.append(o);
    }
    return out;
}

QString firstMessage(const QJsonObject &item)
{
    return item.value("errors").toArray().first().toObject().value("message").toString();
}

} // namespace

class TestPlugins : public QObject
{
    Q_OBJECT
private slots:
    void badPluginsAreIsolatedAndTheRestCarriesOn()
    {
        Pipeline pipeline;
        pipeline.add(std::make_shared<Throws>())
            .add(std::make_shared<LoopsForever>())
            .add(std::make_shared<InvalidJson>())
            .add(std::make_shared<Instrument>());
        QElapsedTimer clock;
        clock.start();
        const QJsonArray items = parse(kDoc, pipeline);
        // The loop is abandoned once, at 10x the budget (2 s), not again at its second fence.
        QVERIFY2(clock.elapsed() < 3900, qPrintable(QString::number(clock.elapsed())));

        // One error per bad plugin, naming it, on its first block only.
        const QList<QJsonObject> errors = ofKind(items, "error");
        QCOMPARE(errors.size(), 3);
        QCOMPARE(errors[0].value("plugin").toString(), QStringLiteral("throws"));
        QVERIFY(firstMessage(errors[0]).contains("instrument file is corrupt"));
        QCOMPARE(errors[0].value("range").toObject().value("startLine").toInt(), 7);
        QCOMPARE(errors[1].value("plugin").toString(), QStringLiteral("loops"));
        QVERIFY(firstMessage(errors[1]).contains("abandoned"));
        QCOMPARE(errors[1].value("range").toObject().value("startLine").toInt(), 11);
        QCOMPARE(errors[2].value("plugin").toString(), QStringLiteral("garbage"));
        QVERIFY(firstMessage(errors[2]).contains("invalid JSON"));
        for (const QJsonObject &e : errors)
            QVERIFY(firstMessage(e).contains("disabled for the rest of the document"));

        // The well-behaved plugin's items, and the document's own, as without the others.
        const QList<QJsonObject> observations = ofKind(items, "plugin");
        QCOMPARE(observations.size(), 2);
        QCOMPARE(observations[0].value("plugin").toString(), QStringLiteral("instrument"));
        QCOMPARE(observations[0].value("type").toString(), QStringLiteral("Observation"));
        QCOMPARE(observations[1].value("properties").toObject().value("value").toString(),
                 QStringLiteral("2.5"));
        const QList<QJsonObject> linked = ofKind(items, "json-ld");
        const QList<QJsonObject> plain = ofKind(parse(kDoc, Pipeline()), "json-ld");
        QCOMPARE(linked, plain);
        QCOMPARE(linked.size(), 2);
    }

    void tooSlowAndAstrayAreIsolated()
    {
        Pipeline pipeline;
        pipeline.add(std::make_shared<Slow>()).add(std::make_shared<OutOfBlock>());
        const QJsonArray items = parse(
            "```slow\nx\n```\n\n```astray\nx\n```\n\n```slow\nx\n```\n", pipeline, 50);
        const QList<QJsonObject> errors = ofKind(items, "error");
        QCOMPARE(errors.size(), 2);
        QVERIFY2(firstMessage(errors[0]).contains("time budget (50 ms)"),
                 qPrintable(firstMessage(errors[0])));
        QVERIFY(firstMessage(errors[1]).contains("outside its block"));
        QCOMPARE(ofKind(items, "plugin").size(), 0);
    }

    void transformsRewriteFilterAndAreIsolated()
    {
        struct Rename final : TransformPlugin
        {
            QString name() const override { return QStringLiteral("rename"); }
            bool transform(SemanticItem &item) const override
            {
                if (item.id == QLatin1String("#b"))
                    return false; // filtered out
                item.properties.insert(QStringLiteral("seenBy"), QStringLiteral("rename"));
                return true;
            }
        };
        struct Explodes final : TransformPlugin
        {
            QString name() const override { return QStringLiteral("explodes"); }
            bool transform(SemanticItem &) const override { throw std::logic_error("no"); }
        };
        Pipeline pipeline;
        pipeline.add(std::make_shared<Explodes>()).add(std::make_shared<Rename>());
        const QJsonArray items = parse(kDoc, pipeline);
        const QList<QJsonObject> linked = ofKind(items, "json-ld");
        QCOMPARE(linked.size(), 1);
        QCOMPARE(linked[0].value("id").toString(), QStringLiteral("#a"));
        QCOMPARE(linked[0].value("properties").toObject().value("seenBy").toString(),
                 QStringLiteral("rename"));
        const QList<QJsonObject> errors = ofKind(items, "error");
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].value("plugin").toString(), QStringLiteral("explodes"));
    }

    void aPipelineServesManyStreams()
    {
        int made = 0;
        Pipeline pipeline;
        pipeline.add(std::make_shared<Throws>());
        pipeline.addListener([&made] {
            ++made;
            return std::make_unique<KyozoTest::CollectingListener>();
        });
        // Disabled in one stream is not disabled in the next.
        const QByteArray doc = "```throws\nx\n```\n";
        QCOMPARE(ofKind(parse(doc, pipeline), "error").size(), 1);
        QCOMPARE(ofKind(parse(doc, pipeline), "error").size(), 1);
        QCOMPARE(made, 2);
    }

    void theExamplePluginFromDisk()
    {
        const QString library
            = KyozoTest::binaryPath(QStringLiteral("../plugins/kyozo-geojson.so"));
        Pipeline pipeline;
        QString error;
        QVERIFY2(pipeline.addLibrary(library, &error), qPrintable(error));
        QCOMPARE(pipeline.names(), QStringList { "geojson" });
        const QByteArray doc = "```geojson\n"
                               "{\"type\":\"Feature\",\"id\":\"urn:site:7\",\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[2.35,48.86,35]},"
                               "\"properties\":{\"name\":\"Paris\"}}\n"
                               "```\n";
        const QList<QJsonObject> places = ofKind(parse(doc, pipeline), "plugin");
        QCOMPARE(places.size(), 1);
        QCOMPARE(places[0].value("plugin").toString(), QStringLiteral("geojson"));
        QCOMPARE(places[0].value("id").toString(), QStringLiteral("urn:site:7"));
        // RFC 7946: [longitude, latitude, altitude].
        const QJsonObject expected { { "@context", "https://schema.org" },
                                     { "@id", "urn:site:7" },
                                     { "@type", "Place" },
                                     { "name", "Paris" },
                                     { "geo",
                                       QJsonObject { { "@type", "GeoCoordinates" },
                                                     { "latitude", 48.86 },
                                                     { "longitude", 2.35 },
                                                     { "elevation", 35 } } } };
        QCOMPARE(places[0].value("properties").toObject(), expected);
        // Through KYOZO_PLUGIN_PATH as well; a library that is no plugin is refused.
        qputenv("KYOZO_PLUGIN_PATH", QFileInfo(library).absolutePath().toUtf8());
        Pipeline searched;
        QVERIFY(searched.addSearchPath().isEmpty());
        QVERIFY(searched.names().contains("geojson"));
        QVERIFY(!Pipeline().addLibrary(QStringLiteral("/nonexistent/x.so"), &error));
        QVERIFY(error.contains("cannot load"));
    }
};

QTEST_GUILESS_MAIN(TestPlugins)
#include "tst_plugins.moc"
