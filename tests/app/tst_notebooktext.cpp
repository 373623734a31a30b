// Open/save never rewrites bytes the user didn't touch (SPEC §9, issue 6).
#include "editor/notebooktext.h"

#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QtTest>

using Kyozo::App::NotebookText;

class TestNotebookText : public QObject
{
    Q_OBJECT
private slots:
    void roundTripIsByteIdentical_data();
    void roundTripIsByteIdentical();
    void editTouchesOnlyItsLine();
    void newLinesTakeTheCommonEnding();
    void enterAtTheEndAddsALine();
    void badInputLeavesTheDocumentAlone();
    void emptyFileOpens();
};

void TestNotebookText::roundTripIsByteIdentical_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("lines");
    QTest::newRow("lf") << QByteArray("# Title\n\nText.\n") << 4;
    QTest::newRow("crlf") << QByteArray("# Title\r\n\r\nText.\r\n") << 4;
    QTest::newRow("mixed") << QByteArray("a\r\nb\nc\rd\r\n") << 5;
    QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF# Title\nText") << 2;
    QTest::newRow("two boms") << QByteArray("\xEF\xBB\xBF\xEF\xBB\xBFx\n") << 2; // the second is text
    QTest::newRow("no final newline") << QByteArray("one\ntwo") << 2;
    QTest::newRow("only newlines") << QByteArray("\n\r\n\n") << 4;
    // U+2028 stays inside its line; U+2029 is a line ending for QTextDocument and comes back.
    QTest::newRow("u2028 u2029") << QByteArray("a\xE2\x80\xA8" "b\nc\xE2\x80\xA9" "d") << 3;
    // A Kyozo payload after "Hidden" (U+2064 U+2063, then digits U+200B..U+2060) and a BOM mid-text.
    QTest::newRow("zero-width") << QByteArray("Hidden\xE2\x81\xA4\xE2\x81\xA3\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D\xE2\x81\xA0 text\xEF\xBB\xBF.\n") << 2;
    QTest::newRow("tabs nbsp nul") << QByteArray("\tx\xC2\xA0y\x00z\n", 8) << 2;
    QTest::newRow("emoji and cjk") << QByteArray("\xF0\x9F\x98\x80 \xE6\xBC\xA2\xE5\xAD\x97\r\n") << 2;
}

void TestNotebookText::roundTripIsByteIdentical()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, lines);
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY2(file.load(bytes, &document, &error), qPrintable(error));
    QCOMPARE(document.blockCount(), lines);
    QCOMPARE(file.save(&document), bytes);
}

void TestNotebookText::editTouchesOnlyItsLine()
{
    const QByteArray bytes("\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\n\r\nFirst paragraph.\nSecond\xE2\x80\xA8paragraph.\r\nThird");
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY(file.load(bytes, &document, &error));
    QTextCursor cursor(document.findBlockByNumber(5)); // "Second<LS>paragraph."
    QCOMPARE(cursor.block().text(), QString::fromUtf8("Second\xE2\x80\xA8paragraph."));
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 6);
    cursor.insertText(QStringLiteral(" (edited)"));
    const QByteArray expected("\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\n\r\nFirst paragraph.\nSecond (edited)\xE2\x80\xA8paragraph.\r\nThird");
    QCOMPARE(file.save(&document), expected);
}

void TestNotebookText::newLinesTakeTheCommonEnding()
{
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY(file.load("a\r\nb\r\nc\n", &document, &error));
    QCOMPARE(file.defaultEnding(), QStringLiteral("\r\n"));
    QTextCursor cursor(document.findBlockByNumber(1));
    cursor.movePosition(QTextCursor::EndOfBlock);
    cursor.insertText(QStringLiteral("\nnew")); // Enter, then typing
    QCOMPARE(file.save(&document), QByteArray("a\r\nb\r\nnew\r\nc\n"));
}

void TestNotebookText::enterAtTheEndAddsALine()
{
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY(file.load("a\nlast", &document, &error));
    QTextCursor cursor(&document);
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(QStringLiteral("\n"));
    QCOMPARE(file.save(&document), QByteArray("a\nlast\n"));
    cursor.deletePreviousChar();
    QCOMPARE(file.save(&document), QByteArray("a\nlast"));
}

void TestNotebookText::badInputLeavesTheDocumentAlone()
{
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY(file.load("kept\r\n", &document, &error));

    QVERIFY(!file.load(QByteArray("ok\n\xC3\x28 broken"), &document, &error));
    QCOMPARE(error, QStringLiteral("the file is not UTF-8 text (invalid byte at offset 3)."));
    QVERIFY(!file.load(QByteArray("\xED\xA0\x80"), &document, &error)); // a UTF-16 surrogate
    QVERIFY(error.contains(QLatin1String("offset 0"))); // where the bad sequence starts
    QVERIFY(!file.load(QByteArray("cut \xE2\x82"), &document, &error)); // ends inside a sequence
    QVERIFY(error.contains(QLatin1String("not UTF-8")));

    QByteArray huge(50 * 1024 * 1024, 'x');
    QVERIFY(!file.load(huge, &document, &error));
    QCOMPARE(error, QStringLiteral("the file is 50.0 MB; the editor opens files up to 16 MB (kyozo-ld reads larger ones)."));

    QCOMPARE(document.toPlainText(), QStringLiteral("kept\n"));
    QCOMPARE(file.save(&document), QByteArray("kept\r\n"));
}

void TestNotebookText::emptyFileOpens()
{
    NotebookText file;
    QTextDocument document;
    QString error;
    QVERIFY(file.load(QByteArray(), &document, &error));
    QCOMPARE(document.blockCount(), 1);
    QCOMPARE(file.save(&document), QByteArray());
}

QTEST_GUILESS_MAIN(TestNotebookText)
#include "tst_notebooktext.moc"
