// Find and Replace, Go to Line and the status bar's position and counts (issue 19 items 1
// and 2), in the real main window: reached through the Edit menu's shortcuts; a regular
// expression replaced across CRLF lines leaves every other byte of the file as it was and
// is one undo step; whole words, match case, wrap-around, a bad pattern said in words; line,
// column and counts on a hand-counted text with CJK, emoji and a combining accent. Under
// Xvfb, with a screenshot.
#include "editor/findbar.h"
#include "editor/notebookeditor.h"
#include "editor/textsearch.h"
#include "mainwindow.h"
#include "xvfbmain.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QScreen>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QtTest>

using namespace Kyozo::App;

class TestFindReplace : public QObject
{
    Q_OBJECT
public:
    explicit TestFindReplace(const QString &display)
        : m_display(display)
    {
    }

private:
    QString m_display;
    QTemporaryDir m_dir;

    QString fileWith(const QByteArray &bytes)
    {
        static int n = 0;
        const QString path = m_dir.filePath(QStringLiteral("notes%1.md").arg(++n));
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(bytes);
        return path;
    }

private slots:
    void initTestCase() { qputenv("KYOZO_NO_KEYCHAIN", "1"); }

    void patternsAndReplacements()
    {
        QString error;
        const auto matches = [&](const QString &text, SearchOptions o, const QString &in) {
            const std::optional<QRegularExpression> re = searchPattern(text, o, &error);
            return re && re->match(in).hasMatch();
        };
        QVERIFY(matches("a.b", {}, "xa.by"));
        QVERIFY(!matches("a.b", {}, "axb")); // literal: the dot is a dot
        QVERIFY(matches("a.b", { false, false, true }, "axb"));
        QVERIFY(matches("CAT", {}, "a cat"));
        QVERIFY(!matches("CAT", { true, false, false }, "a cat"));
        QVERIFY(!matches("cat", { false, true, false }, "concat"));
        QVERIFY(!matches("cat", { false, true, false }, "cat_s"));
        QVERIFY(matches("cat", { false, true, false }, "a cat."));
        QVERIFY(matches("c++", { false, true, false }, "use c++ here")); // not only \w edges
        QVERIFY(!searchPattern("(open", { false, false, true }, &error));
        QVERIFY2(error.contains("Not a regular expression") && error.contains("character"),
                 qPrintable(error));
        QVERIFY(!searchPattern(QString(), {}, &error));

        const QRegularExpression re(QStringLiteral("(\\w+)-(\\w+)"));
        const QRegularExpressionMatch m = re.match(QStringLiteral("left-right"));
        QCOMPARE(expandReplacement("\\2-\\1 [\\0] \\\\ \\7", m, true),
                 QStringLiteral("right-left [left-right] \\ "));
        QCOMPARE(expandReplacement("a\\tb\\nc", m, true), QStringLiteral("a\tb\nc"));
        QCOMPARE(expandReplacement("\\2", m, false), QStringLiteral("\\2")); // literal mode
    }

    void countsAsAReaderCounts()
    {
        // Counted by hand: Hello, wörld, It's, a, well-known, 你, 好, café, test, next = 10
        // words; the emoji are no words. Characters (graphemes, no line breaks):
        // "Hello," 6 + " " 1 + "wörld!" 6 + " " 1 + "It's" 4 + " " 1 + "a" 1 + " " 1 +
        // "well-known" 10 + " " 1 + "你好" 2 + " " 1 + "😀" 1 + "👍🏽" 1 + " " 1 + "café"
        // 4 (e + combining acute is one) + " " 1 + "test" 4 + "next" 4 = 51.
        const QString text = QStringLiteral(
            "Hello, w\u00f6rld! It's a well-known \u4f60\u597d \U0001F600\U0001F44D\U0001F3FD "
            "cafe\u0301 test\r\nnext");
        const TextCounts counts = countText(text);
        QCOMPARE(counts.words, 10);
        QCOMPARE(counts.characters, 51);
        QCOMPARE(countText(QStringLiteral(" -- ' ")).words, 0);
        QCOMPARE(countText(QString()).characters, 0);
        // Columns as a reader counts them: the emoji is one.
        const QString line = QStringLiteral("a\U0001F600b");
        QCOMPARE(visualColumn(line, 0), 1);
        QCOMPARE(visualColumn(line, 1), 2);
        QCOMPARE(visualColumn(line, 3), 3);
        QCOMPARE(visualColumn(line, 4), 4);
    }

    void replaceAcrossCrlfLinesKeepsTheRest()
    {
        MainWindow window;
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const QByteArray original = "one cat\r\ntwo cats\r\nconcat\r\nCat five\r\n";
        QString error;
        QVERIFY2(window.openFile(fileWith(original), &error), qPrintable(error));
        NotebookEditor *editor = window.editor();
        FindBar *bar = window.findBar();
        QVERIFY(!bar->isVisible());

        // Ctrl+H (the platform's Replace, or Ctrl+H) from the editor opens the bar with its
        // replace row.
        editor->setFocus();
        QVERIFY(FindBar::replaceShortcuts().contains(QKeySequence(QStringLiteral("Ctrl+H"))));
        QTest::keySequence(editor, FindBar::replaceShortcuts().first());
        QVERIFY(bar->isVisible());
        QVERIFY(bar->replaceEdit()->isVisible());
        QVERIFY(bar->findEdit()->hasFocus());

        bar->wholeWordsBox()->setChecked(true);
        bar->findEdit()->setText(QStringLiteral("cat"));
        QTRY_COMPARE(bar->matchCount(), 2); // "cat", "Cat"; not cats, not concat
        QCOMPARE(editor->extraSelections().size(), 2);
        QCOMPARE(bar->status(), FindBar::tr("%L1 matches").arg(2));
        bar->matchCaseBox()->setChecked(true);
        QTRY_COMPARE(bar->matchCount(), 1);
        bar->matchCaseBox()->setChecked(false);

        // Find Next wraps around the end; Find Previous around the start.
        QTextCursor end(editor->document());
        end.movePosition(QTextCursor::End);
        editor->setTextCursor(end);
        QVERIFY(bar->findNext());
        QCOMPARE(editor->textCursor().selectedText(), QStringLiteral("cat"));
        QCOMPARE(editor->textCursor().blockNumber(), 0);
        QVERIFY(bar->findPrevious());
        QCOMPARE(editor->textCursor().selectedText(), QStringLiteral("Cat"));
        QCOMPARE(editor->textCursor().blockNumber(), 3);

        bar->replaceEdit()->setText(QStringLiteral("dog"));
        QCOMPARE(bar->replaceAll(), 2);
        QCOMPARE(editor->saveBytes(), QByteArray("one dog\r\ntwo cats\r\nconcat\r\ndog five\r\n"));

        // A regular expression with groups, every line at once.
        bar->wholeWordsBox()->setChecked(false);
        bar->regexBox()->setChecked(true);
        bar->findEdit()->setText(QStringLiteral("^(\\w+) (\\w+)$"));
        bar->replaceEdit()->setText(QStringLiteral("\\2 \\1"));
        QCOMPARE(bar->replaceAll(), 3);
        QCOMPARE(editor->saveBytes(), QByteArray("dog one\r\ncats two\r\nconcat\r\nfive dog\r\n"));
        // One undo step per Replace All.
        editor->undo();
        QCOMPARE(editor->saveBytes(), QByteArray("one dog\r\ntwo cats\r\nconcat\r\ndog five\r\n"));
        editor->redo();

        // Replace: the selected match, then on to the next.
        bar->findEdit()->setText(QStringLiteral("(\\w+) (one|two)"));
        bar->replaceEdit()->setText(QStringLiteral("[\\2]"));
        editor->setTextCursor(QTextCursor(editor->document()));
        QVERIFY(bar->replace()); // nothing selected: goes to the first match
        QCOMPARE(editor->saveBytes(), QByteArray("dog one\r\ncats two\r\nconcat\r\nfive dog\r\n"));
        QVERIFY(bar->replace());
        QCOMPARE(editor->saveBytes(), QByteArray("[one]\r\ncats two\r\nconcat\r\nfive dog\r\n"));

        // A pattern that does not compile is said, and nothing is replaced.
        bar->findEdit()->setText(QStringLiteral("(unclosed"));
        QCOMPARE(bar->replaceAll(), 0);
        QVERIFY2(bar->status().contains(QLatin1String("Not a regular expression")),
                 qPrintable(bar->status()));

        // Escape closes it and takes the highlights away.
        QTest::keyClick(bar->findEdit(), Qt::Key_Escape);
        QVERIFY(!bar->isVisible());
        QVERIFY(editor->extraSelections().isEmpty());
    }

    void findOpensWithTheSelectionAndGoToLine()
    {
        MainWindow window;
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const QByteArray text = "# Title\n\nA caf\xc3\xa9 \xf0\x9f\x98\x80 line\nlast line\n";
        QString error;
        QVERIFY2(window.openFile(fileWith(text), &error), qPrintable(error));
        NotebookEditor *editor = window.editor();

        window.goToLine(3);
        QCOMPARE(editor->textCursor().blockNumber(), 2);
        QCOMPARE(editor->textCursor().positionInBlock(), 0);
        QTRY_VERIFY2(window.positionStatus()->text().startsWith(
                         MainWindow::tr("Line %1, column %2").arg(3).arg(1)),
                     qPrintable(window.positionStatus()->text()));
        // Past "A café 😀" (nine UTF-16 units, eight characters): column 9.
        QTextCursor c = editor->textCursor();
        c.setPosition(c.block().position() + 9);
        editor->setTextCursor(c);
        QVERIFY2(window.positionStatus()->text().startsWith(
                     MainWindow::tr("Line %1, column %2").arg(3).arg(9)),
                 qPrintable(window.positionStatus()->text()));
        // Words: Title, A, café, line, last, line = 6, after the status bar's moment.
        QTRY_VERIFY2(window.positionStatus()->text().contains(MainWindow::tr("%L1 words").arg(6)),
                     qPrintable(window.positionStatus()->text()));
        window.goToLine(99); // past the end: the last line
        QCOMPARE(editor->textCursor().blockNumber(), editor->blockCount() - 1);

        // Ctrl+F with "café" selected finds it.
        c = QTextCursor(editor->document()->findBlockByNumber(2));
        c.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 2);
        c.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor, 4);
        editor->setTextCursor(c);
        editor->setFocus();
        QTest::keySequence(editor, QKeySequence::Find);
        FindBar *bar = window.findBar();
        QVERIFY(bar->isVisible());
        QVERIFY(!bar->replaceEdit()->isVisible());
        QCOMPARE(bar->findEdit()->text(), QStringLiteral("caf\u00e9"));
        QTRY_COMPARE(bar->matchCount(), 1);
        bar->findEdit()->setText(QStringLiteral("line"));
        QTRY_COMPARE(bar->matchCount(), 2);
        if (!m_display.isEmpty()) {
            QTest::qWait(200);
            const QImage shot = window.screen()->grabWindow(window.winId()).toImage();
            QVERIFY(!shot.isNull());
            QVERIFY(KYOZO_SAVE_SCREENSHOT(shot, "kyozo-find-replace.png"));
        }
        // F3 (Find Next) goes through them.
        editor->setFocus();
        QTest::keySequence(editor, QKeySequence::FindNext);
        QCOMPARE(editor->textCursor().selectedText(), QStringLiteral("line"));
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestFindReplace, "1280x800x24")
#include "tst_findreplace.moc"
