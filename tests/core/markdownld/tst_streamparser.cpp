// StreamParser events (SPEC §2.1): kinds, byte offsets, lines, columns in code points,
// heading levels and text, list starts, fence flags, maxBlockBytes. Expectations are
// worked out by hand from the documents below.
#include "markdownld/streamparser.h"

#include <QJsonArray>
#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

struct Closed
{
    BlockKind kind;
    SourceRange range;
    int level;
    bool ordered;
    qint64 listStart;
    bool unclosed;
    QByteArray content;
};

class Recorder : public StreamListener
{
public:
    void blockClosed(const BlockEvent &e) override
    {
        closed.append({ e.kind, e.range, e.level, e.ordered, e.listStart, e.unclosed,
                        e.content.toByteArray() });
    }
    void itemFound(const SemanticItem &item) override { items.append(item); }
    QList<Closed> closed;
    QList<SemanticItem> items;

    QList<Closed> of(BlockKind kind) const
    {
        QList<Closed> out;
        for (const Closed &c : closed)
            if (c.kind == kind)
                out.append(c);
        return out;
    }
};

Recorder run(const QByteArray &doc, qsizetype maxBlockBytes = 1024 * 1024)
{
    StreamParser::Options options;
    options.maxBlockBytes = maxBlockBytes;
    StreamParser parser(options);
    Recorder r;
    parser.addListener(&r);
    parser.feed(doc);
    parser.finish();
    return r;
}

} // namespace

class TestStreamParser : public QObject
{
    Q_OBJECT
private slots:
    void atxAndSetextHeadings()
    {
        // "  ## Café ##" is 13 bytes (é is two); line 2 starts at byte 14.
        const Recorder r = run("  ## Caf\xC3\xA9 ##\nSetext *h*\n---\n");
        const QList<Closed> h = r.of(BlockKind::Heading);
        QCOMPARE(h.size(), 2);
        QCOMPARE(h[0].level, 2);
        QCOMPARE(h[0].content, QByteArray("Caf\xC3\xA9"));
        QCOMPARE(h[0].range.startByte, 2);
        QCOMPARE(h[0].range.endByte, 13);
        QCOMPARE(h[0].range.startLine, 1);
        QCOMPARE(h[0].range.startColumn, 3);
        QCOMPARE(h[1].level, 2);
        QCOMPARE(h[1].content, QByteArray("Setext *h*"));
        QCOMPARE(h[1].range.startByte, 14);
        QCOMPARE(h[1].range.startLine, 2);
        QCOMPARE(h[1].range.endLine, 3);
        QCOMPARE(h[1].range.endByte, 28);
        QVERIFY(r.of(BlockKind::ThematicBreak).isEmpty());
    }

    void bomIsCountedInBytesNotColumns()
    {
        const Recorder r = run("\xEF\xBB\xBF# T\n");
        const QList<Closed> h = r.of(BlockKind::Heading);
        QCOMPARE(h.size(), 1);
        QCOMPARE(h[0].range.startByte, 3);
        QCOMPARE(h[0].range.startColumn, 1);
        QCOMPARE(h[0].content, QByteArray("T"));
    }

    void columnsCountCodePoints()
    {
        // The item's paragraph starts after "> - " (column 5, byte 4); the second line's
        // lazy text does not move it. The fence in the second quote starts at column 3.
        const Recorder r = run("> - \xE6\x97\xA5\xE6\x9C\xAC\n> ```\n> x\n");
        const QList<Closed> p = r.of(BlockKind::Paragraph);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].range.startColumn, 5);
        QCOMPARE(p[0].range.startByte, 4);
        QCOMPARE(p[0].range.endByte, 10);
        const QList<Closed> f = r.of(BlockKind::FencedCode);
        QCOMPARE(f.size(), 1);
        QCOMPARE(f[0].range.startLine, 2);
        QCOMPARE(f[0].range.startColumn, 3);
        QVERIFY(f[0].unclosed);
    }

    void listsReportOrderAndStart()
    {
        const Recorder r = run("3. three\n4. four\n\n- a\n+ b\n");
        const QList<Closed> lists = r.of(BlockKind::List);
        QCOMPARE(lists.size(), 3); // "-" and "+" are different lists
        QVERIFY(lists[0].ordered);
        QCOMPARE(lists[0].listStart, 3);
        QCOMPARE(lists[0].range.startLine, 1);
        QCOMPARE(lists[0].range.endLine, 2);
        QVERIFY(!lists[1].ordered);
        QCOMPARE(lists[1].range.startLine, 4);
        QCOMPARE(lists[2].range.startLine, 5);
        QCOMPARE(r.of(BlockKind::ListItem).size(), 4);
    }

    void fenceClosedOrNot()
    {
        QVERIFY(!run("```\ncode\n```\n").of(BlockKind::FencedCode).first().unclosed);
        const Closed open = run("```\ncode\n").of(BlockKind::FencedCode).first();
        QVERIFY(open.unclosed);
        QCOMPARE(open.range.endLine, 2);
    }

    void htmlBlockEndsOnItsEndConditionLine()
    {
        // cmark-gfm 0.29 would say line 1; the comment really ends on line 2.
        const QList<Closed> h = run("<!-- a\nb -->\ntext\n").of(BlockKind::HtmlBlock);
        QCOMPARE(h.size(), 1);
        QCOMPARE(h[0].range.startLine, 1);
        QCOMPARE(h[0].range.endLine, 2);
        QCOMPARE(h[0].range.endByte, 12);
    }

    void crlfRangesEndBeforeTheLineEnding()
    {
        const QList<Closed> p = run("para\r\nmore\r\n\r\nnext\r\n").of(BlockKind::Paragraph);
        QCOMPARE(p.size(), 2);
        QCOMPARE(p[0].range.startByte, 0);
        QCOMPARE(p[0].range.endByte, 10);
        QCOMPARE(p[0].content, QByteArray("para\nmore"));
        QCOMPARE(p[1].range.startByte, 14);
        QCOMPARE(p[1].range.startLine, 4);
    }

    void tableInterruptingAParagraph()
    {
        // cmark-gfm's table extension: the paragraph's last line is the header row, the lines
        // before it stay a paragraph. "> intro \xC3\xA9" is bytes 0-9 (é is two), "> more"
        // 11-16, "> | a | b |" 18-28 (its text from byte 20), the delimiter row 30-40 and
        // the body row 42-52.
        const Recorder r = run("> intro \xC3\xA9\n> more\n> | a | b |\n> |---|---|\n> | 1 | 2 |\n");
        const QList<Closed> p = r.of(BlockKind::Paragraph);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].content, QByteArray("intro \xC3\xA9\nmore"));
        QCOMPARE(p[0].range.startByte, 2);
        QCOMPARE(p[0].range.startLine, 1);
        QCOMPARE(p[0].range.startColumn, 3);
        QCOMPARE(p[0].range.endLine, 2);
        QCOMPARE(p[0].range.endByte, 17);
        const QList<Closed> t = r.of(BlockKind::Table);
        QCOMPARE(t.size(), 1);
        // The header row and the body rows are the table's content (the delimiter row is not).
        QCOMPARE(t[0].content, QByteArray("| a | b |\n| 1 | 2 |"));
        QCOMPARE(t[0].range.startByte, 20);
        QCOMPARE(t[0].range.startLine, 3);
        QCOMPARE(t[0].range.startColumn, 3);
        QCOMPARE(t[0].range.endLine, 5);
        QCOMPARE(t[0].range.endByte, 53);

        // A lazy header row keeps its leading spaces (three cells: "  ", "a", "b"), so the
        // table starts at the line's first byte; the two-cell delimiter row makes none.
        const Recorder lazy = run("> x\n  |a|b|\n> |-|-|-|\n");
        QCOMPARE(lazy.of(BlockKind::Table).size(), 1);
        QCOMPARE(lazy.of(BlockKind::Table)[0].range.startByte, 4);
        QCOMPARE(lazy.of(BlockKind::Table)[0].range.startColumn, 1);
        QCOMPARE(lazy.of(BlockKind::Paragraph)[0].range.endByte, 3);
        QVERIFY(run("> x\n  |a|b|\n> |-|-|\n").of(BlockKind::Table).isEmpty());

        // Lines before the header row are a paragraph even if they are only a definition
        // (cmark never finalizes that paragraph); a delimiter row indented four columns is
        // paragraph text.
        QCOMPARE(run("[a]: /url\n| x |\n|---|\n").of(BlockKind::Paragraph).size(), 1);
        QVERIFY(run("Foo\n    ---\n").of(BlockKind::Table).isEmpty());
    }

    void referenceDefinitionsAreNoParagraph()
    {
        QVERIFY(run("[a]: /url\n[b]: <x> 'title'\n").of(BlockKind::Paragraph).isEmpty());
        QCOMPARE(run("[a]: /url\ntext\n").of(BlockKind::Paragraph).size(), 1);
        QCOMPARE(run("[a] not a definition\n").of(BlockKind::Paragraph).size(), 1);
    }

    void blockOverMaxBlockBytesIsAnErrorAndParsingGoesOn()
    {
        const QByteArray big = "```json-ld\n{\"name\": \"" + QByteArray(200, 'x') + "\"}\n```\n";
        const QByteArray small = "```json-ld\n{\"@type\": \"T\"}\n```\n";
        const Recorder r = run(big + "\n" + small, 64);
        QCOMPARE(r.items.size(), 2);
        QCOMPARE(r.items[0].kind, ItemKind::Error);
        QCOMPARE(r.items[0].errors.size(), 1);
        QCOMPARE(r.items[0].errors[0].line, 1);
        QCOMPARE(r.items[0].errors[0].column, 1);
        QVERIFY(r.items[0].errors[0].message.contains(QLatin1String("maxBlockBytes")));
        QCOMPARE(r.items[0].range.endLine, 3);
        QCOMPARE(r.items[1].kind, ItemKind::JsonLd);
        QCOMPARE(r.items[1].range.startLine, 5);
        QCOMPARE(r.items[1].type.toString(), QStringLiteral("T"));
    }

    void frontMatterOverMaxBlockBytes()
    {
        QByteArray doc = "---\n";
        for (int i = 0; i < 20; ++i)
            doc += "key" + QByteArray::number(i) + ": value\n";
        doc += "---\n```json-ld\n{\"@type\": \"After\"}\n```\n";
        const Recorder r = run(doc, 64);
        QCOMPARE(r.items.size(), 2);
        QCOMPARE(r.items[0].kind, ItemKind::Error);
        QCOMPARE(r.items[0].range.startLine, 1);
        QCOMPARE(r.items[1].kind, ItemKind::JsonLd);
        QCOMPARE(r.items[1].range.startLine, 23);
    }

    // The preview's view of the front matter (issue 19 item 4): where it ends and what it
    // holds, only at the very start of a document, and only when it is closed.
    void leadingFrontMatter()
    {
        const QByteArray crlf = "---\r\ntitle: A\r\nn: 1\r\n---\r\n# Body\r\n";
        const auto fm = StreamParser::leadingFrontMatter(crlf);
        QVERIFY(fm);
        QVERIFY(!fm->toml);
        QCOMPARE(fm->content, QByteArray("title: A\nn: 1"));
        QCOMPARE(fm->bodyStart, qint64(crlf.indexOf("# Body")));
        const QByteArray toml = "+++\nx = 1\n+++\nText";
        const auto t = StreamParser::leadingFrontMatter(toml);
        QVERIFY(t && t->toml);
        QCOMPARE(t->bodyStart, qint64(toml.indexOf("Text")));
        QVERIFY(!StreamParser::leadingFrontMatter("\n---\ntitle: A\n---\n"));
        QVERIFY(!StreamParser::leadingFrontMatter("# Title\n---\ntitle: A\n---\n"));
        QVERIFY(!StreamParser::leadingFrontMatter("---\ntitle: never closed\n"));
        QVERIFY(!StreamParser::leadingFrontMatter(""));
    }

    // A script's data ends at "</script" in any case, as an HTML parser ends it: "</SCRIPT>"
    // closes the first block, and the second is read on its own.
    void scriptEndTagInAnyCase()
    {
        const Recorder r
            = run("<div>\n<script type=\"application/ld+json\">{\"@type\": \"A\"}</SCRIPT>\n"
                  "<script type=\"application/ld+json\">{\"@type\": \"B\"}</script>\n</div>\n");
        QCOMPARE(r.items.size(), 2);
        QCOMPARE(r.items[0].kind, ItemKind::JsonLd);
        QCOMPARE(r.items[0].type.toString(), QStringLiteral("A"));
        QCOMPARE(r.items[1].type.toString(), QStringLiteral("B"));
    }

    // Issue 16 item 5, SPEC §2.1: --context holds the lines an item may still need, never the
    // document: a long code block nothing is extracted from keeps N lines, a block over
    // maxBlockBytes at most maxBlockBytes + 64 KiB of lines, and items still come out.
    void contextHoldsBoundedLines()
    {
        StreamParser::Options options;
        options.maxBlockBytes = 64 * 1024;
        options.contextLines = 3;
        StreamParser parser(options);
        Recorder r;
        parser.addListener(&r);
        qsizetype most = 0;
        auto feedLines = [&](const QByteArray &line, int count) {
            for (int i = 0; i < count; ++i) {
                parser.feed(line);
                most = qMax(most, parser.contextBytes());
            }
        };
        parser.feed("```python\n");
        feedLines("print('a line of about forty bytes')\n", 50000);
        parser.feed("```\n\n");
        QVERIFY2(most <= 8 * 64, qPrintable(QString::number(most)));
        parser.feed("```json-ld\n{\"text\": [\n");
        feedLines("\"a line of about forty bytes of JSON\",\n", 50000);
        parser.feed("\"\"]}\n```\n\nText [x]{property=schema:name}.\n");
        parser.finish();
        QVERIFY2(most <= options.maxBlockBytes + 64 * 1024 + 2048,
                 qPrintable(QString::number(most)));
        QCOMPARE(r.items.size(), 2);
        QCOMPARE(r.items[0].kind, ItemKind::Error); // the JSON-LD block was over maxBlockBytes
        QCOMPARE(r.items[1].kind, ItemKind::Annotation);
        QCOMPARE(r.items[1].context.value_or(QString()),
                 QStringLiteral("\"\"]}\n```\n\nText [x]{property=schema:name}."));
    }

    void nothingCrashesOnHostileInput()
    {
        // Deep nesting, NULs, lone CRs, invalid UTF-8 and unbalanced everything.
        QByteArray doc = QByteArray(500, '>') + " x\n" + QByteArray(300, '[') + "\n";
        doc += QByteArray("\0\r\r\n\xFF\xFE```json-ld\n{\"a\":", 22) + "\n<div\n<!--\n";
        doc += QByteArray(5000, '-') + "\n" + QByteArray(100, '\t') + "- x\n";
        const Recorder r = run(doc, 128);
        QVERIFY(!r.closed.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStreamParser)
#include "tst_streamparser.moc"
