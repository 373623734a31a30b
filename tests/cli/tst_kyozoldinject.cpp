// `kyozo-ld inject` as SPEC §11 writes it, run as a user would: the real executable, files
// and pipes, exit codes 0/1/2 with one line on stderr. The expected documents are written
// here by hand from SPEC §2.5 and docs/injection.md.
#include "kyozoldrun.h"
#include "testpaths.h"

#include <QTemporaryDir>
#include <QtTest>

namespace {

using Run = KyozoTest::KyozoLdRun;
using KyozoTest::runKyozoLd;

Run kyozoLd(const QStringList &args, const QByteArray &stdinData = {})
{
    return runKyozoLd(args, stdinData);
}

const QByteArray kData = R"({"@context":"https://schema.org","@id":"urn:x","name":"X"})";
const QByteArray kBlock = "```json-ld\n" + kData + "\n```";

} // namespace

class TestKyozoLdInject : public QObject
{
    Q_OBJECT
    QTemporaryDir dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(f.fileName()));
        return f.fileName();
    }

private slots:
    void injectsFromAFileAndFromStdin()
    {
        const QString data = write("data.json", kData);
        const QByteArray doc = "---\ntitle: T\n---\n# Title\n\nText.\n";
        const QString file = write("doc.md", doc);
        Run r = kyozoLd({ "inject", "--data", data, file });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, "---\ntitle: T\n---\n" + kBlock + "\n\n# Title\n\nText.\n");
        QVERIFY(r.err.isEmpty());
        r = kyozoLd({ "inject", "--data", data, "--position", "after-title", "-" }, doc);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, "---\ntitle: T\n---\n# Title\n\n" + kBlock + "\n\nText.\n");
        r = kyozoLd({ "inject", "--data", data, "--position", "end", "-" }, doc);
        QCOMPARE(r.out, doc + "\n" + kBlock + "\n");
        // Twice is once: the block with the @id is replaced by itself.
        QCOMPARE(kyozoLd({ "inject", "--data", data, "--position", "end", "-" }, r.out).out, r.out);
    }

    void inputProblemsExitOne()
    {
        const QString data = write("data.json", kData);
        Run r = kyozoLd({ "inject", "--data", data, dir.filePath("missing.md") });
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.count('\n'), 1);
        r = kyozoLd({ "inject", "--data", data, "-" }, "ok\n\xff\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("UTF-8") && r.err.contains("byte 3"), r.err.constData());
        QVERIFY(r.out.isEmpty()); // nothing half-written
    }

    void badUsageAndBadDataExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("says");
        QTest::newRow("no --data")
            << QStringList { "inject", "-" } << QByteArray() << QByteArray("--data");
        QTest::newRow("bad position")
            << QStringList { "inject", "--data", "DATA", "--position", "middle", "-" } << kData
            << QByteArray("--position");
        QTest::newRow("no FILE") << QStringList { "inject", "--data", "DATA" } << kData
                                 << QByteArray("FILE");
        QTest::newRow("unreadable data")
            << QStringList { "inject", "--data", "/nonexistent/x.json", "-" } << QByteArray()
            << QByteArray("cannot read");
        QTest::newRow("invalid JSON") << QStringList { "inject", "--data", "DATA", "-" }
                                      << QByteArray("{\"@context\": ") << QByteArray("not JSON");
        QTest::newRow("no @context")
            << QStringList { "inject", "--data", "DATA", "-" } << QByteArray(R"({"@type":"Thing"})")
            << QByteArray("@context");
    }
    void badUsageAndBadDataExitTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, says);
        const QString path = write("bad.json", data);
        args.replaceInStrings(QStringLiteral("DATA"), path);
        const Run r = kyozoLd(args, "# T\n");
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains(says), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKyozoLdInject)
#include "tst_kyozoldinject.moc"
