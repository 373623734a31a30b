// Issue 17 item 5: a cell's output as a terminal shows it. Expected runs written by hand from
// ECMA-48 (SGR, CSI and OSC framing) and xterm's palette, not from AnsiText's output.
#include "panels/ansitext.h"
#include "panels/celloutputview.h"

#include <QApplication>
#include <QScrollBar>
#include <QTest>
#include <QTextBlock>

using Kyozo::App::AnsiText;
using Kyozo::App::CellOutputView;

namespace {
QString esc(const char *text)
{
    return QString::fromLatin1(text).replace(u'~', QChar(0x1b));
}

QString joined(const QList<AnsiText::Run> &runs)
{
    QString all;
    for (const AnsiText::Run &r : runs)
        all += r.text;
    return all;
}

QColor foregroundOf(const AnsiText::Run &run)
{
    return run.format.hasProperty(QTextFormat::ForegroundBrush) ? run.format.foreground().color()
                                                                : QColor();
}
} // namespace

class TestCellOutput : public QObject
{
    Q_OBJECT
private slots:
    void plainTextIsOneUnformattedRun()
    {
        AnsiText ansi;
        const auto runs = ansi.feed(u"hello\tworld\n");
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].text, QStringLiteral("hello\tworld\n"));
        QVERIFY(runs[0].format.properties().isEmpty());
    }

    void basicColoursAndReset()
    {
        AnsiText ansi;
        const auto runs = ansi.feed(esc("~[31mred~[0m plain"));
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].text, QStringLiteral("red"));
        QCOMPARE(foregroundOf(runs[0]), QColor(205, 0, 0));
        QCOMPARE(runs[1].text, QStringLiteral(" plain"));
        QVERIFY(runs[1].format.properties().isEmpty());
        // Bright colours (90-97) and backgrounds (40-47).
        const auto bright = ansi.feed(esc("~[92;44mX"));
        QCOMPARE(foregroundOf(bright[0]), QColor(0, 255, 0));
        QCOMPARE(bright[0].format.background().color(), QColor(0, 0, 238));
    }

    void sequenceSplitAcrossChunks()
    {
        AnsiText ansi;
        QVERIFY(ansi.feed(esc("~[3")).isEmpty());
        const auto runs = ansi.feed(u"2mgreen");
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].text, QStringLiteral("green"));
        QCOMPARE(foregroundOf(runs[0]), QColor(0, 205, 0));
    }

    void extendedColours()
    {
        AnsiText ansi;
        // 196 = 16 + 36·5: the cube's pure red; 244 = grey 8 + 10·12.
        QCOMPARE(foregroundOf(ansi.feed(esc("~[38;5;196mX"))[0]), QColor(255, 0, 0));
        QCOMPARE(foregroundOf(ansi.feed(esc("~[38;5;244mX"))[0]), QColor(128, 128, 128));
        QCOMPARE(foregroundOf(ansi.feed(esc("~[38;2;10;20;30mX"))[0]), QColor(10, 20, 30));
        const auto colon = ansi.feed(esc("~[48:2::1:2:3mY"));
        QCOMPARE(colon[0].format.background().color(), QColor(1, 2, 3));
        QCOMPARE(AnsiText::paletteColor(16), QColor(0, 0, 0));
        QCOMPARE(AnsiText::paletteColor(231), QColor(255, 255, 255));
        QCOMPARE(AnsiText::paletteColor(255), QColor(238, 238, 238));
    }

    void attributesTurnOnAndOff()
    {
        AnsiText ansi;
        const auto runs = ansi.feed(esc("~[1;4mB~[22mU~[24;3mI~[23mN"));
        QCOMPARE(runs.size(), 4);
        QCOMPARE(runs[0].format.fontWeight(), int(QFont::Bold));
        QVERIFY(runs[0].format.fontUnderline());
        QVERIFY(runs[1].format.fontWeight() != int(QFont::Bold));
        QVERIFY(runs[1].format.fontUnderline());
        QVERIFY(runs[2].format.fontItalic());
        QVERIFY(!runs[2].format.fontUnderline());
        QVERIFY(runs[3].format.properties().isEmpty());
    }

    void otherSequencesAreDropped()
    {
        AnsiText ansi;
        // Erase line, cursor position, a charset designation, a window title (BEL and ST
        // ends), an OSC 8 hyperlink: only the text is left.
        const auto runs
            = ansi.feed(esc("a~[2Kb~[10;20Hc~(Bd~]0;title\ae~]8;;http://x~\\link~]8;;~\\"));
        QCOMPARE(joined(runs), QStringLiteral("abcdelink"));
        QCOMPARE(runs.size(), 1);
        // A bell and a backspace show nothing.
        QCOMPARE(joined(ansi.feed(u"a\u0007b\u0008c")), QStringLiteral("abc"));
    }

    void boundedSequences()
    {
        AnsiText ansi;
        // A CSI longer than the cap is dropped whole: its colour does not apply.
        const auto overlong
            = ansi.feed(esc("~[") + QStringLiteral("31;").repeated(100) + QStringLiteral("1mX"));
        QCOMPARE(joined(overlong), QStringLiteral("X"));
        QVERIFY(overlong[0].format.properties().isEmpty());
        // An OSC that never ends stops swallowing text after kMaxSequence characters.
        const auto unended = ansi.feed(esc("~]") + QString(300, u'a') + QStringLiteral("tail"));
        QCOMPARE(joined(unended),
                 QString(300 - (AnsiText::kMaxSequence + 1), u'a') + QStringLiteral("tail"));
        // A control character inside a CSI abandons it and is read as text.
        const auto broken = ansi.feed(esc("~[31\nX"));
        QCOMPARE(joined(broken), QStringLiteral("\nX"));
        QVERIFY(!broken[0].format.hasProperty(QTextFormat::ForegroundBrush));
    }

    void resetForgetsColours()
    {
        AnsiText ansi;
        ansi.feed(esc("~[31m~["));
        ansi.reset();
        const auto runs = ansi.feed(u"mX");
        QCOMPARE(joined(runs), QStringLiteral("mX"));
        QVERIFY(runs[0].format.properties().isEmpty());
    }

    void carriageReturnOverwritesItsLine()
    {
        CellOutputView view;
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("10%\r50%\r100%\nnext"));
        QCOMPARE(view.toPlainText(), QStringLiteral("100%\nnext"));
        view.clearOutput();
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("a\r\nb\r\n"));
        QCOMPARE(view.toPlainText(), QStringLiteral("a\nb\n"));
        QCOMPARE(view.linesAppended(), 2);
        // A return at a chunk's end: the next chunk decides.
        view.clearOutput();
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("50%\r"));
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("\n"));
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("60%\r"));
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("99%"));
        QCOMPARE(view.toPlainText(), QStringLiteral("50%\n99%"));
    }

    void stderrIsTintedAndColoursPerStream()
    {
        CellOutputView view;
        // A colour set on stdout does not leak into stderr.
        view.appendOutput(QStringLiteral("stdout"), esc("~[32mok "));
        view.appendOutput(QStringLiteral("stderr"), QStringLiteral("bad"));
        QTextCursor c(view.document());
        c.setPosition(1);
        QCOMPARE(c.charFormat().foreground().color(), QColor(0, 205, 0));
        c.setPosition(5);
        QVERIFY(c.charFormat().hasProperty(QTextFormat::BackgroundBrush));
        QVERIFY(c.charFormat().foreground().color() != QColor(0, 205, 0));
        QCOMPARE(view.toPlainText(), QStringLiteral("ok bad"));
    }

    void oldestLinesAreDroppedAndTheEndFollowed()
    {
        CellOutputView view;
        view.resize(400, 300);
        view.show();
        const int total = CellOutputView::kMaxLines + 5000;
        QString chunk;
        for (int i = 0; i < total; ++i) {
            chunk += QString::number(i) + u'\n';
            if (chunk.size() > 64 * 1024 || i == total - 1) {
                view.appendOutput(QStringLiteral("stdout"), chunk);
                chunk.clear();
            }
        }
        QCOMPARE(view.linesAppended(), total);
        QVERIFY(view.document()->blockCount() <= CellOutputView::kMaxLines);
        // The last line is there (the empty block after its line end follows it).
        const QTextBlock last = view.document()->lastBlock().previous();
        QCOMPARE(last.text(), QString::number(total - 1));
        QScrollBar *bar = view.verticalScrollBar();
        QCOMPARE(bar->value(), bar->maximum());
        // Scrolled up by the reader: new output does not pull the view down.
        bar->setValue(0);
        view.appendOutput(QStringLiteral("stdout"), QStringLiteral("more\n"));
        QCOMPARE(bar->value(), 0);
    }
};

QTEST_MAIN(TestCellOutput)
#include "tst_celloutput.moc"
