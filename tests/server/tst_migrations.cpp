// Schema migrations (issue 4): from an empty database to the newest version on SQLite and
// PostgreSQL, idempotent on reopen, and a database newer than the build is refused.
// From schema version 2 on, add a committed database of every earlier version under
// tests/data/schema/ and upgrade each here.
#include "databasebackends.h"
#include "requiredtool.h"
#include "storage/database.h"
#include "storage/migrations.h"

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
            for (const char *t : { "users", "workspaces", "memberships", "tokens", "notebooks", "containers", "files" })
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
