// `kyozo-ld extract` and `kyozo-ld stats` exactly as SPEC §11 writes them, run as a user
// would: the real executable, files and pipes, exit codes and one-line errors.
#include "kyozoldrun.h"
#include "testpaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using Run = KyozoTest::KyozoLdRun;
using KyozoTest::runKyozoLd;

Run kyozoLd(const QStringList &args, const QByteArray &stdinData = {})
{
    return runKyozoLd(args, stdinData);
}

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : out.split('\n'))
        if (!line.isEmpty())
            objects.append(QJsonDocument::fromJson(line).object());
    return objects;
}

int lineCount(const QByteArray &text) { return int(text.count('\n')); }

const QByteArray kDoc = "# Title\n\nHello linked world.\n\n```json-ld\n{\"@type\": \"Thing\", \"@id\": \"#t\"}\n```\n";

} // namespace

class TestKyozoLd : public QObject
{
    Q_OBJECT
private slots:
    void extractJsonlFromStdin()
    {
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, kDoc);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> items = jsonLines(r.out);
        QCOMPARE(items.size(), 1);
        const QJsonObject item = items.first();
        QCOMPARE(item.value("kind").toString(), QStringLiteral("json-ld"));
        QCOMPARE(item.value("type").toString(), QStringLiteral("Thing"));
        QCOMPARE(item.value("id").toString(), QStringLiteral("#t"));
        QCOMPARE(item.value("origin").toString(), QStringLiteral("explicit"));
        QCOMPARE(item.value("confidence").toDouble(), 1.0);
        const QJsonObject range = item.value("range").toObject();
        QCOMPARE(range.value("startLine").toInt(), 5);
        QCOMPARE(range.value("endLine").toInt(), 7);
        QCOMPARE(range.value("startByte").toInt(), 30);
        QCOMPARE(range.value("endByte").toInt(), kDoc.size() - 1);
        QVERIFY(item.value("errors").toArray().isEmpty());
    }

    void extractJsonFormatFromFile()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("n.md")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kDoc);
        f.close();
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("json"), f.fileName() });
        QCOMPARE(r.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("items").toArray().size(), 1);
        QCOMPARE(doc.value("stats").toObject().value("words").toInt(), 4);
    }

    void statsCountsAsSpecified()
    {
        const Run r = kyozoLd({ QStringLiteral("stats"), QStringLiteral("-") }, kDoc);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s.value("bytes").toInt(), kDoc.size());
        QCOMPARE(s.value("lines").toInt(), 7);
        QCOMPARE(s.value("words").toInt(), 4); // Title + Hello linked world; code is not prose
        const QJsonObject blocks = s.value("blocks").toObject();
        QCOMPARE(blocks.value("heading").toInt(), 1);
        QCOMPARE(blocks.value("paragraph").toInt(), 1);
        QCOMPARE(blocks.value("code_block").toInt(), 1);
        QCOMPARE(s.value("items").toObject().value("json-ld").toInt(), 1);
        QCOMPARE(s.value("density").toDouble(), 250.0); // 1 item per 4 words, per 1,000
        const QJsonArray sections = s.value("sections").toArray();
        QCOMPARE(sections.size(), 1);
        QCOMPARE(sections[0].toObject(), (QJsonObject{ { "name", "Title" }, { "level", 1 }, { "startLine", 1 },
                                                        { "words", 4 }, { "density", 250.0 } }));
    }

    // SPEC §2.3: density is confidence-weighted, per section too; error items do not count.
    void densityIsWeightedBySection()
    {
        // Before any heading: 4 words and an error item (no density). "# A": 5 words ("A", "x",
        // and a date is three: 2024, 01, 01) and an implicit date (0.98). "## B": 6 words, a
        // date and a code block (0.94).
        const QByteArray doc = "```json-ld\n{\n```\nOne two three four.\n\n# A\n\nx 2024-01-01\n\n"
                               "## B\n\nThree words 2024-02-02.\n\n```sh\nls\n```\n";
        const Run r = kyozoLd({ QStringLiteral("stats"), QStringLiteral("--implicit"), QStringLiteral("-") }, doc);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s.value("words").toInt(), 15);
        const QJsonArray sections = s.value("sections").toArray();
        QCOMPARE(sections.size(), 3);
        QCOMPARE(sections[0].toObject().value("name"), QJsonValue(QJsonValue::Null));
        QCOMPARE(sections[0].toObject().value("level").toInt(), 0);
        QCOMPARE(sections[0].toObject().value("density").toDouble(), 0.0);
        QCOMPARE(sections[1].toObject().value("words").toInt(), 5);
        QCOMPARE(sections[1].toObject().value("density").toDouble(), 0.98 * 1000 / 5);
        QCOMPARE(sections[2].toObject().value("startLine").toInt(), 10);
        QCOMPARE(sections[2].toObject().value("words").toInt(), 6);
        QCOMPARE(sections[2].toObject().value("density").toDouble(), (0.98 + 0.94) * 1000 / 6);
        // The document: both dates, the code and the Article (0.98), per 15 words.
        QCOMPARE(s.value("density").toDouble(), (0.98 + 0.98 + 0.94 + 0.98) * 1000 / 15);
    }

    // SPEC §2.3, §11: --format ai prints one object; --budget bounds its size in tokens
    // (one per 4 bytes, rounded up); a budget below the view without entities exits 2.
    void aiViewAndItsBudget()
    {
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("ai"), QStringLiteral("-") }, kDoc);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(lineCount(r.out), 1);
        const QJsonObject view = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(view.value("document").toObject(), (QJsonObject{ { "title", "Title" }, { "language", QJsonValue::Null },
                                                                  { "words", 4 }, { "density", 250.0 } }));
        QCOMPARE(view.value("omitted").toInt(), 0);
        const QJsonArray entities = view.value("entities").toArray();
        QCOMPARE(entities.size(), 1);
        // Confidence 1 × position 1 (under the title) × 0.6 (nothing refers to it).
        QCOMPARE(entities[0].toObject(), (QJsonObject{ { "type", "Thing" }, { "id", "#t" }, { "name", QJsonValue::Null },
                                                        { "properties", QJsonObject() }, { "relevance", 0.6 },
                                                        { "sources", QJsonArray{ QJsonObject{ { "kind", "json-ld" }, { "startLine", 5 } } } } }));
        // The view with its entity is r.out.size() bytes; one token less leaves it out.
        const qint64 full = (r.out.size() + 3) / 4;
        const Run tight = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("ai"),
                                    QStringLiteral("--budget"), QString::number(full - 1), QStringLiteral("-") }, kDoc);
        QCOMPARE(tight.exitCode, 0);
        QVERIFY((tight.out.size() + 3) / 4 <= full - 1);
        QCOMPARE(QJsonDocument::fromJson(tight.out).object().value("omitted").toInt(), 1);
        QVERIFY(QJsonDocument::fromJson(tight.out).object().value("entities").toArray().isEmpty());
        const Run exact = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("ai"),
                                    QStringLiteral("--budget"), QString::number(full), QStringLiteral("-") }, kDoc);
        QCOMPARE(exact.out, r.out);
        const Run tooSmall = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("ai"),
                                       QStringLiteral("--budget"), QStringLiteral("5"), QStringLiteral("-") }, kDoc);
        QCOMPARE(tooSmall.exitCode, 2);
        QVERIFY(tooSmall.out.isEmpty());
        QCOMPARE(lineCount(tooSmall.err), 1);
        for (const QStringList &bad : { QStringList{ "--budget", "100" }, QStringList{ "--format", "ai", "--budget", "0" },
                                        QStringList{ "--format", "ai", "--budget", "many" } }) {
            const Run b = kyozoLd(QStringList{ QStringLiteral("extract") } + bad + QStringList{ QStringLiteral("-") }, kDoc);
            QCOMPARE(b.exitCode, 2);
            QCOMPARE(lineCount(b.err), 1);
        }
    }

    // Past the 16-byte vectors and 64 KiB reads the counters work in: a 66 KB paragraph of
    // ASCII words joined by `'` and `.` (UAX #29 WB6/7, WB11/12), a heading with non-ASCII
    // letters and curly quotes, a table, code that is not prose, and a last line without '\n'.
    void statsCountsALongDocument()
    {
        QByteArray doc = QByteArray("alpha beta'gamma 3.14\n").repeated(3000); // 3 words a line
        doc += "\n```\ncode words here\n```\n";
        doc += "\n# Caf\xC3\xA9 na\xC3\xAFve \xE2\x80\x9Cquoted\xE2\x80\x9D\n";
        doc += "\n| a | b |\n|---|---|\n"; // a table of its header row
        doc += "\ntail";
        const Run r = kyozoLd({ QStringLiteral("stats"), QStringLiteral("-") }, doc);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s.value("bytes").toInt(), doc.size());
        QCOMPARE(s.value("lines").toInt(), 3000 + 1 + 3 + 1 + 1 + 1 + 2 + 1 + 1);
        QCOMPARE(s.value("words").toInt(), 9000 + 3 + 2 + 1);
        const QJsonObject blocks = s.value("blocks").toObject();
        QCOMPARE(blocks.value("paragraph").toInt(), 2);
        QCOMPARE(blocks.value("heading").toInt(), 1);
        QCOMPARE(blocks.value("code_block").toInt(), 1);
        QCOMPARE(blocks.value("table").toInt(), 1);
        QCOMPARE(blocks.size(), 4);
    }

    void firstItemStreamsBeforeInputEnds()
    {
        QProcess p;
        p.start(KyozoTest::binaryPath(QStringLiteral("kyozo-ld")), { QStringLiteral("extract"), QStringLiteral("-") });
        QVERIFY(p.waitForStarted(10000));
        p.write("```json-ld\n{\"@type\": \"Early\"}\n```\n\nstill typing");
        QVERIFY2(p.waitForReadyRead(10000), "no item printed while stdin is still open");
        QVERIFY(p.state() == QProcess::Running);
        const QByteArray first = p.readAllStandardOutput();
        QVERIFY(first.contains("\"Early\""));
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }

    void missingFileExitsOneWithOneLine()
    {
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("/nonexistent/kyozo.md") });
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(lineCount(r.err), 1);
        QVERIFY(r.err.contains("/nonexistent/kyozo.md"));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(kyozoLd({ QStringLiteral("stats"), QStringLiteral("/nonexistent") }).exitCode, 1);
        QCOMPARE(kyozoLd({ QStringLiteral("extract"), QStringLiteral("/") }).exitCode, 1);
    }

    void nonUtf8ExitsOneNamingTheOffset()
    {
        // The bad byte sits past the first 64 KiB read, after a complete item.
        QByteArray doc = "```json-ld\n{\"@type\": \"Before\"}\n```\n\n";
        doc += QByteArray(70000, 'a') + "\n";
        const qsizetype bad = doc.size() + 3;
        doc += "abc\xC3\x28 tail\n";
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, doc);
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(lineCount(r.err), 1);
        QVERIFY2(r.err.contains(QByteArray::number(bad)), r.err.constData());
        QCOMPARE(jsonLines(r.out).size(), 1); // printed before the bad byte stays printed
        QCOMPARE(kyozoLd({ QStringLiteral("stats"), QStringLiteral("-") }, "\xFF").exitCode, 1);
        // Truncated at the end, inside a sequence.
        const Run t = kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, "ok \xE6\x97");
        QCOMPARE(t.exitCode, 1);
        QVERIFY(t.err.contains("offset 3"));
    }

    // SPEC §11: inferred items are kind `implicit`, origin `inferred`, `type` a compact IRI,
    // and only with --implicit.
    void implicitItemsOnlyWithTheOption()
    {
        const QByteArray doc = "# A\n## B\nSee 2024-01-02.\n";
        QVERIFY(jsonLines(kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, doc).out).isEmpty());
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--implicit"), QStringLiteral("-") }, doc);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> items = jsonLines(r.out);
        QCOMPARE(items.size(), 2);
        QCOMPARE(items[0].value("type").toString(), QStringLiteral("schema:Date"));
        QCOMPARE(items[0].value("properties").toObject().value("schema:value").toString(), QStringLiteral("2024-01-02"));
        QCOMPARE(items[0].value("range").toObject().value("startLine").toInt(), 3);
        QCOMPARE(items[1].value("type").toString(), QStringLiteral("schema:Article"));
        for (const QJsonObject &item : items) {
            QCOMPARE(item.value("kind").toString(), QStringLiteral("implicit"));
            QCOMPARE(item.value("origin").toString(), QStringLiteral("inferred"));
            QVERIFY(item.value("confidence").toDouble() < 1.0);
        }
    }

    // Issue 16 item 5, SPEC §11: `--context N` adds the lines from N before the item's first
    // line to N after its last, as written (line endings removed); `n` is the output index.
    void contextCarriesTheLinesAroundAnItem()
    {
        const QByteArray doc = "Intro\n\n```json-ld\n{\"@type\": \"Recipe\"}\n```\nafter one\r\nafter two\n";
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--context"), QStringLiteral("1"), QStringLiteral("-") }, doc);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> items = jsonLines(r.out);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].value("n").toInt(-1), 0);
        QCOMPARE(items[0].value("context").toString(),
                 QStringLiteral("\n```json-ld\n{\"@type\": \"Recipe\"}\n```\nafter one"));
        const Run zero = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--context"), QStringLiteral("0"), QStringLiteral("-") }, doc);
        QCOMPARE(jsonLines(zero.out).value(0).value("context").toString(),
                 QStringLiteral("```json-ld\n{\"@type\": \"Recipe\"}\n```"));
        // Near the document's start and end, what there is.
        const Run wide = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--context"), QStringLiteral("5"), QStringLiteral("-") }, doc);
        QCOMPARE(jsonLines(wide.out).value(0).value("context").toString(),
                 QString::fromUtf8(doc).replace(QLatin1String("\r"), QString()).chopped(1));
        // Without --context there is no such key.
        const Run none = kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, doc);
        QVERIFY(!jsonLines(none.out).value(0).contains("context"));
    }

    void contextIsTrimmedToTwoKilobytesOnACharacter()
    {
        // 27 ASCII bytes, then two-byte characters: 2048 bytes would end inside one, so the
        // context is the line's first 2047 bytes.
        const QByteArray line = "x[a]{property=schema:name} " + QByteArray("\xC3\xA9").repeated(1500);
        const Run r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--context"), QStringLiteral("2"), QStringLiteral("-") }, line + "\n");
        QCOMPARE(r.exitCode, 0);
        const QByteArray context = jsonLines(r.out).value(0).value("context").toString().toUtf8();
        QCOMPARE(context.size(), 2047);
        QCOMPARE(context, line.first(2047));
    }

    // --depth N: nested nodes down to depth N are items of their own, right after the item
    // they are in, which `contains` them (SPEC §2.2.7 semanticDepth).
    void depthExpandsNestedNodes()
    {
        const QByteArray doc = "```json-ld\n{\"@type\": \"Recipe\", \"author\": {\"@type\": \"Person\", \"name\": \"Ada\","
                               " \"knows\": {\"@id\": \"#bob\"}}, \"step\": [{\"text\": \"Boil\"}, \"Stir\"],"
                               " \"recipeYield\": {\"@value\": \"2\"}}\n```\n";
        auto items = [&](const QString &depth) {
            QStringList args{ QStringLiteral("extract") };
            if (!depth.isEmpty())
                args << QStringLiteral("--depth") << depth;
            return jsonLines(kyozoLd(args + QStringList{ QStringLiteral("-") }, doc).out);
        };
        QCOMPARE(items({}).size(), 1);
        QCOMPARE(items(QStringLiteral("1")).size(), 1);
        const QList<QJsonObject> two = items(QStringLiteral("2"));
        // The author and the first step; not the value object, not the string.
        QCOMPARE(two.size(), 3);
        QCOMPARE(two[1].value("type").toString(), QStringLiteral("Person"));
        QCOMPARE(two[1].value("n").toInt(), 1);
        QCOMPARE(two[1].value("properties").toObject().value("name").toString(), QStringLiteral("Ada"));
        QCOMPARE(two[1].value("relations").toArray(),
                 QJsonArray({ QJsonObject{ { "type", "contains" }, { "n", 0 } } }));
        QCOMPARE(two[2].value("properties").toObject().value("text").toString(), QStringLiteral("Boil"));
        QCOMPARE(two[2].value("relations").toArray(),
                 QJsonArray({ QJsonObject{ { "type", "contains" }, { "n", 0 } } }));
        // Depth 3 reaches the author's `knows`, contained in the author (n 2), before the step.
        const QList<QJsonObject> three = items(QStringLiteral("3"));
        QCOMPARE(three.size(), 4);
        QCOMPARE(three[2].value("id").toString(), QStringLiteral("#bob"));
        QCOMPARE(three[2].value("relations").toArray(),
                 QJsonArray({ QJsonObject{ { "type", "contains" }, { "n", 1 } } }));
        QCOMPARE(three[3].value("n").toInt(), 3);
    }

    void relationsNameEarlierItems()
    {
        const QByteArray doc = "# Intro {#intro}\n\nSee [more](#more).\n\n## More {#more}\n\n"
                               "```json-ld\n{\"@id\": \"#more\"}\n```\n";
        const QList<QJsonObject> items = jsonLines(kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, doc).out);
        QCOMPARE(items.size(), 3);
        for (int i = 0; i < items.size(); ++i)
            QCOMPARE(items[i].value("n").toInt(-1), i);
        QCOMPARE(items[0].value("relations").toArray(), QJsonArray());
        QCOMPARE(items[1].value("relations").toArray(),
                 QJsonArray({ QJsonObject{ { "type", "contains" }, { "n", 0 } },
                              QJsonObject{ { "type", "links-to" }, { "n", 0 } } }));
        QCOMPARE(items[2].value("relations").toArray(),
                 QJsonArray({ QJsonObject{ { "type", "contains" }, { "n", 1 } },
                              QJsonObject{ { "type", "links-to" }, { "n", 0 } },
                              QJsonObject{ { "type", "same-id" }, { "n", 1 } } }));
    }

    void contextAndDepthRefuseBadNumbers()
    {
        for (const QStringList &args : { QStringList{ "--context", "-1" }, QStringList{ "--context", "x" },
                                         QStringList{ "--context", "1001" }, QStringList{ "--depth", "0" },
                                         QStringList{ "--depth", "65" } }) {
            const Run r = kyozoLd(QStringList{ QStringLiteral("extract") } + args + QStringList{ QStringLiteral("-") }, kDoc);
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(lineCount(r.err), 1);
            QVERIFY2(!r.err.contains("not supported yet"), r.err.constData());
        }
    }

    void badUsageExitsTwo()
    {
        QCOMPARE(kyozoLd({}).exitCode, 2);
        QCOMPARE(kyozoLd({ QStringLiteral("frobnicate") }).exitCode, 2);
        QCOMPARE(kyozoLd({ QStringLiteral("extract") }).exitCode, 2);
        QCOMPARE(kyozoLd({ QStringLiteral("extract"), QStringLiteral("--format"), QStringLiteral("xml"), QStringLiteral("-") }).exitCode, 2);
        QCOMPARE(kyozoLd({ QStringLiteral("extract"), QStringLiteral("--no-such-option"), QStringLiteral("-") }).exitCode, 2);
    }

    // Issue 18 item 2: --plugin loads a plugin library for this run (the example plugin).
    void pluginOptionLoadsALibrary()
    {
        const QString library
            = KyozoTest::binaryPath(QStringLiteral("../plugins/kyozo-geojson.so"));
        const QByteArray doc
            = "```geojson\n{\"type\":\"Point\",\"coordinates\":[10.75,59.91]}\n```\n";
        Run r = kyozoLd(
            { QStringLiteral("extract"), QStringLiteral("--plugin"), library, QStringLiteral("-") },
            doc);
        QCOMPARE(r.exitCode, 0);
        const QList<QJsonObject> items = jsonLines(r.out);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].value("kind").toString(), QStringLiteral("plugin"));
        QCOMPARE(items[0].value("plugin").toString(), QStringLiteral("geojson"));
        QCOMPARE(items[0].value("type").toString(), QStringLiteral("Place"));
        // Without it, the fence is only code.
        QVERIFY(jsonLines(kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, doc).out)
                    .isEmpty());
        r = kyozoLd({ QStringLiteral("extract"), QStringLiteral("--plugin"),
                      QStringLiteral("/nonexistent/p.so"), QStringLiteral("-") },
                    doc);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(lineCount(r.err), 1);
    }

    void strictTurnsErrorItemsIntoExitThree()
    {
        const QByteArray bad = "```json-ld\n{\"name\": }\n```\n";
        const Run lenient = kyozoLd({ QStringLiteral("extract"), QStringLiteral("-") }, bad);
        QCOMPARE(lenient.exitCode, 0);
        const QList<QJsonObject> items = jsonLines(lenient.out);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].value("kind").toString(), QStringLiteral("error"));
        const QJsonObject e = items[0].value("errors").toArray().first().toObject();
        QCOMPARE(e.value("line").toInt(), 2);
        QCOMPARE(e.value("column").toInt(), 10);
        QCOMPARE(kyozoLd({ QStringLiteral("extract"), QStringLiteral("--strict"), QStringLiteral("-") }, bad).exitCode, 3);
        QCOMPARE(kyozoLd({ QStringLiteral("extract"), QStringLiteral("--strict"), QStringLiteral("-") }, kDoc).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestKyozoLd)
#include "tst_kyozold.moc"
