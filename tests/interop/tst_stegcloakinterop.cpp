// StegCloak interop (issue 5): the real npm StegCloak and lzutf8 under node against
// core/stego, both directions, all three StegCloak modes; lzutf8 byte for byte.
#include "requiredtool.h"
#include "stego/invisiblerun.h"
#include "stego/lzutf8.h"
#include "stego/stegcloakcodec.h"

#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QtTest>

using namespace Kyozo::Stego;

namespace {

struct NodeResult
{
    int exitCode = -1;
    QByteArray out, err;
};

NodeResult node(const QStringList &args, const QByteArray &input)
{
    QProcess p;
    const QDir dir(QStringLiteral(KYOZO_INTEROP_DIR));
    p.setWorkingDirectory(dir.path());
    p.start(QStandardPaths::findExecutable(QStringLiteral("node")),
            QStringList{ dir.filePath(QStringLiteral("stegcloak_interop.mjs")) } + args);
    p.waitForStarted(10000);
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError() };
}

// Covers StegCloak itself can round-trip: no emoji ZWJs in later words (its reveal keeps
// only the last word that holds its characters).
const QList<QByteArray> kCovers = {
    "The quarterly report is attached for your review",
    "\xE6\x9D\xB1\xE4\xBA\xAC \xE3\x81\xAF \xE4\xBB\x8A\xE6\x97\xA5 \xE6\x99\xB4\xE3\x82\x8C", // 東京 は 今日 晴れ
    "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD9\x83 \xD9\x81\xD9\x8A \xD9\x83\xD9\x8A\xD9\x88\xD8\xB2\xD9\x88", // Arabic
    "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e et th\xC3\xA9",
};

const QList<QByteArray> kMessages = {
    "a", "launch at dawn", "\xE2\x9C\x93 unicode \xF0\x9F\x98\x80 message", QByteArray(300, 'z'),
    "repeat repeat repeat repeat repeat repeat repeat repeat",
};

} // namespace

class TestStegCloakInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(), QStringLiteral("node"));
        KYOZO_REQUIRE(QDir(QStringLiteral(KYOZO_INTEROP_DIR)).exists(QStringLiteral("node_modules/stegcloak")),
                      QStringLiteral("tests/interop/node_modules (npm ci)"));
    }

    void lzutf8ByteForByte()
    {
        QRandomGenerator random(3);
        QList<QByteArray> texts = kMessages;
        texts += { "", "abcabcabcabcabcabcabcabc", QByteArray(70000, 'q') + "tail",
                   "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82" };
        QByteArray words; // 64 KiB of text from a small vocabulary: long and short distances
        const QList<QByteArray> vocabulary = { "kyozo ", "notebook ", "linked ", "data ", "\xC3\xA9t\xC3\xA9 ", "\xE6\x97\xA5\xE6\x9C\xAC ", "x" };
        while (words.size() < 65536)
            words += vocabulary[random.bounded(qsizetype(vocabulary.size()))];
        texts.append(words);
        for (const QByteArray &text : texts) {
            const NodeResult r = node({ QStringLiteral("lzutf8-compress") }, text);
            QCOMPARE(r.exitCode, 0);
            const QByteArray theirs = QByteArray::fromHex(r.out);
            const QByteArray ours = Lzutf8::compress(text);
            QVERIFY2(ours == theirs, qPrintable(QStringLiteral("differs for %1 bytes of input").arg(text.size())));
            QCOMPARE(Lzutf8::decompress(theirs), text);
        }
    }

    void stegcloakHidesWeReveal_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("plain") << QStringLiteral("plain");
        QTest::newRow("encrypted") << QStringLiteral("encrypt");
        QTest::newRow("encrypted+integrity") << QStringLiteral("integrity");
    }
    void stegcloakHidesWeReveal()
    {
        QFETCH(QString, mode);
        for (const QByteArray &cover : kCovers) {
            for (const QByteArray &message : kMessages) {
                const NodeResult hidden = node({ QStringLiteral("hide"), mode, QString::fromUtf8("pa55 w\xC3\xB6rd"), QString::fromUtf8(message) }, cover);
                QCOMPARE(hidden.exitCode, 0);
                QString error;
                const auto revealed = StegCloakCodec::decode(hidden.out, "pa55 w\xC3\xB6rd", &error);
                QVERIFY2(revealed, qPrintable(error));
                QCOMPARE(*revealed, message);
            }
        }
    }

    void weHideStegcloakReveals_data() { stegcloakHidesWeReveal_data(); }
    void weHideStegcloakReveals()
    {
        QFETCH(QString, mode);
        quint32 seed = 1;
        for (const QByteArray &cover : kCovers) {
            for (const QByteArray &message : kMessages) {
                StegCloakCodec::Options options;
                options.password = mode == QLatin1String("plain") ? QByteArray() : QByteArray("pa55 w\xC3\xB6rd");
                options.integrity = mode == QLatin1String("integrity");
                QString error;
                const auto hidden = StegCloakCodec::encode(cover, message, options, &error, seed++);
                QVERIFY2(hidden, qPrintable(error));
                const NodeResult revealed = node({ QStringLiteral("reveal"), QString::fromUtf8("pa55 w\xC3\xB6rd") }, *hidden);
                QVERIFY2(revealed.exitCode == 0, revealed.err.constData());
                QCOMPARE(revealed.out, message);
            }
        }
    }

    void integrityModeCatchesWrongPasswordsAndEveryBitFlip()
    {
        StegCloakCodec::Options options;
        options.password = "right";
        options.integrity = true;
        QString error;
        const QByteArray message = "sixty-four bytes or fewer: every single bit is flipped";
        const auto hidden = StegCloakCodec::encode("one two three four", message, options, &error, 7);
        QVERIFY(hidden);
        QVERIFY(!StegCloakCodec::decode(*hidden, "wrong", &error));
        QVERIFY(error.contains(QLatin1String("HMAC")));
        const QList<InvisibleRun> runs = detectRuns(*hidden);
        QCOMPARE(runs.size(), 1);
        const auto stream = StegCloakCodec::parseRun(QByteArrayView(*hidden).sliced(runs[0].start, runs[0].end - runs[0].start));
        QVERIFY(stream && stream->integrity);
        QCOMPARE(*StegCloakCodec::open(*stream, "right", &error), message);
        for (qsizetype bit = 0; bit < stream->bytes.size() * 8; ++bit) {
            StegCloakCodec::Stream damaged = *stream;
            damaged.bytes[bit / 8] = char(damaged.bytes[bit / 8] ^ (1 << (bit % 8)));
            QString why;
            QVERIFY2(!StegCloakCodec::open(damaged, "right", &why), qPrintable(QStringLiteral("bit %1").arg(bit)));
            QVERIFY(!why.isEmpty());
        }
        // Rebuilt runs parse back to the same stream (the run-length step is reversible).
        QCOMPARE(StegCloakCodec::parseRun(StegCloakCodec::buildRun(*stream))->bytes, stream->bytes);
    }

    void refusals()
    {
        QString error;
        QVERIFY(!StegCloakCodec::encode("oneword", "m", {}, &error));
        QVERIFY(!StegCloakCodec::decode("nothing hidden here", {}, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStegCloakInterop)
#include "tst_stegcloakinterop.moc"
