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
};

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

QTEST_GUILESS_MAIN(TestMarkdownRenderer)
#include "tst_markdownrenderer.moc"
