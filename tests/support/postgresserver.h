#pragma once

#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace KyozoTest {

// A real PostgreSQL server of the test's own (DEVELOPERS.md): initdb + pg_ctl in a
// temporary directory on a free loopback port, run as the `postgres` system user when the
// suite runs as root, stopped and removed in the destructor.
class PostgresServer
{
public:
    ~PostgresServer();
    // False (with the reason) when PostgreSQL's server binaries are not installed.
    bool start(QString *error);
    // A fresh, empty database on it: postgres://kyozo@127.0.0.1:PORT/NAME
    QString createDatabase(QString *error);
    // Immediate shutdown (clients see their connection drop); the destructor does it too.
    void stop();

private:
    QString runAsServerUser(const QString &program, const QStringList &args, QString *error);
    QString m_bin;
    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_port = 0;
    int m_databases = 0;
    bool m_running = false;
};

} // namespace KyozoTest
