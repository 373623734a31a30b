// Issue 18 item 1: the editor runs the plugin libraries it finds (KYOZO_PLUGIN_PATH, then
// the install prefix): the example plugin, loaded from disk, turns a ```geojson fence into a
// Place the editor's analysis — which the highlighter and the panels read — holds.
#include "editor/documentanalysis.h"
#include "testpaths.h"

#include <QFileInfo>
#include <QtTest>

using namespace Kyozo::App;
using Kyozo::MarkdownLD::ItemKind;

class TestEditorPlugins : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString library
            = KyozoTest::binaryPath(QStringLiteral("../plugins/kyozo-geojson.so"));
        QVERIFY2(QFileInfo::exists(library), qPrintable(library));
        qputenv("KYOZO_PLUGIN_PATH", QFileInfo(library).absolutePath().toUtf8());
    }

    void theExamplePluginFindsAPlace()
    {
        DocumentAnalysis analysis;
        analysis.analyse(QStringLiteral(
            "# Field trip\n\n```geojson\n{\"type\": \"Point\", \"coordinates\": [-0.1276, "
            "51.5072]}\n```\n"));
        QVERIFY(DocumentAnalysis::editorPipeline().names().contains("geojson"));
        int places = 0;
        for (const auto &item : analysis.items()) {
            if (item.kind != ItemKind::Plugin)
                continue;
            ++places;
            QCOMPARE(item.plugin, QStringLiteral("geojson"));
            QCOMPARE(item.type.toString(), QStringLiteral("Place"));
            QCOMPARE(item.range.startLine, 3);
            QCOMPARE(item.properties.value("geo").toObject().value("latitude").toDouble(), 51.5072);
        }
        QCOMPARE(places, 1);
    }
};

QTEST_GUILESS_MAIN(TestEditorPlugins)
#include "tst_editorplugins.moc"
