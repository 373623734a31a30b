// Live semantic highlighting of the sample notebook (SPEC §9, issue 6), on the offscreen
// platform: formats read back from each block's QTextLayout.
#include "appformats.h"
#include "editor/codehighlighter.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "requiredtool.h"

#include <QFile>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QToolTip>
#include <QtTest>

using namespace Kyozo::App;

class TestNotebookEditor : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void headingsAndFrontMatter();
    void jsonLdBlocksAndKeys();
    void htmlMetadata();
    void hiddenRunIsMarked();
    void plainProseIsLeftAlone();
    void codeCellsAreColouredByKate();
    void typedBlockUpdatesInTheSameKeystroke();
    void fenceOpenedAboveRefreshesLaterLines();
    void hiddenRunTooltipShowsThePayload();
    void followsADarkPalette();
    void largeNotebookTypedBlockAtOnceRestInTheBackground();
    void fenceInfoAsCoreReadsIt();
    void positionsMoveWithTheirTextWhileAnalysisIsPaused();

private:
    QTextBlock line(int oneBased) const { return m_editor->document()->findBlockByNumber(oneBased - 1); }
    QColor background(Role role) const { return m_editor->highlighter()->formatFor(role).background().color(); }
    NotebookEditor *m_editor = nullptr;
};

void TestNotebookEditor::init()
{
    m_editor = new NotebookEditor;
    m_editor->resize(900, 700);
    m_editor->show();
    QFile sample(QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md"));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    QString error;
    QVERIFY2(m_editor->loadBytes(sample.readAll(), &error), qPrintable(error));
}

void TestNotebookEditor::cleanup()
{
    delete m_editor;
}

void TestNotebookEditor::headingsAndFrontMatter()
{
    QCOMPARE(line(10).text(), QStringLiteral("# Welcome to Kyozo"));
    QCOMPARE(formatAt(line(10), 0).fontWeight(), int(QFont::Bold));
    QCOMPARE(formatAt(line(10), 17).fontWeight(), int(QFont::Bold));
    // Front matter: lines 1-8 tinted; keys bold in the key colour, values not.
    for (int l = 1; l <= 8; ++l)
        QCOMPARE(formatAt(line(l), 0).background().color(), background(Role::FrontMatter));
    const QColor keyColour = m_editor->highlighter()->formatFor(Role::FrontMatterKey).foreground().color();
    QCOMPARE(formatAt(line(2), 0).foreground().color(), keyColour);  // "title"
    QCOMPARE(formatAt(line(2), 4).foreground().color(), keyColour);
    QVERIFY(formatAt(line(2), 7).foreground().color() != keyColour); // "Welcome"
    QCOMPARE(formatAt(line(6), 7).foreground().color(), keyColour);  // "og:title", last char
    QCOMPARE(formatAt(line(7), 11).foreground().color(), keyColour); // "dc.publisher"
    QVERIFY(!formatAt(line(8), 0).hasProperty(QTextFormat::ForegroundBrush)); // the closing ---
}

void TestNotebookEditor::jsonLdBlocksAndKeys()
{
    // The item covers its fence lines (SPEC §11): 15-23 and 38-46, and the <script> 56-58.
    for (int l : { 15, 16, 19, 23, 38, 42, 46, 56, 57, 58 })
        QVERIFY2(formatAt(line(l), 0).background().color() == background(Role::JsonLd), qPrintable(QString::number(l)));
    QVERIFY(formatAt(line(24), 0).background().color() != background(Role::JsonLd));
    QVERIFY(formatAt(line(37), 0).background().color() != background(Role::JsonLd));
    const QColor keyColour = m_editor->highlighter()->formatFor(Role::JsonLdKey).foreground().color();
    QCOMPARE(line(18).text(), QStringLiteral("  \"@type\": \"SoftwareApplication\","));
    for (int c = 2; c <= 8; ++c) // "@type" with its quotes
        QCOMPARE(formatAt(line(18), c).foreground().color(), keyColour);
    QVERIFY(formatAt(line(18), 9).foreground().color() != keyColour);  // the colon
    QVERIFY(formatAt(line(18), 12).foreground().color() != keyColour); // the value
}

void TestNotebookEditor::htmlMetadata()
{
    for (int l : { 48, 49, 51, 52, 53, 54 })
        QVERIFY2(formatAt(line(l), 1).background().color() == background(Role::Metadata), qPrintable(QString::number(l)));
}

void TestNotebookEditor::hiddenRunIsMarked()
{
    // Line 34: "This", the run (the marker U+2064 U+2063, then four digits per byte), " sentence".
    const QTextBlock hidden = line(34);
    QVERIFY(hidden.text().startsWith(u"This\u2064\u2063"));
    const int runEnd = int(hidden.text().indexOf(QLatin1String(" sentence")));
    QVERIFY(runEnd > 4);
    for (int c = 4; c < runEnd; ++c)
        QCOMPARE(formatAt(hidden, c).background().color(), background(Role::HiddenData));
    QVERIFY(formatAt(hidden, 3).background().color() != background(Role::HiddenData));
    QVERIFY(formatAt(hidden, runEnd).background().color() != background(Role::HiddenData));
}

void TestNotebookEditor::plainProseIsLeftAlone()
{
    for (int l : { 12, 13, 25, 32, 36 })
        QVERIFY2(line(l).layout()->formats().isEmpty(), qPrintable(line(l).text()));
}

void TestNotebookEditor::codeCellsAreColouredByKate()
{
    const QString fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    QCOMPARE(formatAt(line(28), 5).fontFamilies().toStringList().value(0), fixed);
    KYOZO_REQUIRE(m_editor->codeHighlighter()->isAvailable(), QStringLiteral("kate-syntax-highlighter"));
    // "def" bold and the f-string coloured once the tool answered, asynchronously.
    QTRY_COMPARE_WITH_TIMEOUT(formatAt(line(28), 0).fontWeight(), int(QFont::Bold), 10000);
    QVERIFY(formatAt(line(29), 12).hasProperty(QTextFormat::ForegroundBrush));
    QVERIFY(!formatAt(line(28), 5).hasProperty(QTextFormat::ForegroundBrush)); // "greet" stays plain
    QCOMPARE(formatAt(line(28), 0).fontFamilies().toStringList().value(0), fixed);
}

void TestNotebookEditor::typedBlockUpdatesInTheSameKeystroke()
{
    QTextCursor cursor(line(12));
    m_editor->setTextCursor(cursor);
    QVERIFY(line(12).layout()->formats().isEmpty());
    QTest::keyClicks(m_editor, QStringLiteral("# "));
    // No event loop has run since the keys: the new heading is already formatted.
    QCOMPARE(line(12).text().left(8), QStringLiteral("# Kyozo "));
    QCOMPARE(formatAt(line(12), 3).fontWeight(), int(QFont::Bold));
}

void TestNotebookEditor::fenceOpenedAboveRefreshesLaterLines()
{
    QTextCursor cursor(line(11)); // the empty line after the heading
    m_editor->setTextCursor(cursor);
    QTest::keyClicks(m_editor, QStringLiteral("~~~"));
    // The fence now runs to the end of the document: the JSON-LD below is code, not data.
    const QString fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    QTRY_COMPARE(formatAt(line(12), 0).fontFamilies().toStringList().value(0), fixed);
    QTRY_VERIFY(formatAt(line(16), 0).background().color() != background(Role::JsonLd));
    QTRY_VERIFY(formatAt(line(48), 1).background().color() != background(Role::Metadata));
    // And back: undo restores the data.
    while (line(11).text() == QLatin1String("~~~") || line(11).text().startsWith(u'~'))
        m_editor->undo();
    QTRY_COMPARE(formatAt(line(16), 0).background().color(), background(Role::JsonLd));
    QTRY_VERIFY(line(12).layout()->formats().isEmpty());
}

void TestNotebookEditor::hiddenRunTooltipShowsThePayload()
{
    QTextCursor at(line(34));
    at.setPosition(line(34).position() + 4); // between "This" and the run
    const QPoint marker = m_editor->cursorRect(at).center();
    QCOMPARE(m_editor->hiddenDataAt(marker), QStringLiteral("Hidden data: Kyozo reads zero-width data too."));
    QTextCursor away(line(34));
    away.movePosition(QTextCursor::EndOfBlock);
    QCOMPARE(m_editor->hiddenDataAt(m_editor->cursorRect(away).center()), QString());
    QCOMPARE(m_editor->hiddenDataAt(m_editor->cursorRect(QTextCursor(line(12))).center()), QString());
    // Delivered as Qt delivers a hover: a ToolTip event to the viewport.
    QHelpEvent help(QEvent::ToolTip, marker, m_editor->viewport()->mapToGlobal(marker));
    QCoreApplication::sendEvent(m_editor->viewport(), &help);
    QTRY_COMPARE(QToolTip::text(), QStringLiteral("Hidden data: Kyozo reads zero-width data too."));
}

void TestNotebookEditor::followsADarkPalette()
{
    const QColor light = m_editor->highlighter()->formatFor(Role::Heading).foreground().color();
    QPalette dark = m_editor->palette();
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    m_editor->setPalette(dark);
    const QColor onDark = m_editor->highlighter()->formatFor(Role::Heading).foreground().color();
    QVERIFY(onDark != light);
    QVERIFY(onDark.lightness() > light.lightness()); // light text on a dark base
    QTRY_COMPARE(formatAt(line(10), 0).foreground().color(), onDark);
}

void TestNotebookEditor::largeNotebookTypedBlockAtOnceRestInTheBackground()
{
    // Over kSyncChars: the sample's body 400 times (~900 KB, 19,000 lines).
    QFile sample(QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md"));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    const QByteArray all = sample.readAll();
    const QByteArray body = all.mid(all.indexOf("\n# ") + 1);
    QByteArray big = all;
    for (int i = 0; i < 400; ++i)
        big += "\n" + body;
    QString error;
    QVERIFY(m_editor->loadBytes(big, &error));
    QVERIFY(m_editor->document()->characterCount() > SemanticHighlighter::kSyncChars);
    QTRY_VERIFY(!m_editor->highlighter()->isAnalysing());
    // The sample's 58 lines, then each copy: a blank line and sample lines 10-58 (50 lines).
    // Copy 200 starts at line 60 + 199 * 50; sample line s is line 10000 + s there: its
    // paragraph "Kyozo is a notebook editor" (s = 12) and its first JSON-LD block (15-23).
    QCOMPARE(int(body.count('\n')), 49);
    auto at = [&](int sampleLine) { return line(60 + 199 * 50 + sampleLine - 10); };
    QCOMPARE(at(12).text().left(5), QStringLiteral("Kyozo"));
    QCOMPARE(formatAt(at(16), 0).background().color(), background(Role::JsonLd));

    // The typed block changes within the keystroke, from a parse of the lines around it.
    QTextCursor cursor(at(12));
    m_editor->setTextCursor(cursor);
    QTest::keyClicks(m_editor, QStringLiteral("# "));
    QCOMPARE(formatAt(at(12), 3).fontWeight(), int(QFont::Bold));
    QVERIFY(m_editor->highlighter()->isAnalysing()); // the whole document, on a worker thread
    QTRY_VERIFY(!m_editor->highlighter()->isAnalysing());
    QCOMPARE(formatAt(at(12), 3).fontWeight(), int(QFont::Bold));

    // A fence opened on the blank line 11 turns everything after it into code: the typed line
    // at once, the rest (thousands of lines down) once the worker's analysis lands.
    QTextCursor blank(at(11));
    m_editor->setTextCursor(blank);
    QTest::keyClicks(m_editor, QStringLiteral("~~~"));
    const QString fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    QCOMPARE(formatAt(at(11), 0).fontFamilies().toStringList().value(0), fixed);
    QTRY_VERIFY_WITH_TIMEOUT(formatAt(line(m_editor->document()->blockCount() - 40), 0).background().color()
                                     != background(Role::JsonLd) ||
                                     formatAt(line(m_editor->document()->blockCount() - 40), 0).fontFamilies().toStringList().value(0) == fixed,
                             20000);
    QTRY_COMPARE_WITH_TIMEOUT(formatAt(at(16), 0).fontFamilies().toStringList().value(0), fixed, 20000);
    QVERIFY(formatAt(at(16), 0).background().color() != background(Role::JsonLd));
}

// The editor's JSON-LD blocks are the parser's (issue 18 item 4: one definition, in core):
// a tab after the info word still names JSON-LD, and the fence's item is there.
void TestNotebookEditor::fenceInfoAsCoreReadsIt()
{
    QString error;
    QVERIFY(m_editor->loadBytes("Text.\n\n```json-ld\tnote\n{\"@context\": \"https://schema.org\", "
                                "\"@type\": \"Thing\"}\n```\n\n```python\nx = 1\n```\n",
                                &error));
    for (int l : { 3, 4, 5 })
        QVERIFY2(formatAt(line(l), 0).background().color() == background(Role::JsonLd),
                 qPrintable(QString::number(l)));
    QVERIFY(formatAt(line(8), 0).background().color() != background(Role::JsonLd));
    QCOMPARE(m_editor->highlighter()->analysis().codeBlocks().size(), 1);
    QCOMPARE(m_editor->highlighter()->analysis().codeBlocks().first().language,
             QStringLiteral("python"));
}

// Issue 18 item 4: what the analysis found moves with its text, as KTextEditor's moving
// ranges do. With re-analysis paused, a JSON-LD block and a paragraph inserted above leave
// the items, the hidden-data marker and the formats on their own lines (a fresh parse would
// also have found the new block: it is not there, so it is the positions that moved).
void TestNotebookEditor::positionsMoveWithTheirTextWhileAnalysisIsPaused()
{
    SemanticHighlighter *h = m_editor->highlighter();
    const QList<Kyozo::MarkdownLD::SemanticItem> before = h->analysis().items();
    QCOMPARE(h->analysis().hiddenMarkers().size(), 1);
    const HiddenMarker marker = h->analysis().hiddenMarkers().first();
    QCOMPARE(marker.line, 33); // line 34, after "This"
    QCOMPARE(marker.column, 4);

    h->setAnalysisPaused(true);
    const QString inserted
        = QStringLiteral("Über: \U0001F600 new.\n\n```json-ld\n{\"@context\": "
                         "\"https://schema.org\", \"@type\": \"Thing\"}\n```\n\n");
    QTextCursor cursor(line(12));
    cursor.insertText(inserted); // six lines above everything from line 12 on
    h->rehighlight(); // every block from the moved analysis

    const auto &moved = h->analysis().items();
    QCOMPARE(moved.size(), before.size()); // not analysed again
    for (qsizetype i = 0; i < before.size(); ++i) {
        const auto &was = before[i].range;
        const auto &now = moved[i].range;
        if (was.startLine < 12)
            continue;
        QCOMPARE(now.startLine, was.startLine + 6);
        QCOMPARE(now.endLine, was.endLine + 6);
        QCOMPARE(now.startColumn, was.startColumn);
        // Bytes too: the inserted text is 88 bytes of UTF-8 ("Ü" two, the emoji four).
        QCOMPARE(now.startByte, was.startByte + inserted.toUtf8().size());
    }
    const HiddenMarker after = h->analysis().hiddenMarkers().first();
    QCOMPARE(after.line, 39);
    QCOMPARE(after.column, 4);
    QVERIFY(line(40).text().startsWith(u"This\u2064\u2063"));
    // The formats follow: the sample's first JSON-LD block (lines 15-23) is now 21-29, and the
    // inserted block is not JSON-LD yet.
    for (int l : { 21, 25, 29 })
        QVERIFY2(formatAt(line(l), 0).background().color() == background(Role::JsonLd),
                 qPrintable(QString::number(l)));
    QVERIFY(formatAt(line(15), 0).background().color() != background(Role::JsonLd));
    const int runEnd = int(line(40).text().indexOf(QLatin1String(" sentence")));
    QCOMPARE(formatAt(line(40), 5).background().color(), background(Role::HiddenData));
    QVERIFY(formatAt(line(40), runEnd).background().color() != background(Role::HiddenData));

    // Resumed: analysed again, the new block is found and the moved items are where a full
    // parse puts them.
    h->setAnalysisPaused(false);
    const auto &fresh = h->analysis().items();
    QCOMPARE(fresh.size(), before.size() + 1);
    QTRY_COMPARE(formatAt(line(15), 0).background().color(), background(Role::JsonLd));
    int matched = 0;
    for (const auto &item : before) {
        if (item.range.startLine < 12 || item.kind == Kyozo::MarkdownLD::ItemKind::Implicit)
            continue;
        const bool found = std::any_of(fresh.cbegin(), fresh.cend(), [&](const auto &f) {
            return f.kind == item.kind && f.range.startLine == item.range.startLine + 6
                && f.range.startByte == item.range.startByte + inserted.toUtf8().size();
        });
        QVERIFY2(found, qPrintable(QString::number(item.range.startLine)));
        ++matched;
    }
    QVERIFY(matched >= 5);
}

QTEST_MAIN(TestNotebookEditor)
#include "tst_notebookeditor.moc"
