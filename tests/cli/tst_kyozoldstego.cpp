// `kyozo-ld stego encode|decode|detect|strip` as SPEC §11 writes them, in both formats.
#include "kyozoldrun.h"
#include "testpaths.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using Run = KyozoTest::KyozoLdRun;

// `kyozo-ld stego ARGS`; scrypt makes some runs slow, hence the minute.
Run kyozoLd(const QStringList &args, const QByteArray &in = {})
{
    return KyozoTest::runKyozoLd(QStringList { QStringLiteral("stego") } + args, in, 60000);
}

const QByteArray kCover = "Dear team, the minutes are attached.\nRegards\n";

} // namespace

class TestKyozoLdStego : public QObject
{
    Q_OBJECT
private slots:
    void encodeThenDecode()
    {
        const Run hidden = kyozoLd({ "encode", "--message", "launch at dawn", "-" }, kCover);
        QCOMPARE(hidden.exitCode, 0);
        QVERIFY(hidden.out.size() > kCover.size());
        QVERIFY(hidden.out.startsWith("Dear"));
        const Run revealed = kyozoLd({ "decode", "-" }, hidden.out);
        QCOMPARE(revealed.exitCode, 0);
        QCOMPARE(revealed.out, QByteArray("launch at dawn"));
        const Run stripped = kyozoLd({ "strip", "-" }, hidden.out);
        QCOMPARE(stripped.out, kCover);
    }

    void messageFileAndPassword()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("secret.bin")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray binary("\x00\x01\xFF\xFE binary", 12);
        f.write(binary);
        f.close();
        const Run hidden = kyozoLd({ "encode", "--message-file", f.fileName(), "--password", "pw", "--no-compress", "-" }, kCover);
        QCOMPARE(hidden.exitCode, 0);
        const Run right = kyozoLd({ "decode", "--password", "pw", "-" }, hidden.out);
        QCOMPARE(right.exitCode, 0);
        QCOMPARE(right.out, binary);
        for (const QStringList &wrong : { QStringList{ "decode", "--password", "nope", "-" }, QStringList{ "decode", "-" } }) {
            const Run r = kyozoLd(wrong, hidden.out);
            QCOMPARE(r.exitCode, 1);
            QVERIFY(r.out.isEmpty()); // never garbage on stdout
            QCOMPARE(r.err.count('\n'), 1);
        }
    }

    void detectPrintsRunsAsJsonl()
    {
        const Run hidden = kyozoLd({ "encode", "--message", "x", "-" }, kCover);
        // A stray ZWSP on line 2, column 4, at byte offset of "Reg" + 3.
        QByteArray text = hidden.out;
        const qsizetype at = text.indexOf("Regards") + 3;
        text.insert(at, "\xE2\x80\x8B");
        const Run d = kyozoLd({ "detect", "-" }, text);
        QCOMPARE(d.exitCode, 0);
        const QList<QByteArray> lines = d.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const QJsonObject ours = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(ours.value("start").toInt(), 4); // right after "Dear"
        QCOMPARE(ours.value("line").toInt(), 1);
        QCOMPARE(ours.value("column").toInt(), 5);
        QVERIFY(ours.value("decodes").toBool());
        QCOMPARE(ours.value("end").toInt() - 4, 3 * ours.value("codepoints").toInt());
        const QJsonObject stray = QJsonDocument::fromJson(lines[1]).object();
        QCOMPARE(stray.value("start").toInt(), int(at));
        QCOMPARE(stray.value("end").toInt(), int(at) + 3);
        QCOMPARE(stray.value("line").toInt(), 2);
        QCOMPARE(stray.value("column").toInt(), 4);
        QCOMPARE(stray.value("codepoints").toInt(), 1);
        QVERIFY(!stray.value("decodes").toBool());
    }

    void decodeAllPrintsEveryPayload()
    {
        const Run one = kyozoLd({ "encode", "--message", "first", "-" }, "alpha beta gamma\n");
        const Run two = kyozoLd({ "encode", "--message", "second", "-" }, one.out + "delta epsilon\n");
        const Run all = kyozoLd({ "decode", "--all", "-" }, two.out);
        QCOMPARE(all.exitCode, 0);
        const QList<QByteArray> lines = all.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        // Both went after "alpha", the second right behind the first: one invisible run, two payloads.
        QCOMPARE(QByteArray::fromBase64(QJsonDocument::fromJson(lines[0]).object().value("payload_base64").toString().toLatin1()),
                 QByteArray("first"));
        QCOMPARE(QByteArray::fromBase64(QJsonDocument::fromJson(lines[1]).object().value("payload_base64").toString().toLatin1()),
                 QByteArray("second"));
        QCOMPARE(QJsonDocument::fromJson(lines[0]).object().value("start").toInt(), 5);
        QCOMPARE(QJsonDocument::fromJson(lines[1]).object().value("start").toInt(),
                 QJsonDocument::fromJson(lines[0]).object().value("end").toInt());
    }

    void stegcloakFormatThroughTheCli_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("password");
        QTest::newRow("plain") << QStringList{} << QString();
        QTest::newRow("encrypted") << QStringList{ "--password", "pw", "--no-integrity" } << QStringLiteral("pw");
        QTest::newRow("encrypted+integrity") << QStringList{ "--password", "pw" } << QStringLiteral("pw");
    }
    void stegcloakFormatThroughTheCli()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, password);
        const Run hidden = kyozoLd(QStringList{ "encode", "--format", "stegcloak", "--message", "meet at six" } + options + QStringList{ "-" }, kCover);
        QCOMPARE(hidden.exitCode, 0);
        QStringList decode{ "decode" };
        if (!password.isEmpty())
            decode += { "--password", password };
        const Run autoDetected = kyozoLd(decode + QStringList{ "-" }, hidden.out);
        QCOMPARE(autoDetected.exitCode, 0);
        QCOMPARE(autoDetected.out, QByteArray("meet at six"));
        QCOMPARE(kyozoLd(decode + QStringList{ "--format", "stegcloak", "-" }, hidden.out).out, QByteArray("meet at six"));
        QCOMPARE(kyozoLd(decode + QStringList{ "--format", "kyozo", "-" }, hidden.out).exitCode, 1); // not ours
        const Run detect = kyozoLd({ "detect", "-" }, hidden.out);
        QVERIFY(QJsonDocument::fromJson(detect.out.trimmed()).object().value("decodes").toBool());
        QCOMPARE(kyozoLd({ "strip", "-" }, hidden.out).out, kCover);
    }

    void stegcloakIntegrityRefusesAWrongPassword()
    {
        const Run hidden = kyozoLd({ "encode", "--format", "stegcloak", "--password", "right", "--message", "x", "-" }, kCover);
        const Run wrong = kyozoLd({ "decode", "--password", "wrong", "-" }, hidden.out);
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY(wrong.out.isEmpty());
        QCOMPARE(wrong.err.count('\n'), 1);
    }

    void errorsAndUsage()
    {
        QCOMPARE(kyozoLd({ "decode", "-" }, "no hidden data here").exitCode, 1);
        QCOMPARE(kyozoLd({ "encode", "-" }, kCover).exitCode, 2); // no message
        QCOMPARE(kyozoLd({ "encode", "--message", "a", "--message-file", "b", "-" }, kCover).exitCode, 2);
        QCOMPARE(kyozoLd({ "encode", "--format", "stegcloak", "--message", "a", "-" }, "oneword").exitCode, 1);
        QCOMPARE(kyozoLd({ "encode", "--format", "nope", "--message", "a", "-" }, kCover).exitCode, 2);
        QCOMPARE(kyozoLd({ "encode", "--format", "stegcloak", "--no-compress", "--message", "a", "-" }, kCover).exitCode, 2);
        QCOMPARE(kyozoLd({ "frobnicate", "-" }).exitCode, 2);
        QCOMPARE(kyozoLd({ "detect", "/nonexistent" }).exitCode, 1);
        const Run bad = kyozoLd({ "strip", "-" }, "bad \xFF utf-8");
        QCOMPARE(bad.exitCode, 1);
        QCOMPARE(bad.err.count('\n'), 1);
    }
};

QTEST_GUILESS_MAIN(TestKyozoLdStego)
#include "tst_kyozoldstego.moc"
