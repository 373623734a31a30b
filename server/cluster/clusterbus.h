#pragma once

#include "serverconfig.h"
#include "storage/databasethread.h"
#include "storage/databaseurl.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSqlDriver>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Kyozo::Server {

class Database;

// The one LISTEN/NOTIFY channel every process of a database listens on.
inline constexpr char kClusterChannel[] = "kyozo_cluster";

// Several kyozo-server processes on one PostgreSQL database (issue 21 item 1; docs/operator.md
// "Several processes"). What crosses processes goes through PostgreSQL itself, as Phoenix's
// PubSub adapter for PostgreSQL does: every process LISTENs on kClusterChannel and publishes
// with pg_notify; a message over NOTIFY's payload limit is stored in cluster_messages and its
// NOTIFY names the row. Each process keeps a heartbeat row in cluster_processes, stamped with
// the database's clock; a process whose heartbeat is older than process_timeout_ms is gone
// (processGone), which is how the others learn of a process killed without a word.
//
// Messages are JSON objects with "k" (their kind: ChannelHub and NotebookDocuments define
// them), "p" (the sending process) and "s" (its sequence number, which also keeps PostgreSQL
// from folding two equal payloads of one transaction into one). One process's messages arrive
// in the order it published them; co-editing's `ops` messages are sent by the commit itself
// (NotebookStore::append) and arrive once it is committed.
class ClusterBus : public QObject
{
    Q_OBJECT
public:
    ClusterBus(DatabaseUrl url, const ClusterOptions &options, QObject *parent = nullptr);
    ~ClusterBus() override;

    // Writes this process's heartbeat row, LISTENs, starts the publishing thread and says
    // `hello` (every live process answers with what it holds). False with *error when the
    // database cannot be reached.
    bool start(QString *error);
    // SIGTERM, after the sockets closed: `bye` to the others, then the row is removed.
    void stop();

    // Unique to this start of the process: "NAME.RANDOM" (a restarted process is a new one
    // to the others, whatever its name). In phx_refs and every message.
    const QString &processId() const { return m_processId; }
    // The operator's process_name (or the made-up one): /metrics' `process` label.
    const QString &processName() const { return m_processName; }
    // Queued and sent from the publishing thread (the event loop does not wait for the
    // database). Adds "p" and "s".
    void publish(QJsonObject message);
    // The payload of a NOTIFY that a transaction of the caller's sends (`ops`): "p" added.
    QByteArray encode(QJsonObject message) const;

    // Live processes as of the last heartbeat, this one included.
    int liveProcesses() const { return m_liveProcesses; }
    quint64 messagesSent() const { return m_sent; }
    quint64 messagesReceived() const { return m_received; }
    quint64 messagesDropped() const { return m_dropped; }
    // pg_notification_queue_usage() at the last heartbeat, 0 to 1: once PostgreSQL's NOTIFY
    // queue (8 GB) is full, commits that NOTIFY fail.
    double notifyQueueUsage() const { return m_queueUsage; }

    // NOTIFY takes payloads below 8000 bytes; bigger messages go by reference.
    static constexpr qsizetype kMaxNotifyBytes = 7000;
    // Messages waiting for the publishing thread: beyond this the database is not keeping
    // up and new ones are dropped (counted, logged once per burst).
    static constexpr qint64 kMaxOutboxBytes = 64 * 1024 * 1024;

signals:
    // A message of another process.
    void received(const QString &process, const QJsonObject &message);
    // A process said `bye`, or its heartbeat is older than process_timeout_ms.
    void processGone(const QString &process);
    // The listening connection was lost and is back: what was published meanwhile is
    // missed, the others have been asked for their state again (`hello`).
    void resumed();

private:
    bool openListener(QString *error);
    void onNotification(const QString &name, QSqlDriver::NotificationSource source,
                        const QVariant &payload);
    void handle(const QJsonObject &message);
    void flush();
    void heartbeat();
    bool writeHeartbeat(QString *error);
    void warnHeartbeat(const QString &why); // once until a heartbeat is written again
    bool connected(); // the listening connection answers

    DatabaseUrl m_url;
    ClusterOptions m_options;
    QString m_processName;
    QString m_processId;
    // Bytes handed to the publishing thread and not sent yet (kMaxOutboxBytes counts them):
    // declared before m_sender, whose jobs use it until the thread ends.
    std::atomic<qint64> m_inFlightBytes { 0 };
    std::unique_ptr<Database> m_listen; // this thread: LISTEN, heartbeats, reading references
    DatabaseThread m_sender;
    QList<QByteArray> m_outbox;
    qint64 m_outboxBytes = 0;
    QTimer m_flushTimer;
    QTimer m_heartbeatTimer;
    QSet<QString> m_known; // processes heard from and not gone
    quint64 m_nextSequence = 0;
    int m_liveProcesses = 1;
    double m_queueUsage = 0;
    int m_heartbeats = 0;
    bool m_listening = false;
    bool m_dropping = false;
    bool m_heartbeatFailing = false;
    quint64 m_sent = 0;
    quint64 m_received = 0;
    quint64 m_dropped = 0;
};

} // namespace Kyozo::Server
