// SPEC §11 `kyozo-ld stats` `words`: the fast count (ASCII straight from the UTF-8 bytes,
// everything else through QTextBoundaryFinder) gives exactly what QTextBoundaryFinder gives
// for the whole text. The oracle is Qt's UAX #29 word segmentation
// (countWordsWithBoundaryFinder); the hand-written cases are UAX #29's rules with Qt's
// documented tailorings (`.` and `:` keep their Unicode 5.0 classes; word items start only at
// ALetter, Hebrew_Letter, Numeric and Katakana).
#include "markdownld/wordcount.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace Kyozo::MarkdownLD;

namespace {

QByteArray utf8(char32_t c)
{
    return QString::fromUcs4(&c, 1).toUtf8();
}

// Every ASCII word-break class, twice where the class has several members.
const QByteArray kAsciiAlphabet = QByteArrayLiteral("aZq07_',.;:\" \t\n\r-!(\x0b\x0c#*|`\x00");

// Characters whose word-break class, script or script tailoring could change a boundary
// next to them (UAX #29 WB3–WB16; Qt's tailored scripts).
const QList<char32_t> kUnicode = {
    U'\u00E9', // é ALetter
    U'\u0301', // combining acute, Extend (WB4)
    U'\u2019', // right single quotation mark, MidNumLet
    U'\u00B7', // middle dot, MidLetter
    U'\u2024', // one dot leader, MidNumLet
    U'\uFF0E', // fullwidth full stop, MidNumLet
    U'\u066B', // Arabic decimal separator
    U'\u0661', // Arabic-indic digit one, Numeric
    U'\uFF11', // fullwidth digit one
    U'\u200D', // ZWJ (WB3c)
    U'\u200B', // zero width space, Other
    U'\u00AD', // soft hyphen, Format
    U'\uFEFF', // BOM, Format
    U'\u2060', // word joiner, Format
    U'\u00A0', // no-break space
    U'\u3000', // ideographic space, WSegSpace
    U'\u2028', // line separator, Newline
    U'\u0085', // next line, Newline
    U'\u4E2D', // 中 Han
    U'\u3042', // あ Hiragana
    U'\u30AB', // カ Katakana
    U'\u30FC', // ー Katakana
    U'\u05D0', // א Hebrew_Letter
    U'\u05F4', // Hebrew gershayim, MidLetter
    U'\u0E01', // ก Thai (libthai tailoring)
    U'\u0E31', // Thai vowel sign
    U'\u0EAA', // Lao
    U'\u1780', // Khmer
    U'\u17D2', // Khmer coeng
    U'\u1000', // Myanmar
    U'\u0915', // Devanagari
    U'\u094D', // Devanagari virama
    U'\u0F40', // Tibetan
    U'\U0001F600', // 😀 Extended_Pictographic
    U'\U0001F3FB', // skin tone modifier, Extend
    U'\U0001F1E9', // regional indicator D (WB15/16)
    U'\U0001F1EA', // regional indicator E
    U'\U0001D400', // 𝐀 supplementary ALetter
    U'\u216B', // Ⅻ
    U'\u00B2', // ²
    U'\uFFFD',
    U'\u0434', // д
    U'\u03C9', // ω
    U'\uD55C', // 한
};

QByteArray randomText(QRandomGenerator &random, int length, int unicodePercent)
{
    QByteArray text;
    for (int i = 0; i < length; ++i) {
        if (int(random.bounded(100)) < unicodePercent)
            text += utf8(kUnicode.at(random.bounded(kUnicode.size())));
        else if (random.bounded(2))
            text += char('a' + random.bounded(26)); // letters dominate prose
        else
            text += kAsciiAlphabet.at(random.bounded(kAsciiAlphabet.size()));
    }
    return text;
}

} // namespace

class TestWordCount : public QObject
{
    Q_OBJECT
private slots:
    void handWrittenCases_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("words");
        QTest::newRow("empty") << QByteArray() << qint64(0);
        QTest::newRow("spaces only") << QByteArray(" \t \n") << qint64(0);
        QTest::newRow("two words") << QByteArray("hello world") << qint64(2);
        QTest::newRow("punctuation splits") << QByteArray("one-two (three)!") << qint64(3);
        QTest::newRow("apostrophe WB6/7") << QByteArray("can't won't") << qint64(2);
        QTest::newRow("quote then digit") << QByteArray("a'1") << qint64(2);
        QTest::newRow("doubled quote") << QByteArray("a''b") << qint64(2);
        QTest::newRow("decimal WB11/12") << QByteArray("3.14") << qint64(1);
        QTest::newRow("thousands") << QByteArray("1,000,000 and 1;2") << qint64(3);
        QTest::newRow("digit dot letter") << QByteArray("1.a") << qint64(2);
        // Qt keeps `.` MidNum and `:` Other (qunicodetools.cpp), where UAX #29 would join
        // letters around them.
        QTest::newRow("e.g. with Qt's full stop") << QByteArray("e.g.") << qint64(2);
        QTest::newRow("hi.there") << QByteArray("hi.there") << qint64(2);
        QTest::newRow("colon") << QByteArray("k:a") << qint64(2);
        QTest::newRow("letters and digits WB9/10") << QByteArray("a1 1a x86_64") << qint64(3);
        QTest::newRow("ExtendNumLet WB13a/b") << QByteArray("foo_bar") << qint64(1);
        QTest::newRow("trailing underscore") << QByteArray("a_") << qint64(1);
        QTest::newRow("leading underscore is no word item")
            << QByteArray("_foo __init__") << qint64(0);
        QTest::newRow("markdown syntax") << QByteArray("**bold** and `code`, [link](http://x.org)")
                                         << qint64(7); // bold and code link http x org
        QTest::newRow("table row") << QByteArray("| a | b |\n|---|---|\n| 1 | 2 |") << qint64(4);
        QTest::newRow("crlf") << QByteArray("one\r\ntwo") << qint64(2);
        QTest::newRow("precomposed") << QByteArray("caf\xC3\xA9 au lait") << qint64(3);
        QTest::newRow("combining mark WB4") << QByteArray("cafe\xCC\x81 au lait") << qint64(3);
        QTest::newRow("right single quote MidNumLet")
            << QByteArray("don\xE2\x80\x99t") << qint64(1);
        QTest::newRow("middle dot MidLetter") << QByteArray("l\xC2\xB7l") << qint64(1);
        QTest::newRow("soft hyphen is Format") << QByteArray("co\xC2\xADop") << qint64(1);
        QTest::newRow("zero width space is Other") << QByteArray("a\xE2\x80\x8B"
                                                                 "b")
                                                   << qint64(2);
        QTest::newRow("Cyrillic") << QByteArray("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 "
                                                "\xD0\xBC\xD0\xB8\xD1\x80")
                                  << qint64(2);
        QTest::newRow("Hangul") << QByteArray("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 "
                                              "\xEB\xAC\xB8\xEC\x9E\xA5")
                                << qint64(2);
        QTest::newRow("Katakana WB13")
            << QByteArray("\xE3\x82\xAB\xE3\x82\xBF\xE3\x82\xAB\xE3\x83\x8A") << qint64(1);
        // Ideographs and Hiragana are Other in WordBreakProperty.txt: Qt marks no word item.
        QTest::newRow("Han") << QByteArray("\xE4\xB8\xAD\xE6\x96\x87") << qint64(0);
        QTest::newRow("Han then Katakana")
            << QByteArray("\xE6\x97\xA5\xE6\x9C\xAC\xE3\x82\xAB\xE3\x83\x8A") << qint64(1);
        QTest::newRow("emoji") << QByteArray("\xF0\x9F\x98\x80 \xF0\x9F\x98\x80") << qint64(0);
        QTest::newRow("ZWJ sequence WB3c")
            << QByteArray("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 ok") << qint64(1);
        QTest::newRow("flags WB15/16")
            << QByteArray("\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA go") << qint64(1);
        QTest::newRow("ASCII around Unicode")
            << QByteArray("the caf\xC3\xA9's menu, 3.5\xE2\x82\xAC each") << qint64(5);
    }

    void handWrittenCases()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, words);
        QCOMPARE(countWordsWithBoundaryFinder(text), words); // the oracle agrees with the rules
        QCOMPARE(countWords(text), words);
    }

    // Every ASCII string of one or two bytes, and of three or four bytes over one or two
    // members of each class: the ASCII counter's rules look at most two bytes back.
    void shortAsciiStringsMatchTheOracle()
    {
        QList<QByteArray> texts;
        for (int a = 0; a < 128; ++a) {
            texts.append(QByteArray(1, char(a)));
            for (int b = 0; b < 128; ++b)
                texts.append(QByteArray(1, char(a)) + char(b));
        }
        const QByteArray alphabet = kAsciiAlphabet;
        for (char a : alphabet)
            for (char b : alphabet)
                for (char c : alphabet)
                    texts.append(QByteArray(1, a) + b + c);
        const QByteArray core = QByteArrayLiteral("a0_',.;: -\"Z");
        for (char a : core)
            for (char b : core)
                for (char c : core)
                    for (char d : core)
                        texts.append(QByteArray(1, a) + b + c + d);
        for (int m = 0; m < 128; ++m) // every byte between and around the classes that join
            for (char l : QByteArrayLiteral("a1_ "))
                for (char r : QByteArrayLiteral("a1_ "))
                    texts.append(QByteArray(1, l) + char(m) + r);
        for (const QByteArray &t : std::as_const(texts)) {
            const qint64 expected = countWordsWithBoundaryFinder(t);
            QVERIFY2(countWords(t) == expected, t.toPercentEncoding().constData());
            QVERIFY2(WordCountDetail::countAsciiWords(t) == expected,
                     t.toPercentEncoding().constData());
            QVERIFY2(WordCountDetail::countAsciiWordsPortable(t) == expected,
                     t.toPercentEncoding().constData());
        }
    }

    // The vector code works on 64-byte blocks and carries two bytes over: a joining pattern
    // placed at every offset around the first two block edges.
    void patternsAcrossBlockEdges()
    {
        const QList<QByteArray> patterns
            = { "a'b", "1.2", "1,2", "x_y", "_a", "a1", "1'a", "a;b", "ab", "'a", "9;9", "a''b" };
        for (const QByteArray &pattern : patterns) {
            for (int offset = 56; offset <= 132; ++offset) {
                for (char pad : QByteArrayLiteral(" a1")) {
                    const QByteArray t = QByteArray(offset, pad) + pattern + QByteArray(3, pad);
                    const qint64 expected = countWordsWithBoundaryFinder(t);
                    QVERIFY2(countWords(t) == expected, t.constData());
                    QVERIFY2(WordCountDetail::countAsciiWordsPortable(t) == expected,
                             t.constData());
                }
            }
        }
    }

    // Random ASCII and Unicode mixes: from prose with a rare accented letter to text that is
    // mostly joiners, marks, emoji and tailored scripts.
    void randomMixesMatchTheOracle_data()
    {
        QTest::addColumn<int>("unicodePercent");
        QTest::addColumn<int>("maxLength");
        QTest::newRow("ascii") << 0 << 300;
        QTest::newRow("prose, 2% Unicode") << 2 << 400;
        QTest::newRow("10% Unicode") << 10 << 200;
        QTest::newRow("50% Unicode") << 50 << 60;
        QTest::newRow("90% Unicode") << 90 << 30;
    }

    void randomMixesMatchTheOracle()
    {
        QFETCH(int, unicodePercent);
        QFETCH(int, maxLength);
        for (quint32 seed = 1; seed <= 4; ++seed) {
            QRandomGenerator random(seed * 7919u + quint32(unicodePercent));
            for (int i = 0; i < 2500; ++i) {
                const QByteArray t
                    = randomText(random, int(random.bounded(maxLength + 1)), unicodePercent);
                const qint64 expected = countWordsWithBoundaryFinder(t);
                QVERIFY2(countWords(t) == expected,
                         qPrintable(QStringLiteral("seed %1 #%2: %3")
                                        .arg(seed)
                                        .arg(i)
                                        .arg(QString::fromLatin1(t.toPercentEncoding()))));
                if (unicodePercent == 0)
                    QCOMPARE(WordCountDetail::countAsciiWordsPortable(t), expected);
            }
        }
    }

    // Not reachable through kyozo-ld (it refuses invalid UTF-8), but countWords is a library
    // function: broken sequences decode to U+FFFD in the fast path as in the oracle.
    void invalidUtf8MatchesTheOracle()
    {
        const QList<QByteArray> broken = { "\x80", "\xC3",     "\xE2\x80",     "\xF0\x9F\x98",
                                           "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80" };
        QRandomGenerator random(424242);
        for (int i = 0; i < 3000; ++i) {
            QByteArray t = randomText(random, int(random.bounded(40)), 10);
            for (int k = int(random.bounded(3)); k >= 0; --k)
                t.insert(random.bounded(t.size() + 1), broken.at(random.bounded(broken.size())));
            QVERIFY2(countWords(t) == countWordsWithBoundaryFinder(t),
                     t.toPercentEncoding().constData());
        }
    }

    // Thai word breaks come from libthai over the whole Thai run and the Common characters
    // after it, so countWords gives such text to QTextBoundaryFinder whole.
    void thaiTextIsSegmentedWhole()
    {
        const QByteArray thai = "\xE0\xB9\x84\xE0\xB8\x97\xE0\xB8\xA2"; // ไทย
        // "ก -": libthai (when installed) makes ก a word item because of the " -" after it,
        // which neither "ก " nor "-" alone is.
        const QList<QByteArray> texts = { "\xE0\xB8\x81 -", thai + " 123 abc", "123 " + thai,
                                          "a " + thai + " b. c", "x'y " + thai + thai + " 1.5 z" };
        for (const QByteArray &t : texts)
            QCOMPARE(countWords(t), countWordsWithBoundaryFinder(t));
    }

    // A large block of mixed text: the fast path walks it once (the pieces it hands to
    // QTextBoundaryFinder do not overlap).
    void longMixedBlock()
    {
        QRandomGenerator random(99);
        QByteArray t;
        while (t.size() < 200000)
            t += randomText(random, 50, 5) + ' ';
        QCOMPARE(countWords(t), countWordsWithBoundaryFinder(t));
    }
};

QTEST_GUILESS_MAIN(TestWordCount)
#include "tst_wordcount.moc"
