// The example Kyozo plugin, and the template for writing one (docs/plugins.md): it claims
// ```geojson fences and turns each Point (alone, as a Feature's geometry, or in a
// FeatureCollection) into a schema:Place item with schema:geo coordinates. GeoJSON is
// RFC 7946: positions are [longitude, latitude(, altitude)].
#include "markdownld/plugin.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Kyozo::MarkdownLD;

namespace {

class GeoJsonFences final : public ParserPlugin
{
public:
    QString name() const override { return QStringLiteral("geojson"); }

    bool claimsFenceInfo(QByteArrayView info) const override
    {
        const qsizetype end = info.indexOf(' ');
        return (end < 0 ? info : info.first(end)).trimmed() == "geojson";
    }

    void extract(const BlockEvent &block, PluginContext &context) const override
    {
        const QJsonDocument doc = QJsonDocument::fromJson(block.content.toByteArray());
        const QJsonObject root = doc.object();
        QJsonArray features;
        if (root.value(QLatin1String("type")) == QLatin1String("FeatureCollection"))
            features = root.value(QLatin1String("features")).toArray();
        else
            features.append(root);
        for (const QJsonValue &f : std::as_const(features)) {
            if (context.expired())
                return; // cooperative: the stream's budget for this block is spent
            place(f.toObject(), context);
        }
    }

private:
    static void place(const QJsonObject &feature, PluginContext &context)
    {
        const bool isFeature = feature.value(QLatin1String("type")) == QLatin1String("Feature");
        const QJsonObject geometry
            = isFeature ? feature.value(QLatin1String("geometry")).toObject() : feature;
        const QJsonArray position = geometry.value(QLatin1String("coordinates")).toArray();
        if (geometry.value(QLatin1String("type")) != QLatin1String("Point") || position.size() < 2
            || !position.at(0).isDouble() || !position.at(1).isDouble())
            return;
        QJsonObject geo { { QStringLiteral("@type"), QStringLiteral("GeoCoordinates") },
                          { QStringLiteral("longitude"), position.at(0) },
                          { QStringLiteral("latitude"), position.at(1) } };
        if (position.size() > 2 && position.at(2).isDouble())
            geo.insert(QStringLiteral("elevation"), position.at(2));
        QJsonObject node { { QStringLiteral("@context"), QStringLiteral("https://schema.org") },
                           { QStringLiteral("@type"), QStringLiteral("Place") },
                           { QStringLiteral("geo"), geo } };
        const QJsonObject properties = feature.value(QLatin1String("properties")).toObject();
        if (properties.value(QLatin1String("name")).isString())
            node.insert(QStringLiteral("name"), properties.value(QLatin1String("name")));
        if (feature.value(QLatin1String("id")).isString())
            node.insert(QStringLiteral("@id"), feature.value(QLatin1String("id")));
        context.addJson(QJsonDocument(node).toJson(QJsonDocument::Compact));
    }
};

} // namespace

// What QPluginLoader finds: a QObject implementing PluginFactory.
class GeoJsonPlugin : public QObject, public PluginFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KyozoPluginFactory_iid FILE "geojson.json")
    Q_INTERFACES(Kyozo::MarkdownLD::PluginFactory)
public:
    QList<std::shared_ptr<ParserPlugin>> parserPlugins() const override
    {
        return { std::make_shared<GeoJsonFences>() };
    }
};

#include "geojsonplugin.moc"
