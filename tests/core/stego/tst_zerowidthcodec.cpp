// Zero-width steganography, Kyozo format (SPEC §3): round trips over random payloads and
// covers in many scripts, what detect/strip must leave alone, damage and wrong passwords.
#include "stego/zerowidthcodec.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace Kyozo::Stego;

namespace {

// Covers that already hold legitimate invisible characters, which must survive untouched.
const QList<QByteArray> &covers()
{
    static const QList<QByteArray> all = {
        "A plain ASCII cover sentence for the payload.",
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE \xE6\x96\x87\xE7\xAB\xA0\xE3\x81\xA7\xE3\x81\x99", // 日本語の 文章です
        // family emoji 👨‍👩‍👧 and rainbow flag 🏳️‍🌈 (ZWJ sequences)
        "family \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 and "
        "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88 here",
        "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85", // مرحبا بالعالم
        // Persian with ZWNJ: می‌خواهم کتاب‌ها
        "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85 \xDA\xA9\xD8\xAA\xD8\xA7\xD8\xA8\xE2\x80\x8C\xD9\x87\xD8\xA7",
        // Hindi with ZWJ: क्‍ष and a second word
        "\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D\xE0\xA4\xB7 \xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\x82\xE0\xA4\xA6\xE0\xA5\x80",
        // England's flag: U+1F3F4 + tags "gbeng" + cancel tag
        "flag \xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF end",
        "\xEF\xBB\xBF" "BOM-led cover text",
        "one",
        "",
    };
    return all;
}

Container::SealOptions options(bool compress, const QByteArray &passphrase)
{
    Container::SealOptions o;
    o.compress = compress;
    o.passphrase = passphrase;
    o.scryptLog2N = 4; // cheap for tests; the default is 15
    return o;
}

QByteArray randomBytes(QRandomGenerator &r, qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (char &c : b)
        c = char(r.bounded(256));
    return b;
}

} // namespace

class TestZeroWidthCodec : public QObject
{
    Q_OBJECT
private slots:
    void roundTripsAndLeavesLegitimateTextAlone()
    {
        QRandomGenerator random(5);
        const QList<qsizetype> sizes = { 0, 1, 2, 3, 17, 255, 1000, 65536 };
        int round = 0;
        for (const QByteArray &cover : covers()) {
            QVERIFY2(detectRuns(cover).isEmpty(), cover.constData()); // legitimate joiners are no runs
            for (qsizetype size : sizes) {
                const QByteArray payload = randomBytes(random, size);
                const bool compress = (round % 2) == 0;
                const QByteArray pass = (round % 3) == 0 ? QByteArray("s3cret \xC3\xA9") : QByteArray();
                ++round;
                QString error;
                const auto hidden = ZeroWidthCodec::encode(cover, payload, options(compress, pass), &error);
                QVERIFY2(hidden, qPrintable(error));
                const auto found = ZeroWidthCodec::decode(*hidden, pass);
                QCOMPARE(found.size(), 1);
                QVERIFY2(found.first().bytes, qPrintable(found.first().error));
                QCOMPARE(*found.first().bytes, payload);
                QCOMPARE(detectRuns(*hidden).size(), 1);
                QCOMPARE(stripRuns(*hidden), cover); // byte for byte, joiners and BOM kept
            }
        }
    }

    void runIsAttachedToTheFirstWord()
    {
        QString error;
        const auto hidden = ZeroWidthCodec::encode("  Hello world", "x", options(false, {}), &error);
        QVERIFY(hidden);
        QVERIFY(hidden->startsWith("  Hello\xE2\x81\xA4\xE2\x81\xA3"));
        QVERIFY(hidden->endsWith(" world"));
    }

    void detectReportsPositions()
    {
        // "a" ZWSP "b" LF "c" U+2062 U+2063 "d": byte 1..4, line 1 col 2; bytes 7..13, line 2 col 2.
        const QByteArray text = "a\xE2\x80\x8B" "b\nc\xE2\x81\xA2\xE2\x81\xA3" "d";
        const QList<InvisibleRun> runs = detectRuns(text);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].start, 1);
        QCOMPARE(runs[0].end, 4);
        QCOMPARE(runs[0].line, 1);
        QCOMPARE(runs[0].column, 2);
        QCOMPARE(runs[0].codePoints, 1);
        QCOMPARE(runs[1].start, 7);
        QCOMPARE(runs[1].end, 13);
        QCOMPARE(runs[1].line, 2);
        QCOMPARE(runs[1].column, 2);
        QCOMPARE(runs[1].codePoints, 2);
        QCOMPARE(stripRuns(text), QByteArray("ab\ncd"));
        // U+180E, U+FEFF mid-text and a lone tag character are runs too.
        QCOMPARE(detectRuns("x\xE1\xA0\x8E y\xEF\xBB\xBF z\xF3\xA0\x80\x81").size(), 3);
    }

    void allTreatsLegitimateJoinersAsRuns()
    {
        const QList<QByteArray> &c = covers();
        QCOMPARE(detectRuns(c[2], true).size(), 3);      // three ZWJs in the emoji
        QCOMPARE(detectRuns(c[4], true).size(), 2);      // two ZWNJs in the Persian words
        QCOMPARE(detectRuns(c[6], true).first().codePoints, 6); // the flag's tags
        QCOMPARE(detectRuns(c[7], true).size(), 1);      // the leading BOM
        QCOMPARE(stripRuns(c[7], true), QByteArray("BOM-led cover text"));
        // A ZWJ between an emoji and a plain letter is not part of an emoji sequence.
        QCOMPARE(detectRuns("\xF0\x9F\x98\x80\xE2\x80\x8D" "a").size(), 1);
    }

    void wrongOrMissingPasswordIsAClearError()
    {
        QString error;
        const auto hidden = ZeroWidthCodec::encode("cover text", "secret", options(true, "right"), &error);
        QVERIFY(hidden);
        for (const QByteArray &wrong : { QByteArray("wrong"), QByteArray() }) {
            const auto found = ZeroWidthCodec::decode(*hidden, wrong);
            QCOMPARE(found.size(), 1);
            QVERIFY(!found.first().bytes);
            QVERIFY(!found.first().error.isEmpty());
        }
    }

    void everySingleBitFlipIsDetected_data()
    {
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<bool>("compress");
        QTest::newRow("crc32") << QByteArray() << false;
        QTest::newRow("crc32 deflate") << QByteArray() << true;
        QTest::newRow("aes-gcm") << QByteArray("pw") << false;
        QTest::newRow("aes-gcm deflate") << QByteArray("pw") << true;
    }
    void everySingleBitFlipIsDetected()
    {
        QFETCH(QByteArray, passphrase);
        QFETCH(bool, compress);
        QRandomGenerator random(9);
        const QByteArray payload = randomBytes(random, 64);
        QString error;
        const auto sealed = Container::seal(payload, options(compress, passphrase), &error);
        QVERIFY(sealed);
        QCOMPARE(*Container::open(*sealed, passphrase, &error), payload);
        for (qsizetype bit = 0; bit < sealed->size() * 8; ++bit) {
            QByteArray damaged = *sealed;
            damaged[bit / 8] = char(damaged[bit / 8] ^ (1 << (bit % 8)));
            QString why;
            const auto opened = Container::open(damaged, passphrase, &why);
            QVERIFY2(!opened, qPrintable(QStringLiteral("bit %1 went unnoticed").arg(bit)));
            QVERIFY(!why.isEmpty());
        }
    }

    void survivesLineEndingsAndNormalisation()
    {
        // "Cafe" + U+0301: the run goes right after the combining mark, which NFC then composes.
        const QByteArray cover = "Cafe\xCC\x81 au lait\nsecond line\n";
        QString error;
        const auto hidden = ZeroWidthCodec::encode(cover, "meet at noon", options(true, {}), &error);
        QVERIFY(hidden);
        QByteArray crlf = *hidden;
        crlf.replace("\n", "\r\n");
        QByteArray back = crlf;
        back.replace("\r\n", "\n");
        const QByteArray nfc = QString::fromUtf8(*hidden).normalized(QString::NormalizationForm_C).toUtf8();
        QVERIFY(nfc.startsWith("Caf\xC3\xA9")); // composed
        for (const QByteArray &variant : { crlf, back, nfc }) {
            const auto found = ZeroWidthCodec::decode(variant);
            QCOMPARE(found.size(), 1);
            QCOMPARE(*found.first().bytes, QByteArray("meet at noon"));
        }
    }

    void defaultCostAndTwoPayloadsBehindOneWord()
    {
        Container::SealOptions o; // the real scrypt cost, 2^15
        o.passphrase = "pw";
        QString error;
        const auto one = ZeroWidthCodec::encode("alpha beta", "first", o, &error);
        QVERIFY2(one, qPrintable(error));
        const auto two = ZeroWidthCodec::encode(*one, "second", options(true, {}), &error);
        QVERIFY(two);
        QCOMPARE(detectRuns(*two).size(), 1); // adjacent: one run…
        const auto found = ZeroWidthCodec::decode(*two, "pw");
        QCOMPARE(found.size(), 2);            // …two payloads
        QCOMPARE(*found[0].bytes, QByteArray("first"));
        QCOMPARE(*found[1].bytes, QByteArray("second"));
        QCOMPARE(found[0].run.end, found[1].run.start);
        QVERIFY(ZeroWidthCodec::decodes(QByteArrayView(*two).sliced(5, found[1].run.end - 5)));
    }

    void invalidUtf8EndsAndReportsNothingFalse()
    {
        // A tag-character prefix whose fourth byte is not a continuation byte, and one cut
        // short at the end: found by the fuzzer as an endless loop in detectRuns.
        QVERIFY(detectRuns("alha \xF3\xA0\x80" "A more").isEmpty());
        QVERIFY(detectRuns("x \xF3\xA0\x80").isEmpty());
        QVERIFY(detectRuns("\xE2\x80").isEmpty());
        QCOMPARE(detectRuns("a\xFF\xE2\x80\x8B\xFE").size(), 1);
        QCOMPARE(stripRuns("a\xFF\xE2\x80\x8B\xFE"), QByteArray("a\xFF\xFE"));
    }

    void notOursIsIgnoredAndHeadersAreChecked()
    {
        QVERIFY(ZeroWidthCodec::decode("plain text, \xE2\x80\x8C\xE2\x80\x8D stray joiners").isEmpty());
        QVERIFY(!ZeroWidthCodec::decodes("\xE2\x80\x8B"));
        QString error;
        QVERIFY(!Container::open("KZ", {}, &error));
        QVERIFY(!Container::open(QByteArray(100, 'x'), {}, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestZeroWidthCodec)
#include "tst_zerowidthcodec.moc"
