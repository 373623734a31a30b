// Positions between the editor's QTextDocument (one separator per line) and the notebook
// text (its own line endings: "\r\n" two code units, lone "\r", a BOM, U+2028 inside a line),
// both ways, exactly (issue 15 item 3). Expected edits are written by hand; the random part's
// oracle is QString::replace on the text before.
#include "editor/notebookmirror.h"
#include "editor/notebooktext.h"

#include <QRandomGenerator>
#include <QStringDecoder>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QtTest>

using Kyozo::App::NotebookMirror;
using Kyozo::App::NotebookText;
using Kyozo::App::TextEdit;

Q_DECLARE_METATYPE(TextEdit)

namespace {

// The notebook text of `bytes`, loaded into a fresh document, with a mirror on it.
struct Fixture
{
    explicit Fixture(const QByteArray &bytes)
    {
        QString error;
        loaded = file.load(bytes, &document, &error);
        mirror = std::make_unique<NotebookMirror>(&document, &file);
        QObject::connect(mirror.get(), &NotebookMirror::localEdit,
                         [this](const TextEdit &e) { edits.append(e); });
    }
    NotebookText file;
    QTextDocument document;
    std::unique_ptr<NotebookMirror> mirror;
    QList<TextEdit> edits;
    bool loaded = false;
};

// UTF-8 to UTF-16, a leading BOM kept as U+FEFF (QString::fromUtf8 would drop it).
QString u(const char *utf8)
{
    return QStringDecoder(QStringDecoder::Utf8,
                          QStringDecoder::Flag::ConvertInitialBom)(QByteArrayView(utf8));
}

bool cutsPairAt(QStringView text, qsizetype i)
{
    return i > 0 && i < text.size() && text.at(i - 1).isHighSurrogate()
        && text.at(i).isLowSurrogate();
}

} // namespace

class TestNotebookMirror : public QObject
{
    Q_OBJECT
private slots:
    void textKeepsTheBom();
    void localEditsBecomeNotebookEdits_data();
    void localEditsBecomeNotebookEdits();
    void remoteEditsReachTheDocument_data();
    void remoteEditsReachTheDocument();
    void remoteEditsThatSplitACharacterAreRefused();
    void remoteEditsLeaveTheLocalCursor();
    void positionsMapBothWays();
    void randomEditsBothWays();
    void editsLandWhereTheyWereMade();
    void minimalEditKeepsPairsWhole();
};

void TestNotebookMirror::textKeepsTheBom()
{
    Fixture f("\xEF\xBB\xBF# T\r\n");
    QVERIFY(f.loaded);
    QCOMPARE(f.mirror->text(), u("\xEF\xBB\xBF# T\r\n"));
    QCOMPARE(f.mirror->text().size(), 6); // U+FEFF, "# T", CR, LF
}

void TestNotebookMirror::localEditsBecomeNotebookEdits_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("position"); // in the document
    QTest::addColumn<int>("remove"); // document characters after it
    QTest::addColumn<QString>("insert");
    QTest::addColumn<TextEdit>("expected");
    QTest::addColumn<QString>("after");

    // "a" CR LF "b" CR LF "c": "b" is at document position 2, notebook offset 3.
    QTest::newRow("crlf: type on line 2") << QByteArray("a\r\nb\r\nc") << 2 << 0 << u("x")
                                          << TextEdit { 3, 0, u("x") } << u("a\r\nxb\r\nc");
    QTest::newRow("crlf: Enter takes the file's ending")
        << QByteArray("a\r\nb\r\nc") << 1 << 0 << u("\n") << TextEdit { 1, 0, u("\r\n") }
        << u("a\r\n\r\nb\r\nc");
    QTest::newRow("crlf: join two lines")
        << QByteArray("a\r\nb") << 1 << 1 << QString() << TextEdit { 1, 2, {} } << u("ab");
    QTest::newRow("lone cr") << QByteArray("a\rb\rc") << 4 << 0 << u("x")
                             << TextEdit { 4, 0, u("x") } << u("a\rb\rxc");
    QTest::newRow("mixed: the line after a crlf") << QByteArray("a\r\nb\nc\rd") << 6 << 1 << u("D")
                                                  << TextEdit { 7, 1, u("D") } << u("a\r\nb\nc\rD");
    QTest::newRow("bom: start of the text")
        << QByteArray("\xEF\xBB\xBF"
                      "ab")
        << 0 << 0 << u("x") << TextEdit { 1, 0, u("x") } << u("\xEF\xBB\xBFxab");
    QTest::newRow("bom and crlf") << QByteArray("\xEF\xBB\xBF"
                                                "a\r\nb")
                                  << 2 << 1 << u("B") << TextEdit { 4, 1, u("B") }
                                  << u("\xEF\xBB\xBF"
                                       "a\r\nB");
    // U+1F600 and U+1F601 share their high surrogate: the whole pair is replaced.
    QTest::newRow("surrogate pair replaced")
        << QByteArray("a\xF0\x9F\x98\x80"
                      "b")
        << 1 << 2 << u("\xF0\x9F\x98\x81") << TextEdit { 1, 2, u("\xF0\x9F\x98\x81") }
        << u("a\xF0\x9F\x98\x81"
             "b");
    QTest::newRow("after a surrogate pair")
        << QByteArray("\xF0\x9F\x98\x80\r\nz") << 3 << 0 << u("\xF0\x9F\x98\x80")
        << TextEdit { 4, 0, u("\xF0\x9F\x98\x80") } << u("\xF0\x9F\x98\x80\r\n\xF0\x9F\x98\x80z");
    QTest::newRow("u2028 stays inside its line") << QByteArray("a\xE2\x80\xA8"
                                                               "b\r\nc")
                                                 << 4 << 0 << u("x") << TextEdit { 5, 0, u("x") }
                                                 << u("a\xE2\x80\xA8"
                                                      "b\r\nxc");
    QTest::newRow("paste lines into a crlf file")
        << QByteArray("a\r\nb") << 3 << 0 << u("1\n2\n") << TextEdit { 4, 0, u("1\r\n2\r\n") }
        << u("a\r\nb1\r\n2\r\n");
}

void TestNotebookMirror::localEditsBecomeNotebookEdits()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, position);
    QFETCH(int, remove);
    QFETCH(QString, insert);
    QFETCH(TextEdit, expected);
    QFETCH(QString, after);
    Fixture f(bytes);
    QVERIFY(f.loaded);
    QTextCursor cursor(&f.document);
    cursor.setPosition(position);
    cursor.setPosition(position + remove, QTextCursor::KeepAnchor);
    cursor.insertText(insert);
    QCOMPARE(f.edits.size(), 1);
    QCOMPARE(f.edits[0].offset, expected.offset);
    QCOMPARE(f.edits[0].removed, expected.removed);
    QCOMPARE(f.edits[0].inserted, expected.inserted);
    QCOMPARE(f.mirror->text(), after);
    QCOMPARE(f.file.text(&f.document), after);
}

void TestNotebookMirror::remoteEditsReachTheDocument_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<TextEdit>("edit");
    QTest::addColumn<QString>("after"); // the notebook text
    QTest::addColumn<QStringList>("lines"); // the document's blocks

    QTest::newRow("a \\n after a lone \\r makes one crlf")
        << QByteArray("a\rb") << TextEdit { 2, 0, u("\n") } << u("a\r\nb")
        << QStringList { u("a"), u("b") };
    QTest::newRow("text between \\r and \\n splits the crlf")
        << QByteArray("a\r\nb") << TextEdit { 2, 0, u("x") } << u("a\rx\nb")
        << QStringList { u("a"), u("x"), u("b") };
    QTest::newRow("removing the \\n of a crlf") << QByteArray("a\r\nb") << TextEdit { 2, 1, {} }
                                                << u("a\rb") << QStringList { u("a"), u("b") };
    QTest::newRow("removing the \\r of a crlf") << QByteArray("a\r\nb") << TextEdit { 1, 1, {} }
                                                << u("a\nb") << QStringList { u("a"), u("b") };
    QTest::newRow("a \\r before a \\n") << QByteArray("a\nb") << TextEdit { 1, 0, u("\r") }
                                        << u("a\r\nb") << QStringList { u("a"), u("b") };
    QTest::newRow("removing a line ending joins lines")
        << QByteArray("ab\r\ncd") << TextEdit { 2, 2, {} } << u("abcd")
        << QStringList { u("abcd") };
    QTest::newRow("a deleted line between \\r and \\n")
        << QByteArray("a\rx\n\nb") << TextEdit { 2, 2, {} } << u("a\r\nb")
        << QStringList { u("a"), u("b") };
    QTest::newRow("typing on a crlf line")
        << QByteArray("a\r\nb\r\nc") << TextEdit { 4, 0, u("x") } << u("a\r\nbx\r\nc")
        << QStringList { u("a"), u("bx"), u("c") };
    QTest::newRow("the bom removed") << QByteArray("\xEF\xBB\xBF"
                                                   "ab")
                                     << TextEdit { 0, 1, {} } << u("ab") << QStringList { u("ab") };
    QTest::newRow("text before the bom") << QByteArray("\xEF\xBB\xBF"
                                                       "ab")
                                         << TextEdit { 0, 0, u("x") }
                                         << u("x\xEF\xBB\xBF"
                                              "ab")
                                         << QStringList { u("x\xEF\xBB\xBF"
                                                            "ab") };
    QTest::newRow("after the bom")
        << QByteArray("\xEF\xBB\xBF"
                      "ab\nc")
        << TextEdit { 1, 0, u("x") } << u("\xEF\xBB\xBFxab\nc") << QStringList { u("xab"), u("c") };
    QTest::newRow("an emoji next to an emoji")
        << QByteArray("\xF0\x9F\x98\x80\r\n") << TextEdit { 2, 0, u("\xF0\x9F\x98\x81") }
        << u("\xF0\x9F\x98\x80\xF0\x9F\x98\x81\r\n")
        << QStringList { u("\xF0\x9F\x98\x80\xF0\x9F\x98\x81"), QString() };
    QTest::newRow("u2028 and u2029")
        << QByteArray("a\nb") << TextEdit { 1, 0, u("\xE2\x80\xA8x\xE2\x80\xA9") }
        << u("a\xE2\x80\xA8x\xE2\x80\xA9\nb")
        << QStringList { u("a\xE2\x80\xA8x"), QString(), u("b") };
    QTest::newRow("the last line emptied") << QByteArray("a\nb") << TextEdit { 2, 1, {} }
                                           << u("a\n") << QStringList { u("a"), QString() };
    QTest::newRow("everything removed") << QByteArray("a\r\nb\rc") << TextEdit { 0, 6, {} }
                                        << QString() << QStringList { QString() };
}

void TestNotebookMirror::remoteEditsReachTheDocument()
{
    QFETCH(QByteArray, bytes);
    QFETCH(TextEdit, edit);
    QFETCH(QString, after);
    QFETCH(QStringList, lines);
    Fixture f(bytes);
    QVERIFY(f.loaded);
    QString error;
    QVERIFY2(f.mirror->apply(edit, &error), qPrintable(error));
    QVERIFY(f.edits.isEmpty()); // not echoed as a local edit
    QCOMPARE(f.mirror->text(), after);
    QCOMPARE(f.file.text(&f.document), after);
    QStringList blocks;
    for (QTextBlock b = f.document.firstBlock(); b.isValid(); b = b.next())
        blocks.append(b.text());
    QCOMPARE(blocks, lines);
    QCOMPARE(f.file.save(&f.document), after.toUtf8());
}

void TestNotebookMirror::remoteEditsThatSplitACharacterAreRefused()
{
    Fixture f("a\xF0\x9F\x98\x80"
              "b");
    QString error;
    QVERIFY(!f.mirror->apply({ 2, 0, u("x") }, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!f.mirror->apply({ 1, 1, {} }, &error));
    QVERIFY(!f.mirror->apply({ 0, 0, QString(QChar(0xD83D)) }, &error));
    QVERIFY(!f.mirror->apply({ 3, 5, {} }, &error));
    QCOMPARE(f.mirror->text(),
             u("a\xF0\x9F\x98\x80"
               "b"));
}

void TestNotebookMirror::remoteEditsLeaveTheLocalCursor()
{
    Fixture f("one\r\ntwo\r\nthree\r\nfour");
    QTextCursor local(&f.document);
    local.setPosition(f.document.findBlockByNumber(2).position() + 2); // th|ree
    local.setPosition(local.position() + 2, QTextCursor::KeepAnchor); // th[re]e
    QVERIFY(f.mirror->apply({ 0, 0, u("new line\r\n") })); // above
    QVERIFY(f.mirror->apply({ f.mirror->text().indexOf(u("four")), 0, u("4 ") })); // below
    QVERIFY(
        f.mirror->apply({ f.mirror->text().indexOf(u("three")), 0, u("> ") })); // before, same line
    QCOMPARE(local.selectedText(), u("re"));
    QCOMPARE(local.block().text(), u("> three"));
    QCOMPARE(f.mirror->text(), u("new line\r\none\r\ntwo\r\n> three\r\n4 four"));
}

void TestNotebookMirror::positionsMapBothWays()
{
    Fixture f("\xEF\xBB\xBF"
              "ab\r\nc\rd\ne");
    // document: "ab" 0..2, "c" 3..4, "d" 5..6, "e" 7; notebook: BOM, a b CR LF c CR d LF e
    const QList<std::pair<int, qsizetype>> pairs
        = { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 5 }, { 4, 6 },
            { 5, 7 }, { 6, 8 }, { 7, 9 }, { 8, 10 } };
    for (const auto &[position, offset] : pairs) {
        QCOMPARE(f.mirror->notebookOffset(position), offset);
        QCOMPARE(f.mirror->documentPosition(offset), position);
    }
    QCOMPARE(f.mirror->documentPosition(0), 0); // the BOM: before the first character
    QCOMPARE(f.mirror->documentPosition(4), 2); // between CR and LF: the end of "ab"
}

void TestNotebookMirror::randomEditsBothWays()
{
    const quint32 seed = qEnvironmentVariableIsSet("KYOZO_SEED")
        ? qEnvironmentVariableIntValue("KYOZO_SEED")
        : QRandomGenerator::global()->generate();
    qInfo("seed %u (KYOZO_SEED=%u repeats it)", seed, seed);
    QRandomGenerator random(seed);
    // Pieces that meet in every way that matters: endings of all kinds, pairs, the BOM.
    const QStringList pieces = { u("a"),
                                 u("b"),
                                 u("\r"),
                                 u("\n"),
                                 u("\r\n"),
                                 u("\xE2\x80\xA8"),
                                 u("\xE2\x80\xA9"),
                                 u("\xF0\x9F\x98\x80"),
                                 u("\xEF\xBB\xBF"),
                                 u(" ") };
    auto piece = [&] { return pieces.at(random.bounded(int(pieces.size()))); };
    auto boundary = [&](const QString &text) {
        qsizetype at = random.bounded(int(text.size()) + 1);
        if (cutsPairAt(text, at))
            --at;
        return at;
    };
    int rounds = 0;
    for (int doc = 0; doc < 40; ++doc) {
        QString start = random.bounded(3) == 0 ? u("\xEF\xBB\xBF") : QString();
        for (int i = random.bounded(12); i > 0; --i)
            start += piece();
        Fixture f(start.toUtf8());
        QVERIFY(f.loaded);
        QCOMPARE(f.mirror->text(), start);
        for (int step = 0; step < 60; ++step, ++rounds) {
            const QString before = f.mirror->text();
            QString inserted;
            for (int i = random.bounded(4); i > 0; --i)
                inserted += piece();
            if (random.bounded(2) == 0) {
                // Remote: an edit of the notebook text.
                const qsizetype a = boundary(before);
                qsizetype b = boundary(before);
                const TextEdit edit { std::min(a, b), std::abs(a - b), inserted };
                QString expected = before;
                expected.replace(edit.offset, edit.removed, edit.inserted);
                QVERIFY2(f.mirror->apply(edit), qPrintable(QStringLiteral("seed %1").arg(seed)));
                if (f.file.text(&f.document) != f.mirror->text())
                    qInfo() << "remote" << edit.offset << edit.removed << edit.inserted
                            << f.document.toPlainText() << f.document.blockCount()
                            << f.file.hasBom() << f.document.toRawText();
                QCOMPARE(f.mirror->text(), expected);
            } else {
                // Local: a cursor edit of the document; its TextEdit must turn before into the new
                // text.
                f.edits.clear();
                const QString plain = f.document.toPlainText();
                int a = int(boundary(plain));
                int b = int(boundary(plain));
                QTextCursor cursor(&f.document);
                cursor.setPosition(a);
                cursor.setPosition(b, QTextCursor::KeepAnchor);
                if (cursor.selectedText().isEmpty() && inserted.isEmpty())
                    continue;
                cursor.insertText(inserted);
                if (f.file.text(&f.document) != f.mirror->text())
                    qInfo() << "local" << a << b << inserted << plain;
                QString replayed = before;
                for (const TextEdit &e : std::as_const(f.edits))
                    replayed.replace(e.offset, e.removed, e.inserted);
                QCOMPARE(replayed, f.mirror->text());
            }
            // The document has exactly the notebook text's lines (NotebookText::load's split).
            int lineCount = 1;
            for (qsizetype i = 0; i < f.mirror->text().size();) {
                const qsizetype n = NotebookText::endingLength(f.mirror->text(), i);
                lineCount += n ? 1 : 0;
                i += n ? n : 1;
            }
            if (lineCount != f.document.blockCount())
                qInfo() << "lines" << before.toUcs4() << inserted.toUcs4()
                        << f.mirror->text().toUcs4() << f.document.toRawText().toUcs4();
            QCOMPARE(f.document.blockCount(), lineCount);
            if (f.file.text(&f.document) != f.mirror->text())
                qInfo() << "before" << before.toUcs4() << "inserted" << inserted.toUcs4()
                        << f.mirror->text().toUcs4();
            QCOMPARE(f.file.text(&f.document), f.mirror->text());
        }
    }
    qInfo("%d random edits, seed %u", rounds, seed);
}

void TestNotebookMirror::editsLandWhereTheyWereMade()
{
    // "three" has two e's at its end: an e typed between them is at 4, not at 5.
    Fixture f("one\r\nthree");
    QTextCursor cursor(&f.document);
    cursor.setPosition(4 + 4); // "one" + separator, "thre|e"
    cursor.insertText(u("e"));
    QCOMPARE(f.edits.size(), 1);
    QCOMPARE(f.edits[0].offset, 5 + 4);
    // A remote e inserted at 5 of "threee" moves a cursor standing at 5 (an insert at a
    // position moves it right, as ot.js transforms it), not one at 4.
    QTextCursor before(&f.document);
    before.setPosition(4 + 4);
    QTextCursor at(&f.document);
    at.setPosition(4 + 5);
    QVERIFY(f.mirror->apply({ 5 + 5, 0, u("e") }));
    QCOMPARE(before.position(), 4 + 4);
    QCOMPARE(at.position(), 4 + 6);
    QCOMPARE(f.mirror->text(), u("one\r\nthreeee"));
}

void TestNotebookMirror::minimalEditKeepsPairsWhole()
{
    using Kyozo::App::minimalEdit;
    // U+1F600 and U+1F601 differ in the low half only; U+1F600 and U+1F900 in the high half only.
    const TextEdit low = minimalEdit(u("a\xF0\x9F\x98\x80"
                                       "b"),
                                     u("a\xF0\x9F\x98\x81"
                                       "b"));
    QCOMPARE(low, (TextEdit { 1, 2, u("\xF0\x9F\x98\x81") }));
    const TextEdit high = minimalEdit(u("x\xF0\x9F\x98\x80"), u("x\xF0\x9F\xA4\x80"));
    QCOMPARE(high, (TextEdit { 1, 2, u("\xF0\x9F\xA4\x80") }));
    QCOMPARE(minimalEdit(u("abc"), u("abc")), (TextEdit { 3, 0, {} }));
    QCOMPARE(minimalEdit(u("aa"), u("aaa"), 10), (TextEdit { 12, 0, u("a") }));
    QCOMPARE(minimalEdit(u("aa"), u("aaa"), 10, 1),
             (TextEdit { 11, 0, u("a") })); // placed by the cap
}

QTEST_MAIN(TestNotebookMirror) // a document layout needs a QGuiApplication
#include "tst_notebookmirror.moc"
