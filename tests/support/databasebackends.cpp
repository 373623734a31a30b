#include "databasebackends.h"

#include <QtTest>

namespace KyozoTest {

void DatabaseBackends::start()
{
    m_postgres = std::make_unique<PostgresServer>();
    if (!m_postgres->start(&m_postgresError))
        m_postgres.reset();
}

void DatabaseBackends::addRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

QString DatabaseBackends::databaseUrl(const QString &backend, QString *why)
{
    if (backend == QLatin1String("sqlite"))
        return QStringLiteral("sqlite:")
                + m_sqliteDir.filePath(QStringLiteral("db%1.sqlite").arg(++m_sqliteFiles));
    if (!m_postgres) {
        *why = m_postgresError;
        return {};
    }
    return m_postgres->createDatabase(why);
}

} // namespace KyozoTest
