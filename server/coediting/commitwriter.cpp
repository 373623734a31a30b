#include "commitwriter.h"

namespace Kyozo::Server {

CommitWriter::CommitWriter(DatabaseUrl url, StorageOptions options, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_options(options)
    , m_thread(QStringLiteral("kyozo-commit-writer"))
{
}

CommitWriter::~CommitWriter()
{
    // The store goes on the thread whose connection it uses, after the write under way.
    m_thread.runBlocking([this](Database &) { m_store.reset(); });
}

bool CommitWriter::start(QString *error)
{
    if (!m_thread.start(m_url, m_options, error))
        return false;
    m_thread.runBlocking([this](Database &db) { m_store = std::make_unique<NotebookStore>(db); });
    return true;
}

void CommitWriter::write(OperationBatch batch, std::function<void(const Result &)> done)
{
    m_thread.post([this, batch = std::move(batch), done = std::move(done)](Database &db) mutable {
        Result result;
        result.stored = m_store && m_store->append(batch, &result.error, &result.conflict);
        if (!m_store)
            result.error = QStringLiteral("the commit writer has no database connection");
        else if (!result.stored && result.conflict.isEmpty())
            result.failure = db.lastWriteFailure();
        // Back on this object's thread; dropped if it is destroyed first.
        QMetaObject::invokeMethod(
            this, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
    });
}

bool CommitWriter::waitIdle(int timeoutMs)
{
    return m_thread.waitIdle(timeoutMs);
}

} // namespace Kyozo::Server
