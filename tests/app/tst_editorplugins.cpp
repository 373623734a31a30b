// Issue 18 item 1: the editor runs the plugin libraries it finds (KYOZO_PLUGIN_PATH, then
// the install prefix): the example plugin, loaded from disk, turns a ```geojson fence into a
// Place the editor's analysis — which the highlighter and the panels read — holds.
#include "editor/documentanalysis.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "panels/semanticspanel.h"
#include "testpaths.h"
#include "xvfbmain.h"

#include <QFileInfo>
#include <QScreen>
#include <QSplitter>
#include <QtTest>

using namespace Kyozo::App;
using Kyozo::MarkdownLD::ItemKind;

class TestEditorPlugins : public QObject
{
    Q_OBJECT
    QString m_display;

public:
    explicit TestEditorPlugins(QString display)
        : m_display(std::move(display))
    {
    }

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

    // What a person sees: the Place in the Semantics panel beside its fence.
    void thePlaceInTheSemanticsPanel()
    {
        QSplitter window;
        auto *editor = new NotebookEditor;
        auto *panel = new SemanticsPanel;
        window.addWidget(editor);
        window.addWidget(panel);
        window.resize(1100, 300);
        window.setSizes({ 520, 580 });
        window.show();
        QString error;
        QVERIFY2(editor->loadBytes("# Field sites\n\nWhere we measured this spring.\n\n"
                                   "```geojson\n{\"type\": \"Feature\", \"id\": \"urn:site:7\", "
                                   "\"geometry\": {\"type\": \"Point\", \"coordinates\": [2.35, "
                                   "48.86]}, \"properties\": {\"name\": \"Paris\"}}\n```\n",
                                   &error),
                 qPrintable(error));
        panel->setItems(editor->highlighter()->analysis().items());
        // The plugin's row among the others (the implicit rules' items too).
        QTreeWidgetItem *place = nullptr;
        for (int i = 0; i < panel->topLevelItemCount(); ++i)
            if (panel->topLevelItem(i)->text(0) == QLatin1String("plugin"))
                place = panel->topLevelItem(i);
        QVERIFY(place);
        QCOMPARE(place->text(1), QStringLiteral("Place"));
        QCOMPARE(place->text(4), QStringLiteral("5")); // its fence's first line
        KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
        place->setExpanded(true);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::qWait(300);
        const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
        QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-plugin-item.png"));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestEditorPlugins, "1400x900x24")
#include "tst_editorplugins.moc"
