// Stored cell results (migration 3, docs/server.md "Execution"): the latest run of each cell
// with its output in order, replaced by the next run of that cell, gone with its notebook;
// on SQLite and PostgreSQL.
#include "databasebackends.h"
#include "requiredtool.h"
#include "storage/accountstore.h"
#include "storage/database.h"
#include "storage/executionstore.h"
#include "storage/notebookstore.h"

#include <QSqlQuery>
#include <QtTest>

using namespace Kyozo::Server;

class TestExecutionStore : public QObject
{
    Q_OBJECT
    KyozoTest::DatabaseBackends backends;

    static CellResult result(const QString &notebook, const QString &cell, const QString &execution,
                             const QString &status, int outputs)
    {
        CellResult r;
        r.notebookId = notebook;
        r.cellId = cell;
        r.executionId = execution;
        r.cellHash = QByteArray(64, 'a');
        r.status = status;
        r.finishedAt = 1000;
        for (int i = 1; i <= outputs; ++i)
            r.outputs.append({ i, i % 2 ? QStringLiteral("stdout") : QStringLiteral("stderr"),
                               // Leading U+FEFF: a chunk may begin with any character, and both drivers
                               // drop that one unless the store binds and reads bytes.
                               QStringLiteral("\uFEFFline %1 \u00e9\U0001F600\n").arg(i) });
        return r;
    }

private slots:
    void initTestCase() { backends.start(); }
    void initTestCase_data() { KyozoTest::DatabaseBackends::addRows(); }

    void storeReplaceAndDelete()
    {
        KYOZO_DATABASE_URL(backends, QFETCH_GLOBAL, text);
        QString error;
        const auto url = DatabaseUrl::parse(text, &error);
        QVERIFY(url);
        Database db;
        QVERIFY2(db.open(*url, &error), qPrintable(error));
        AccountStore accounts(db);
        QVERIFY2(
            accounts.addUser(QStringLiteral("ada"), QStringLiteral("lab"), Role::Editor, &error),
            qPrintable(error));
        const std::optional<QString> token = accounts.createToken(QStringLiteral("ada"), &error);
        QVERIFY2(token, qPrintable(error));
        const QString userId = accounts.authenticate(*token)->userId;
        const QString workspaceId = *accounts.workspaceIdByName(QStringLiteral("lab"));
        NotebookStore notebooks(db);
        const std::optional<QString> nb
            = notebooks.create(workspaceId, QStringLiteral("N"), QStringLiteral(""), &error);
        QVERIFY2(nb, qPrintable(error));
        ExecutionStore store(db);
        QCOMPARE(store.workspaceName(*nb), QStringLiteral("lab"));

        CellResult first = result(*nb, QStringLiteral("setup"), QStringLiteral("e1"),
                                  QStringLiteral("failed"), 300);
        first.userId = userId;
        first.exitCode = 3;
        first.startedAt = 900;
        first.limit = QString();
        QVERIFY2(store.store(first, &error), qPrintable(error));
        CellResult other = result(*nb, QStringLiteral("cell-2"), QStringLiteral("e1"),
                                  QStringLiteral("limit_exceeded"), 1);
        other.userId = userId;
        other.limit = QStringLiteral("output");
        other.truncated = true;
        other.finishedAt = 1500;
        QVERIFY2(store.store(other, &error), qPrintable(error));

        std::optional<QList<CellResult>> results = store.results(*nb, &error);
        QVERIFY2(results, qPrintable(error));
        QCOMPARE(results->size(), 2);
        const CellResult &a = results->at(0); // finished first
        QCOMPARE(a.cellId, QStringLiteral("setup"));
        QCOMPARE(a.status, QStringLiteral("failed"));
        QCOMPARE(a.exitCode, std::optional<int>(3));
        QCOMPARE(a.startedAt, std::optional<qint64>(900));
        QCOMPARE(a.limit, QString());
        QCOMPARE(a.cellHash, QByteArray(64, 'a'));
        QCOMPARE(a.outputs.size(), 300);
        for (int i = 0; i < 300; ++i) {
            QCOMPARE(a.outputs[i].seq, qint64(i + 1));
            QCOMPARE(a.outputs[i].output, QStringLiteral("\uFEFFline %1 \u00e9\U0001F600\n").arg(i + 1));
        }
        QCOMPARE(a.outputs[1].stream, QStringLiteral("stderr"));
        const CellResult &b = results->at(1);
        QCOMPARE(b.limit, QStringLiteral("output"));
        QCOMPARE(b.truncated, true);
        QCOMPARE(b.exitCode, std::nullopt);
        QCOMPARE(b.startedAt, std::nullopt);

        // The next run of a cell replaces its result and its output.
        CellResult again = result(*nb, QStringLiteral("setup"), QStringLiteral("e2"),
                                  QStringLiteral("completed"), 2);
        again.userId = userId;
        again.exitCode = 0;
        again.finishedAt = 2000;
        QVERIFY2(store.store(again, &error), qPrintable(error));
        results = store.results(*nb, &error);
        QCOMPARE(results->size(), 2);
        QCOMPARE(results->at(1).executionId, QStringLiteral("e2"));
        QCOMPARE(results->at(1).outputs.size(), 2);
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM cell_run_outputs")) && q.next());
        QCOMPARE(q.value(0).toInt(), 3);

        // Deleting the notebook takes its results.
        QVERIFY2(notebooks.remove(*nb, &error), qPrintable(error));
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM cell_runs")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM cell_run_outputs")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestExecutionStore)
#include "tst_executionstore.moc"
