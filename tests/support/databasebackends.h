#pragma once

#include "postgresserver.h"

#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace KyozoTest {

// Runs a database test on SQLite and on a real PostgreSQL (issue 4: every database test
// runs on both). Call start() in initTestCase(), addRows() in a _data function (or
// initTestCase_data() for every function), and databaseUrl() for a fresh empty database.
class DatabaseBackends
{
public:
    void start();
    static void addRows();
    // A new, empty database of that backend; empty with *why set when it cannot be had.
    QString databaseUrl(const QString &backend, QString *why);

private:
    std::unique_ptr<PostgresServer> m_postgres;
    QString m_postgresError;
    QTemporaryDir m_sqliteDir;
    int m_sqliteFiles = 0;
};

} // namespace KyozoTest

// Fetches the "backend" column (or global column) and a fresh database URL for it into
// `url`; skips, or fails under CI=true, when PostgreSQL is not available.
#define KYOZO_DATABASE_URL(backends, fetch, url)                                             \
    fetch(QString, backend);                                                                 \
    QString url##Why;                                                                        \
    const QString url = (backends).databaseUrl(backend, &url##Why);                          \
    KYOZO_REQUIRE(!url.isEmpty(), url##Why)
