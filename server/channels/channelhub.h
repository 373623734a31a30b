#pragma once

#include "channels/socketsession.h"
#include "protocol/phoenixmessage.h"
#include "protocol/presencestate.h"
#include "serverconfig.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWebSocket>
#include <memory>
#include <vector>

namespace Kyozo::Server {

class AccountStore;
class BillingService;
class ClusterBus;
class Executions;
class FileUploads;
class NotebookDocuments;
class SocketSession;
struct OpOutcome;

struct ChannelMetrics
{
    qint64 sockets = 0;
    qint64 channelsJoined = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 errors = 0;
    qint64 framesQueued = 0; // waiting for slow readers to take what was sent before
    qint64 bytesQueued
        = 0; // what those frames and Qt's write buffers hold (max_queued_bytes_total)
    quint64 socketsOpened = 0;
    // By the code the connection ended with (SocketSession::closeCode); codes outside
    // 1000-1015 (RFC 6455 §7.4) are counted under kOtherCloseCode so that a client cannot
    // make up label values.
    QMap<int, quint64> socketsClosed;
    static constexpr int kOtherCloseCode = -1;

    // The Prometheus text of the fields above from bytesQueued on (docs/server.md).
    QByteArray socketLifecycleText() const;
};

// The Phoenix Channels v2 side of the server (SPEC §4, §11 socket rules): topics and
// their authorisation, replies, presence, relayed cursors and selections, revocation, and
// the routing of co-editing operations (SPEC §5) to NotebookDocuments and back.
class ChannelHub : public QObject
{
    Q_OBJECT
public:
    // `executions` may be null (no execution: `execute` is refused execution_disabled).
    ChannelHub(AccountStore *accounts, NotebookDocuments *documents, const Limits &limits,
               const CoeditingOptions &coediting, Executions *executions = nullptr,
               FileUploads *files = nullptr, QObject *parent = nullptr);
    ~ChannelHub() override;

    // A socket the HTTP server upgraded; its token (query `token`) was checked there.
    void accept(std::unique_ptr<QWebSocket> socket);
    // Closes every socket (SIGTERM: 1001); allClosed follows once each has ended.
    void closeAll(int code, const QString &reason);
    // Metered runs (docs/billing.md "Usage"): `execute` is charged to the plan first.
    void setBilling(BillingService *billing) { m_billing = billing; }
    ChannelMetrics metrics() const;
    // Every join of `topic` ends with phx_close (a deleted notebook).
    void closeTopic(const QString &topic);
    // An event to every subscriber of a topic (REST changes: notebook_created, ...).
    void broadcastEvent(const QString &topic, const QString &event, const QJsonObject &payload)
    {
        broadcastEverywhere(topic, event, payload, nullptr);
    }
    // Several processes on one database (docs/operator.md "Several processes"): broadcasts,
    // presence, co-editing's operations and deletions cross to the other processes through
    // `bus`, and phx_refs are made unique by its process id.
    void setCluster(ClusterBus *bus);
    // A member's role in a workspace changed or they were removed (REST members): their
    // sockets' joins of the workspace's topics follow at once, on every process; a join
    // the member may no longer have ends with phx_close.
    void membershipChanged(const QString &workspaceId, const QString &userName);
    const ClusterBus *cluster() const { return m_cluster; }

signals:
    // After closeAll: every socket has ended and no closing connection lingers.
    void allClosed();

private:
    void onMessage(SocketSession *session, const QByteArray &frame);
    void refuse(SocketSession *session, const Protocol::PhoenixMessage &message,
                const char *reason);
    void refuseOperation(SocketSession *session, const Protocol::PhoenixMessage &message,
                         const OpOutcome &outcome);
    void pushOperation(SocketSession *session, const Protocol::PhoenixMessage &message);
    // execute / cancel on a notebook topic (docs/server.md "Execution").
    void pushExecution(SocketSession *session, const Protocol::PhoenixMessage &message);
    void commitOperations();
    // Answers and broadcasts a group commit's outcomes once it is durable.
    void deliverOutcomes(const std::vector<std::pair<quint64, OpOutcome>> &outcomes);
    // One `op` frame to every subscriber of `topic` that did not ask for batches, but `sender`.
    void broadcastOperation(const QString &topic, const QJsonObject &payload,
                            SocketSession *sender);
    void flushBatches();
    void checkAllClosed();
    void onClosed(SocketSession *session);
    void join(SocketSession *session, const Protocol::PhoenixMessage &message);
    void leave(SocketSession *session, const QString &topic, bool closeFrame);
    void push(SocketSession *session, const Protocol::PhoenixMessage &message);
    // To this process's subscribers.
    void broadcast(const QString &topic, const QString &event, const QJsonValue &payload,
                   SocketSession *except);
    // To every process's (one cluster message).
    void broadcastEverywhere(const QString &topic, const QString &event, const QJsonValue &payload,
                             SocketSession *except);
    void closeTopicHere(const QString &topic);
    void membershipChangedHere(const QString &workspaceId, const QString &userName);
    // An operation stored as `revision`, to every subscriber of `topic` but `sender`: one `op`
    // frame, or into the next batch.
    void relayOperation(const QString &topic, qint64 revision, const QJsonArray &ops,
                        const QString &userId, SocketSession *sender,
                        const Protocol::PhoenixMessage &senderHeader);
    void onClusterMessage(const QString &process, const QJsonObject &message);
    // Another process's presences: applied to m_presence and told to this process's
    // subscribers; each meta once, whatever order its joins, leaves and syncs come in.
    void remoteJoin(const QString &process, const QString &topic, const QString &key,
                    const QJsonObject &meta);
    void remoteLeave(const QString &process, const QString &topic, const QString &phxRef);
    void syncRemote(const QString &process, const QJsonObject &topics);
    void dropProcess(const QString &process);
    // The presence_state of this process's own sockets, per topic (a `sync` answer).
    QJsonObject localPresence() const;
    void checkRevocations();
    // `local`: of this process's sockets, so for the other processes too.
    void queuePresenceDiff(const QString &topic, const QJsonObject &diff, bool local = true);
    void flushPresenceDiffs();
    QJsonObject userFields(SocketSession *session) const;
    // A socket's meta in a topic's presence.
    QJsonObject presenceMeta(SocketSession *session, const SocketSession::Joined &joined) const;

    AccountStore *m_accounts;
    NotebookDocuments *m_documents;
    Executions *m_executions;
    BillingService *m_billing = nullptr;
    FileUploads *m_files;
    CoeditingOptions m_coediting;
    // A push waiting for its group commit (NotebookDocuments::commitPending).
    struct PendingOperation
    {
        QPointer<SocketSession> session; // null once it closed: the others still get the op
        Protocol::PhoenixMessage header; // refs and topic to reply with; no payload
        QString userId;
    };
    QHash<quint64, PendingOperation> m_pendingOperations;
    // Operations stored but not yet sent to the subscribers that joined with {"batch": true}
    // (docs/server.md "Co-editing", batches), per topic in revision order.
    struct BatchedOperation
    {
        qint64 revision = 0;
        QJsonArray ops;
        QString userId;
        QPointer<SocketSession> sender;
        Protocol::PhoenixMessage header; // the sender's push, answered in its place
    };
    QHash<QString, std::vector<BatchedOperation>> m_batches;
    QTimer m_batchTimer;
    quint64 m_nextTicket = 0;
    QTimer m_commitTimer;
    SessionContext m_context; // the limits, and what the sessions share
    QSet<SocketSession *> m_sessions;
    QHash<QString, int> m_socketsPerUser; // max_sockets_per_user; counted sockets only
    QSet<SocketSession *> m_overUserLimit; // accepted only to be closed with 1008
    QTimer m_shutdownTimer;
    QHash<QString, QSet<SocketSession *>> m_subscribers; // O(1) leave: mass disconnects stay linear
    QHash<QString, Protocol::PresenceState> m_presence;
    QTimer m_revocationTimer;
    QTimer m_presenceTimer;
    QTimer m_idleTrimTimer;
    QHash<QString, QJsonObject> m_pendingDiffs; // per topic, merged until the next flush
    ClusterBus *m_cluster = nullptr;
    QString m_refPrefix; // "PROCESS:" in a cluster: phx_refs stay unique across processes
    QHash<QString, QJsonObject> m_clusterDiffs; // this process's share of m_pendingDiffs
    // Other processes' presences: process -> topic -> phx_ref -> key (user id).
    QHash<QString, QHash<QString, QHash<QString, QString>>> m_remotePresence;
    qint64 m_revokedSince;
    quint64 m_nextRef = 0;
    ChannelMetrics m_metrics;
};

} // namespace Kyozo::Server
