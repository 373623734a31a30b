#pragma once

#include "storage/database.h"
#include "storage/databaseurl.h"
#include "storage/notebookstore.h"

#include <QObject>
#include <QThread>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace Kyozo::Server {

// Co-editing's group commits (docs/server.md "Co-editing", "Storage"), written on a thread of
// their own, with a database connection of their own (a QSqlDatabase connection may only be
// used by the thread that opened it, Qt's "Threads and the SQL Module"). The server's event
// loop keeps reading, transforming and sending while a commit waits for its sync, which takes
// one fsync of the SQLite WAL (synchronous=FULL) or one PostgreSQL commit: milliseconds that
// the sockets would otherwise wait. One write at a time, so commits keep their order.
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
    // Runs `work` on the writer thread and waits for it.
    void runBlocking(const std::function<void()> &work);

    DatabaseUrl m_url;
    StorageOptions m_options;
    QThread m_thread;
    std::unique_ptr<QObject> m_context; // lives in m_thread: where queued work runs
    // Used only on m_thread.
    std::unique_ptr<Database> m_database;
    std::unique_ptr<NotebookStore> m_store;
    std::mutex m_mutex;
    std::condition_variable m_idle;
    bool m_busy = false;
};

} // namespace Kyozo::Server
