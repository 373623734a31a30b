// Uploads and the file topic through the real kyozo-server (issue 17 item 4, docs/server.md
// "Files"): a 50 MB notebook POSTed to /api/v1/workspaces/{w}/files is stored (streamed to
// disk), parsed by the streaming parser, reported as file_progress after every MiB and
// file_done with the count of each kind of item; a non-UTF-8 upload ends file_failed at the
// offset of its first bad byte; an upload over the cap is 413 and leaves nothing on disk;
// who may upload and join. The expected counts follow from the document built here: each
// repeated section holds one JSON-LD block and one inline annotation, by construction.
#include "channelclient.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace KyozoTest;

namespace {

QJsonObject payloadOf(const QJsonArray &f)
{
    return f[4].toObject();
}
bool replyOk(const QJsonArray &f)
{
    return payloadOf(f).value("status").toString() == "ok";
}
QString fileTopic(const QString &id)
{
    return QStringLiteral("execution:file:") + id;
}

// One section: a heading, a paragraph with an inline annotation (one `annotation` item), a
// JSON-LD fence (one `json-ld` item).
QByteArray section(int n)
{
    return QByteArrayLiteral("## Section ") + QByteArray::number(n)
        + QByteArrayLiteral("\n\nNotes by [Ada Lovelace]{typeof=schema:Person} on the engine, "
                            "with figures.\n\n```json-ld\n{\"@context\": \"https://schema.org\", "
                            "\"@type\": \"Dataset\", \"name\": \"Set ")
        + QByteArray::number(n) + QByteArrayLiteral("\"}\n```\n\n");
}

} // namespace

class TestFileUploads : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    std::unique_ptr<QTemporaryDir> work;
    QString ada, vic, eve;
    QString filesDir; // a folder of its own for each test function

    void startServer(qint64 maxUploadBytes = 64 * 1024 * 1024)
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        filesDir = work->filePath(QStringLiteral("files-") + QTest::currentTestFunction());
        const QString toml = QStringLiteral("[files]\ndirectory = \"%1\"\nmax_upload_bytes = %2\n")
                                 .arg(filesDir)
                                 .arg(maxUploadBytes);
        QVERIFY2(server->start(toml, &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "editor");
        vic = server->userWithToken("vic", "lab", "viewer");
        eve = server->userWithToken("eve", "elsewhere", "owner");
        QVERIFY(!ada.isEmpty() && !vic.isEmpty() && !eve.isEmpty());
    }

    RestResponse upload(const QString &token, const QByteArray &bytes,
                        const QString &workspace = QStringLiteral("lab"),
                        const QByteArray &type = QByteArrayLiteral("text/markdown"))
    {
        return restRequest("POST",
                           server->url(QStringLiteral("/api/v1/workspaces/%1/files?name=notes.md")
                                           .arg(workspace)),
                           token, bytes, type, 60000);
    }

    // Joins the file's topic and collects its events up to file_done or file_failed.
    QList<QJsonArray> eventsOf(const QString &token, const QString &fileId)
    {
        ChannelClient c;
        if (!c.open(server->socketUrl(token)) || !replyOk(c.join(fileTopic(fileId), "1")))
            return {};
        const bool ended = spinUntil(
            [&] {
                for (const QJsonArray &f : c.pending())
                    if (f[3].toString() == "file_done" || f[3].toString() == "file_failed")
                        return true;
                return false;
            },
            60000);
        if (!ended)
            return {};
        QList<QJsonArray> out;
        for (const QJsonArray &f : c.pending())
            if (f[2].toString() == fileTopic(fileId) && f[3].toString().startsWith("file_"))
                out.append(f);
        return out;
    }

    QStringList leftInFilesDirectory() const
    {
        return QDir(filesDir).entryList(QDir::Files);
    }

private slots:
    void initTestCase()
    {
        work = std::make_unique<QTemporaryDir>();
        QVERIFY(work->isValid());
    }
    void cleanup() { server.reset(); }

    void fiftyMegabytesParsedWithProgress()
    {
        startServer();
        QByteArray doc = "---\ntitle: Engine notes\nauthor: Ada Lovelace\n---\n\n";
        int sections = 0;
        while (doc.size() < 50'000'000)
            doc += section(++sections);
        const RestResponse r = upload(ada, doc);
        QCOMPARE(r.status, 201);
        const QString id = r.json.value("id").toString();
        QVERIFY(!id.isEmpty());
        QCOMPARE(r.json.value("bytes").toInteger(), doc.size());
        QCOMPARE(r.json.value("name").toString(), "notes.md");

        const QList<QJsonArray> events = eventsOf(ada, id);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last()[3].toString(), "file_done");
        // One file_progress per MiB (the last one short), then one more at the end.
        const qint64 mib = 1024 * 1024;
        const qint64 chunks = (doc.size() + mib - 1) / mib;
        QCOMPARE(events.size(), chunks + 2);
        qint64 previous = 0;
        qint64 previousItems = 0;
        for (qsizetype i = 0; i + 1 < events.size(); ++i) {
            QCOMPARE(events[i][3].toString(), "file_progress");
            const QJsonObject p = payloadOf(events[i]);
            QCOMPARE(p.value("file_id").toString(), id);
            QCOMPARE(p.value("bytes_total").toInteger(), doc.size());
            const qint64 parsed = p.value("bytes_parsed").toInteger();
            QCOMPARE(parsed, std::min<qint64>((i + 1) * mib, doc.size()));
            QVERIFY(parsed >= previous);
            QVERIFY(p.value("items_found").toInteger() >= previousItems);
            previous = parsed;
            previousItems = p.value("items_found").toInteger();
        }
        const QJsonObject done = payloadOf(events.last());
        QCOMPARE(done.value("bytes_total").toInteger(), doc.size());
        const QJsonObject expected { { "front-matter", 1 },
                                     { "json-ld", sections },
                                     { "annotation", sections } };
        QCOMPARE(done.value("items").toObject(), expected);
        QCOMPARE(previousItems, 1 + 2 * qint64(sections));
        // Stored under its id; no partial file left.
        QCOMPARE(leftInFilesDirectory(), QStringList { id + ".md" });
        QFile stored(QDir(filesDir).filePath(id + ".md"));
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.size(), doc.size());
        QCOMPARE(stored.read(4096), doc.left(4096));
    }

    void notUtf8Fails()
    {
        startServer();
        // 0xC3 0x28: a lead byte at offset 11 followed by a byte that cannot continue it; the
        // offset named is where the broken sequence starts.
        const QByteArray doc = QByteArray("# Title\n\nab") + "\xC3\x28" + " and more\n";
        const RestResponse r = upload(ada, doc);
        QCOMPARE(r.status, 201);
        const QList<QJsonArray> events = eventsOf(ada, r.json.value("id").toString());
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last()[3].toString(), "file_failed");
        const QJsonObject failed = payloadOf(events.last());
        QCOMPARE(failed.value("reason").toString(), "not_utf8");
        QCOMPARE(failed.value("offset").toInteger(), 11);
        QVERIFY(!failed.value("message").toString().isEmpty());
    }

    void overTheCapIs413()
    {
        startServer(1024 * 1024);
        const RestResponse r = upload(ada, QByteArray(2 * 1024 * 1024, 'a'));
        QCOMPARE(r.status, 413);
        QCOMPARE(r.errorCode(), "payload_too_large");
        QVERIFY(spinUntil([&] { return leftInFilesDirectory().isEmpty(); }, 5000));
        // At the cap exactly is fine.
        QCOMPARE(upload(ada, QByteArray(1024 * 1024, 'a')).status, 201);
    }

    void whoMayUploadAndJoin()
    {
        startServer();
        QCOMPARE(upload(QString(), "# x\n").status, 401);
        QCOMPARE(upload(vic, "# x\n").status, 403);
        QCOMPARE(upload(eve, "# x\n").status, 404); // not a member: the workspace stays hidden
        QCOMPARE(upload(ada, "# x\n", "lab", "application/pdf").status, 415);
        QCOMPARE(leftInFilesDirectory(), QStringList());
        const RestResponse r = upload(ada, "# x\n");
        QCOMPARE(r.status, 201);
        const QString id = r.json.value("id").toString();
        // A viewer of the workspace may watch; someone else's member may not.
        QVERIFY(!eventsOf(vic, id).isEmpty());
        ChannelClient e;
        QVERIFY(e.open(server->socketUrl(eve)));
        QCOMPARE(payloadOf(e.join(fileTopic(id), "1")).value("response").toObject().value("reason").toString(),
                 "unauthorized");
    }
};

QTEST_GUILESS_MAIN(TestFileUploads)
#include "tst_fileuploads.moc"
