// Utf8StreamDecoder: the expected strings are the Unicode Standard's own examples of U+FFFD
// substitution of maximal subparts (§3.9, Tables 3-8 to 3-12), written out by hand.
#include "execution/utf8streamdecoder.h"

#include <QRandomGenerator>
#include <QtTest>

using Kyozo::Server::Utf8StreamDecoder;

namespace {

QString decodeWhole(const QByteArray &bytes, qint64 *invalid)
{
    Utf8StreamDecoder d;
    QString out = d.decode(bytes);
    out += d.finish();
    *invalid = d.invalidBytes();
    return out;
}

QString decodeByteByByte(const QByteArray &bytes, qint64 *invalid)
{
    Utf8StreamDecoder d;
    QString out;
    for (char c : bytes)
        out += d.decode(QByteArrayView(&c, 1));
    out += d.finish();
    *invalid = d.invalidBytes();
    return out;
}

} // namespace

class TestUtf8StreamDecoder : public QObject
{
    Q_OBJECT
private slots:
    void unicodeExamples_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("invalid");
        // Table 3-8: a truncated 4-byte, a truncated 3-byte, a lone lead, lone continuations.
        QTest::newRow("table 3-8")
            << QByteArray::fromHex("61F18080E180C262806380BF64")
            << QStringLiteral("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd") << qint64(9);
        // Table 3-9: non-shortest forms, each byte its own subpart.
        QTest::newRow("table 3-9")
            << QByteArray::fromHex("C0AFE080BFF0818241")
            << QStringLiteral("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA") << qint64(8);
        // Table 3-10: surrogates encoded in UTF-8.
        QTest::newRow("table 3-10")
            << QByteArray::fromHex("EDA080EDBFBFEDAF41")
            << QStringLiteral("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA") << qint64(8);
        // Table 3-11: above U+10FFFF, and a byte never used.
        QTest::newRow("table 3-11")
            << QByteArray::fromHex("F4919293FF4180BF42")
            << QStringLiteral("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFDB") << qint64(7);
        // Table 3-12: truncated sequences.
        QTest::newRow("table 3-12") << QByteArray::fromHex("E180E2F09192F1BF41")
                                    << QStringLiteral("\uFFFD\uFFFD\uFFFD\uFFFDA") << qint64(8);
        QTest::newRow("valid") << QByteArray("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z")
                               << QStringLiteral("a\u00e9\u20ac\U0001F600z") << qint64(0);
        QTest::newRow("truncated at the end")
            << QByteArray("ok\xf0\x9f\x98") << QStringLiteral("ok\uFFFD") << qint64(3);
    }
    void unicodeExamples()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QFETCH(qint64, invalid);
        qint64 count = 0;
        QCOMPARE(decodeWhole(bytes, &count), expected);
        QCOMPARE(count, invalid);
        // The same in pieces of one byte: where a piece ends changes nothing.
        QCOMPARE(decodeByteByByte(bytes, &count), expected);
        QCOMPARE(count, invalid);
    }

    void fourByteCharacterSplitAnywhere()
    {
        const QByteArray smile("\xf0\x9f\x98\x80"); // U+1F600
        for (int cut = 1; cut < smile.size(); ++cut) {
            Utf8StreamDecoder d;
            QCOMPARE(d.decode(QByteArray("x") + smile.left(cut)), QStringLiteral("x"));
            QCOMPARE(d.heldBytes(), qsizetype(cut));
            QCOMPARE(d.decode(smile.mid(cut) + "y"), QStringLiteral("\U0001F600y"));
            QCOMPARE(d.finish(), QString());
            QCOMPARE(d.invalidBytes(), qint64(0));
        }
    }

    void randomSplitsOfValidText()
    {
        // Qt's own decoder on the whole input is the oracle for where the pieces end.
        const QString text = QStringLiteral("Grüße, 世界! \U0001F600 naïve café ");
        QByteArray bytes;
        for (int i = 0; i < 200; ++i)
            bytes += text.toUtf8();
        QRandomGenerator rng(17);
        for (int round = 0; round < 50; ++round) {
            Utf8StreamDecoder d;
            QString out;
            qsizetype at = 0;
            while (at < bytes.size()) {
                const qsizetype n = qMin<qsizetype>(rng.bounded(1, 12), bytes.size() - at);
                const QString piece = d.decode(QByteArrayView(bytes).sliced(at, n));
                // No piece ends in the middle of a surrogate pair.
                QVERIFY(piece.isEmpty() || !piece.back().isHighSurrogate());
                out += piece;
                at += n;
            }
            out += d.finish();
            QCOMPARE(out, QString::fromUtf8(bytes));
            QCOMPARE(d.invalidBytes(), qint64(0));
        }
    }

    void manyLeadBytesStayLinear()
    {
        // 1 MB of lead bytes, each cut short by the next: one U+FFFD per byte, in one pass.
        const QByteArray bytes(1 << 20, '\xf0');
        qint64 count = 0;
        const QString out = decodeWhole(bytes, &count);
        QCOMPARE(out.size(), qsizetype(bytes.size()));
        QCOMPARE(count, qint64(bytes.size()));
    }
};

QTEST_APPLESS_MAIN(TestUtf8StreamDecoder)
#include "tst_utf8streamdecoder.moc"
