// Issue 14 item 8: 20,000 U+200B pasted between the letters of one line froze the editor, as
// every repaint (the cursor blinks twice a second) looked up every hidden item's column from the
// start of its line and asked for its cursor rectangle. The markers are drawn where their runs
// are, a repaint costs what it shows, and the analysis is linear in the runs: CPU time at 2n
// within 3x of n, best of three (tests/support/linearity), no wall-clock bound.
#include "editor/documentanalysis.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "linearity.h"

#include <QImage>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;
using KyozoTest::GrowthCheck;

namespace {

// The colour NotebookEditor draws a suspicious-hidden marker in.
const QColor kSuspicious(0xd3, 0x2f, 0x2f);

QString runsInOneLine(qint64 n)
{
    QString line;
    line.reserve(2 * n);
    for (qint64 i = 0; i < n; ++i)
        line += QStringLiteral("a\u200B");
    return line;
}

} // namespace

class TestHiddenMarkers : public QObject
{
    Q_OBJECT
private slots:
    void markersAreDrawnAtTheirRuns();
    void columnsCountCodePointsOutsideTheBmp();
    void repaintCostsWhatItShows();
    void analysisIsLinearInRuns();
};

void TestHiddenMarkers::markersAreDrawnAtTheirRuns()
{
    NotebookEditor editor;
    editor.resize(600, 300);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    // Runs on the first and third lines; the second line has none. The third line's run sits
    // after a character outside the BMP (two UTF-16 units).
    editor.setPlainText(QStringLiteral("ab\u200Bcd efg\nno runs here\nx\U0001F600y\u200Bz"));
    QCoreApplication::processEvents();
    const QImage shot = editor.viewport()->grab().toImage();
    auto markerAt = [&](int line, int column) {
        QTextCursor at(editor.document()->findBlockByNumber(line));
        at.setPosition(at.block().position() + column);
        const QRect r = editor.cursorRect(at);
        return shot.pixelColor(r.left(), r.center().y()) == kSuspicious;
    };
    QVERIFY(markerAt(0, 2));
    QVERIFY(markerAt(2, 4)); // "x", U+1F600 (2 units), "y": the run starts at unit 4
    QVERIFY(!markerAt(1, 3));
    QVERIFY(!markerAt(0, 6));
    int red = 0;
    for (int y = 0; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x)
            red += shot.pixelColor(x, y) == kSuspicious;
    QVERIFY2(red > 0 && red < 200, qPrintable(QString::number(red))); // two small diamonds
}

void TestHiddenMarkers::columnsCountCodePointsOutsideTheBmp()
{
    // By hand: in "x😀y" + U+200B, code point 4 (the run) is UTF-16 unit 4; in a line of two
    // emoji, code point 3 is unit 4 and a column past the end stops at the line's length.
    DocumentAnalysis analysis;
    analysis.analyse(QStringLiteral("plain\nx\U0001F600y\u200Bz\n\U0001F600\U0001F600"));
    QCOMPARE(analysis.utf16Column(0, 1), 0);
    QCOMPARE(analysis.utf16Column(0, 4), 3);
    QCOMPARE(analysis.utf16Column(0, 99), 5);
    QCOMPARE(analysis.utf16Column(1, 2), 1);
    QCOMPARE(analysis.utf16Column(1, 3), 3);
    QCOMPARE(analysis.utf16Column(1, 4), 4);
    QCOMPARE(analysis.utf16Column(2, 3), 4);
    QCOMPARE(analysis.utf16Column(2, 9), 4);
    QCOMPARE(analysis.hiddenMarkers().size(), 1);
    QCOMPARE(analysis.hiddenMarkers().first().line, 1);
    QCOMPARE(analysis.hiddenMarkers().first().column, 4);
}

void TestHiddenMarkers::repaintCostsWhatItShows()
{
    NotebookEditor editor;
    editor.resize(600, 300);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    auto run = [&](qint64 n) {
        editor.setPlainText(runsInOneLine(n));
        editor.highlighter()->analysis();
        // Where the text was pasted and the cursor blinks: the end of the line, with every
        // run of the line before the viewport.
        editor.moveCursor(QTextCursor::End);
        editor.ensureCursorVisible();
        QCoreApplication::processEvents();
        // What the cursor's blink does: repaint the viewport, here ten times.
        return KyozoTest::threadCpuOf([&] {
            for (int i = 0; i < 10; ++i)
                editor.viewport()->repaint();
        });
    };
    const GrowthCheck check = KyozoTest::checkGrowth(run, 4000, 32000);
    qInfo().noquote() << check.describe();
    QVERIFY2(check.linear(), qPrintable(check.describe()));
}

void TestHiddenMarkers::analysisIsLinearInRuns()
{
    QString text;
    auto run = [&](qint64 n) {
        text = runsInOneLine(n);
        DocumentAnalysis analysis;
        return KyozoTest::threadCpuOf([&] { analysis.analyse(text); });
    };
    const GrowthCheck check = KyozoTest::checkGrowth(run, 4000, 256000);
    qInfo().noquote() << check.describe();
    QVERIFY2(check.linear(), qPrintable(check.describe()));
}

QTEST_MAIN(TestHiddenMarkers)
#include "tst_hiddenmarkers.moc"
