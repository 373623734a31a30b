// Code cells through Kate's definitions, out of process on Debian 12 (SPEC §9, issue 6).
#include "editor/codehighlighter.h"
#include "requiredtool.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using Kyozo::App::CodeHighlighter;

class TestCodeHighlighter : public QObject
{
    Q_OBJECT
private slots:
    void definitionNames();
    void ansiTruecolour();
    void ansi256AndAttributes();
    void realToolColoursPython();
    void realToolHtmlForThePreview();
    void unknownLanguageStaysPlain();
};

void TestCodeHighlighter::definitionNames()
{
    const QStringList defs = { QStringLiteral("Python"), QStringLiteral("JavaScript"), QStringLiteral("Bash"),
                               QStringLiteral("C++"), QStringLiteral("YAML"), QStringLiteral("Go") };
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("python"), defs), QStringLiteral("Python"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("py"), defs), QStringLiteral("Python"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("js"), defs), QStringLiteral("JavaScript"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("sh"), defs), QStringLiteral("Bash"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("cpp"), defs), QStringLiteral("C++"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("yml"), defs), QStringLiteral("YAML"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("go title=\"main.go\""), defs), QStringLiteral("Go"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("{.python}"), defs), QStringLiteral("Python"));
    QCOMPARE(CodeHighlighter::definitionFor(QStringLiteral("brainfudge"), defs), QString());
}

void TestCodeHighlighter::ansiTruecolour()
{
    // What `kate-syntax-highlighter -f ansi -b` writes: a token, then a reset.
    const QByteArray out("\x1b[1mdef\x1b[0m f(x):\n    \x1b[38;2;253;188;75;1mreturn\x1b[0m \x1b[38;2;244;79;79m\"\xC3\xA9\"\x1b[0m");
    const QList<CodeHighlighter::Span> spans = CodeHighlighter::parseAnsi(out);
    QCOMPARE(spans.size(), 3);
    QCOMPARE(spans[0].line, 0);
    QCOMPARE(spans[0].start, 0);
    QCOMPARE(spans[0].length, 3);
    QCOMPARE(spans[0].format.fontWeight(), int(QFont::Bold));
    QCOMPARE(spans[1].line, 1);
    QCOMPARE(spans[1].start, 4);
    QCOMPARE(spans[1].length, 6);
    QCOMPARE(spans[1].format.foreground().color(), QColor(253, 188, 75));
    QCOMPARE(spans[2].start, 11);
    QCOMPARE(spans[2].length, 3); // "é" is one UTF-16 unit
    QCOMPARE(spans[2].format.foreground().color(), QColor(244, 79, 79));
    QVERIFY(!spans[2].format.hasProperty(QTextFormat::FontWeight)); // the reset ended the bold
}

void TestCodeHighlighter::ansi256AndAttributes()
{
    // ansi256Colors: 38;5;N from the xterm cube (124 = rgb(175,0,0)), grey ramp (244 = 128),
    // italics, and the erase-line sequence that carries no text.
    const QByteArray out("\x1b[38;5;124mab\x1b[38;5;244;3mc\x1b[23;39md\x1b[K\n\x1b[48;5;231mx");
    const QList<CodeHighlighter::Span> spans = CodeHighlighter::parseAnsi(out);
    QCOMPARE(spans.size(), 2);
    QCOMPARE(spans[0].length, 2);
    QCOMPARE(spans[0].format.foreground().color(), QColor(175, 0, 0));
    QCOMPARE(spans[1].start, 2);
    QCOMPARE(spans[1].length, 1);
    QCOMPARE(spans[1].format.foreground().color(), QColor(128, 128, 128));
    QVERIFY(spans[1].format.fontItalic());
    // "d" has no attributes left and the background is ignored: no spans for them.
}

void TestCodeHighlighter::realToolColoursPython()
{
    CodeHighlighter code;
    KYOZO_REQUIRE(code.isAvailable(), QStringLiteral("kate-syntax-highlighter (libkf5syntaxhighlighting-tools)"));
    const QString source = QStringLiteral("def greet(name):\n    return \"hi \" + name  # comment\n");
    QSignalSpy done(&code, &CodeHighlighter::highlighted);
    QVERIFY(code.spans(QStringLiteral("python"), source) == nullptr); // computed asynchronously
    QVERIFY(done.wait(10000));
    const QList<CodeHighlighter::Span> *spans = code.spans(QStringLiteral("python"), source);
    QVERIFY(spans);
    auto at = [&](int line, int column) -> const CodeHighlighter::Span * {
        for (const auto &s : *spans)
            if (s.line == line && s.start <= column && column < s.start + s.length)
                return &s;
        return nullptr;
    };
    // Breeze Light: keywords bold, strings and comments coloured, plain names untouched.
    QVERIFY(at(0, 0) && at(0, 0)->format.fontWeight() == QFont::Bold && at(0, 0)->length == 3);
    QVERIFY(!at(0, 5));                                             // "greet"
    QVERIFY(at(1, 12) && at(1, 12)->format.hasProperty(QTextFormat::ForegroundBrush)); // the string
    QVERIFY(at(1, 28) && at(1, 28)->format.hasProperty(QTextFormat::ForegroundBrush)); // the comment
    QVERIFY(at(1, 12)->format.foreground() != at(1, 28)->format.foreground());
}

void TestCodeHighlighter::realToolHtmlForThePreview()
{
    CodeHighlighter code;
    KYOZO_REQUIRE(code.isAvailable(), QStringLiteral("kate-syntax-highlighter (libkf5syntaxhighlighting-tools)"));
    const QString html = code.html(QStringLiteral("sh"), QStringLiteral("echo \"$HOME\"\n"), CodeHighlighter::Wait::Yes);
    QVERIFY2(html.contains(QLatin1String("<span")), qPrintable(html));
    QVERIFY(!html.contains(QLatin1String("<pre")));   // the inside of the page's <pre> only
    QVERIFY(!html.contains(QLatin1String("<html")));
    QVERIFY(html.contains(QLatin1String("echo")));
    // Without waiting: empty at first, then computed in the background for the preview.
    QSignalSpy done(&code, &CodeHighlighter::highlighted);
    QVERIFY(code.html(QStringLiteral("python"), QStringLiteral("x = 1\n"), CodeHighlighter::Wait::No).isEmpty());
    QVERIFY(done.wait(10000));
    QVERIFY(code.html(QStringLiteral("python"), QStringLiteral("x = 1\n"), CodeHighlighter::Wait::No).contains(QLatin1String("<span")));
}

void TestCodeHighlighter::unknownLanguageStaysPlain()
{
    CodeHighlighter code;
    KYOZO_REQUIRE(code.isAvailable(), QStringLiteral("kate-syntax-highlighter (libkf5syntaxhighlighting-tools)"));
    QVERIFY(code.spans(QStringLiteral("no-such-language"), QStringLiteral("x")) == nullptr);
    QVERIFY(code.html(QStringLiteral("no-such-language"), QStringLiteral("x"), CodeHighlighter::Wait::Yes).isEmpty());
}

QTEST_MAIN(TestCodeHighlighter)
#include "tst_codehighlighter.moc"
