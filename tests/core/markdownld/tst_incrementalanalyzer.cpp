// IncrementalAnalyzer (SPEC §2.6, issue 18 item 4): after every one of 10,000 random edits
// (typing, deleting across blocks, pasting, fences and front matter opened and closed, CRLF)
// its items equal a fresh full parse's, and its diff applied to the old items gives the new
// ones; only the blocks an edit changed are extracted again; the diff names what changed.
#include "markdownld/incrementalanalyzer.h"
#include "markdownld/streamparser.h"
#include "randomdocument.h"
#include "testpaths.h"

#include <QFile>
#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

class ItemList final : public StreamListener
{
public:
    QList<SemanticItem> items;
    void itemFound(const SemanticItem &item) override { items.append(item); }
};

QList<SemanticItem> fullParse(const QByteArray &text, const StreamParser::Options &options)
{
    ItemList list;
    StreamParser parser(options);
    parser.addListener(&list);
    parser.feed(text);
    parser.finish();
    return list.items;
}

QByteArray json(const SemanticItem &item)
{
    return QJsonDocument(item.toJson()).toJson(QJsonDocument::Compact);
}

// The first difference between two item lists, for the failure message.
QByteArray firstDifference(const QList<SemanticItem> &got, const QList<SemanticItem> &want)
{
    for (qsizetype i = 0; i < std::max(got.size(), want.size()); ++i) {
        if (i >= got.size() || i >= want.size() || !(got[i] == want[i]))
            return "item " + QByteArray::number(i) + " of " + QByteArray::number(want.size())
                + ":\n got  " + (i < got.size() ? json(got[i]) : "(none)") + "\n want "
                + (i < want.size() ? json(want[i]) : "(none)");
    }
    return "the same";
}

// Front matter's `prefixes:` (SPEC §2.2.4) reaches every annotation of the document.
const QByteArray kPrefixed
    = "---\ntitle: Gadgets\nprefixes:\n  ex: \"https://example.org/vocab#\"\n---\n\n"
      "A [Widget]{typeof=ex:Gadget property=ex:label} in [red]{ex:colour=red}.\n\n";

QByteArray sampleNotebook()
{
    QFile f(KyozoTest::sourcePath(QStringLiteral("resources/samples/welcome.md")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A byte offset at a UTF-8 character boundary, at or before `pos`.
qsizetype boundary(const QByteArray &text, qsizetype pos)
{
    pos = std::clamp<qsizetype>(pos, 0, text.size());
    while (pos > 0 && pos < text.size() && (quint8(text[pos]) & 0xC0) == 0x80)
        --pos;
    return pos;
}

qsizetype lineStartAt(const QByteArray &text, qsizetype pos)
{
    while (pos > 0 && text[pos - 1] != '\n')
        --pos;
    return pos;
}

struct Edit
{
    qsizetype at = 0;
    qsizetype removed = 0;
    QByteArray inserted;
    const char *what = "";
};

// One edit as a writer (or a paste, or a tool) makes it.
Edit randomEdit(QRandomGenerator &random, const QByteArray &text, const QList<QByteArray> &pool)
{
    static const QByteArray typed[]
        = { "a", "Z",  " ", "\n", "\n\n",         "{",    "}", "\"", ":", ",",
            "#", "# ", "`", "é",  "\xE2\x80\x8B", "\r\n", "-", "*",  "<", ">",
            "[", "]",  "(", ")",  "\t",           "1." };
    static const QByteArray lines[] = { "```json-ld\n", "```\n",
                                        "~~~\n",        "---\n",
                                        "+++\n",        "<script type=\"application/ld+json\">\n",
                                        "</script>\n",  "# Steps\n",
                                        "\n",           "> ",
                                        "- ",           "    ",
                                        "<div>\n",      "prefixes:\n  ex: https://example.org/\n" };
    const qsizetype size = text.size();
    Edit e;
    const int kind = random.bounded(100);
    if (kind < 45) { // typing
        e.at = boundary(text, random.bounded(size + 1));
        e.inserted = typed[random.bounded(int(std::size(typed)))];
        e.what = "type";
    } else if (kind < 60) { // backspace, or a selection deleted across blocks
        e.at = boundary(text, random.bounded(size + 1));
        const qsizetype length
            = random.bounded(4) == 0 ? random.bounded(400) : 1 + random.bounded(3);
        e.removed = boundary(text, e.at + length) - e.at;
        e.what = "delete";
    } else if (kind < 72) { // a paste of another document's lines
        const QByteArray &from = pool[random.bounded(int(pool.size()))];
        const qsizetype start = lineStartAt(from, random.bounded(from.size() + 1));
        const qsizetype end = boundary(from, start + random.bounded(600));
        e.at = boundary(text, random.bounded(size + 1));
        e.inserted = from.mid(start, end - start);
        e.what = "paste";
    } else if (kind < 92) { // a fence, front matter or container line opened or closed
        e.at = random.bounded(4) == 0 ? 0 : lineStartAt(text, random.bounded(size + 1));
        e.inserted = lines[random.bounded(int(std::size(lines)))];
        e.what = "line";
    } else { // a line removed whole
        e.at = lineStartAt(text, random.bounded(size + 1));
        const qsizetype end = text.indexOf('\n', e.at);
        e.removed = (end < 0 ? size : end + 1) - e.at;
        e.what = "remove line";
    }
    return e;
}

} // namespace

class TestIncrementalAnalyzer : public QObject
{
    Q_OBJECT

private slots:
    void incrementalEqualsFullAfterRandomEdits_data();
    void incrementalEqualsFullAfterRandomEdits();
    void onlyChangedBlocksAreExtracted();
    void diffNamesWhatChanged();
    void updateFindsTheEdit();
    void prefixesChangedAboveReachAnnotationsBelow();
    void typingBeforeAnItemOnItsLineMovesIt();
};

void TestIncrementalAnalyzer::incrementalEqualsFullAfterRandomEdits_data()
{
    QTest::addColumn<int>("seed");
    QTest::addColumn<bool>("implicit");
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("context");
    // The editor's options, and --depth/--context, whose items are built after extraction.
    QTest::newRow("editor") << 1 << true << 1 << -1;
    QTest::newRow("depth and context") << 2 << false << 3 << 2;
}

void TestIncrementalAnalyzer::incrementalEqualsFullAfterRandomEdits()
{
    QFETCH(int, seed);
    QFETCH(bool, implicit);
    QFETCH(int, depth);
    QFETCH(int, context);
    StreamParser::Options options;
    options.includeImplicit = implicit;
    options.semanticDepth = depth;
    options.contextLines = context;

    QStringList names;
    QList<QByteArray> pool = KyozoTest::committedDocuments(&names);
    pool.append(sampleNotebook());
    QVERIFY(pool.size() > 100);
    QRandomGenerator random { quint32(seed) };

    IncrementalAnalyzer analyzer(options);
    QList<SemanticItem> previous;
    const int kEdits = 5000; // per row: 10,000 in all
    for (int n = 0; n < kEdits; ++n) {
        ItemDiff diff;
        QByteArray what;
        if (n % 250 == 0) {
            // A new document now and then: the sample or a data case with a random one, as
            // LF or CRLF.
            // A quarter of them declare CURIE prefixes that annotations further down use.
            QByteArray text = random.bounded(4) == 0
                ? kPrefixed + KyozoTest::randomDocument(random, 12 + random.bounded(12))
                    + kPrefixed.sliced(kPrefixed.indexOf("\nA [") + 1)
                : pool[random.bounded(int(pool.size()))]
                    + KyozoTest::randomDocument(random, 12 + random.bounded(12));
            if (random.bounded(2))
                text.replace("\r\n", "\n").replace("\n", "\r\n");
            diff = analyzer.update(text);
            what = "new document";
        } else {
            const Edit e = randomEdit(random, analyzer.text(), pool);
            diff = analyzer.replace(e.at, e.removed, e.inserted);
            what = QByteArray(e.what) + " at " + QByteArray::number(e.at) + " -"
                + QByteArray::number(e.removed) + " +" + e.inserted.toPercentEncoding();
        }
        const QList<SemanticItem> full = fullParse(analyzer.text(), options);
        QVERIFY2(analyzer.items() == full,
                 "edit " + QByteArray::number(n) + " (" + what
                     + "): " + firstDifference(analyzer.items(), full));
        diff.apply(previous);
        QVERIFY2(previous == full,
                 "diff of edit " + QByteArray::number(n) + " (" + what
                     + "): " + firstDifference(previous, full));
    }
}

void TestIncrementalAnalyzer::onlyChangedBlocksAreExtracted()
{
    // 30 JSON-LD blocks, each different, with paragraphs between and a hidden-data line.
    QByteArray text = "# Notebook\n\nIntro.\n\n";
    for (int i = 0; i < 30; ++i)
        text += "Paragraph " + QByteArray::number(i)
            + ".\n\n```json-ld\n{\"@context\": "
              "\"https://schema.org\", \"@type\": \"Thing\", \"name\": \"n"
            + QByteArray::number(i) + "\"}\n```\n\n";
    const QByteArray sample = sampleNotebook();
    const qsizetype hiddenLine = sample.indexOf("This\xE2\x81\xA4");
    QVERIFY(hiddenLine > 0);
    text += sample.mid(hiddenLine, sample.indexOf('\n', hiddenLine) + 1 - hiddenLine);

    StreamParser::Options options;
    options.includeImplicit = true;
    IncrementalAnalyzer analyzer(options);
    analyzer.update(text);
    QCOMPARE(analyzer.lastStats().extracted, 31); // every block, and the hidden line
    QCOMPARE(analyzer.lastStats().reused, 0);

    // Typing in a paragraph extracts no JSON-LD block again.
    const qsizetype paragraph = text.indexOf("Paragraph 7.");
    analyzer.replace(paragraph + 9, 0, "x");
    QCOMPARE(analyzer.lastStats().extracted, 0);
    QCOMPARE(analyzer.lastStats().reused, 31);
    QCOMPARE(analyzer.items(), fullParse(analyzer.text(), options));

    // Typing in one block extracts that block alone.
    const qsizetype name = analyzer.text().indexOf("\"n12\"");
    analyzer.replace(name + 2, 0, "x");
    QCOMPARE(analyzer.lastStats().extracted, 1);
    QCOMPARE(analyzer.lastStats().reused, 30);
    QCOMPARE(analyzer.items(), fullParse(analyzer.text(), options));

    // A fence opened above block 20 re-scopes what follows: blocks 20-29 change (the bare
    // fence takes block 20's opening line as its content, block 20's closing fence ends it,
    // and so on down), blocks 0-19 and their items stay.
    const qsizetype above = analyzer.text().indexOf("Paragraph 20.");
    analyzer.replace(above, 0, "```\n");
    const ExtractionMemo::Stats scoped = analyzer.lastStats();
    QCOMPARE(analyzer.items(), fullParse(analyzer.text(), options));
    QVERIFY2(scoped.reused >= 20, qPrintable(QString::number(scoped.reused)));
    QVERIFY2(scoped.extracted <= 11, qPrintable(QString::number(scoped.extracted)));
    // Closed again: the document is what it was.
    analyzer.replace(above, 4, "");
    QCOMPARE(analyzer.items(), fullParse(analyzer.text(), options));
    QVERIFY2(analyzer.lastStats().reused >= 20,
             qPrintable(QString::number(analyzer.lastStats().reused)));
}

void TestIncrementalAnalyzer::diffNamesWhatChanged()
{
    const QByteArray a
        = "```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": \"Person\", "
          "\"name\": \"Ada\"}\n```\n\n";
    const QByteArray b = "```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": \"Place\", "
                         "\"name\": \"Paris\"}\n```\n";
    IncrementalAnalyzer analyzer; // explicit items only: one per block
    ItemDiff diff = analyzer.update(a + b);
    QCOMPARE(diff.added, 2);
    QCOMPARE(analyzer.items().size(), 2);

    // Paris becomes Lyon: item 1 changed, item 0 untouched.
    diff = analyzer.replace(a.size() + b.indexOf("Paris"), 5, "Lyon");
    QCOMPARE(diff.first, 1);
    QCOMPARE(diff.removedCount, 1);
    QCOMPARE(diff.changed, 1);
    QCOMPARE(diff.added, 0);
    QCOMPARE(diff.removed, 0);
    QCOMPARE(diff.inserted.value(0).properties.value("name").toString(), QStringLiteral("Lyon"));

    // Lines added above: nothing is spliced, both items move (two lines, 8 bytes down).
    diff = analyzer.replace(0, 0, "Hello.\n\n");
    QVERIFY(diff.isEmpty());
    QCOMPARE(diff.edit.newEndLine - diff.edit.oldEndLine, 2);
    QCOMPARE(analyzer.items().at(0).range.startLine, 3);
    QCOMPARE(analyzer.items().at(0).range.startByte, 8);

    // The first block deleted: one removed, the other moved up and renumbered.
    diff = analyzer.replace(8, a.size(), "");
    QCOMPARE(diff.removed, 1);
    QCOMPARE(diff.added, 0);
    QCOMPARE(diff.changed, 0);
    QCOMPARE(diff.indexDelta, -1);
    QCOMPARE(analyzer.items().size(), 1);
    QCOMPARE(analyzer.items().at(0).index, 0);
    QCOMPARE(analyzer.items().at(0).properties.value("name").toString(), QStringLiteral("Lyon"));
    QCOMPARE(analyzer.items().at(0).range.startLine, 3);
}

void TestIncrementalAnalyzer::updateFindsTheEdit()
{
    IncrementalAnalyzer analyzer;
    analyzer.update("# One\n\ntwo three\n");
    // "three" -> "thr3e" then a line added: the edit lies between the common prefix and suffix.
    ItemDiff diff = analyzer.update("# One\n\ntwo thr3e\n");
    QCOMPARE(diff.edit.startByte, 14);
    QCOMPARE(diff.edit.oldEndByte, 15);
    QCOMPARE(diff.edit.newEndByte, 15);
    QCOMPARE(diff.edit.startLine, 3);
    QCOMPARE(diff.edit.oldEndColumn, 9);
    diff = analyzer.update("# One\n\nnew\ntwo thr3e\n");
    QCOMPARE(diff.edit.startByte, 7);
    QCOMPARE(diff.edit.oldEndByte, 7);
    QCOMPARE(diff.edit.newEndByte, 11);
    QCOMPARE(diff.edit.newEndLine, 4);
    QCOMPARE(diff.edit.newEndColumn, 1);
    // Multi-byte text: columns in code points.
    diff = analyzer.update("# One\n\nnéw\ntwo thr3e\n");
    QCOMPARE(diff.edit.startByte, 8);
    QCOMPARE(diff.edit.newEndByte, 10);
    QCOMPARE(diff.edit.newEndColumn, 3);
}

void TestIncrementalAnalyzer::prefixesChangedAboveReachAnnotationsBelow()
{
    IncrementalAnalyzer analyzer;
    analyzer.update(kPrefixed + "Text.\n\n" + kPrefixed.sliced(kPrefixed.indexOf("\nA [") + 1));
    // An annotation keeps its CURIEs as written, with the prefixes it used as its @context.
    const auto namespaces = [&] {
        QStringList out;
        for (const SemanticItem &item : analyzer.items())
            if (item.kind == ItemKind::Annotation && item.type.isString()) // typeof=ex:Gadget
                out << item.properties.value("@context").toObject().value("ex").toString();
        return out;
    };
    QCOMPARE(namespaces(),
             QStringList({ "https://example.org/vocab#", "https://example.org/vocab#" }));
    // The namespace edited in the front matter: the annotations' blocks did not change, but
    // what they mean did.
    const qsizetype vocab = analyzer.text().indexOf("vocab#");
    analyzer.replace(vocab, 5, "terms");
    QCOMPARE(namespaces(),
             QStringList({ "https://example.org/terms#", "https://example.org/terms#" }));
    QCOMPARE(analyzer.items(), fullParse(analyzer.text(), {}));
}

void TestIncrementalAnalyzer::typingBeforeAnItemOnItsLineMovesIt()
{
    IncrementalAnalyzer analyzer;
    analyzer.update("Text.\n\nSee [Ada]{typeof=schema:Person} and [Paris]{typeof=schema:Place}.\n");
    QCOMPARE(analyzer.items().size(), 2);
    QCOMPARE(analyzer.items().at(1).range.startColumn, 37); // 4 + 27 + 5 code points before it
    // "é" typed at the start of the line: both items are the same, one column right (a
    // code point, two bytes), so the diff splices nothing.
    const ItemDiff diff = analyzer.replace(7, 0, "é");
    QVERIFY(diff.isEmpty());
    QCOMPARE(analyzer.items().at(0).range.startColumn, 6);
    QCOMPARE(analyzer.items().at(1).range.startColumn, 38);
    QCOMPARE(analyzer.items().at(1).range.startByte, 7 + 36 + 2);
    // Between them: the first stays, the second moves.
    const ItemDiff between = analyzer.replace(analyzer.text().indexOf(" and"), 0, "!");
    QVERIFY(between.isEmpty());
    QCOMPARE(analyzer.items().at(1).range.startColumn, 39);
}

QTEST_GUILESS_MAIN(TestIncrementalAnalyzer)
#include "tst_incrementalanalyzer.moc"
