#pragma once

#include "storage/database.h"
#include "storage/databasethread.h"
#include "storage/databaseurl.h"
#include "storage/notebookstore.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace Kyozo::Server {

// Co-editing's group commits (docs/server.md "Co-editing", "Storage"), written on a
// DatabaseThread of their own: the server's event loop keeps reading, transforming and
// sending while a commit waits for its sync. One write at a time, so commits keep their order.
class CommitWriter : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        bool stored = false;
        QString error;
        // What the write's failure says of the storage (for GET /healthz), if anything.
        std::optional<Degradation> failure;
        // Notebooks another process stored operations of first: nothing was stored.
        QStringList conflict;
    };

    CommitWriter(DatabaseUrl url, StorageOptions options, QObject *parent = nullptr);
    // Waits for the write under way; a finished write whose `done` has not run yet is not
    // reported.
    ~CommitWriter() override;

    // Starts the thread and opens its connection (the schema is the caller's, already
    // migrated).
    bool start(QString *error);
    // Writes `batch` in one transaction on the writer thread; `done` runs on this object's
    // thread once the transaction is durable or has failed. The caller waits for `done`
    // before the next write.
    void write(OperationBatch batch, std::function<void(const Result &)> done);
    // Blocks until no write is under way (its `done` may still be queued); false after
    // `timeoutMs`.
    bool waitIdle(int timeoutMs);

private:
    DatabaseUrl m_url;
    StorageOptions m_options;
    std::unique_ptr<NotebookStore> m_store; // used only on m_thread, with its connection
    DatabaseThread m_thread; // last: its destructor runs what is queued, m_store still there
};

} // namespace Kyozo::Server
