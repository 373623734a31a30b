// The preview and HTML export: cmark-gfm with the GFM extensions (SPEC §9, issue 6).
#include "editor/markdownrenderer.h"

#include <QtTest>

using namespace Kyozo::App;

class TestMarkdownRenderer : public QObject
{
    Q_OBJECT
private slots:
    void gfmExtensions();
    void tagfilterDisarmsScripts();
    void codeBlocksTakeTheHighlightersHtml();
    void exportPage();
    void frontMatterIsATableNeverAHeading_data();
    void frontMatterIsATableNeverAHeading();
    void frontMatterHidden();
    void notFrontMatterStaysMarkdown();
    void jsonLdFencesAreCards();
    void jsonLdAsCode();
    void graphsAndArraysAreOneCardPerNode();
    void scriptBlocksAreCards();
    void cardsEscapeWhatTheyShow();
    void hiddenRunsAreMarked();
    void exportHeadCarriesTheJsonLd();
};

namespace {
QString body(const QByteArray &markdown, PreviewOptions options = {})
{
    return renderNotebook(markdown, options).body;
}
} // namespace

void TestMarkdownRenderer::gfmExtensions()
{
    const QString html = renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and www.example.org\n\n- [x] done\n- [ ] open\n");
    QVERIFY2(html.contains(QLatin1String("<table>")), qPrintable(html));
    QVERIFY(html.contains(QLatin1String("<td>1</td>")));
    QVERIFY(html.contains(QLatin1String("<del>gone</del>")));
    QVERIFY(html.contains(QLatin1String("<a href=\"http://www.example.org\">www.example.org</a>")));
    QVERIFY(html.contains(QLatin1String("<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done")));
    QVERIFY(html.contains(QLatin1String("<input type=\"checkbox\" disabled=\"\" /> open")));
}

void TestMarkdownRenderer::tagfilterDisarmsScripts()
{
    const QString html = renderMarkdown("<div class=\"note\">kept</div>\n\n<script>alert(1)</script>\n");
    QVERIFY2(html.contains(QLatin1String("<div class=\"note\">kept</div>")), qPrintable(html));
    QVERIFY(html.contains(QLatin1String("&lt;script>alert(1)&lt;/script>")));
}

void TestMarkdownRenderer::codeBlocksTakeTheHighlightersHtml()
{
    QStringList seen;
    const CodeHtml colour = [&seen](const QString &info, const QString &code) {
        seen.append(info + QLatin1Char('|') + code);
        return info == QLatin1String("python") ? QStringLiteral("<b>x</b> = 1\n") : QString();
    };
    const QString html = renderMarkdown("```python\nx = 1\n```\n\n```\nplain\n```\n\n    indented\n", colour);
    QCOMPARE(seen, QStringList({ QStringLiteral("python|x = 1\n") })); // only fenced blocks with a language
    QVERIFY2(html.contains(QLatin1String("<pre><b>x</b> = 1\n</pre>")), qPrintable(html));
    QVERIFY(html.contains(QLatin1String("<pre><code>plain\n</code></pre>")));
    QVERIFY(html.contains(QLatin1String("<pre><code>indented\n</code></pre>")));
}

void TestMarkdownRenderer::exportPage()
{
    const QString page = htmlPage(QStringLiteral("A & B"), QStringLiteral("<p>x</p>\n"));
    QVERIFY(page.startsWith(QLatin1String("<!DOCTYPE html>")));
    QVERIFY(page.contains(QLatin1String("<meta charset=\"utf-8\">")));
    QVERIFY(page.contains(QLatin1String("<title>A &amp; B</title>")));
    QVERIFY(page.contains(QLatin1String("<body>\n<p>x</p>\n</body>")));
}

void TestMarkdownRenderer::frontMatterIsATableNeverAHeading_data()
{
    QTest::addColumn<QByteArray>("markdown");
    QTest::newRow("yaml") << QByteArray(
        "---\ntitle: Welcome\nauthor: Ada\ntags: [a, b]\n---\n# Heading\n");
    QTest::newRow("yaml, CRLF") << QByteArray(
        "---\r\ntitle: Welcome\r\nauthor: Ada\r\ntags: [a, b]\r\n---\r\n# Heading\r\n");
    QTest::newRow("yaml closed by ...")
        << QByteArray("---\ntitle: Welcome\nauthor: Ada\ntags: [a, b]\n...\n# Heading\n");
    QTest::newRow("BOM") << QByteArray(
        "\xEF\xBB\xBF---\ntitle: Welcome\nauthor: Ada\ntags: [a, b]\n---\n# Heading\n");
    QTest::newRow("toml") << QByteArray(
        "+++\nauthor = \"Ada\"\ntags = [\"a\", \"b\"]\ntitle = \"Welcome\"\n+++\n# Heading\n");
}

void TestMarkdownRenderer::frontMatterIsATableNeverAHeading()
{
    QFETCH(QByteArray, markdown);
    const QString html = body(markdown);
    // As cmark alone renders it: "<hr />" and "<h2>title: Welcome author: Ada …</h2>".
    QVERIFY2(!html.contains(QLatin1String("<hr")), qPrintable(html));
    QVERIFY(!html.contains(QLatin1String("<h2>")));
    QVERIFY(html.contains(QLatin1String("<table class=\"front-matter\"")));
    const qsizetype title
        = html.indexOf(QLatin1String("<b>title</b></small></td><td><small>Welcome</small>"));
    const qsizetype author
        = html.indexOf(QLatin1String("<b>author</b></small></td><td><small>Ada</small>"));
    QVERIFY(title > 0);
    QVERIFY(author > 0);
    if (!QTest::currentDataTag() || QByteArray(QTest::currentDataTag()) != "toml")
        QVERIFY2(title < author, "YAML keys in the order they are written");
    QVERIFY(html.contains(QLatin1String("<td><small>a, b</small></td>")));
    QVERIFY(html.contains(QLatin1String("<h1>Heading</h1>")));
}

void TestMarkdownRenderer::frontMatterHidden()
{
    PreviewOptions hidden;
    hidden.frontMatter = PreviewOptions::FrontMatter::Hidden;
    const QString html = body("---\ntitle: Welcome\n---\n# Heading\n", hidden);
    QCOMPARE(html, QStringLiteral("<h1>Heading</h1>\n"));
    // Front matter that does not parse is shown as written (the Semantics panel says why).
    const QString broken = body("---\ntitle: [unclosed\n---\ntext\n");
    QVERIFY2(broken.contains(
                 QLatin1String("<pre class=\"front-matter\"><code>title: [unclosed</code></pre>")),
             qPrintable(broken));
    QVERIFY(broken.contains(QLatin1String("<p>text</p>")));
}

void TestMarkdownRenderer::notFrontMatterStaysMarkdown()
{
    // Not on the first line, or never closed: a thematic break, as CommonMark has it.
    QCOMPARE(body("text\n\n---\ntitle: x\n---\n"),
             QStringLiteral("<p>text</p>\n<hr />\n<h2>title: x</h2>\n"));
    QCOMPARE(body("---\n\ntext\n"), QStringLiteral("<hr />\n<p>text</p>\n"));
}

void TestMarkdownRenderer::jsonLdFencesAreCards()
{
    const RenderedNotebook out
        = renderNotebook("```json-ld\n{\"@context\": \"https://schema.org\", \"@type\": "
                         "\"Person\", \"@id\": \"#ada\",\n"
                         " \"name\": \"Ada\", \"zeta\": \"last letter\", \"alpha\": 1, \"knows\": "
                         "{\"name\": \"Charles\"},\n"
                         " \"sameAs\": [\"a\", \"b\", \"c\", \"d\"]}\n```\n\n```json\n{\"@type\": "
                         "\"NotLinkedData\"}\n```\n",
                         {});
    QVERIFY2(out.body.contains(QLatin1String("<table class=\"ld-card\"")), qPrintable(out.body));
    QVERIFY(out.body.contains(QLatin1String("<b>Person</b> &middot; Ada<br/><small>#ada</small>")));
    // In the block's own order, not alphabetical.
    const qsizetype zeta
        = out.body.indexOf(QLatin1String("<small>zeta</small></td><td>last letter</td>"));
    const qsizetype alpha = out.body.indexOf(QLatin1String("<small>alpha</small></td><td>1</td>"));
    QVERIFY(zeta > 0 && alpha > zeta);
    QVERIFY(out.body.contains(QLatin1String("<small>knows</small></td><td>Charles</td>")));
    QVERIFY(
        out.body.contains(QString::fromUtf8("<small>sameAs</small></td><td>a, b, c, \u2026</td>")));
    QVERIFY(!out.body.contains(QLatin1String("@context")));
    QVERIFY(!out.body.contains(QLatin1String(" more</small>")));
    // Past six properties the card says how many it leaves out.
    const QString many
        = body("```json-ld\n{\"@type\": \"Thing\", \"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, "
               "\"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8}\n```\n");
    QVERIFY2(many.contains(QLatin1String("<small>f</small></td><td>6</td>")), qPrintable(many));
    QVERIFY(!many.contains(QLatin1String("<small>g</small>")));
    QVERIFY(many.contains(QLatin1String("<td colspan=\"2\"><small>and 2 more</small></td>")));
    // A plain ```json fence is code, not linked data.
    QVERIFY(out.body.contains(QLatin1String(
        "<pre><code class=\"language-json\">{&quot;@type&quot;: &quot;NotLinkedData&quot;}")));
    QCOMPARE(out.jsonLd,
             QStringList({ QStringLiteral(
                 "{\"@context\":\"https://schema.org\",\"@type\":\"Person\",\"@id\":\"#ada\","
                 "\"name\":\"Ada\",\"zeta\":\"last letter\",\"alpha\":1,\"knows\":{\"name\":"
                 "\"Charles\"},\"sameAs\":[\"a\",\"b\",\"c\",\"d\"]}") }));
}

void TestMarkdownRenderer::jsonLdAsCode()
{
    PreviewOptions code;
    code.linkedData = PreviewOptions::LinkedData::Code;
    const QByteArray fence = "```jsonld {#card}\n{\"@type\": \"Event\"}\n```\n";
    QCOMPARE(body(fence, code),
             QStringLiteral("<pre><code>{&quot;@type&quot;: &quot;Event&quot;}\n</code></pre>\n"));
    // With colours from the highlighter, asked for as JSON.
    QString asked;
    const RenderedNotebook coloured
        = renderNotebook(fence, code, [&asked](const QString &info, const QString &) {
              asked = info;
              return QStringLiteral("<b>{}</b>");
          });
    QCOMPARE(asked, QStringLiteral("json"));
    QCOMPARE(coloured.body, QStringLiteral("<pre><b>{}</b></pre>\n"));
    // A block that does not parse is code in either mode, with a note, and not in the head.
    const RenderedNotebook broken = renderNotebook("```json-ld\n{\"@type\": ]\n```\n", {});
    QVERIFY2(broken.body.contains(QLatin1String("does not parse")), qPrintable(broken.body));
    QVERIFY(broken.body.contains(QLatin1String("<pre><code>{&quot;@type&quot;: ]\n</code></pre>")));
    QVERIFY(broken.jsonLd.isEmpty());
    // Nesting deeper than the card walks: code, and no crash.
    const QByteArray deep
        = "```json-ld\n" + QByteArray(100000, '[') + QByteArray(100000, ']') + "\n```\n";
    QVERIFY(renderNotebook(deep, {}).body.startsWith(QLatin1String("<p><small>")));
}

void TestMarkdownRenderer::graphsAndArraysAreOneCardPerNode()
{
    const QString graph = body("```json-ld\n{\"@context\": {}, \"@graph\": [{\"@type\": \"A\"}, "
                               "{\"@type\": \"B\"}]}\n```\n");
    QCOMPARE(graph.count(QLatin1String("<table class=\"ld-card\"")), 2);
    QVERIFY(graph.indexOf(QLatin1String("<b>A</b>")) < graph.indexOf(QLatin1String("<b>B</b>")));
    const QString array
        = body("```json-ld\n[{\"@type\": [\"C\", \"D\"]}, 3, {\"name\": \"untyped\"}]\n```\n");
    QCOMPARE(array.count(QLatin1String("<table class=\"ld-card\"")), 2);
    QVERIFY(array.contains(QLatin1String("<b>C, D</b>")));
    QVERIFY(array.contains(QLatin1String("<b>Linked data</b> &middot; untyped")));
}

void TestMarkdownRenderer::scriptBlocksAreCards()
{
    const RenderedNotebook out
        = renderNotebook("<div class=\"meta\">\n<script type=\"application/ld+json\">{\"@type\": "
                         "\"Event\", \"name\": \"Launch\"}</SCRIPT>\n</div>\n\n"
                         "<script>alert(1)</script>\n",
                         {});
    QVERIFY2(out.body.contains(QLatin1String("<div class=\"meta\">\n<table class=\"ld-card\"")),
             qPrintable(out.body));
    QVERIFY(out.body.contains(QLatin1String("<b>Event</b> &middot; Launch")));
    QVERIFY(out.body.contains(QLatin1String("</table>\n\n</div>")));
    QVERIFY(!out.body.contains(QLatin1String("application/ld+json")));
    // Any other script is still disarmed by tagfilter.
    QVERIFY(out.body.contains(QLatin1String("&lt;script>alert(1)&lt;/script>")));
    QCOMPARE(out.jsonLd,
             QStringList({ QStringLiteral("{\"@type\":\"Event\",\"name\":\"Launch\"}") }));
}

void TestMarkdownRenderer::cardsEscapeWhatTheyShow()
{
    const QString html
        = body("```json-ld\n{\"@type\": \"<img src=x onerror=alert(1)>\", \"name\": \"a & b\","
               " \"<k>\": \"</table><script>\"}\n```\n");
    QVERIFY2(!html.contains(QLatin1String("<img")), qPrintable(html));
    QVERIFY(!html.contains(QLatin1String("<script")));
    QVERIFY(html.contains(QLatin1String("&lt;img src=x onerror=alert(1)&gt;")));
    QVERIFY(html.contains(QLatin1String("a &amp; b")));
    QVERIFY(html.contains(
        QLatin1String("<small>&lt;k&gt;</small></td><td>&lt;/table&gt;&lt;script&gt;</td>")));
}

void TestMarkdownRenderer::hiddenRunsAreMarked()
{
    const QString run = QString::fromUtf8("\u200B\u200C\u200B\u2060");
    const QByteArray text
        = QStringLiteral("This%1 word, and an emoji \U0001F469\u200D\U0001F4BB.\n")
              .arg(run)
              .toUtf8();
    const QString html = body(text);
    QCOMPARE(html.count(QLatin1String("class=\"hidden-data\"")), 1);
    // The run kept and the mark right after it, in the gap after its word.
    QVERIFY2(html.contains(QStringLiteral("<p>This%1<span class=\"hidden-data\" title=\"Hidden "
                                          "data (4 invisible characters)\"")
                               .arg(run)),
             qPrintable(html));
    QVERIFY(html.contains(
        QString::fromUtf8("</span> word, and an emoji \U0001F469\u200D\U0001F4BB.</p>")));
    PreviewOptions unmarked;
    unmarked.markHiddenData = false;
    QCOMPARE(body(text, unmarked),
             QStringLiteral("<p>%1</p>\n").arg(QString::fromUtf8(text).trimmed()));
}

void TestMarkdownRenderer::exportHeadCarriesTheJsonLd()
{
    const QString page = htmlPage(
        QStringLiteral("t"), QStringLiteral("<p>x</p>\n"),
        { QStringLiteral("{\"@type\":\"Thing\"}"), QStringLiteral("{\"name\":\"</script><b>\"}") });
    const qsizetype head = page.indexOf(QLatin1String("</head>"));
    QVERIFY(page.indexOf(QLatin1String(
                "<script type=\"application/ld+json\">{\"@type\":\"Thing\"}</script>\n"))
            < head);
    QVERIFY(page.contains(QLatin1String(
        "<script "
        "type=\"application/ld+json\">{\"name\":\"\\u003c/script>\\u003cb>\"}</script>\n</head>")));
    QCOMPARE(page.count(QLatin1String("</script>")), 2);
}

QTEST_GUILESS_MAIN(TestMarkdownRenderer)
#include "tst_markdownrenderer.moc"
