// Cells of a notebook (issue 17 item 1, SPEC §11 "Execution"): every fenced code block, its
// id from {#id} or {name=...} else cell-N, its exact code and hash. Expectations written by
// hand from CommonMark 0.29 §4.5 (fenced code blocks) and the issue; hashes by sha256sum(1).
#include "execution/cells.h"

#include <QtTest>

using namespace Kyozo::Execution;

class TestCells : public QObject
{
    Q_OBJECT

private slots:
    void idsLanguagesAndCode()
    {
        const QString text = QStringLiteral("# T\n\n```python {#load-data}\nprint(1)\n```\n\n"
                                            "```sh {name=setup}\necho hi\n```\n\n"
                                            "~~~bash\nls\n~~~\n");
        const QList<Cell> cells = cellsOf(text);
        QCOMPARE(cells.size(), 3);
        QCOMPARE(cells[0].id, QStringLiteral("load-data"));
        QCOMPARE(cells[0].language, QStringLiteral("python"));
        QCOMPARE(cells[0].code, QStringLiteral("print(1)\n"));
        QCOMPARE(cells[0].hash,
                 QByteArray("cc42155088fca5730758db72b2a5bca33112a941dfaa2d43098ec422ce4ea213"));
        QCOMPARE(cells[0].index, 1);
        QCOMPARE(cells[0].startLine, 3);
        QCOMPARE(cells[0].endLine, 5);
        QCOMPARE(cells[0].startOffset, 5);
        // The block ends after its closing fence (its line ending is not part of it).
        QCOMPARE(cells[0].endOffset, 5 + 23 + 9 + 3); // "```python {#load-data}\n" is 23
        QCOMPARE(text.mid(cells[0].startOffset, cells[0].endOffset - cells[0].startOffset),
                 QStringLiteral("```python {#load-data}\nprint(1)\n```"));
        QCOMPARE(cells[1].id, QStringLiteral("setup"));
        QCOMPARE(cells[1].language, QStringLiteral("sh"));
        QCOMPARE(cells[1].code, QStringLiteral("echo hi\n"));
        QCOMPARE(cells[1].index, 2);
        QCOMPARE(cells[1].startLine, 7);
        QCOMPARE(cells[1].endLine, 9);
        QCOMPARE(cells[2].id, QStringLiteral("cell-3"));
        QCOMPARE(cells[2].language, QStringLiteral("bash"));
        QCOMPARE(cells[2].code, QStringLiteral("ls\n"));
        QCOMPARE(cells[2].startLine, 11);
        QCOMPARE(cells[2].endLine, 13);
        QCOMPARE(text.mid(cells[2].startOffset, cells[2].endOffset - cells[2].startOffset),
                 QStringLiteral("~~~bash\nls\n~~~"));
    }

    void tildeFenceHoldsBackticksAndShorterFences()
    {
        // §4.5: the closing fence is of the opening's character and at least as long.
        const QList<Cell> cells = cellsOf(u"~~~~ Python\n```\nx\n~~~\n~~~~~\nafter\n");
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].language, QStringLiteral("python"));
        QCOMPARE(cells[0].code, QStringLiteral("```\nx\n~~~\n"));
        QCOMPARE(cells[0].endLine, 5);
    }

    void duplicateIds()
    {
        const QString text = QStringLiteral("```sh {#a}\n1\n```\n```sh {#a}\n2\n```\n"
                                            "```sh {name=a}\n3\n```\n```sh {#cell-5}\n4\n```\n"
                                            "```sh\n5\n```\n");
        const QList<Cell> cells = cellsOf(text);
        QCOMPARE(cells.size(), 5);
        QCOMPARE(cells[0].id, QStringLiteral("a"));
        QCOMPARE(cells[1].id, QStringLiteral("a-2"));
        QCOMPARE(cells[2].id, QStringLiteral("a-3"));
        QCOMPARE(cells[3].id, QStringLiteral("cell-5"));
        QCOMPARE(cells[4].id, QStringLiteral("cell-5-2"));
        QCOMPARE(cells[4].code, QStringLiteral("5\n"));
    }

    void unclosedFenceRunsToTheEnd()
    {
        const QString text = QStringLiteral("text\n\n```sh\necho 1\necho 2");
        const QList<Cell> cells = cellsOf(text);
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].code, QStringLiteral("echo 1\necho 2"));
        QCOMPARE(cells[0].startLine, 3);
        QCOMPARE(cells[0].endLine, 5);
        QCOMPARE(cells[0].startOffset, 6);
        QCOMPARE(cells[0].endOffset, text.size());
    }

    void crlfKept()
    {
        const QList<Cell> cells = cellsOf(u"```sh\r\necho 1\r\n```\r\n");
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].code, QStringLiteral("echo 1\r\n"));
        QCOMPARE(cells[0].hash,
                 QByteArray("dace6151e466951c7d234d9fcd2f3ea90dc131670669c3796496fa4277b08e5a"));
        QCOMPARE(cells[0].endOffset, 5 + 2 + 8 + 3);
    }

    void emptyCell()
    {
        const QList<Cell> cells = cellsOf(u"```sh\n```\n");
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].code, QString());
        QCOMPARE(cells[0].hash,
                 QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void indentedFenceLosesItsIndentation()
    {
        // §4.5 example 101-103: up to the fence's indentation is removed from each line.
        const QList<Cell> cells
            = cellsOf(u"  ```sh\n  echo a\n echo b\necho c\n    echo d\n  ```\n");
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].code, QStringLiteral("echo a\necho b\necho c\n  echo d\n"));
    }

    void notFences()
    {
        // Four spaces: indented code. A backtick in a backtick fence's info: inline code.
        QCOMPARE(cellsOf(u"    ```sh\n    ls\n    ```\n").size(), 0);
        QCOMPARE(cellsOf(u"``` sh `x`\nls\n```\n").size(), 1); // the second ``` opens one
        QCOMPARE(cellsOf(u"``` sh `x`\nls\n```\n")[0].startLine, 3);
        QCOMPARE(cellsOf(u"``\nls\n``\n").size(), 0);
    }

    void frontMatterIsNotACell()
    {
        const QList<Cell> cells = cellsOf(u"---\ntitle: x\n```\n---\n```sh\nls\n```\n");
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].index, 1);
        QCOMPARE(cells[0].id, QStringLiteral("cell-1"));
        QCOMPARE(cells[0].startLine, 5);
        // Unclosed, it was not front matter: the ``` inside opens a fence.
        QCOMPARE(cellsOf(u"---\n```sh\nls\n```\n").size(), 1);
    }

    void containers()
    {
        const QList<Cell> list = cellsOf(u"- item\n\n  ```sh\n  ls\n  ```\n");
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].code, QStringLiteral("ls\n"));
        QCOMPARE(list[0].startLine, 3);
        const QList<Cell> quote = cellsOf(u"> ```sh\n> ls -l\n> ```\n");
        QCOMPARE(quote.size(), 1);
        QCOMPARE(quote[0].code, QStringLiteral("ls -l\n"));
    }

    void utf16Offsets()
    {
        // U+1F600 is two UTF-16 code units (and four UTF-8 bytes).
        const QString text = QStringLiteral("\U0001F600\n```sh\necho \u00e9\n```\n");
        const QList<Cell> cells = cellsOf(text);
        QCOMPARE(cells.size(), 1);
        QCOMPARE(cells[0].startOffset, 3);
        QCOMPARE(cells[0].endOffset, 3 + 6 + 7 + 3);
        QCOMPARE(cells[0].code, QStringLiteral("echo \u00e9\n"));
    }

    void infoStrings()
    {
        CellInfo i = parseCellInfo(u"{.python #x}");
        QCOMPARE(i.language, QStringLiteral("python"));
        QCOMPARE(i.id, QStringLiteral("x"));
        i = parseCellInfo(u"Python {name=\"my cell\" service=web}");
        QCOMPARE(i.language, QStringLiteral("python"));
        QCOMPARE(i.id, QStringLiteral("my cell"));
        QCOMPARE(i.service, QStringLiteral("web"));
        i = parseCellInfo(u"sh {name=b #a}");
        QCOMPARE(i.id, QStringLiteral("a"));
        i = parseCellInfo(u"sh   ");
        QCOMPARE(i.language, QStringLiteral("sh"));
        QCOMPARE(i.id, QString());
        i = parseCellInfo(u"");
        QCOMPARE(i.language, QString());
        // Braces glued to the word are part of nothing we read.
        i = parseCellInfo(u"sh extra {#a}");
        QCOMPARE(i.id, QString());
        const QList<Cell> cells = cellsOf(u"```sh {service=web}\nsleep 1\n```\n");
        QCOMPARE(cells[0].service, QStringLiteral("web"));
        QCOMPARE(cells[0].id, QStringLiteral("cell-1"));
    }

    void manyCells()
    {
        // 50,000 cells: ids and indexes stay right (the scan is one pass over the text).
        QString text;
        for (int i = 0; i < 50000; ++i)
            text += QStringLiteral("```sh\necho %1\n```\n").arg(i);
        const QList<Cell> cells = cellsOf(text);
        QCOMPARE(cells.size(), 50000);
        QCOMPARE(cells.last().id, QStringLiteral("cell-50000"));
        QCOMPARE(cells.last().code, QStringLiteral("echo 49999\n"));
        QCOMPARE(cells.last().startLine, 3 * 49999 + 1);
    }
};

QTEST_GUILESS_MAIN(TestCells)
#include "tst_cells.moc"
