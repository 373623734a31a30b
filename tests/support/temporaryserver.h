#pragma once

#include "systemuser.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

namespace KyozoTest {

// An admin sub-command of kyozo-server against a database; returns the exit code.
int serverAdmin(const QString &databaseUrl, const QStringList &args, QByteArray *out = nullptr,
                QByteArray *err = nullptr);
// user add NAME [--workspace W --role R], then token create NAME; returns the token or "".
QString userWithToken(const QString &databaseUrl, const QString &name, const QString &workspace, const QString &role);

// The real kyozo-server executable on a free loopback port (--listen 127.0.0.1:0), with
// a database of the test's choosing (a fresh SQLite file by default) and a config file.
class TemporaryServer
{
public:
    explicit TemporaryServer(QString databaseUrl = {});
    ~TemporaryServer();

    // Runs the server and admin commands as `user` (when the suite runs as root; root
    // ignores file modes). start() hands the temporary directory to the user.
    void setUser(const SystemUser &user) { m_user = user; }

    // Starts the server; `configToml` is written to the --config file.
    bool start(const QString &configToml = {}, QString *error = nullptr);
    // SIGTERM; returns the exit code (-1 if it did not exit normally within 10 s).
    int stop();

    // An admin sub-command against the same database; returns the exit code.
    int admin(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr) const;
    // user add NAME --workspace W --role R, then token create NAME; returns the token.
    QString userWithToken(const QString &name, const QString &workspace, const QString &role) const;

    QString databaseUrl() const { return m_database; }
    quint16 port() const { return m_port; }
    // http:// or https:// (ws:// or wss://) as the ready line said.
    QUrl url(const QString &path) const;
    QUrl socketUrl(const QString &token) const;
    // One sample of GET /metrics (`NAME VALUE`), or -1 when the request fails or the metric is
    // absent. Runs the event loop while it waits.
    qint64 metric(const QString &name) const;
    QProcess &process() { return m_process; }

private:
    QTemporaryDir m_dir;
    QString m_database;
    std::optional<SystemUser> m_user;
    QProcess m_process;
    quint16 m_port = 0;
    bool m_tls = false; // the ready line said https
};

} // namespace KyozoTest
