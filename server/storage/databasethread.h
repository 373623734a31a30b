#pragma once

#include "storage/database.h"
#include "storage/databaseurl.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace Kyozo::Server {

// A database connection on a thread of its own, for writes whose sync the server's event loop
// must not wait for: one fsync of the SQLite WAL (synchronous=FULL) or one PostgreSQL commit
// takes milliseconds, tens of them on a busy disk, that every socket would otherwise wait
// (co-editing's group commits, the results of cells). A QSqlDatabase connection may be used
// only by the thread that opened it (Qt's "Threads and the SQL Module"). Work runs one job at
// a time, in the order posted, so writes keep their order.
class DatabaseThread
{
public:
    explicit DatabaseThread(const QString &name);
    // Runs every job posted so far, closes the connection on its thread, stops the thread.
    ~DatabaseThread();
    DatabaseThread(const DatabaseThread &) = delete;
    DatabaseThread &operator=(const DatabaseThread &) = delete;

    // Starts the thread and opens the connection there (the schema is the caller's, already
    // migrated).
    bool start(const DatabaseUrl &url, const StorageOptions &options, QString *error);
    // Runs `work` on the thread with its connection, after everything posted before it. Not
    // run at all when the connection could not be opened.
    void post(std::function<void(Database &)> work);
    // Runs `work` on the thread and waits for it.
    void runBlocking(const std::function<void(Database &)> &work);
    // Blocks until no job is waiting or under way; false after `timeoutMs`.
    bool waitIdle(int timeoutMs);

private:
    QThread m_thread;
    std::unique_ptr<QObject> m_context; // lives in m_thread: where queued work runs
    std::unique_ptr<Database> m_database; // used only on m_thread
    std::mutex m_mutex;
    std::condition_variable m_idle;
    int m_pending = 0;
};

} // namespace Kyozo::Server
