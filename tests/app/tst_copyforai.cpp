// Issue 16 item 7: File → Copy for AI puts the notebook's AI view on the clipboard, the same
// bytes as `kyozo-ld extract --implicit --format ai` (one definition, in core); the
// Semantics panel shows each inferred item's confidence and says which rule it is.
#include "mainwindow.h"
#include "panels/semanticspanel.h"
#include "editor/notebookeditor.h"

#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QtTest>

using namespace Kyozo::App;

namespace {
const QString kNotebook = QStringLiteral("# Pancakes\n\n## Steps\n\n1. Mix.\n2. Fry.\n\nBy [Ana Souza](mailto:ana@example.org).\n");
} // namespace

class TestCopyForAi : public QObject
{
    Q_OBJECT
private slots:
    void theMenuActionCopiesTheAiView()
    {
        MainWindow window;
        auto *editor = window.findChild<NotebookEditor *>();
        QVERIFY(editor);
        editor->setPlainText(kNotebook);
        QGuiApplication::clipboard()->clear();
        QAction *copy = nullptr;
        for (QAction *menu : window.menuBar()->actions())
            for (QAction *a : menu->menu() ? menu->menu()->actions() : QList<QAction *>())
                if (a->text() == QLatin1String("Copy for &AI"))
                    copy = a;
        QVERIFY(copy);
        copy->trigger();
        const QJsonObject view = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
        QCOMPARE(view.value("document").toObject().value("title").toString(), QStringLiteral("Pancakes"));
        // Written by hand: the Article, the HowTo (its section is "Steps", under the title) and
        // the person from the e-mail link; inferred items are always on in the editor.
        QStringList types;
        for (const QJsonValue &e : view.value("entities").toArray())
            types.append(e.toObject().value("type").toString());
        types.sort();
        QCOMPARE(types, (QStringList{ "schema:Article", "schema:HowTo", "schema:Person" }));
        QCOMPARE(view.value("omitted").toInt(), 0);
    }

    void confidenceAndRuleInThePanel()
    {
        SemanticsPanel panel;
        Kyozo::MarkdownLD::SemanticItem item;
        item.kind = Kyozo::MarkdownLD::ItemKind::Implicit;
        item.type = QStringLiteral("schema:HowTo");
        item.confidence = 0.98;
        item.inferred = true;
        item.rule = QStringLiteral("howto");
        panel.setItems({ item });
        QCOMPARE(panel.topLevelItemCount(), 1);
        QTreeWidgetItem *node = panel.topLevelItem(0);
        QCOMPARE(node->text(2), QLocale().toString(0.98, 'f', 2));
        QVERIFY2(node->toolTip(2).contains(QLatin1String("howto")), qPrintable(node->toolTip(2)));
        QVERIFY(node->toolTip(2).contains(QLatin1String("98")));
    }
};

QTEST_MAIN(TestCopyForAi)
#include "tst_copyforai.moc"
