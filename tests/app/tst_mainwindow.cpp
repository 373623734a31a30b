// The main window on the sample notebook (SPEC §9, issue 6): panels, jumps, preview, open,
// save, export, insert and hide, and files it must refuse without losing anything.
#include "editor/codehighlighter.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "mainwindow.h"
#include "panels/hiddendatapanel.h"
#include "panels/previewpanel.h"
#include "panels/semanticspanel.h"
#include "requiredtool.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QtTest>
#include <functional>

using namespace Kyozo::App;

namespace {
const QString kSample = QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md");

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}
// A notebook of `sections` headings, paragraphs padded to `paragraph` bytes and JSON-LD
// fences with an @id each; every fifth section has a line of hidden data.
QByteArray generatedNotebook(int sections, int paragraph, const QByteArray &hiddenLine)
{
    QByteArray out = "---\ntitle: Generated\nauthor: Ada\n---\n\n";
    for (int i = 0; i < sections; ++i) {
        out += "## Section " + QByteArray::number(i) + "\n\n";
        QByteArray words = "Words about part " + QByteArray::number(i) + ".";
        while (words.size() < paragraph)
            words += " More words about the same part of it.";
        out += words + "\n\n";
        out += "```json-ld\n{\"@context\": \"https://schema.org\", \"@id\": \"#thing-"
            + QByteArray::number(i) + "\", \"@type\": \"Thing\", \"name\": \"Thing "
            + QByteArray::number(i) + "\"}\n```\n\n";
        if (i % 5 == 0)
            out += hiddenLine + "\n\n";
    }
    return out;
}

// Everything a tree shows, row by row, with each row's jump target.
QStringList treeRows(QTreeWidget *tree)
{
    QStringList rows;
    const std::function<void(QTreeWidgetItem *, QString)> add
        = [&](QTreeWidgetItem *node, QString indent) {
              QStringList cells;
              for (int c = 0; c < tree->columnCount(); ++c)
                  cells.append(node->text(c));
              cells.append(node->data(0, Qt::UserRole).toString());
              cells.append(node->data(0, Qt::UserRole + 1).toString());
              rows.append(indent + cells.join(QLatin1Char('|')));
              for (int i = 0; i < node->childCount(); ++i)
                  add(node->child(i), indent + QLatin1String("  "));
          };
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        add(tree->topLevelItem(i), {});
    return rows;
}

// A point inside a row and inside the viewport (wide rows extend past its right edge).
QPoint rowPoint(QTreeWidget *tree, QTreeWidgetItem *item)
{
    const QRect r = tree->visualItemRect(item);
    return QPoint(r.left() + 8, r.center().y());
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void titleNamesTheNotebook();
    void semanticsTreeListsTheItems();
    void clickingAnItemMovesTheCursor();
    void hiddenDataPanelShowsThePayload();
    void previewRendersTheNotebook();
    void previewRendersOnlyWhenShown();
    void saveAfterOpenIsByteIdentical();
    void badFilesAreRefusedAndNothingIsLost();
    void emptyFileOpensWithANote();
    void exportHtml();
    void previewOptionsAreSettings();
    void previewShowsImagesBesideTheNotebook();
    void insertJsonLdBlock();
    void hideTextInSelection();
    void errorRowsSayWhatIsWrong();
    void semanticsTreeKeepsItsStateWhileTyping();
    void panelsApplyTheAnalysisDiffs_data();
    void panelsApplyTheAnalysisDiffs();

private:
    QTemporaryDir m_dir;
    MainWindow *m_window = nullptr;
};

void TestMainWindow::initTestCase()
{
    // Recent files go to a throwaway settings file.
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
}

void TestMainWindow::init()
{
    m_window = new MainWindow;
    m_window->show();
    QString error;
    QVERIFY2(m_window->openFile(kSample, &error), qPrintable(error));
}

void TestMainWindow::cleanup()
{
    m_window->editor()->document()->setModified(false);
    delete m_window;
}

void TestMainWindow::titleNamesTheNotebook()
{
    QVERIFY2(m_window->windowTitle().startsWith(QLatin1String("welcome.md")), qPrintable(m_window->windowTitle()));
    QVERIFY(m_window->windowTitle().contains(QLatin1String("Kyozo")));
}

void TestMainWindow::semanticsTreeListsTheItems()
{
    SemanticsPanel *panel = m_window->semanticsPanel();
    // Written from the sample by hand: front matter (+ its og: and dc. keys), the first
    // JSON-LD block, the Python cell (the implicit `code` rule: one heading only, so no
    // outline), the hidden payload, the two @graph nodes, the DC and OG metas, the
    // microdata Book, the <script> block.
    const QList<QStringList> expected = {
        { "front-matter", "", "1" },  { "open-graph", "", "1" },   { "dublin-core", "", "1" },
        { "json-ld", "SoftwareApplication", "15" }, { "implicit", "schema:SoftwareSourceCode", "27" },
        { "hidden-data", "", "34" },
        { "json-ld", "Person", "42" }, { "json-ld", "Organization", "43" },
        // An HTML block's metadata items cover the whole block, as kyozo-ld reports them.
        { "dublin-core", "", "48" },  { "open-graph", "", "48" },  { "microdata", "https://schema.org/Book", "51" },
        { "json-ld", "WebPage", "56" },
    };
    QCOMPARE(panel->topLevelItemCount(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const QTreeWidgetItem *node = panel->topLevelItem(i);
        QCOMPARE(node->text(0), expected[i][0]);
        QCOMPARE(node->text(1), expected[i][1]);
        QCOMPARE(node->text(3), expected[i][0] == QLatin1String("implicit") ? QStringLiteral("inferred") : QStringLiteral("explicit"));
        QCOMPARE(node->text(4), expected[i][2]);
    }
    // Properties sit under their item.
    const QTreeWidgetItem *person = panel->topLevelItem(6);
    bool hasName = false;
    for (int c = 0; c < person->childCount(); ++c)
        hasName |= person->child(c)->text(0) == QLatin1String("name") && person->child(c)->text(1) == QLatin1String("Ada Lovelace");
    QVERIFY(hasName);
}

void TestMainWindow::clickingAnItemMovesTheCursor()
{
    SemanticsPanel *panel = m_window->semanticsPanel();
    QTreeWidgetItem *person = panel->topLevelItem(6);
    panel->scrollToItem(person);
    QTest::mouseClick(panel->viewport(), Qt::LeftButton, {}, rowPoint(panel, person));
    // The Person node's object starts at line 42, after four spaces.
    QCOMPARE(m_window->editor()->textCursor().blockNumber(), 41);
    QCOMPARE(m_window->editor()->textCursor().positionInBlock(), 4);
    // A click on a property row jumps to its item.
    QTreeWidgetItem *webPage = panel->topLevelItem(11);
    webPage->setExpanded(true);
    panel->doItemsLayout();
    panel->scrollToItem(webPage->child(0));
    QVERIFY(panel->visualItemRect(webPage->child(0)).isValid());
    QTest::mouseClick(panel->viewport(), Qt::LeftButton, {}, rowPoint(panel, webPage->child(0)));
    QCOMPARE(m_window->editor()->textCursor().blockNumber(), 55);
}

void TestMainWindow::hiddenDataPanelShowsThePayload()
{
    HiddenDataPanel *panel = m_window->hiddenDataPanel();
    QCOMPARE(panel->topLevelItemCount(), 1);
    QCOMPARE(panel->topLevelItem(0)->text(0), QStringLiteral("34"));
    QCOMPARE(panel->topLevelItem(0)->text(1), QStringLiteral("kyozo"));
    QCOMPARE(panel->topLevelItem(0)->text(2), QStringLiteral("Kyozo reads zero-width data too."));
    QTest::mouseClick(panel->viewport(), Qt::LeftButton, {}, rowPoint(panel, panel->topLevelItem(0)));
    QCOMPARE(m_window->editor()->textCursor().blockNumber(), 33);
    QCOMPARE(m_window->editor()->textCursor().positionInBlock(), 4); // right after "This"
}

void TestMainWindow::previewRendersTheNotebook()
{
    m_window->findChild<QDockWidget *>(QStringLiteral("previewDock"))->raise();
    const QString html = m_window->previewPanel()->renderedHtml();
    QVERIFY2(html.contains(QLatin1String("<h1>Welcome to Kyozo</h1>")), qPrintable(html.left(500)));
    QVERIFY(html.contains(QLatin1String("<strong>Markdown-LD</strong>")));
    QVERIFY(html.contains(QLatin1String("<div itemscope itemtype=\"https://schema.org/Book\">")));
    // Markdown-LD's own blocks (issue 19 item 4): the front matter a small table, not a
    // rule and a heading; JSON-LD fences and the <script> block cards; the hidden run marked.
    QVERIFY(html.contains(
        QLatin1String("<b>title</b></small></td><td><small>Welcome to Kyozo</small>")));
    QVERIFY(!html.contains(QLatin1String("<h2>")));
    QVERIFY(html.contains(QLatin1String("<b>SoftwareApplication</b> &middot; Kyozo")));
    QVERIFY(html.contains(QLatin1String("<b>Organization</b> &middot; The Kyozo team")));
    QVERIFY(html.contains(QLatin1String("<b>WebPage</b> &middot; Welcome")));
    QVERIFY(!html.contains(QLatin1String("ld+json")));
    QCOMPARE(html.count(QLatin1String("class=\"hidden-data\"")), 1);
    QVERIFY(m_window->previewPanel()->toPlainText().contains(QLatin1String("Welcome to Kyozo")));
    // The code cell's colours come from kate-syntax-highlighter in the background.
    KYOZO_REQUIRE(m_window->editor()->codeHighlighter()->isAvailable(), QStringLiteral("kate-syntax-highlighter"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->previewPanel()->renderedHtml().contains(
                                     QLatin1String("<span style=\"font-weight:bold;\">def</span>")),
                             10000);
}

// The preview renders the whole notebook: behind the Semantics tab (the default) it does
// not follow typing, and catches up when it is brought to the front.
void TestMainWindow::previewRendersOnlyWhenShown()
{
    QDockWidget *preview = m_window->findChild<QDockWidget *>(QStringLiteral("previewDock"));
    m_window->findChild<QDockWidget *>(QStringLiteral("semanticsDock"))->raise();
    QTest::qWait(50);
    QTextCursor cursor(m_window->editor()->document());
    cursor.insertText(QStringLiteral("# Typed while hidden\n\n"));
    QTest::qWait(600); // past the preview's delay after the analysis
    QVERIFY(
        !m_window->previewPanel()->renderedHtml().contains(QLatin1String("Typed while hidden")));
    preview->raise();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->previewPanel()->renderedHtml().contains(
                                 QLatin1String("<h1>Typed while hidden</h1>")),
                             5000);
    // Shown, it follows typing again.
    cursor.insertText(QStringLiteral("# And while shown\n\n"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->previewPanel()->renderedHtml().contains(
                                 QLatin1String("<h1>And while shown</h1>")),
                             5000);
}

void TestMainWindow::saveAfterOpenIsByteIdentical()
{
    const QByteArray original = QByteArray("\xEF\xBB\xBF# T\r\n\r\nOne\xE2\x80\xA8two\nthree\rfour\r\n\r\nEnd");
    const QString path = m_dir.filePath(QStringLiteral("mixed.md"));
    writeAll(path, original);
    QString error;
    QVERIFY(m_window->openFile(path, &error));
    const QString copy = m_dir.filePath(QStringLiteral("copy.md"));
    QVERIFY(m_window->saveFile(copy, &error));
    QCOMPARE(readAll(copy), original);
    // An edit in the last paragraph leaves every other byte as it was.
    QTextCursor cursor(m_window->editor()->document()->lastBlock());
    cursor.movePosition(QTextCursor::EndOfBlock);
    cursor.insertText(QStringLiteral("!"));
    QVERIFY(m_window->saveFile(path, &error));
    QCOMPARE(readAll(path), QByteArray("\xEF\xBB\xBF# T\r\n\r\nOne\xE2\x80\xA8two\nthree\rfour\r\n\r\nEnd!"));
    QVERIFY(!m_window->editor()->document()->isModified());
}

void TestMainWindow::badFilesAreRefusedAndNothingIsLost()
{
    const QByteArray before = m_window->editor()->saveBytes();
    const QString bad = m_dir.filePath(QStringLiteral("latin1.md"));
    writeAll(bad, QByteArray("Caf\xE9 au lait\n"));
    QString error;
    QVERIFY(!m_window->openFile(bad, &error));
    QCOMPARE(error, QStringLiteral("Cannot open latin1.md: the file is not UTF-8 text (invalid byte at offset 3)."));

    const QString huge = m_dir.filePath(QStringLiteral("huge.md"));
    {
        QFile f(huge);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(50 * 1024 * 1024)); // sparse: 50 MB without writing them
    }
    QVERIFY(!m_window->openFile(huge, &error));
    QCOMPARE(error, QStringLiteral("Cannot open huge.md: the file is 50.0 MB; the editor opens files up to 16 MB "
                                   "(kyozo-ld reads larger ones)."));

    QVERIFY(!m_window->openFile(m_dir.filePath(QStringLiteral("missing.md")), &error));
    QVERIFY(error.startsWith(QLatin1String("Cannot open ")));

    QCOMPARE(m_window->editor()->saveBytes(), before);
    QVERIFY(m_window->currentFile().endsWith(QLatin1String("welcome.md")));
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("welcome.md")));
}

void TestMainWindow::emptyFileOpensWithANote()
{
    const QString empty = m_dir.filePath(QStringLiteral("empty.md"));
    writeAll(empty, QByteArray());
    QString error;
    QVERIFY(m_window->openFile(empty, &error));
    QCOMPARE(m_window->statusBar()->currentMessage(), QStringLiteral("empty.md is empty."));
    QCOMPARE(m_window->semanticsPanel()->topLevelItemCount(), 0);
    QCOMPARE(m_window->editor()->saveBytes(), QByteArray());
}

void TestMainWindow::exportHtml()
{
    const QString path = m_dir.filePath(QStringLiteral("welcome.html"));
    QString error;
    QVERIFY2(m_window->exportHtml(path, &error), qPrintable(error));
    const QString html = QString::fromUtf8(readAll(path));
    QVERIFY(html.startsWith(QLatin1String("<!DOCTYPE html>")));
    QVERIFY(html.contains(QLatin1String("<title>welcome</title>")));
    QVERIFY(html.contains(QLatin1String("<h1>Welcome to Kyozo</h1>")));
    // Code cells coloured (export waits for the highlighter), as in Breeze Light.
    if (m_window->editor()->codeHighlighter()->isAvailable())
        QVERIFY(html.contains(QLatin1String("<span style=\"font-weight:bold;\">def</span>")));
    // The zero-width payload travels with the text into the export, unmarked.
    QVERIFY(html.contains(QString::fromUtf8("This\xE2\x81\xA4\xE2\x81\xA3")));
    QVERIFY(!html.contains(QLatin1String("hidden-data")));
    // The same rendering as the preview, and the JSON-LD in the head for search engines:
    // the two fences and the <script>, each as its block has it.
    const QString head = html.left(html.indexOf(QLatin1String("</head>")));
    QCOMPARE(head.count(QLatin1String("<script type=\"application/ld+json\">")), 3);
    QVERIFY(head.contains(
        QLatin1String("{\"@context\":\"https://"
                      "schema.org\",\"@type\":\"SoftwareApplication\",\"@id\":\"#kyozo\",\"name\":"
                      "\"Kyozo\",\"applicationCategory\":\"Editor\"}")));
    QVERIFY(head.contains(QLatin1String(
        "{\"@context\":\"https://schema.org\",\"@type\":\"WebPage\",\"name\":\"Welcome\"}")));
    QVERIFY(html.contains(QLatin1String("<b>SoftwareApplication</b> &middot; Kyozo")));
}

// View → Preview Shows: front matter hidden, linked data as code; kept in QSettings.
void TestMainWindow::previewOptionsAreSettings()
{
    m_window->findChild<QDockWidget *>(QStringLiteral("previewDock"))->raise();
    auto *frontMatter = m_window->findChild<QAction *>(QStringLiteral("previewFrontMatterAction"));
    auto *cards = m_window->findChild<QAction *>(QStringLiteral("previewCardsAction"));
    QVERIFY(frontMatter && cards);
    QVERIFY(frontMatter->isChecked() && cards->isChecked());
    frontMatter->trigger();
    cards->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_window->previewPanel()->renderedHtml().contains(QLatin1String("front-matter")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_window->previewPanel()->renderedHtml().contains(QLatin1String("ld-card")), 5000);
    QVERIFY(
        m_window->previewPanel()->renderedHtml().contains(QLatin1String("SoftwareApplication")));
    QCOMPARE(QSettings().value(QStringLiteral("preview/frontMatter")).toString(),
             QStringLiteral("hidden"));
    QCOMPARE(QSettings().value(QStringLiteral("preview/linkedData")).toString(),
             QStringLiteral("code"));
    // A new window (a restart) starts with them.
    delete m_window;
    m_window = new MainWindow;
    QVERIFY(
        !m_window->findChild<QAction *>(QStringLiteral("previewFrontMatterAction"))->isChecked());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("previewCardsAction"))->isChecked());
    QSettings().remove(QStringLiteral("preview"));
}

// Relative image paths resolve against the notebook's folder.
void TestMainWindow::previewShowsImagesBesideTheNotebook()
{
    const QString folder = m_dir.filePath(QStringLiteral("images"));
    QVERIFY(QDir().mkpath(folder + QLatin1String("/pics")));
    QImage image(7, 5, QImage::Format_RGB32);
    image.fill(Qt::red);
    QVERIFY(image.save(folder + QLatin1String("/pics/dot.png")));
    const QString path = folder + QLatin1String("/note.md");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("# Picture\n\n![a red dot](pics/dot.png)\n");
    file.close();
    QString error;
    QVERIFY2(m_window->openFile(path, &error), qPrintable(error));
    m_window->findChild<QDockWidget *>(QStringLiteral("previewDock"))->raise();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->previewPanel()->renderedHtml().contains(QLatin1String("pics/dot.png")), 5000);
    const QVariant loaded = m_window->previewPanel()->loadResource(
        QTextDocument::ImageResource, QUrl(QStringLiteral("pics/dot.png")));
    const QImage shown = loaded.typeId() == QMetaType::QImage
        ? loaded.value<QImage>()
        : QImage::fromData(loaded.toByteArray());
    QCOMPARE(shown.size(), QSize(7, 5));
}

void TestMainWindow::insertJsonLdBlock()
{
    NotebookEditor *editor = m_window->editor();
    editor->setTextCursor(QTextCursor(editor->document()->findBlockByNumber(12))); // line 13
    editor->insertJsonLdBlock();
    QTest::keyClicks(editor, QStringLiteral("Inserted"));
    m_window->refreshPanels();
    SemanticsPanel *panel = m_window->semanticsPanel();
    QCOMPARE(panel->topLevelItemCount(), 13);
    // Written after line 13: a blank line, then the fence from line 15.
    const QTreeWidgetItem *thing = panel->topLevelItem(3);
    QCOMPARE(thing->text(0), QStringLiteral("json-ld"));
    QCOMPARE(thing->text(1), QStringLiteral("Thing"));
    QCOMPARE(thing->text(4), QStringLiteral("15"));
    bool named = false;
    for (int c = 0; c < thing->childCount(); ++c)
        named |= thing->child(c)->text(0) == QLatin1String("name") && thing->child(c)->text(1) == QLatin1String("Inserted");
    QVERIFY(named);
}

void TestMainWindow::semanticsTreeKeepsItsStateWhileTyping()
{
    SemanticsPanel *panel = m_window->semanticsPanel();
    panel->topLevelItem(6)->setExpanded(true); // Person
    // A line added at the top moves every item down one line; the tree is rebuilt.
    QTextCursor cursor(m_window->editor()->document()->findBlockByNumber(10));
    cursor.insertText(QStringLiteral("New line\n"));
    m_window->refreshPanels();
    QCOMPARE(panel->topLevelItem(6)->text(1), QStringLiteral("Person"));
    QCOMPARE(panel->topLevelItem(6)->text(4), QStringLiteral("43"));
    QVERIFY(panel->topLevelItem(6)->isExpanded());
    QVERIFY(!panel->topLevelItem(7)->isExpanded());
}

void TestMainWindow::panelsApplyTheAnalysisDiffs_data()
{
    QTest::addColumn<int>("sections");
    QTest::addColumn<int>("paragraph");
    QTest::addColumn<int>("edits");
    QTest::newRow("small, analysed on each key") << 40 << 200 << 150;
    // Past SemanticHighlighter::kSyncChars: analysed on the worker, some results dropped for
    // newer ones while typing goes on.
    QTest::newRow("large, analysed on the worker") << 120 << 5000 << 25;
}

// Issue 18 item 4: the panels follow the editor's one analysis by its diffs. After each
// edit (typing, new lines, deletions across blocks, pasted fences and hidden data, several
// edits between two updates) the panels show what panels made from scratch from a full
// analysis show, and nodes of items the edit did not touch are the same nodes.
void TestMainWindow::panelsApplyTheAnalysisDiffs()
{
    QFETCH(int, sections);
    QFETCH(int, paragraph);
    QFETCH(int, edits);
    const QByteArray sample = readAll(kSample);
    const QByteArray hiddenLine = sample.split('\n').value(33); // line 34: a hidden note
    QVERIFY(hiddenLine.startsWith("This"));
    NotebookEditor *editor = m_window->editor();
    SemanticHighlighter *highlighter = editor->highlighter();
    QString error;
    QVERIFY2(editor->loadBytes(generatedNotebook(sections, paragraph, hiddenLine), &error),
             qPrintable(error));
    const auto settle = [&] {
        QCoreApplication::processEvents();
        QTRY_VERIFY_WITH_TIMEOUT(!highlighter->isAnalysing(), 20000);
        highlighter->analysis(); // small notebooks: analysed here if not yet
        QTRY_VERIFY_WITH_TIMEOUT(!highlighter->isAnalysing(), 20000);
        m_window->refreshPanels();
    };
    const auto compareWithFresh = [&](const char *what) {
        QString text = editor->document()->toRawText();
        text.replace(QChar::ParagraphSeparator, u'\n');
        DocumentAnalysis full;
        full.analyse(text);
        SemanticsPanel semantics;
        semantics.setItems(full.items());
        HiddenDataPanel hidden;
        hidden.setItems(full.items());
        QCOMPARE(treeRows(m_window->semanticsPanel()), treeRows(&semantics));
        QCOMPARE(treeRows(m_window->hiddenDataPanel()), treeRows(&hidden));
        if (QTest::currentTestFailed())
            qWarning("panels differ from fresh ones after: %s", what);
    };
    settle();
    if (QTest::currentTestFailed())
        return;
    compareWithFresh("loaded");
    if (QTest::currentTestFailed())
        return;
    SemanticsPanel *panel = m_window->semanticsPanel();
    QVERIFY(panel->topLevelItemCount() > sections);

    // A value typed in one fence: that item's node is made again, no other.
    const auto nodes = [panel] {
        QList<QTreeWidgetItem *> out;
        for (int i = 0; i < panel->topLevelItemCount(); ++i)
            out.append(panel->topLevelItem(i));
        return out;
    };
    QList<QTreeWidgetItem *> before = nodes();
    QTreeWidgetItem *opened = before.value(before.size() - 2);
    opened->setExpanded(true);
    const QString thing = QStringLiteral("\"Thing %1\"").arg(sections / 2);
    QTextCursor cursor = editor->document()->find(thing);
    QVERIFY(!cursor.isNull());
    cursor.setPosition(cursor.selectionEnd() - 1);
    cursor.insertText(QStringLiteral(" renamed"));
    settle();
    if (QTest::currentTestFailed())
        return;
    compareWithFresh("renamed");
    if (QTest::currentTestFailed())
        return;
    QList<QTreeWidgetItem *> after = nodes();
    QCOMPARE(after.size(), before.size());
    int remade = 0;
    for (int i = 0; i < after.size(); ++i)
        remade += after[i] != before[i];
    QVERIFY2(remade >= 1 && remade <= 2, qPrintable(QString::number(remade)));
    QVERIFY(opened->isExpanded());

    // Lines added at the top move every item down; no node is made again.
    before = after;
    cursor = QTextCursor(editor->document()->findBlockByNumber(5));
    cursor.insertText(QStringLiteral("One more line.\n\nAnd another.\n"));
    settle();
    if (QTest::currentTestFailed())
        return;
    compareWithFresh("lines above");
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(nodes(), before);
    QVERIFY(opened->isExpanded());

    // Random edits, sometimes several between two updates of the panels.
    QRandomGenerator random(18);
    const QStringList pastes = {
        QStringLiteral("x"),
        QStringLiteral("\n"),
        QStringLiteral("\n\n"),
        QStringLiteral("```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": \"Place\", "
                       "\"name\": \"Pasted\"}\n```\n"),
        QStringLiteral("```\n"),
        QStringLiteral("---\n"),
        QString::fromUtf8(hiddenLine) + u'\n',
        QStringLiteral("# Title\n"),
        QStringLiteral("\"")
    };
    for (int i = 0; i < edits; ++i) {
        const int burst = 1 + int(random.bounded(3));
        for (int k = 0; k < burst; ++k) {
            const int length = editor->document()->characterCount() - 1;
            QTextCursor edit(editor->document());
            edit.setPosition(int(random.bounded(length + 1)));
            if (random.bounded(3) == 0)
                edit.setPosition(std::min(length, edit.position() + int(random.bounded(120))),
                                 QTextCursor::KeepAnchor);
            edit.insertText(random.bounded(4) == 0 ? QString()
                                                   : pastes[random.bounded(pastes.size())]);
            QCoreApplication::processEvents();
        }
        settle();
        if (QTest::currentTestFailed())
            return;
        compareWithFresh("random");
        if (QTest::currentTestFailed())
            return;
    }
}

void TestMainWindow::hideTextInSelection()
{
    NotebookEditor *editor = m_window->editor();
    QTextCursor cursor(editor->document()->findBlockByNumber(11)); // line 12, "Kyozo is a notebook…"
    cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    editor->setTextCursor(cursor);
    QString error;
    QVERIFY2(editor->hideInSelection(QStringLiteral("meet at noon"), {}, &error), qPrintable(error));
    m_window->refreshPanels();
    HiddenDataPanel *panel = m_window->hiddenDataPanel();
    QCOMPARE(panel->topLevelItemCount(), 2);
    QCOMPARE(panel->topLevelItem(0)->text(0), QStringLiteral("12"));
    QCOMPARE(panel->topLevelItem(0)->text(2), QStringLiteral("meet at noon"));
    // The visible text did not change.
    QString visible = editor->document()->findBlockByNumber(11).text();
    visible.remove(QRegularExpression(QStringLiteral("[\\x{200B}-\\x{200D}\\x{2060}-\\x{2064}]")));
    QCOMPARE(visible, QStringLiteral("Kyozo is a notebook editor for **Markdown-LD**: Markdown that carries linked data."));

    // With a passphrase the payload is sealed: the panel says so instead of showing it.
    cursor = QTextCursor(editor->document()->findBlockByNumber(12));
    cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    editor->setTextCursor(cursor);
    QVERIFY(editor->hideInSelection(QStringLiteral("second"), QStringLiteral("pass phrase"), &error));
    m_window->refreshPanels();
    QCOMPARE(panel->topLevelItemCount(), 3);
    QCOMPARE(panel->topLevelItem(1)->text(2), QStringLiteral("encrypted (kyozo); needs its passphrase"));

    // The sealed payload opens with its passphrase (what a double-click on the row offers),
    // and a wrong one is refused, never garbage.
    const qint64 column = panel->topLevelItem(1)->data(0, Qt::UserRole).toLongLong();
    QCOMPARE(column, 1 + qsizetype(QStringLiteral("Everything").size())); // right after the first word
    QCOMPARE(editor->openHiddenData(13, column, QStringLiteral("pass phrase"), &error), std::optional<QString>(QStringLiteral("second")));
    QVERIFY(!editor->openHiddenData(13, column, QStringLiteral("wrong"), &error));
    QVERIFY2(error.contains(QLatin1String("passphrase")) || error.contains(QLatin1String("password")), qPrintable(error));
    QVERIFY(!editor->openHiddenData(12, 3, QStringLiteral("x"), &error));
    QCOMPARE(error, QStringLiteral("no hidden payload starts there"));

    editor->setTextCursor(QTextCursor(editor->document()));
    QVERIFY(!editor->hideInSelection(QStringLiteral("x"), {}, &error));
    QCOMPARE(error, QStringLiteral("Select the text that should carry the hidden message first."));
}

// Issue 19 item 5: an invalid JSON-LD block's row says what is wrong and where, in plain words
// (written here by hand from the block), on the row and in its tooltip.
void TestMainWindow::errorRowsSayWhatIsWrong()
{
    const QString path = m_dir.filePath(QStringLiteral("broken.md"));
    writeAll(path, "# Broken\n\n```json-ld\n{\"@type\": \"Thing\", \"tags\": [1, ]}\n```\n");
    QString error;
    QVERIFY2(m_window->openFile(path, &error), qPrintable(error));
    m_window->refreshPanels();
    SemanticsPanel *panel = m_window->semanticsPanel();
    QTreeWidgetItem *row = nullptr;
    for (int i = 0; i < panel->topLevelItemCount(); ++i)
        if (panel->topLevelItem(i)->text(0) == QLatin1String("error"))
            row = panel->topLevelItem(i);
    QVERIFY(row);
    // Line 4 of the file: `{"@type": "Thing", "tags": [1, ]}`, where '{' is column 1, the
    // '[' column 28, "1," 29 and 30, the space 31 and the ']' column 32.
    const QString expected
        = QStringLiteral("invalid JSON-LD: a value is missing before ']' (line 4, column 32)");
    QCOMPARE(row->text(1), expected);
    QCOMPARE(row->toolTip(0), expected);
    QCOMPARE(row->toolTip(4), expected);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
