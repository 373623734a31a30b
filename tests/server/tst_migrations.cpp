// Schema migrations (issue 4): from an empty database to the newest version on SQLite and
// PostgreSQL, idempotent on reopen, and a database newer than the build is refused.
// From schema version 2 on, add a committed database of every earlier version under
// tests/data/schema/ and upgrade each here.
#include "postgresserver.h"
#include "requiredtool.h"
#include "storage/database.h"
#include "storage/migrations.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::Server;

class TestMigrations : public QObject
{
    Q_OBJECT
    std::unique_ptr<KyozoTest::PostgresServer> postgres;
    QString postgresError;
    QTemporaryDir dir;

    std::optional<DatabaseUrl> urlFor(const QString &backend)
    {
        QString error, text;
        if (backend == QLatin1String("sqlite"))
            text = QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("%1.sqlite").arg(QTest::currentDataTag()) + QString::number(++n));
        else if (postgres)
            text = postgres->createDatabase(&error);
        return text.isEmpty() ? std::nullopt : DatabaseUrl::parse(text, &error);
    }
    int n = 0;

private slots:
    void initTestCase()
    {
        postgres = std::make_unique<KyozoTest::PostgresServer>();
        if (!postgres->start(&postgresError))
            postgres.reset();
    }

    void fromEmpty_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }
    void fromEmpty()
    {
        QFETCH(QString, backend);
        KYOZO_REQUIRE(backend == QLatin1String("sqlite") || postgres, postgresError);
        const std::optional<DatabaseUrl> url = urlFor(backend);
        QVERIFY(url);
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
