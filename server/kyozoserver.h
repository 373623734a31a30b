#pragma once

#include "serverconfig.h"
#include "storage/sqlitefile.h"

#include <QObject>
#include <memory>

namespace Kyozo::Server {

class AccountStore;
class BillingService;
class BillingStore;
class ChannelHub;
class ClusterBus;
class Database;
class DatabaseThread;
class ExecutionStore;
class Executions;
class FileUploads;
class HttpServer;
class NotebookDocuments;
class NotebookStore;

// The whole server on one port: storage, channels, REST (SPEC §8).
class KyozoServer : public QObject
{
    Q_OBJECT
public:
    explicit KyozoServer(ServerConfig config, QObject *parent = nullptr);
    ~KyozoServer() override;

    // Opens and migrates the database, then listens; returns the port (0 on failure).
    quint16 start(QString *error);
    // SPEC §11: close every socket with 1001, flush storage.
    void shutdown();
    // SIGHUP: the [tls] files read again; new connections get the new certificate, open ones
    // keep theirs. On error (one line) the old one stays. False without [tls].
    bool reloadTls(QString *error);
    // Its Phoenix channels (SIGTERM waits for their allClosed); null before start().
    ChannelHub *channels() const { return m_hub.get(); }

private:
    ServerConfig m_config;
    SqliteServingLock m_servingLock; // SQLite: this process serves the file, no other
    std::unique_ptr<Database> m_database;
    std::unique_ptr<AccountStore> m_accounts;
    std::unique_ptr<NotebookStore> m_notebooks;
    std::unique_ptr<NotebookDocuments> m_documents;
    std::unique_ptr<ExecutionStore> m_executionStore;
    std::unique_ptr<DatabaseThread> m_resultWriter; // outlives m_executions, which posts to it
    std::unique_ptr<Executions> m_executions;
    std::unique_ptr<FileUploads> m_files;
    std::unique_ptr<BillingStore> m_billingStore;
    std::unique_ptr<BillingService> m_billing;
    std::unique_ptr<ClusterBus> m_cluster; // PostgreSQL: the other processes of the database
    std::unique_ptr<ChannelHub> m_hub;
    std::unique_ptr<HttpServer> m_http;
};

} // namespace Kyozo::Server
