#include "commitwriter.h"

#include <chrono>

namespace Kyozo::Server {

CommitWriter::CommitWriter(DatabaseUrl url, StorageOptions options, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_options(options)
    , m_context(std::make_unique<QObject>())
{
    m_thread.setObjectName(QStringLiteral("kyozo-commit-writer"));
}

CommitWriter::~CommitWriter()
{
    if (m_thread.isRunning()) {
        // Queued after the write under way, so it waits for it; the connection is closed on
        // the thread that opened it.
        runBlocking([this] {
            m_store.reset();
            m_database.reset();
        });
        m_thread.quit();
        m_thread.wait();
    }
}

void CommitWriter::runBlocking(const std::function<void()> &work)
{
    QMetaObject::invokeMethod(m_context.get(), work, Qt::BlockingQueuedConnection);
}

bool CommitWriter::start(QString *error)
{
    m_context->moveToThread(&m_thread);
    m_thread.start();
    bool opened = false;
    QString why;
    runBlocking([&] {
        m_database = std::make_unique<Database>();
        opened = m_database->open(m_url, &why, m_options);
        if (opened)
            m_store = std::make_unique<NotebookStore>(*m_database);
        else
            m_database.reset();
    });
    if (!opened && error)
        *error = why;
    return opened;
}

void CommitWriter::write(OperationBatch batch, std::function<void(const Result &)> done)
{
    {
        const std::lock_guard lock(m_mutex);
        m_busy = true;
    }
    QMetaObject::invokeMethod(
        m_context.get(),
        [this, batch = std::move(batch), done = std::move(done)]() mutable {
            Result result;
            result.stored = m_store && m_store->append(batch, &result.error);
            if (!m_store)
                result.error = QStringLiteral("the commit writer has no database connection");
            else if (!result.stored)
                result.failure = m_database->lastWriteFailure();
            {
                const std::lock_guard lock(m_mutex);
                m_busy = false;
            }
            m_idle.notify_all();
            // Back on this object's thread; dropped if it is destroyed first.
            QMetaObject::invokeMethod(
                this, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

bool CommitWriter::waitIdle(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return !m_busy; });
}

} // namespace Kyozo::Server
