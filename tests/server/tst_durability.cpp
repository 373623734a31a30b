// Issue 14 item 7: acknowledged writes are durable (SQLite synchronous=FULL, PostgreSQL
// synchronous_commit on), database files are private (0600, directories 0700), and
// /healthz reports a database that cannot be written (503 degraded) while REST writes
// that fail for that reason get a clear JSON error and lose nothing acknowledged.
// Server behaviour is tested against the real kyozo-server over loopback.
#include "databasebackends.h"
#include "postgresserver.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "storage/accountstore.h"
#include "storage/database.h"
#include "storage/notebookstore.h"
#include "systemuser.h"
#include "temporaryserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace Kyozo::Server;
using namespace KyozoTest;

namespace {

int modeOf(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// A connection of the test's own, beside the server's (for what the server must not be
// asked: counting rows, changing database settings).
class OwnConnection
{
public:
    explicit OwnConnection(const QString &url)
        : m_name(QStringLiteral("test-%1").arg(quintptr(this)))
    {
        QString error;
        const std::optional<DatabaseUrl> u = DatabaseUrl::parse(url, &error);
        if (!u)
            return;
        if (u->driver == DatabaseUrl::Driver::Sqlite) {
            m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
            m_db.setDatabaseName(u->path);
        } else {
            m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
            m_db.setHostName(u->host);
            m_db.setPort(u->port);
            m_db.setDatabaseName(u->database);
            m_db.setUserName(u->user);
        }
        m_db.open();
    }
    ~OwnConnection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    // The first column of the first row, or an invalid QVariant.
    QVariant value(const QString &sql)
    {
        QSqlQuery q(m_db);
        if (!q.exec(sql) || !q.next())
            return {};
        return q.value(0);
    }
    bool exec(const QString &sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql);
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

QString databaseName(const QString &postgresUrl)
{
    return QUrl(postgresUrl).path().mid(1);
}

QByteArray notebookBody(const QString &title, qsizetype contentBytes)
{
    // Letters that vary, so no page is shared by accident of compression (SQLite has none,
    // but the content must be what the test reads back).
    QString content;
    content.reserve(contentBytes);
    for (qsizetype i = 0; i < contentBytes; ++i)
        content.append(QLatin1Char(char('a' + (i * 7 + title.size()) % 26)));
    return QJsonDocument(QJsonObject { { "title", title }, { "content", content } })
        .toJson(QJsonDocument::Compact);
}

struct Stored
{
    QString id;
    QByteArray body;
};

} // namespace

class TestDurability : public QObject
{
    Q_OBJECT
    DatabaseBackends backends;

    // GET /healthz: the status code and the body's "status" and "reason".
    static std::tuple<int, QString, QString> health(const TemporaryServer &server)
    {
        const RestResponse r = restRequest("GET", server.url(QStringLiteral("/healthz")));
        return { r.status, r.json.value("status").toString(), r.json.value("reason").toString() };
    }

    // Every notebook the server acknowledged reads back as it was sent.
    static bool allReadBack(const TemporaryServer &server, const QString &token,
                            const QList<Stored> &stored)
    {
        for (const Stored &s : stored) {
            const RestResponse got
                = restRequest("GET", server.url("/api/v1/notebooks/" + s.id), token);
            const QJsonObject sent = QJsonDocument::fromJson(s.body).object();
            if (got.status != 200 || got.json.value("title") != sent.value("title")
                || got.json.value("content") != sent.value("content")) {
                qWarning() << "notebook" << s.id << "answered" << got.status;
                return false;
            }
        }
        return true;
    }

private slots:
    void initTestCase() { backends.start(); }

    void sqliteCommitsAreSynchronous()
    {
        QTemporaryDir dir;
        const auto url
            = DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath("k.sqlite"), nullptr);
        Database db;
        QString error;
        StorageOptions options;
        options.sqliteMaxPageCount = 123;
        QVERIFY2(db.open(*url, &error, options), qPrintable(error));
        QSqlQuery q(db.connection());
        // sqlite.org/pragma.html#pragma_synchronous: 2 is FULL; NORMAL (1) may lose the
        // last commits of a WAL database on power loss.
        QVERIFY(q.exec("PRAGMA synchronous") && q.next());
        QCOMPARE(q.value(0).toInt(), 2);
        QVERIFY(q.exec("PRAGMA journal_mode") && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec("PRAGMA max_page_count") && q.next());
        QCOMPARE(q.value(0).toLongLong(), 123);
    }

    void postgresKeepsSynchronousCommitOn()
    {
        QString why;
        const QString url = backends.databaseUrl(QStringLiteral("postgres"), &why);
        KYOZO_REQUIRE(!url.isEmpty(), why);
        {
            OwnConnection admin(url);
            QVERIFY(admin.exec("ALTER DATABASE " + databaseName(url)
                               + " SET synchronous_commit = off"));
        }
        OwnConnection plain(url); // what any connection to this database now starts with
        QCOMPARE(plain.value("SHOW synchronous_commit").toString(), QStringLiteral("off"));
        Database db;
        QString error;
        QVERIFY2(db.open(*DatabaseUrl::parse(url, &error), &error), qPrintable(error));
        QSqlQuery q(db.connection());
        QVERIFY(q.exec("SHOW synchronous_commit") && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("on"));
    }

    void storageFailuresAreClassified()
    {
        QTemporaryDir dir;
        Database db;
        QString error;
        QVERIFY2(db.open(*DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath("k.sqlite"),
                                             nullptr),
                         &error),
                 qPrintable(error));
        QVERIFY(!db.degraded());
        // Codes from sqlite.org/rescode.html and the PostgreSQL manual's Appendix A.
        const struct
        {
            const char *code;
            std::optional<Degradation::Kind> kind;
        } cases[] = {
            { "13", Degradation::Kind::Full }, // SQLITE_FULL
            { "8", Degradation::Kind::Unwritable }, // SQLITE_READONLY
            { "1032", Degradation::Kind::Unwritable }, // SQLITE_READONLY_DBMOVED (extended)
            { "10", Degradation::Kind::Unwritable }, // SQLITE_IOERR
            { "19", std::nullopt }, // SQLITE_CONSTRAINT: the statement's fault
            { "5", std::nullopt }, // SQLITE_BUSY: the next try gets the lock
            { "53100", Degradation::Kind::Full }, // disk_full
            { "25006", Degradation::Kind::Unwritable }, // read_only_sql_transaction
            { "08006", Degradation::Kind::Unwritable }, // connection_failure
            { "57P01", Degradation::Kind::Unwritable }, // admin_shutdown
            { "23505", std::nullopt }, // unique_violation
        };
        for (const auto &c : cases) {
            db.noteWriteFailed(QSqlError("driver", "database", QSqlError::StatementError,
                                         QString::fromLatin1(c.code)));
            const std::optional<Degradation> d = db.degraded();
            QCOMPARE(d.has_value(), c.kind.has_value());
            if (d) {
                QVERIFY2(d->kind == *c.kind, c.code);
                QVERIFY(!d->reason.isEmpty());
                QCOMPARE(db.degradedReason(), d->reason);
            }
            db.noteWriteSucceeded(); // a write that succeeds clears it
            QVERIFY(!db.degraded());
        }
    }

    void addUserStoresAllOrNothing()
    {
        // A full database: the user row would fit, the workspace (larger than a page) not.
        QTemporaryDir dir;
        Database db;
        QString error;
        StorageOptions options;
        options.sqliteMaxPageCount = 60; // the schema itself takes some 35 pages
        QVERIFY2(db.open(*DatabaseUrl::parse(QStringLiteral("sqlite:") + dir.filePath("k.sqlite"),
                                             nullptr),
                         &error, options),
                 qPrintable(error));
        AccountStore accounts(db);
        NotebookStore notebooks(db);
        QVERIFY2(accounts.addUser("ada", "lab", Role::Owner, &error), qPrintable(error));
        const QString lab = *accounts.workspaceIdByName("lab");
        int stored = 0;
        for (const qsizetype size : { 16384, 2048, 256, 0 }) {
            for (int i = 0;
                 i < 400 && notebooks.create(lab, "n", QString(size, QLatin1Char('x')), &error);
                 ++i)
                ++stored;
        }
        QVERIFY(stored > 0);
        QVERIFY(db.degraded() && db.degraded()->kind == Degradation::Kind::Full);
        QSqlQuery q(db.connection());
        QVERIFY(q.exec("SELECT page_count FROM pragma_page_count()") && q.next());
        QCOMPARE(q.value(0).toLongLong(), 60);
        QVERIFY(!accounts.addUser("bob", QString(10000, QLatin1Char('w')), Role::Editor, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(q.exec("SELECT COUNT(*) FROM users WHERE name = 'bob'") && q.next());
        QCOMPARE(q.value(0).toInt(), 0); // not half-stored
        QVERIFY(q.exec("SELECT COUNT(*) FROM notebooks") && q.next());
        QCOMPARE(q.value(0).toInt(), stored);
    }

    void databaseFilesArePrivate()
    {
        // The server makes the missing directories and the database; a umask of 022 would
        // give 0755 and 0644 to anything not created with an explicit mode.
        const mode_t previous = ::umask(022);
        QTemporaryDir dir;
        const QString path = dir.filePath("data/kyozo/kyozo.sqlite");
        TemporaryServer server(QStringLiteral("sqlite:") + path);
        QString error;
        const bool started = server.start({}, &error);
        ::umask(previous);
        QVERIFY2(started, qPrintable(error));
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        const RestResponse created
            = restRequest("POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
                          notebookBody("private", 100));
        QCOMPARE(created.status, 201);
        for (const QString &file : { path, path + "-wal", path + "-shm" })
            QCOMPARE(modeOf(file), 0600);
        QCOMPARE(modeOf(dir.filePath("data/kyozo")), 0700);
        QCOMPARE(modeOf(dir.filePath("data")), 0700);
        QCOMPARE(server.stop(), 0);
    }

    void fullDatabaseIsReportedAndLosesNothing()
    {
        TemporaryServer server;
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        const QString quota = QStringLiteral("[storage]\nsqlite_max_page_count = 80\n");
        QString error;
        QVERIFY2(server.start(quota, &error), qPrintable(error));
        QCOMPARE(std::get<0>(health(server)), 200);

        const QUrl create = server.url("/api/v1/workspaces/lab/notebooks");
        QList<Stored> stored;
        RestResponse refused;
        // Large notebooks until one does not fit, then smaller ones until not even an empty
        // one does: the database is at its quota with no free page.
        for (const qsizetype size : { 16384, 1024, 0 }) {
            refused = RestResponse();
            for (int i = 0; i < 300; ++i) {
                const QByteArray body
                    = notebookBody(QStringLiteral("n%1").arg(stored.size()), size);
                const RestResponse r = restRequest("POST", create, token, body);
                if (r.status != 201) {
                    refused = r;
                    break;
                }
                stored.append({ r.json.value("id").toString(), body });
            }
            QCOMPARE(refused.status, 507);
            QCOMPARE(refused.errorCode(), QStringLiteral("insufficient_storage"));
            QVERIFY(!refused.json.value("error").toObject().value("message").toString().isEmpty());
            const auto [status, text, reason] = health(server);
            QCOMPARE(status, 503);
            QCOMPARE(text, QStringLiteral("degraded"));
            QVERIFY(!reason.isEmpty());
        }
        QVERIFY(stored.size() >= 2);
        QVERIFY(allReadBack(server, token, stored));
        QCOMPARE(server.stop(), 0);
        {
            OwnConnection own(server.databaseUrl());
            QCOMPARE(own.value("SELECT COUNT(*) FROM notebooks").toInt(),
                     stored.size()); // nothing half-stored
            QCOMPARE(own.value("PRAGMA page_count").toInt(), 80);
        }

        // A new process at the quota knows before any write fails.
        QVERIFY2(server.start(quota, &error), qPrintable(error));
        const auto [status, text, reason] = health(server);
        QCOMPARE(status, 503);
        QCOMPARE(text, QStringLiteral("degraded"));
        QVERIFY2(reason.contains(QLatin1String("sqlite_max_page_count")), qPrintable(reason));
        QCOMPARE(server.stop(), 0);

        // The operator raises the quota: healthy, writable, everything still there.
        QVERIFY2(server.start({}, &error), qPrintable(error));
        QCOMPARE(std::get<0>(health(server)), 200);
        const QByteArray body = notebookBody("after", 16384);
        const RestResponse after
            = restRequest("POST", server.url("/api/v1/workspaces/lab/notebooks"), token, body);
        QCOMPARE(after.status, 201);
        stored.append({ after.json.value("id").toString(), body });
        QVERIFY(allReadBack(server, token, stored));
        QCOMPARE(server.stop(), 0);
    }

    void diskFullIsReportedAndLosesNothing()
    {
        // A real ENOSPC, which SQLite reports as SQLITE_FULL (os_unix.c unixWrite): the
        // database on a 1 MiB tmpfs of the test's own.
        if (!runningAsRoot())
            QSKIP("mounting a small tmpfs needs root (mount(2), CAP_SYS_ADMIN)");
        QTemporaryDir mountPoint;
        QProcess mount;
        mount.start(QStringLiteral("mount"),
                    { "-t", "tmpfs", "-o", "size=1m,mode=0755", "kyozo-test", mountPoint.path() });
        if (!mount.waitForFinished(10000) || mount.exitStatus() != QProcess::NormalExit
            || mount.exitCode() != 0)
            QSKIP(qPrintable("cannot mount a tmpfs here: "
                             + QString::fromLocal8Bit(mount.readAllStandardError())));
        const auto unmount = qScopeGuard([&] {
            QProcess::execute(QStringLiteral("umount"), { "-l", mountPoint.path() });
        });
        TemporaryServer server(QStringLiteral("sqlite:") + mountPoint.filePath("kyozo.sqlite"));
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QUrl create = server.url("/api/v1/workspaces/lab/notebooks");
        QList<Stored> stored;
        RestResponse refused;
        for (int i = 0; i < 100; ++i) { // 64 KiB each: the 1 MiB fill up within about 16
            const QByteArray body = notebookBody(QStringLiteral("n%1").arg(i), 65536);
            const RestResponse r = restRequest("POST", create, token, body);
            if (r.status != 201) {
                refused = r;
                break;
            }
            stored.append({ r.json.value("id").toString(), body });
        }
        QCOMPARE(refused.status, 507);
        QCOMPARE(refused.errorCode(), QStringLiteral("insufficient_storage"));
        const auto [status, text, reason] = health(server);
        QCOMPARE(status, 503);
        QCOMPARE(text, QStringLiteral("degraded"));
        QVERIFY(!reason.isEmpty());
        QVERIFY(stored.size() >= 2);
        QVERIFY(allReadBack(server, token, stored));
        QCOMPARE(server.stop(), 0);
        OwnConnection own(server.databaseUrl());
        QCOMPARE(own.value("SELECT COUNT(*) FROM notebooks").toInt(),
                 stored.size()); // nothing half-stored
    }

    void readOnlyDatabaseIsReportedAndStillReads()
    {
        TemporaryServer server;
        if (runningAsRoot()) { // root writes any file whatever its mode
            const std::optional<SystemUser> nobody = systemUser(QStringLiteral("nobody"));
            KYOZO_REQUIRE(nobody,
                          QStringLiteral("an unprivileged 'nobody' user to run kyozo-server as"));
            server.setUser(*nobody);
        }
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QUrl create = server.url("/api/v1/workspaces/lab/notebooks");
        const QByteArray body = notebookBody("kept", 3000);
        const RestResponse created = restRequest("POST", create, token, body);
        QCOMPARE(created.status, 201);
        QCOMPARE(std::get<0>(health(server)), 200);
        QCOMPARE(server.stop(), 0);

        const QString path = server.databaseUrl().mid(7);
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner));
        QCOMPARE(modeOf(path), 0400);
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const auto [status, text, reason] = health(server);
        QCOMPARE(status, 503);
        QCOMPARE(text, QStringLiteral("degraded"));
        QVERIFY2(reason.contains(QLatin1String("read-only")), qPrintable(reason));
        QVERIFY(allReadBack(server, token, { { created.json.value("id").toString(), body } }));
        const RestResponse refused
            = restRequest("POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
                          notebookBody("lost", 10));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.errorCode(), QStringLiteral("unavailable"));
        QCOMPARE(server.stop(), 0);
    }

    void postgresReadOnlyIsReportedAndStillReads()
    {
        QString why;
        const QString url = backends.databaseUrl(QStringLiteral("postgres"), &why);
        KYOZO_REQUIRE(!url.isEmpty(), why);
        TemporaryServer server(url);
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QUrl create = server.url("/api/v1/workspaces/lab/notebooks");
        const QByteArray body = notebookBody("kept", 3000);
        const RestResponse created = restRequest("POST", create, token, body);
        QCOMPARE(created.status, 201);
        QCOMPARE(std::get<0>(health(server)), 200);
        QCOMPARE(server.stop(), 0);
        {
            OwnConnection admin(url);
            QVERIFY(admin.exec("ALTER DATABASE " + databaseName(url)
                               + " SET default_transaction_read_only = on"));
        }
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const auto [status, text, reason] = health(server);
        QCOMPARE(status, 503);
        QCOMPARE(text, QStringLiteral("degraded"));
        QVERIFY2(reason.contains(QLatin1String("read-only")), qPrintable(reason));
        QVERIFY(allReadBack(server, token, { { created.json.value("id").toString(), body } }));
        const RestResponse refused
            = restRequest("POST", server.url("/api/v1/workspaces/lab/notebooks"), token,
                          notebookBody("lost", 10));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.errorCode(), QStringLiteral("unavailable"));
        QCOMPARE(server.stop(), 0);
    }

    void postgresConnectionLossIsReported()
    {
        PostgresServer postgres; // its own: this test stops it
        QString error;
        KYOZO_REQUIRE(postgres.start(&error), error);
        const QString url = postgres.createDatabase(&error);
        QVERIFY2(!url.isEmpty(), qPrintable(error));
        TemporaryServer server(url);
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());
        QVERIFY2(server.start({}, &error), qPrintable(error));
        QCOMPARE(std::get<0>(health(server)), 200);
        postgres.stop();
        const auto [status, text, reason] = health(server);
        QCOMPARE(status, 503);
        QCOMPARE(text, QStringLiteral("degraded"));
        QVERIFY(!reason.isEmpty());
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
