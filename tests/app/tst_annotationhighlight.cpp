// Issue 16 item 7: the editor's formats for inline annotations (defined with issue 6, unused
// until the parser produced annotations) now show on what the parser finds, and RDFa blocks
// take the HTML-metadata look; inferred items (the implicit rules, SPEC §2.2.6) have their
// own look and are listed with their confidence in the Semantics panel. Formats read back
// from each block's layout. Under a private Xvfb when there is one (CI: required), so that
// the panel's screenshot is what a person sees; else offscreen.
#include "appformats.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "panels/semanticspanel.h"
#include "requiredtool.h"
#include "xvfbmain.h"

#include <QApplication>
#include <QScreen>
#include <QSplitter>
#include <QtTest>

using namespace Kyozo::App;

namespace {

// A "Steps" list under a title and a fenced code block (lines 1-10). By hand from the rules
// in docs/semantics.md: `howto` (confidence 0.98) from the "Steps" heading, line 3, named
// after the section it is in ("Pancakes"), its steps the two items; `code` (0.94) for the
// fence, line 8, language "sh"; `outline` (0.98), two headings: schema:Article from line 1.
// Items come out as what they cover closes: the HowTo when its list ends, the code when the
// fence closes, the Article at the end of the document.
const QByteArray kRecipe = "# Pancakes\n"
                           "\n"
                           "## Steps\n"
                           "\n"
                           "1. Mix the flour and the milk.\n"
                           "2. Fry the batter.\n"
                           "\n"
                           "```sh\n"
                           "make pancakes\n"
                           "```\n";

QString childValue(const QTreeWidgetItem *node, const QString &key)
{
    for (int c = 0; c < node->childCount(); ++c)
        if (node->child(c)->text(0) == key)
            return node->child(c)->text(1);
    return {};
}

} // namespace

class TestAnnotationHighlight : public QObject
{
    Q_OBJECT
public:
    explicit TestAnnotationHighlight(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;

private slots:
    void annotationSpanIsUnderlined()
    {
        NotebookEditor editor;
        editor.resize(600, 400);
        editor.show();
        // Line 1: the span starts at column 11 ('[') and ends at column 60 ('}').
        const QByteArray doc
            = "Written by [Ada]{typeof=schema:Person property=schema:author} today.\n\n"
              "Code `[no]{property=schema:name}` stays plain.\n\n"
              "<div vocab=\"https://schema.org/\" typeof=\"Person\">\n"
              "<span property=\"name\">Ada</span>\n</div>\n";
        QString error;
        QVERIFY2(editor.loadBytes(doc, &error), qPrintable(error));
        const QTextCharFormat annotation = editor.highlighter()->formatFor(Role::Annotation);
        QCOMPARE(annotation.underlineStyle(), QTextCharFormat::SingleUnderline);
        const QTextBlock first = editor.document()->findBlockByNumber(0);
        QTRY_COMPARE(formatAt(first, 11).underlineStyle(), QTextCharFormat::SingleUnderline);
        QCOMPARE(formatAt(first, 11).underlineColor(), annotation.underlineColor());
        QCOMPARE(formatAt(first, 60).underlineStyle(), QTextCharFormat::SingleUnderline);
        QCOMPARE(formatAt(first, 10).underlineStyle(), QTextCharFormat::NoUnderline);
        QCOMPARE(formatAt(first, 61).underlineStyle(), QTextCharFormat::NoUnderline);
        // Not inside a code span: no annotation there.
        const QTextBlock code = editor.document()->findBlockByNumber(2);
        QCOMPARE(formatAt(code, 6).underlineStyle(), QTextCharFormat::NoUnderline);
        // The RDFa block, lines 5-7, has the metadata background.
        const QColor metadata
            = editor.highlighter()->formatFor(Role::Metadata).background().color();
        for (int l = 4; l <= 6; ++l)
            QCOMPARE(formatAt(editor.document()->findBlockByNumber(l), 1).background().color(),
                     metadata);
    }

    void inferredItemsInPanelAndHighlighting()
    {
        QSplitter window;
        auto *editor = new NotebookEditor;
        auto *panel = new SemanticsPanel;
        window.addWidget(editor);
        window.addWidget(panel);
        window.resize(1100, 300);
        window.setSizes({ 420, 680 });
        window.show();
        QString error;
        QVERIFY2(editor->loadBytes(kRecipe, &error), qPrintable(error));
        panel->setItems(editor->highlighter()->analysis().items());

        // Kind, Type, Confidence, Origin, Line of each row, and its rule in the tooltip.
        const QList<QStringList> expected = {
            { "implicit", "schema:HowTo", QLocale().toString(0.98, 'f', 2), "inferred", "3",
              "howto" },
            { "implicit", "schema:SoftwareSourceCode", QLocale().toString(0.94, 'f', 2), "inferred",
              "8", "code" },
            { "implicit", "schema:Article", QLocale().toString(0.98, 'f', 2), "inferred", "1",
              "outline" },
        };
        QCOMPARE(panel->topLevelItemCount(), expected.size());
        for (int i = 0; i < expected.size(); ++i) {
            const QTreeWidgetItem *node = panel->topLevelItem(i);
            for (int c = 0; c < 5; ++c)
                QCOMPARE(node->text(c), expected[i][c]);
            QVERIFY2(
                node->toolTip(2).contains(QLatin1Char('"') + expected[i][5] + QLatin1Char('"')),
                qPrintable(node->toolTip(2)));
            QVERIFY(node->font(0).italic());
        }
        const QTreeWidgetItem *howTo = panel->topLevelItem(0);
        QCOMPARE(childValue(howTo, QStringLiteral("schema:name")), QStringLiteral("Pancakes"));
        QVERIFY2(childValue(howTo, QStringLiteral("schema:step"))
                     .contains(QLatin1String("Fry the batter.")),
                 qPrintable(childValue(howTo, QStringLiteral("schema:step"))));
        QCOMPARE(childValue(panel->topLevelItem(1), QStringLiteral("schema:programmingLanguage")),
                 QStringLiteral("sh"));

        // The inferred look (italic, dotted grey underline), not the annotations' solid one,
        // on the first line of each inferred item: the "Steps" heading and the opening fence.
        const QTextCharFormat inferred = editor->highlighter()->formatFor(Role::Inferred);
        const QTextCharFormat annotation = editor->highlighter()->formatFor(Role::Annotation);
        QVERIFY(inferred.fontItalic());
        QCOMPARE(inferred.underlineStyle(), QTextCharFormat::DotLine);
        QVERIFY(!annotation.fontItalic());
        QVERIFY(inferred.underlineColor() != annotation.underlineColor());
        for (int line : { 3, 8, 1 }) {
            const QTextBlock block = editor->document()->findBlockByNumber(line - 1);
            QTRY_VERIFY(formatAt(block, 2).fontItalic());
            QCOMPARE(formatAt(block, 2).underlineStyle(), QTextCharFormat::DotLine);
            QCOMPARE(formatAt(block, 2).underlineColor(), inferred.underlineColor());
        }
        // A step's own line is no item's first line: plain.
        const QTextBlock step = editor->document()->findBlockByNumber(4);
        QVERIFY(!formatAt(step, 4).fontItalic());
        QCOMPARE(formatAt(step, 4).underlineStyle(), QTextCharFormat::NoUnderline);

        // The screenshot of README.md, as on screen: the code item opened (the HowTo's steps
        // are one long JSON line that would push the Confidence column out of sight).
        KYOZO_REQUIRE(!m_display.isEmpty(), QStringLiteral("Xvfb"));
        panel->topLevelItem(1)->setExpanded(true);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::qWait(300);
        const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
        QVERIFY(!shot.isNull());
        QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-inferred-items.png"));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestAnnotationHighlight, "1400x900x24")
#include "tst_annotationhighlight.moc"
