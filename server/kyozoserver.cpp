#include "kyozoserver.h"

#include "billing/billingservice.h"
#include "channels/channelhub.h"
#include "cluster/clusterbus.h"
#include "coediting/commitwriter.h"
#include "coediting/notebookdocuments.h"
#include "execution/executions.h"
#include "files/fileuploads.h"
#include "http/httpserver.h"
#include "http/tlsidentity.h"
#include "storage/accountstore.h"
#include "storage/billingstore.h"
#include "storage/database.h"
#include "storage/databasethread.h"
#include "storage/executionstore.h"
#include "storage/notebookstore.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QWebSocketProtocol>

namespace Kyozo::Server {

KyozoServer::KyozoServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

KyozoServer::~KyozoServer()
{
    // Sockets and HTTP go before the stores they use; runs (their process groups) with them.
    m_http.reset();
    // The others drop this process's presences at its `bye`, not after process_timeout_ms.
    if (m_cluster)
        m_cluster->stop();
    m_hub.reset();
    m_cluster.reset();
    m_files.reset();
    m_executions.reset();
    m_resultWriter.reset(); // after the runs' last results were posted to it: waits for them
}

quint16 KyozoServer::start(QString *error)
{
    // A certificate no client would accept stops the start before anything is opened.
    std::optional<QSslConfiguration> tls;
    if (m_config.tls.enabled()) {
        tls = loadTlsIdentity(m_config.tls.certificate, m_config.tls.privateKey, error);
        if (!tls)
            return 0;
    }
    // One serving process per SQLite file, checked before the file is touched (opening
    // migrates it). A file that does not exist yet is nobody's: it is locked once made.
    const bool sqlite = m_config.database.driver == DatabaseUrl::Driver::Sqlite;
    const bool existed = sqlite && QFileInfo::exists(m_config.database.path);
    if (existed && !m_servingLock.acquire(m_config.database.path, error))
        return 0;
    m_database = std::make_unique<Database>();
    if (!m_database->open(m_config.database, error, m_config.storage))
        return 0;
    if (sqlite && !existed && !m_servingLock.acquire(m_config.database.path, error))
        return 0;
    m_accounts = std::make_unique<AccountStore>(*m_database);
    m_notebooks = std::make_unique<NotebookStore>(*m_database);
    // Co-editing's commits on a connection and thread of their own (docs/server.md "Storage").
    auto writer = std::make_unique<CommitWriter>(m_config.database, m_config.storage);
    if (!writer->start(error))
        return 0;
    m_documents = std::make_unique<NotebookDocuments>(
        m_notebooks.get(), std::move(writer), m_config.coediting, m_config.limits.maxNotebookBytes);
    m_executionStore = std::make_unique<ExecutionStore>(*m_database);
    // Cells' results are written where their sync does not hold the sockets (bench/exec).
    m_resultWriter = std::make_unique<DatabaseThread>(QStringLiteral("kyozo-result-writer"));
    if (!m_resultWriter->start(m_config.database, m_config.storage, error))
        return 0;
    m_executions = std::make_unique<Executions>(m_config.execution, m_documents.get(),
                                                m_executionStore.get(), m_resultWriter.get());
    m_files = std::make_unique<FileUploads>(m_config.files, m_executionStore.get());
    m_hub = std::make_unique<ChannelHub>(m_accounts.get(), m_documents.get(), m_config.limits,
                                         m_config.coediting, m_executions.get(), m_files.get());
    m_billingStore = std::make_unique<BillingStore>(*m_database);
    m_billing = std::make_unique<BillingService>(m_config.billing, m_billingStore.get());
    if (!m_billing->start(error))
        return 0;
    m_hub->setBilling(m_billing.get());
    if (!sqlite) {
        // Every process of a PostgreSQL database is one of its cluster, a single one too:
        // a second may start at any time (docs/operator.md "Several processes").
        m_cluster = std::make_unique<ClusterBus>(m_config.database, m_config.cluster);
        if (!m_cluster->start(error))
            return 0;
        m_hub->setCluster(m_cluster.get());
    }
    m_http = std::make_unique<HttpServer>(m_config.http, m_config.limits.maxNotebookBytes,
                                          m_accounts.get(), m_notebooks.get(), m_documents.get(),
                                          m_hub.get(), m_files.get(), m_billing.get());
    if (tls)
        m_http->setTls(*tls);
    const quint16 port = m_http->listen(m_config.address, m_config.port);
    if (port == 0)
        *error = QCoreApplication::translate("KyozoServer", "cannot listen on %1:%2: %3")
                     .arg(m_config.address.toString())
                     .arg(m_config.port)
                     .arg(m_http->errorString());
    return port;
}

bool KyozoServer::reloadTls(QString *error)
{
    if (!m_config.tls.enabled() || !m_http) {
        *error = QCoreApplication::translate("KyozoServer", "no [tls] in the configuration");
        return false;
    }
    const std::optional<QSslConfiguration> tls
        = loadTlsIdentity(m_config.tls.certificate, m_config.tls.privateKey, error);
    if (tls)
        m_http->setTls(*tls);
    return bool(tls);
}

void KyozoServer::shutdown()
{
    // Runs end `cancelled` (stored, and sent before the sockets' 1001).
    if (m_executions)
        m_executions->shutdown();
    if (m_hub)
        m_hub->closeAll(QWebSocketProtocol::CloseCodeGoingAway,
                        QStringLiteral("server shutting down"));
}

} // namespace Kyozo::Server
