#include "databasethread.h"

#include <chrono>

namespace Kyozo::Server {

DatabaseThread::DatabaseThread(const QString &name)
    : m_context(std::make_unique<QObject>())
{
    m_thread.setObjectName(name);
}

DatabaseThread::~DatabaseThread()
{
    if (!m_thread.isRunning())
        return;
    // Queued after every job posted, so it waits for them; the connection is closed on the
    // thread that opened it.
    QMetaObject::invokeMethod(
        m_context.get(), [this] { m_database.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool DatabaseThread::start(const DatabaseUrl &url, const StorageOptions &options, QString *error)
{
    m_context->moveToThread(&m_thread);
    m_thread.start();
    bool opened = false;
    QString why;
    QMetaObject::invokeMethod(
        m_context.get(),
        [&] {
            m_database = std::make_unique<Database>();
            opened = m_database->open(url, &why, options);
            if (!opened)
                m_database.reset();
        },
        Qt::BlockingQueuedConnection);
    if (!opened && error)
        *error = why;
    return opened;
}

void DatabaseThread::post(std::function<void(Database &)> work)
{
    if (!m_thread.isRunning())
        return;
    {
        const std::lock_guard lock(m_mutex);
        ++m_pending;
    }
    QMetaObject::invokeMethod(
        m_context.get(),
        [this, work = std::move(work)] {
            if (m_database)
                work(*m_database);
            {
                const std::lock_guard lock(m_mutex);
                --m_pending;
            }
            m_idle.notify_all();
        },
        Qt::QueuedConnection);
}

void DatabaseThread::runBlocking(const std::function<void(Database &)> &work)
{
    if (!m_thread.isRunning())
        return; // never started: nothing would run it
    QMetaObject::invokeMethod(
        m_context.get(),
        [&] {
            if (m_database)
                work(*m_database);
        },
        Qt::BlockingQueuedConnection);
}

bool DatabaseThread::waitIdle(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [this] { return m_pending == 0; });
}

} // namespace Kyozo::Server
