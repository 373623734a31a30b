// SQLite operations (issue 21 items 1 and 3, docs/operator.md "Backups"): one serving process
// per SQLite file (a second is refused with one line; admin commands still work), and
// `kyozo-server backup FILE` while serving, then `restore FILE`: the round trip gives back
// the database as it was at the backup, and every refusal says why in one line.
#include "restrequest.h"
#include "temporaryserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace KyozoTest;

namespace {

QString createNotebook(TemporaryServer &server, const QString &token, const QString &title)
{
    const RestResponse r = restRequest(
        "POST", server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), token,
        QJsonDocument(QJsonObject { { "title", title }, { "content", "# " + title + "\n" } })
            .toJson());
    return r.status == 201 ? r.json.value(QStringLiteral("id")).toString() : QString();
}

int status(TemporaryServer &server, const QString &path, const QString &token)
{
    return restRequest("GET", server.url(path), token).status;
}

bool oneLine(const QByteArray &err, const char *says)
{
    const QByteArray line = err.trimmed();
    return !line.contains('\n') && line.startsWith("kyozo-server: ") && line.contains(says);
}

} // namespace

class TestBackup : public QObject
{
    Q_OBJECT
private slots:
    void oneServingProcessPerSqliteFile();
    void backupWhileServingThenRestore();
};

void TestBackup::oneServingProcessPerSqliteFile()
{
    QTemporaryDir dir;
    const QString url = QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("kyozo.sqlite"));
    TemporaryServer first(url);
    QString error;
    QVERIFY2(first.start({}, &error), qPrintable(error));
    TemporaryServer second(url);
    QVERIFY(!second.start());
    QCOMPARE(second.process().state(), QProcess::NotRunning); // start() saw it exit
    QCOMPARE(second.process().exitCode(), 1);
    const QByteArray err = second.process().readAllStandardError();
    QVERIFY2(oneLine(err, "is served by another kyozo-server already"), err.constData());
    // Admin commands are not serving: they work beside the server.
    QCOMPARE(first.admin({ "user", "add", "ada" }), 0);
    QCOMPARE(first.stop(), 0);
    // Once the first has gone, another may serve the file.
    QVERIFY2(second.start({}, &error), qPrintable(error));
}

void TestBackup::backupWhileServingThenRestore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("kyozo.sqlite"));
    const QString url = QStringLiteral("sqlite:") + path;
    const QString backup = dir.filePath(QStringLiteral("backup.sqlite"));
    QString error;
    std::optional<TemporaryServer> server(std::in_place, url);
    QVERIFY2(server->start({}, &error), qPrintable(error));
    const QString ada = server->userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                              QStringLiteral("owner"));
    const QString kept = createNotebook(*server, ada, QStringLiteral("Kept"));
    QVERIFY(!kept.isEmpty());

    QByteArray out, err;
    QCOMPARE(serverAdmin(url, { "backup", backup }, &out, &err), 0);
    QVERIFY(QFile::exists(backup));
    // Private, as the database is: 0600.
    QCOMPARE(QFile::permissions(backup) & 0x7077, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(!QFile::exists(backup + ".part"));
    // A backup never overwrites.
    QCOMPARE(serverAdmin(url, { "backup", backup }, &out, &err), 1);
    QVERIFY2(oneLine(err, "exists already"), err.constData());

    // Written after the backup: gone once it is restored.
    const QString later = createNotebook(*server, ada, QStringLiteral("Later"));
    QVERIFY(!later.isEmpty());
    // Not while the server serves the file.
    QCOMPARE(serverAdmin(url, { "restore", backup }, &out, &err), 1);
    QVERIFY2(oneLine(err, "is served by another kyozo-server already"), err.constData());
    QCOMPARE(server->stop(), 0);
    server.reset();

    QCOMPARE(serverAdmin(url, { "restore", backup }, &out, &err), 0);
    server.emplace(url);
    QVERIFY2(server->start({}, &error), qPrintable(error));
    QCOMPARE(status(*server, "/api/v1/notebooks/" + kept, ada), 200);
    QCOMPARE(status(*server, "/api/v1/notebooks/" + later, ada), 404);
    QCOMPARE(server->stop(), 0);

    // Refusals: not a database, a missing file, PostgreSQL, bad usage.
    const QString junk = dir.filePath(QStringLiteral("junk.sqlite"));
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'x'));
    f.close();
    QCOMPARE(serverAdmin(url, { "restore", junk }, &out, &err), 1);
    QVERIFY2(oneLine(err, "not a sound SQLite database"), err.constData());
    QCOMPARE(serverAdmin(url, { "restore", dir.filePath("missing.sqlite") }, &out, &err), 1);
    QVERIFY2(oneLine(err, "missing.sqlite"), err.constData());
    QCOMPARE(serverAdmin(QStringLiteral("postgres://kyozo@127.0.0.1:1/kyozo"),
                         { "backup", dir.filePath("pg") }, &out, &err),
             2);
    QVERIFY2(oneLine(err, "pg_dump"), err.constData());
    QCOMPARE(serverAdmin(url, { "backup" }, &out, &err), 2);
    QVERIFY2(oneLine(err, "usage"), err.constData());
    // And the database itself is still the restored one.
    server.emplace(url);
    QVERIFY2(server->start({}, &error), qPrintable(error));
    QCOMPARE(status(*server, "/api/v1/notebooks/" + kept, ada), 200);
}

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"
