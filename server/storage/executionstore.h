#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace Kyozo::Server {

class Database;

// One chunk of a run's output as it was sent (`cell_output`).
struct StoredOutput
{
    qint64 seq = 0;
    QString stream; // "stdout" | "stderr"
    QString output;
};

// The result of one cell's run (docs/server.md "Execution"): what `execution_update` said
// last, and its output up to the cap.
struct CellResult
{
    QString notebookId;
    QString cellId;
    QString executionId;
    QByteArray cellHash; // hex SHA-256 of the code it ran
    QString userId;
    QString status; // completed, failed, cancelled, timed_out, limit_exceeded
    std::optional<int> exitCode;
    QString limit; // cpu, memory, ... or empty
    QString message; // why it could not start, or empty
    std::optional<qint64> startedAt; // ms since the epoch; none when it never started
    qint64 finishedAt = 0;
    bool truncated = false;
    QList<StoredOutput> outputs; // in seq order
};

// The latest result of each cell (migration 3). Storing a cell's result replaces the one
// before it, with its output, in one transaction.
class ExecutionStore
{
public:
    explicit ExecutionStore(Database &db)
        : m_db(db)
    {
    }

    bool store(const CellResult &result, QString *error);
    // Every stored result of the notebook, oldest finished first, with their outputs.
    std::optional<QList<CellResult>> results(const QString &notebookId, QString *error);
    // The name of the notebook's workspace (its topic execution:workspace:{name}).
    std::optional<QString> workspaceName(const QString &notebookId);
    // A service cell's container (its topic execution:container:{id} is authorised through
    // this row: resource -> workspace -> membership), in the notebook's workspace.
    bool addContainer(const QString &containerId, const QString &notebookId, const QString &name,
                      qint64 createdAt, QString *error);
    // An uploaded file (its topic execution:file:{id}, authorised the same way).
    bool addFile(const QString &fileId, const QString &workspaceId, const QString &name,
                 qint64 createdAt, QString *error);

private:
    Database &m_db;
};

} // namespace Kyozo::Server
