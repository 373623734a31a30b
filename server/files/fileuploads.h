#pragma once

#include "http/httpmessage.h"
#include "serverconfig.h"

#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <deque>
#include <memory>

class QThread;

namespace Kyozo::Server {

class ExecutionStore;

// An upload's body on its way to disk (`POST /api/v1/workspaces/{w}/files`): the HTTP front
// writes every body byte here as it arrives, so no upload is held in memory. Removed unless
// FileUploads::commit() took it.
class UploadSink : public HttpBodySink
{
public:
    ~UploadSink() override;
    bool write(QByteArrayView bytes) override;

    QString id;
    QString workspaceId;
    QString name;

private:
    friend class FileUploads;
    QFile m_file;
    bool m_committed = false;
};

// Markdown files uploaded to a workspace and parsed by the streaming parser (issue 17 item 4,
// docs/server.md "Files"): stored under their id, parsed one at a time on a thread of their
// own, reported on execution:file:{id} as `file_progress` (after every MiB) and `file_done`
// or `file_failed`. A join of the topic gets every one of them sent so far, then the rest.
class FileUploads : public QObject
{
    Q_OBJECT
public:
    FileUploads(FileOptions options, ExecutionStore *store, QObject *parent = nullptr);
    ~FileUploads() override; // stops the parse in progress and waits for its thread

    qint64 maxUploadBytes() const { return m_options.maxUploadBytes; }
    // A sink for an upload's body, or null with a reason (the disk, or too many waiting).
    std::shared_ptr<UploadSink> begin(const QString &workspaceId, const QString &name,
                                      int *status, QString *error);
    // The whole body arrived: the file is kept, recorded in its workspace and queued for the
    // parser. False with a reason when it cannot be stored.
    bool commit(const std::shared_ptr<UploadSink> &sink, QString *error);
    // Every file_progress and the file_done / file_failed of the file so far, for a join.
    QList<std::pair<QString, QJsonObject>> replay(const QString &fileId) const;

signals:
    void fileEvent(const QString &fileId, const QString &event, const QJsonObject &payload);

private:
    struct Parse;
    void startNext();
    void onParseEvent(const QString &fileId, const QString &event, const QJsonObject &payload);
    QString pathOf(const QString &id) const;

    FileOptions m_options;
    ExecutionStore *m_store;
    std::deque<QString> m_waiting; // committed, not parsed yet
    bool m_parsing = false;
    QThread *m_thread = nullptr;
    std::atomic_bool m_stopping { false };
    // Per file: its events so far. The oldest files are forgotten past a bound.
    QHash<QString, QList<std::pair<QString, QJsonObject>>> m_latest;
    std::deque<QString> m_latestOrder;
};

} // namespace Kyozo::Server
