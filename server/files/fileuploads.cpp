#include "fileuploads.h"

#include "auth/tokenhash.h"
#include "markdownld/semanticitem.h"
#include "markdownld/streamlistener.h"
#include "markdownld/streamparser.h"
#include "markdownld/utf8.h"
#include "storage/executionstore.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcFiles, "kyozo.server.files")

namespace Kyozo::Server {

namespace {

    constexpr qsizetype kParseChunkBytes = 1024 * 1024; // file_progress after each
    constexpr qsizetype kLatestKept = 1024; // files whose last events a join can still get

    class KindCounter : public MarkdownLD::StreamListener
    {
    public:
        void itemFound(const MarkdownLD::SemanticItem &item) override
        {
            ++counts[MarkdownLD::itemKindName(item.kind)];
            ++total;
        }
        QHash<QString, qint64> counts;
        qint64 total = 0;
    };

} // namespace

UploadSink::~UploadSink()
{
    if (!m_committed && m_file.isOpen()) {
        m_file.close();
        m_file.remove(); // an upload cut off, refused or failed leaves nothing behind
    }
}

bool UploadSink::write(QByteArrayView bytes)
{
    return m_file.write(bytes.data(), bytes.size()) == bytes.size();
}

FileUploads::FileUploads(FileOptions options, ExecutionStore *store, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(store)
{
    if (m_options.directory.isEmpty())
        m_options.directory = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                                  .filePath(QStringLiteral("files"));
}

FileUploads::~FileUploads()
{
    m_stopping = true;
    if (m_thread) {
        m_thread->disconnect(this);
        m_thread->wait();
        delete m_thread;
    }
}

QString FileUploads::pathOf(const QString &id) const
{
    return QDir(m_options.directory).filePath(id + QStringLiteral(".md"));
}

std::shared_ptr<UploadSink> FileUploads::begin(const QString &workspaceId, const QString &name,
                                               int *status, QString *error)
{
    if (qsizetype(m_waiting.size()) >= m_options.maxPendingParses) {
        *status = 503;
        *error = tr("%1 uploads are waiting for the parser; try again later")
                     .arg(m_waiting.size());
        return nullptr;
    }
    if (!QDir().mkpath(m_options.directory)) {
        *status = 507;
        *error = tr("cannot create the upload folder %1").arg(m_options.directory);
        return nullptr;
    }
    auto sink = std::make_shared<UploadSink>();
    sink->id = newId();
    sink->workspaceId = workspaceId;
    sink->name = name;
    sink->m_file.setFileName(pathOf(sink->id) + QStringLiteral(".part"));
    if (!sink->m_file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *status = 507;
        *error = tr("cannot store the upload: %1").arg(sink->m_file.errorString());
        return nullptr;
    }
    sink->m_file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return sink;
}

bool FileUploads::commit(const std::shared_ptr<UploadSink> &sink, QString *error)
{
    // On disk before the 201, as the database's writes are (synchronous=FULL).
    if (!sink->m_file.flush() || ::fsync(sink->m_file.handle()) != 0) {
        *error = sink->m_file.errorString();
        return false;
    }
    sink->m_file.close();
    if (!sink->m_file.rename(pathOf(sink->id))) {
        *error = sink->m_file.errorString();
        sink->m_file.remove();
        return false;
    }
    if (!m_store->addFile(sink->id, sink->workspaceId, sink->name,
                          QDateTime::currentMSecsSinceEpoch(), error)) {
        sink->m_file.remove();
        return false;
    }
    sink->m_committed = true;
    m_waiting.push_back(sink->id);
    // Started on the next turn of the event loop: the 201 goes out first.
    QMetaObject::invokeMethod(this, &FileUploads::startNext, Qt::QueuedConnection);
    return true;
}

void FileUploads::startNext()
{
    if (m_parsing || m_waiting.empty() || m_stopping)
        return;
    const QString id = m_waiting.front();
    m_waiting.pop_front();
    m_parsing = true;
    const QString path = pathOf(id);
    // The parse reads the file and reports through queued calls: nothing of this object is
    // touched on the thread but m_stopping.
    m_thread = QThread::create([this, id, path] {
        const auto report = [this, id](const QString &event, const QJsonObject &payload) {
            QMetaObject::invokeMethod(
                this, [this, id, event, payload] { onParseEvent(id, event, payload); },
                Qt::QueuedConnection);
        };
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            report(QStringLiteral("file_failed"),
                   { { "file_id", id },
                     { "reason", "unreadable" },
                     { "message", file.errorString() } });
            return;
        }
        const qint64 total = file.size();
        MarkdownLD::StreamParser parser;
        KindCounter counter;
        parser.addListener(&counter);
        MarkdownLD::Utf8::StreamValidator utf8;
        QByteArray chunk(kParseChunkBytes, Qt::Uninitialized);
        qint64 parsed = 0;
        const auto notUtf8 = [&] {
            report(QStringLiteral("file_failed"),
                   { { "file_id", id },
                     { "reason", "not_utf8" },
                     { "offset", utf8.invalidOffset() },
                     { "message",
                       tr("the file is not UTF-8 (the byte at offset %1)").arg(utf8.invalidOffset()) } });
        };
        while (!m_stopping) {
            const qint64 got = file.read(chunk.data(), chunk.size());
            if (got < 0) {
                report(QStringLiteral("file_failed"),
                       { { "file_id", id }, { "reason", "unreadable" }, { "message", file.errorString() } });
                return;
            }
            if (got == 0)
                break;
            const QByteArrayView bytes(chunk.constData(), got);
            if (!utf8.feed(bytes)) {
                notUtf8();
                return;
            }
            parser.feed(bytes);
            parsed += got;
            report(QStringLiteral("file_progress"),
                   { { "file_id", id },
                     { "bytes_parsed", parsed },
                     { "bytes_total", total },
                     { "items_found", counter.total } });
        }
        if (m_stopping)
            return;
        if (!utf8.finish()) {
            notUtf8();
            return;
        }
        parser.finish();
        QJsonObject items;
        for (auto it = counter.counts.cbegin(); it != counter.counts.cend(); ++it)
            items.insert(it.key(), it.value());
        report(QStringLiteral("file_progress"),
               { { "file_id", id },
                 { "bytes_parsed", parsed },
                 { "bytes_total", total },
                 { "items_found", counter.total } });
        report(QStringLiteral("file_done"),
               { { "file_id", id }, { "bytes_total", total }, { "items", items } });
    });
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
        m_parsing = false;
        startNext();
    });
    m_thread->start(QThread::LowPriority);
}

void FileUploads::onParseEvent(const QString &fileId, const QString &event, const QJsonObject &payload)
{
    auto it = m_latest.find(fileId);
    if (it == m_latest.end()) {
        m_latest.insert(fileId, {});
        m_latestOrder.push_back(fileId);
        while (qsizetype(m_latestOrder.size()) > kLatestKept) {
            m_latest.remove(m_latestOrder.front());
            m_latestOrder.pop_front();
        }
        it = m_latest.find(fileId);
    }
    // Every event is kept for a join: one per MiB parsed plus the end, so at most
    // max_upload_bytes / 1 MiB + 2 of them.
    it->append({ event, payload });
    if (event != QLatin1String("file_progress"))
        qCInfo(lcFiles) << "file" << fileId << event;
    emit fileEvent(fileId, event, payload);
}

QList<std::pair<QString, QJsonObject>> FileUploads::replay(const QString &fileId) const
{
    return m_latest.value(fileId);
}

} // namespace Kyozo::Server
