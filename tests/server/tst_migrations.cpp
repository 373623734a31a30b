// Schema migrations (issue 4): from an empty database to the newest version on SQLite and
// PostgreSQL, idempotent on reopen, and a database newer than the build is refused.
// Every earlier version is committed under tests/data/schema/ (as SQL both databases take)
// and upgraded here.
#include "databasebackends.h"
#include "requiredtool.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/notebookstore.h"
#include "testpaths.h"

#include <QFile>

#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace Kyozo::Server;

class TestMigrations : public QObject
{
    Q_OBJECT
    KyozoTest::DatabaseBackends backends;

private slots:
    void initTestCase() { backends.start(); }

    void fromEmpty_data() { KyozoTest::DatabaseBackends::addRows(); }
    void fromEmpty()
    {
        KYOZO_DATABASE_URL(backends, QFETCH, text);
        QString parseError;
        const std::optional<DatabaseUrl> url = DatabaseUrl::parse(text, &parseError);
        QVERIFY2(url, qPrintable(parseError));
        const int newest = migrations().last().version;
        {
            Database db;
            QString error;
            QVERIFY2(db.open(*url, &error), qPrintable(error));
            QCOMPARE(db.schemaVersion(), newest);
            const QStringList tables = db.connection().tables();
            for (const char *t :
                 { "users", "workspaces", "memberships", "tokens", "notebooks", "containers",
                   "files", "notebook_snapshots", "notebook_operations", "cell_runs",
                   "cell_run_outputs" })
                QVERIFY2(tables.contains(QLatin1String(t)), t);
            QSqlQuery q(db.connection());
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")) && q.next());
            QCOMPARE(q.value(0).toInt(), migrations().size());
        }
        {
            Database again; // reopening applies nothing twice
            QString error;
            QVERIFY2(again.open(*url, &error), qPrintable(error));
            QSqlQuery q(again.connection());
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")) && q.next());
            QCOMPARE(q.value(0).toInt(), migrations().size());
            // A version from the future: this build must refuse the database, not damage it.
            QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)")));
        }
        Database newer;
        QString error;
        QVERIFY(!newer.open(*url, &error));
        QVERIFY2(error.contains(QLatin1String("9999")), qPrintable(error));
    }

    void fromVersion1_data() { KyozoTest::DatabaseBackends::addRows(); }
    void fromVersion1()
    {
        // Version 2 (co-editing) moves each notebook's text into its snapshot of revision 0.
        KYOZO_DATABASE_URL(backends, QFETCH, text);
        QString error;
        const std::optional<DatabaseUrl> url = DatabaseUrl::parse(text, &error);
        QVERIFY2(url, qPrintable(error));
        {
            QFile dump(KyozoTest::sourcePath(QStringLiteral("tests/data/schema/v1.sql")));
            QVERIFY(dump.open(QIODevice::ReadOnly));
            QSqlDatabase raw = QSqlDatabase::addDatabase(
                url->driver == DatabaseUrl::Driver::Sqlite ? "QSQLITE" : "QPSQL", "v1");
            if (url->driver == DatabaseUrl::Driver::Sqlite) {
                raw.setDatabaseName(url->path);
            } else {
                raw.setHostName(url->host);
                raw.setPort(url->port);
                raw.setDatabaseName(url->database);
                raw.setUserName(url->user);
                raw.setPassword(url->password);
            }
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            for (const QByteArray &line : dump.readAll().split('\n')) {
                if (line.trimmed().isEmpty() || line.startsWith("--"))
                    continue;
                QVERIFY2(q.exec(QString::fromUtf8(line.trimmed().chopped(1))),
                         qPrintable(q.lastError().text()));
            }
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase("v1");
        Database db;
        QVERIFY2(db.open(*url, &error), qPrintable(error));
        QCOMPARE(db.schemaVersion(), migrations().last().version);
        NotebookStore notebooks(db);
        const std::optional<Notebook> notes = notebooks.find("n-notes");
        QVERIFY(notes);
        QCOMPARE(notes->title, QStringLiteral("Notes"));
        QCOMPARE(notes->revision, 0);
        QCOMPARE(notes->updatedAt, 1764547300000);
        const std::optional<Snapshot> snapshot = notebooks.snapshotAtOrBefore("n-notes", 0, &error);
        QVERIFY2(snapshot, qPrintable(error));
        QCOMPARE(snapshot->revision, 0);
        QCOMPARE(snapshot->content, QString::fromUtf8("# Notes \xC3\xA9"));
        QCOMPARE(notebooks.snapshotAtOrBefore("n-empty", 0, &error)->content, QString());
        QCOMPARE(notebooks.list("w-lab", &error)->size(), 2);
        // The text lives only in snapshots now.
        QSqlQuery q(db.connection());
        QVERIFY(!q.exec("SELECT content FROM notebooks"));
    }

    void badUrlsAreRefusedClearly()
    {
        QString error;
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("mysql://x"), &error));
        QVERIFY(error.contains(QLatin1String("sqlite:")));
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("sqlite:"), &error));
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("postgres://"), &error));
        const auto pg = DatabaseUrl::parse(QStringLiteral("postgres://kyozo@db.example:6543/notes"), &error);
        QVERIFY(pg);
        QCOMPARE(pg->host, QStringLiteral("db.example"));
        QCOMPARE(pg->port, 6543);
        QCOMPARE(pg->user, QStringLiteral("kyozo"));
        QCOMPARE(pg->database, QStringLiteral("notes"));
        Database unreachable;
        const auto closed = DatabaseUrl::parse(QStringLiteral("postgres://kyozo@127.0.0.1:1/none"), &error);
        QVERIFY(!unreachable.open(*closed, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
