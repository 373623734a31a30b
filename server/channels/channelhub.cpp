#include "channelhub.h"

#include "billing/billingservice.h"

#include "channels/heaptrim.h"
#include "channels/socketsession.h"
#include "cluster/clusterbus.h"
#include "coediting/notebookdocuments.h"
#include "execution/executions.h"
#include "files/fileuploads.h"
#include "protocol/cursorpayload.h"
#include "protocol/json.h"
#include "protocol/phoenixmessage.h"
#include "protocol/topic.h"
#include "storage/accountstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <algorithm>
#include <functional>
#include <vector>

Q_LOGGING_CATEGORY(lcChannels, "kyozo.server.channels")

namespace Kyozo::Server {

using Protocol::PhoenixMessage;

namespace {

    // Each user keeps one colour everywhere (stable across restarts: from the id, not qHash).
    QString colorFor(const QString &userId)
    {
        static const char *palette[] = { "#e6194b", "#3cb44b", "#4363d8", "#f58231",
                                         "#911eb4", "#008080", "#9a6324", "#800000" };
        uint sum = 0;
        for (QChar c : userId)
            sum = sum * 31 + c.unicode();
        return QString::fromLatin1(palette[sum % 8]);
    }

    QJsonObject reason(const char *text)
    {
        return QJsonObject { { "reason", QString::fromLatin1(text) } };
    }

    // While shutting down, how often to look whether every socket has ended.
    constexpr int kShutdownPollMs = 10;

} // namespace

QByteArray ChannelMetrics::socketLifecycleText() const
{
    QByteArray text
        = "# HELP kyozo_bytes_queued Bytes held for slow readers, Qt's write buffers included.\n"
          "# TYPE kyozo_bytes_queued gauge\n"
          "kyozo_bytes_queued "
        + QByteArray::number(bytesQueued)
        + "\n# HELP kyozo_sockets_opened_total WebSocket connections accepted.\n"
          "# TYPE kyozo_sockets_opened_total counter\n"
          "kyozo_sockets_opened_total "
        + QByteArray::number(socketsOpened)
        + "\n# HELP kyozo_sockets_closed_total WebSocket connections ended, by close code.\n"
          "# TYPE kyozo_sockets_closed_total counter\n";
    for (auto it = socketsClosed.begin(); it != socketsClosed.end(); ++it)
        text += "kyozo_sockets_closed_total{code=\""
            + (it.key() == kOtherCloseCode ? QByteArray("other") : QByteArray::number(it.key()))
            + "\"} " + QByteArray::number(it.value()) + '\n';
    return text;
}

ChannelHub::ChannelHub(AccountStore *accounts, NotebookDocuments *documents, const Limits &limits,
                       const CoeditingOptions &coediting, Executions *executions,
                       FileUploads *files, QObject *parent)
    : QObject(parent)
    , m_accounts(accounts)
    , m_documents(documents)
    , m_executions(executions)
    , m_files(files)
    , m_coediting(coediting)
    , m_revokedSince(QDateTime::currentMSecsSinceEpoch())
{
    if (m_executions) {
        // Execution events go to every subscriber of the topic, in the order they are made.
        connect(
            m_executions, &Executions::notebookEvent, this,
            [this](const QString &notebookId, const QString &event, const QJsonObject &payload) {
                broadcastEverywhere(QStringLiteral("execution:notebook:") + notebookId, event,
                                    payload, nullptr);
            });
        connect(m_executions, &Executions::workspaceEvent, this,
                [this](const QString &workspace, const QString &event, const QJsonObject &payload) {
                    if (!workspace.isEmpty())
                        broadcastEverywhere(QStringLiteral("execution:workspace:") + workspace,
                                            event, payload, nullptr);
                });
        connect(
            m_executions, &Executions::containerEvent, this,
            [this](const QString &containerId, const QString &event, const QJsonObject &payload) {
                broadcastEverywhere(QStringLiteral("execution:container:") + containerId, event,
                                    payload, nullptr);
            });
    }
    if (m_files)
        connect(m_files, &FileUploads::fileEvent, this,
                [this](const QString &fileId, const QString &event, const QJsonObject &payload) {
                    broadcastEverywhere(QStringLiteral("execution:file:") + fileId, event, payload,
                                        nullptr);
                });
    // Pushes received in one turn of the event loop (and while the last commit was being
    // synced, on the writer thread) are stored in one transaction: group commit.
    m_documents->onCommitted
        = [this](const NotebookDocuments::Outcomes &outcomes) { deliverOutcomes(outcomes); };
    // Their joins end (phx_close) and the clients rejoin at the stored text.
    m_documents->onReloaded
        = [this](const QString &id) { closeTopicHere(QStringLiteral("execution:notebook:") + id); };
    // Another process's operations, in revision order, to every subscriber here.
    m_documents->onRemoteOperations
        = [this](const QString &id,
                 const std::vector<NotebookDocuments::RemoteOperation> &operations) {
              const QString topic = QStringLiteral("execution:notebook:") + id;
              for (const NotebookDocuments::RemoteOperation &op : operations)
                  relayOperation(topic, op.revision, op.ops, op.userId, nullptr, {});
          };
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(0);
    connect(&m_commitTimer, &QTimer::timeout, this, &ChannelHub::commitOperations);
    // Batch joins get what was stored within batch_ms in one frame (issue 15: at most 20 ms).
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(coediting.batchMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &ChannelHub::flushBatches);
    m_context.limits = limits;
    m_context.lingerParent = this;
    m_shutdownTimer.setInterval(kShutdownPollMs);
    connect(&m_shutdownTimer, &QTimer::timeout, this, &ChannelHub::checkAllClosed);
    m_revocationTimer.setInterval(limits.revocationPollMs);
    connect(&m_revocationTimer, &QTimer::timeout, this, &ChannelHub::checkRevocations);
    m_revocationTimer.start();
    m_presenceTimer.setSingleShot(true);
    m_presenceTimer.setInterval(limits.presenceBatchMs);
    connect(&m_presenceTimer, &QTimer::timeout, this, &ChannelHub::flushPresenceDiffs);
    // A burst of joins allocates and frees O(N) presence frames per join; glibc keeps the
    // freed heap, so idle RSS would stay at the burst's peak. Hand it back once things calm
    // down (restarted by every flush, so it runs after a burst, not during one).
    m_idleTrimTimer.setSingleShot(true);
    m_idleTrimTimer.setInterval(1000);
    connect(&m_idleTrimTimer, &QTimer::timeout, this, [] { releaseFreedHeap(); });
}

ChannelHub::~ChannelHub()
{
    m_documents->onCommitted = nullptr;
    m_documents->onRemoteOperations = nullptr;
    m_documents->onReloaded = nullptr;
    m_documents->committedNotification = nullptr;
    for (SocketSession *s : std::as_const(m_sessions))
        s->disconnect(this);
    qDeleteAll(m_sessions);
}

void ChannelHub::accept(std::unique_ptr<QWebSocket> socket)
{
    const QString token = QUrlQuery(socket->requestUrl()).queryItemValue(QStringLiteral("token"));
    const std::optional<Identity> identity = m_accounts->authenticate(token);
    if (!identity) { // revoked between the upgrade check and now
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("unauthorized"));
        return;
    }
    auto *session = new SocketSession(std::move(socket), *identity, &m_context, this);
    m_sessions.insert(session);
    ++m_metrics.sockets;
    ++m_metrics.socketsOpened;
    connect(session, &SocketSession::messageReceived, this, &ChannelHub::onMessage);
    connect(session, &SocketSession::closed, this, &ChannelHub::onClosed);
    m_idleTrimTimer.start(); // after a burst of connections too
    // One user's sockets are capped (max_sockets_per_user): each holds presence in every
    // topic it joins and output buffers. The next one is closed right after the upgrade,
    // with 1008 like the other limits; a client sees why in the close frame, which it would
    // not from a refused handshake.
    int &count = m_socketsPerUser[identity->userId];
    if (count >= m_context.limits.maxSocketsPerUser) {
        m_overUserLimit.insert(session);
        qCDebug(lcChannels) << "socket of" << identity->userName << "over max_sockets_per_user";
        session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                       QStringLiteral("too many sockets"));
        return;
    }
    ++count;
    qCDebug(lcChannels) << "socket of" << identity->userName << "connected";
}

void ChannelHub::refuse(SocketSession *session, const PhoenixMessage &message, const char *why)
{
    ++m_metrics.errors;
    session->send(Protocol::reply(message, false, reason(why)));
}

void ChannelHub::onMessage(SocketSession *session, const QByteArray &frame)
{
    ++m_metrics.messagesIn;
    QString error;
    const std::optional<PhoenixMessage> message = PhoenixMessage::decode(frame, &error);
    if (!message) {
        // No ref to answer: say so on the socket's own topic and keep the connection.
        ++m_metrics.errors;
        PhoenixMessage m { std::nullopt, std::nullopt, QString::fromLatin1(Protocol::PhoenixTopic),
                           QString::fromLatin1(Protocol::Event::Error),
                           QJsonObject { { "reason", error } } };
        session->send(m);
        return;
    }
    if (message->topic == QLatin1String(Protocol::PhoenixTopic)) {
        if (message->event == QLatin1String(Protocol::Event::Heartbeat)) {
            session->heartbeat();
            session->send(Protocol::reply(*message, true, {}));
        } else {
            refuse(session, *message, "unknown event");
        }
        return;
    }
    if (message->event == QLatin1String(Protocol::Event::Join)) {
        join(session, *message);
    } else if (message->event == QLatin1String(Protocol::Event::Leave)) {
        session->send(Protocol::reply(*message, true, {}));
        leave(session, message->topic, true);
    } else {
        push(session, *message);
    }
}

QJsonObject ChannelHub::userFields(SocketSession *session) const
{
    return QJsonObject { { "user_id", session->identity().userId },
                         { "name", session->identity().userName },
                         { "color", colorFor(session->identity().userId) } };
}

QJsonObject ChannelHub::presenceMeta(SocketSession *session,
                                     const SocketSession::Joined &joined) const
{
    QJsonObject meta = userFields(session);
    meta.remove(QLatin1String("user_id"));
    meta.insert(QLatin1String("phx_ref"), joined.phxRef);
    meta.insert(QLatin1String("online_at"), joined.onlineAt);
    meta.insert(QLatin1String("client"), session->client());
    return meta;
}

void ChannelHub::join(SocketSession *session, const PhoenixMessage &message)
{
    const std::optional<Protocol::Topic> topic = Protocol::Topic::parse(message.topic);
    if (!topic) {
        refuse(session, message, "unmatched topic");
        return;
    }
    // A rejoin replaces the topic's join, so it does not count twice (max_joins_per_socket).
    const bool rejoin = session->joined().contains(message.topic);
    if (!rejoin && session->joined().size() >= m_context.limits.maxJoinsPerSocket) {
        refuse(session, message, "too_many_joins");
        return;
    }
    const std::optional<QString> workspace = m_accounts->workspaceOf(*topic);
    const std::optional<Role> role
        = workspace ? m_accounts->role(session->identity().userId, *workspace) : std::nullopt;
    if (!role) {
        refuse(session, message, "unauthorized");
        return;
    }
    SocketSession::Joined joined { message.joinRef.value_or(QString()), QString() };
    // Notebook topics: may push `op`, `execute`, `cancel`; container topics: `stop`.
    joined.canEdit = *role != Role::Viewer;
    joined.isOwner = *role == Role::Owner;
    QJsonObject response;
    if (topic->kind == Protocol::Topic::Kind::Notebook) {
        // Co-editing (docs/server.md): the join reply holds the text and its revision. Opened
        // before a rejoin's leave releases it, so the text stays in memory.
        QString error;
        const std::optional<NotebookDocuments::State> state = m_documents->open(topic->id, &error);
        if (!state) {
            qCWarning(lcChannels) << "cannot open notebook" << topic->id << error;
            refuse(session, message, "unavailable");
            return;
        }
        response = QJsonObject { { "revision", state->revision }, { "content", state->content } };
        joined.batch = message.payload.toObject().value(QLatin1String("batch")).toBool(false);
        joined.joinRevision = state->revision;
    }
    // SPEC §4: a second join of a topic on the same socket closes the first.
    if (rejoin)
        leave(session, message.topic, true);

    const QString phxRef = m_refPrefix + QString::number(++m_nextRef);
    joined.phxRef = phxRef;
    joined.onlineAt = QDateTime::currentMSecsSinceEpoch();
    session->joined().insert(message.topic, joined);
    m_subscribers[message.topic].insert(session);
    ++m_metrics.channelsJoined;
    session->send(Protocol::reply(message, true, response));

    Protocol::PresenceState &presence = m_presence[message.topic];
    const QJsonObject diff
        = presence.join(session->identity().userId, presenceMeta(session, joined));
    session->sendText(QString::fromUtf8(
        Protocol::encodeFrame(message.joinRef, std::nullopt, message.topic,
                              QStringLiteral("presence_state"), presence.encodedState())));
    queuePresenceDiff(message.topic, diff);
    // The latest result of each cell and what runs have sent so far, after presence_state.
    // Sent in the same turn as the subscription began: every later event reaches this socket
    // live, none before it is missed or sent twice.
    // Likewise a container's topic: its latest container_update and its log so far; a file's:
    // every file_progress and the end of its parse so far.
    QList<ExecutionEvent> events;
    if (m_executions && topic->kind == Protocol::Topic::Kind::Notebook)
        events = m_executions->replay(topic->id);
    else if (m_executions && topic->kind == Protocol::Topic::Kind::Container)
        events = m_executions->containerReplay(topic->id);
    else if (m_files && topic->kind == Protocol::Topic::Kind::File)
        for (const auto &[event, payload] : m_files->replay(topic->id))
            events.append({ event, payload });
    for (const ExecutionEvent &e : events)
        session->sendText(QString::fromUtf8(
            PhoenixMessage { std::nullopt, std::nullopt, message.topic, e.event, e.payload }
                .encode()));
}

void ChannelHub::leave(SocketSession *session, const QString &topic, bool closeFrame)
{
    auto it = session->joined().find(topic);
    if (it == session->joined().end())
        return;
    const SocketSession::Joined joined = *it;
    session->joined().erase(it);
    m_subscribers[topic].remove(session);
    if (m_subscribers[topic].isEmpty())
        m_subscribers.remove(topic);
    --m_metrics.channelsJoined;
    if (const std::optional<Protocol::Topic> t = Protocol::Topic::parse(topic);
        t && t->kind == Protocol::Topic::Kind::Notebook)
        m_documents->release(t->id);
    if (closeFrame)
        session->send({ joined.joinRef, std::nullopt, topic,
                        QString::fromLatin1(Protocol::Event::Close), QJsonObject {} });
    auto presence = m_presence.find(topic);
    if (presence != m_presence.end()) {
        const QJsonObject diff = presence->leave(session->identity().userId, joined.phxRef);
        if (presence->isEmpty())
            m_presence.erase(presence);
        if (!diff.isEmpty())
            queuePresenceDiff(topic, diff);
    }
}

void ChannelHub::push(SocketSession *session, const PhoenixMessage &message)
{
    if (!session->joined().contains(message.topic)) {
        refuse(session, message, "unmatched topic");
        return;
    }
    // Relayed as read back from their documented shapes (core/protocol/cursorpayload.h), not
    // as received: nothing a client adds reaches the others.
    const auto relay = [&](const QString &event, const QJsonObject &fields) {
        QJsonObject relayed = userFields(session);
        for (auto it = fields.begin(); it != fields.end(); ++it)
            relayed.insert(it.key(), it.value());
        broadcastEverywhere(message.topic, event, relayed, session);
        session->send(Protocol::reply(message, true, {}));
    };
    if (message.event == QLatin1String(Protocol::Event::CursorMove)) {
        const auto move = Protocol::CursorMove::fromJson(message.payload);
        if (!move)
            refuse(session, message, "bad_payload");
        else
            relay(QString::fromLatin1(Protocol::Event::Cursor), move->toJson());
    } else if (message.event == QLatin1String(Protocol::Event::Selection)) {
        const auto selection = Protocol::SelectionChange::fromJson(message.payload);
        if (!selection)
            refuse(session, message, "bad_payload");
        else
            relay(QString::fromLatin1(Protocol::Event::Selection), selection->toJson());
    } else if (message.event == QLatin1String("op")) {
        pushOperation(session, message);
    } else if (message.event == QLatin1String("execute") || message.event == QLatin1String("cancel")
               || message.event == QLatin1String("stop")) {
        pushExecution(session, message);
    } else {
        refuse(session, message, "unknown event");
    }
}

void ChannelHub::refuseOperation(SocketSession *session, const PhoenixMessage &message,
                                 const OpOutcome &outcome)
{
    ++m_metrics.errors;
    qCDebug(lcChannels) << "op of" << session->identity().userName << "on" << message.topic
                        << "refused:" << outcome.reason << outcome.message;
    QJsonObject response { { "reason", outcome.reason } };
    if (outcome.reason == QLatin1String("resync")) {
        response.insert(QLatin1String("revision"), outcome.revision);
        response.insert(QLatin1String("content"), outcome.content);
    }
    session->send(Protocol::reply(message, false, response));
}

void ChannelHub::pushOperation(SocketSession *session, const PhoenixMessage &message)
{
    const std::optional<Protocol::Topic> topic = Protocol::Topic::parse(message.topic);
    if (!topic || topic->kind != Protocol::Topic::Kind::Notebook) {
        refuse(session, message, "unknown event");
        return;
    }
    if (!session->joined().value(message.topic).canEdit) {
        refuse(session, message, "forbidden"); // a viewer (docs/server.md "Co-editing")
        return;
    }
    const quint64 ticket = ++m_nextTicket;
    if (const std::optional<OpOutcome> refused
        = m_documents->submit(ticket, topic->id, session->identity().userId, message.payload)) {
        refuseOperation(session, message, *refused);
        return;
    }
    m_pendingOperations.insert(ticket,
                               { session,
                                 PhoenixMessage { message.joinRef, message.ref, message.topic,
                                                  message.event, QJsonValue() },
                                 session->identity().userId });
    if (!m_commitTimer.isActive())
        m_commitTimer.start();
}

void ChannelHub::pushExecution(SocketSession *session, const PhoenixMessage &message)
{
    const std::optional<Protocol::Topic> topic = Protocol::Topic::parse(message.topic);
    const bool stop = message.event == QLatin1String("stop");
    if (!topic
        || topic->kind
            != (stop ? Protocol::Topic::Kind::Container : Protocol::Topic::Kind::Notebook)) {
        refuse(session, message, "unknown event");
        return;
    }
    if (!m_executions || !m_executions->enabled()) {
        refuse(session, message, "execution_disabled"); // [execution] enabled = false
        return;
    }
    // Viewers watch runs, they do not start or stop them; nor do editors where only owners
    // may (a solo writer's guests).
    const SocketSession::Joined joined = session->joined().value(message.topic);
    if (!joined.canEdit || (m_executions->ownersOnly() && !joined.isOwner)) {
        refuse(session, message, "forbidden");
        return;
    }
    const QJsonObject payload = message.payload.toObject();
    if (stop || message.event == QLatin1String("cancel")) {
        const QString why
            = stop ? m_executions->stop(topic->id) : m_executions->cancel(topic->id, payload);
        if (!why.isEmpty()) {
            ++m_metrics.errors;
            session->send(Protocol::reply(message, false, QJsonObject { { "reason", why } }));
        } else {
            session->send(Protocol::reply(message, true, {}));
        }
        return;
    }
    const QString &userId = session->identity().userId;
    if (m_billing) {
        const BillingService::Charge charge
            = m_billing->charge(userId, QLatin1String(BillingService::kCellRuns));
        if (charge.kind != BillingService::Charge::Kind::Allowed) {
            ++m_metrics.errors;
            QJsonObject why { { "reason", charge.reason() }, { "message", charge.message } };
            if (charge.kind == BillingService::Charge::Kind::RateLimited)
                why.insert(QLatin1String("retry_after"), double(charge.retryAfterSeconds));
            session->send(Protocol::reply(message, false, why));
            return;
        }
    }
    const auto outcome = m_executions->submit({ topic->id, userId, payload });
    if (outcome.index() == 1) {
        if (m_billing) // a run that was not started is not counted
            m_billing->refund(userId, QLatin1String(BillingService::kCellRuns));
        ++m_metrics.errors;
        session->send(
            Protocol::reply(message, false, QJsonObject { { "reason", std::get<1>(outcome) } }));
        return;
    }
    const Executions::Submitted &run = std::get<0>(outcome);
    QJsonObject answer { { "execution_id", run.executionId } };
    if (!run.containerId.isEmpty())
        answer.insert(QLatin1String("container_id"), run.containerId);
    // The answer first, then the run's events (`queued` at once).
    session->send(Protocol::reply(message, true, answer));
    m_executions->begin(run.executionId);
}

void ChannelHub::commitOperations()
{
    m_documents->commitPending(); // deliverOutcomes follows once it is durable
}

void ChannelHub::deliverOutcomes(const std::vector<std::pair<quint64, OpOutcome>> &outcomes)
{
    // Durable before answered: every reply and broadcast below follows the commit.
    for (const auto &[ticket, outcome] : outcomes) {
        const PendingOperation pending = m_pendingOperations.take(ticket);
        SocketSession *session = pending.session.data();
        switch (outcome.kind) {
        case OpOutcome::Kind::Applied: {
            const QString &topic = pending.header.topic;
            // A batch client's answer waits for the batch frame of the operations before it,
            // so that it sees every revision in order (flushBatches).
            const bool senderBatches = session && session->joined().value(topic).batch;
            if (session && !senderBatches)
                session->send(Protocol::reply(pending.header, true,
                                              QJsonObject { { "revision", outcome.revision } }));
            relayOperation(topic, outcome.revision, outcome.ops, pending.userId, session,
                           senderBatches ? pending.header : PhoenixMessage {});
            break;
        }
        case OpOutcome::Kind::Duplicate:
            if (session)
                session->send(Protocol::reply(pending.header, true,
                                              QJsonObject { { "revision", outcome.revision } }));
            break;
        case OpOutcome::Kind::Refused:
            if (session)
                refuseOperation(session, pending.header, outcome);
            break;
        }
    }
}

void ChannelHub::relayOperation(const QString &topic, qint64 revision, const QJsonArray &ops,
                                const QString &userId, SocketSession *sender,
                                const PhoenixMessage &senderHeader)
{
    // In revision order, to everyone else; the sender has its op already.
    broadcastOperation(
        topic, QJsonObject { { "revision", revision }, { "ops", ops }, { "user_id", userId } },
        sender);
    if (!m_subscribers.contains(topic))
        return;
    m_batches[topic].push_back(BatchedOperation { revision, ops, userId, sender, senderHeader });
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void ChannelHub::broadcastOperation(const QString &topic, const QJsonObject &payload,
                                    SocketSession *sender)
{
    const auto it = m_subscribers.constFind(topic);
    if (it == m_subscribers.constEnd())
        return;
    QString frame; // encoded once, when a subscriber wants it
    std::vector<SocketSession *> sessions(it->cbegin(), it->cend());
    std::sort(sessions.begin(), sessions.end(), std::less<SocketSession *>());
    for (SocketSession *s : sessions) {
        if (s == sender)
            continue;
        const auto joined = s->joined().constFind(topic);
        if (joined == s->joined().constEnd() || joined->batch)
            continue;
        if (frame.isNull())
            frame = QString::fromUtf8(
                PhoenixMessage { std::nullopt, std::nullopt, topic, QStringLiteral("op"), payload }
                    .encode());
        s->sendText(frame);
    }
}

// A batch client gets `ops {from, to, ops, user_ids}` for each run of consecutive revisions
// it does not have: those after its join, without its own operations, each of which is
// answered (its phx_reply ok) in its place between two runs. Most subscribers have no own
// operation in a batch: their frame is encoded once and shared.
void ChannelHub::flushBatches()
{
    const QHash<QString, std::vector<BatchedOperation>> batches = std::exchange(m_batches, {});
    for (auto b = batches.begin(); b != batches.end(); ++b) {
        const QString &topic = b.key();
        const std::vector<BatchedOperation> &entries = b.value();
        const auto subscribers = m_subscribers.constFind(topic);
        if (subscribers == m_subscribers.constEnd() || entries.empty())
            continue;
        const auto encodeRun = [&](size_t begin, size_t end) {
            QJsonArray ops, users;
            for (size_t i = begin; i < end; ++i) {
                ops.append(entries[i].ops);
                users.append(entries[i].userId);
            }
            return QString::fromUtf8(
                PhoenixMessage { std::nullopt, std::nullopt, topic, QStringLiteral("ops"),
                                 QJsonObject { { "from", entries[begin].revision },
                                               { "to", entries[end - 1].revision },
                                               { "ops", ops },
                                               { "user_ids", users } } }
                    .encode());
        };
        QString whole; // every entry: for subscribers with none of their own
        std::vector<SocketSession *> sessions(subscribers->cbegin(), subscribers->cend());
        std::sort(sessions.begin(), sessions.end(), std::less<SocketSession *>());
        for (SocketSession *s : sessions) {
            const auto joined = s->joined().constFind(topic);
            if (joined == s->joined().constEnd() || !joined->batch)
                continue;
            size_t first = 0; // what it got in its join reply is not sent again
            while (first < entries.size() && entries[first].revision <= joined->joinRevision)
                ++first;
            const bool ownInside
                = std::any_of(entries.begin() + qsizetype(first), entries.end(),
                              [&](const BatchedOperation &e) { return e.sender.data() == s; });
            if (first == 0 && !ownInside) {
                if (whole.isNull())
                    whole = encodeRun(0, entries.size());
                s->sendText(whole);
                continue;
            }
            size_t runStart = first;
            for (size_t i = first; i <= entries.size(); ++i) {
                const bool own = i < entries.size() && entries[i].sender.data() == s;
                if (i < entries.size() && !own)
                    continue;
                if (runStart < i)
                    s->sendText(encodeRun(runStart, i));
                if (own)
                    s->send(Protocol::reply(entries[i].header, true,
                                            QJsonObject { { "revision", entries[i].revision } }));
                runStart = i + 1;
            }
        }
    }
}

void ChannelHub::closeTopic(const QString &topic)
{
    if (m_cluster)
        m_cluster->publish(QJsonObject { { "k", "close" }, { "t", topic } });
    closeTopicHere(topic);
}

void ChannelHub::membershipChanged(const QString &workspaceId, const QString &userName)
{
    if (m_cluster)
        m_cluster->publish(
            QJsonObject { { "k", "member" }, { "w", workspaceId }, { "u", userName } });
    membershipChangedHere(workspaceId, userName);
}

void ChannelHub::membershipChangedHere(const QString &workspaceId, const QString &userName)
{
    // A copy: the phx_close may end a socket that fell too far behind, and onClosed edits
    // m_sessions (the session itself goes later, deleteLater).
    const QList<SocketSession *> sessions = m_sessions.values();
    for (SocketSession *s : sessions) {
        if (s->identity().userName != userName)
            continue;
        const std::optional<Role> role = m_accounts->role(s->identity().userId, workspaceId);
        const QStringList topics = s->joined().keys();
        for (const QString &topic : topics) {
            const std::optional<Protocol::Topic> t = Protocol::Topic::parse(topic);
            if (!t || m_accounts->workspaceOf(*t) != workspaceId)
                continue;
            if (!role) {
                leave(s, topic, true);
                continue;
            }
            SocketSession::Joined &joined = s->joined()[topic];
            joined.canEdit = *role != Role::Viewer;
            joined.isOwner = *role == Role::Owner;
        }
    }
}

void ChannelHub::closeTopicHere(const QString &topic)
{
    const auto it = m_subscribers.constFind(topic);
    if (it == m_subscribers.constEnd())
        return;
    const QSet<SocketSession *> sessions = *it; // leave() edits the set
    for (SocketSession *s : sessions)
        leave(s, topic, true);
}

void ChannelHub::broadcast(const QString &topic, const QString &event, const QJsonValue &payload,
                           SocketSession *except)
{
    const auto it = m_subscribers.constFind(topic);
    if (it == m_subscribers.constEnd())
        return;
    // Encoded once for every subscriber.
    const QString frame = QString::fromUtf8(
        PhoenixMessage { std::nullopt, std::nullopt, topic, event, payload }.encode());
    // In address order, which is about the order the sockets were accepted in: their objects
    // then follow one another in memory, as a QSet's hash order does not.
    std::vector<SocketSession *> sessions(it->cbegin(), it->cend());
    std::sort(sessions.begin(), sessions.end(), std::less<SocketSession *>());
    for (SocketSession *s : sessions)
        if (s != except)
            s->sendText(frame);
}

void ChannelHub::broadcastEverywhere(const QString &topic, const QString &event,
                                     const QJsonValue &payload, SocketSession *except)
{
    broadcast(topic, event, payload, except);
    if (m_cluster)
        m_cluster->publish(
            QJsonObject { { "k", "b" }, { "t", topic }, { "e", event }, { "x", payload } });
}

namespace {

    // Adds a presence_diff's joins and leaves to those merged so far.
    void mergeDiff(QJsonObject &pending, const QJsonObject &diff)
    {
        for (const char *side : { "joins", "leaves" }) {
            const QLatin1String key(side);
            QJsonObject merged = pending.value(key).toObject();
            const QJsonObject add = diff.value(key).toObject();
            for (auto it = add.begin(); it != add.end(); ++it) {
                QJsonArray metas
                    = merged.value(it.key()).toObject().value(QLatin1String("metas")).toArray();
                for (const QJsonValue &m :
                     it.value().toObject().value(QLatin1String("metas")).toArray())
                    metas.append(m);
                merged.insert(it.key(), QJsonObject { { "metas", metas } });
            }
            pending.insert(key, merged);
        }
    }

} // namespace

// Like Phoenix's presence tracker, diffs are merged per topic and broadcast together: one
// diff per join would cost N^2 frames when N sockets join one topic.
void ChannelHub::queuePresenceDiff(const QString &topic, const QJsonObject &diff, bool local)
{
    mergeDiff(m_pendingDiffs[topic], diff);
    if (local && m_cluster)
        mergeDiff(m_clusterDiffs[topic], diff);
    if (!m_presenceTimer.isActive())
        m_presenceTimer.start();
}

void ChannelHub::flushPresenceDiffs()
{
    const QHash<QString, QJsonObject> pending = std::exchange(m_pendingDiffs, {});
    for (auto it = pending.begin(); it != pending.end(); ++it)
        broadcast(it.key(), QStringLiteral("presence_diff"), it.value(), nullptr);
    const QHash<QString, QJsonObject> shared = std::exchange(m_clusterDiffs, {});
    for (auto it = shared.begin(); it != shared.end(); ++it)
        m_cluster->publish(QJsonObject { { "k", "pd" }, { "t", it.key() }, { "d", it.value() } });
    m_idleTrimTimer.start();
}

void ChannelHub::setCluster(ClusterBus *bus)
{
    m_cluster = bus;
    m_refPrefix = bus->processId() + QLatin1Char(':');
    connect(bus, &ClusterBus::received, this, &ChannelHub::onClusterMessage);
    connect(bus, &ClusterBus::processGone, this, &ChannelHub::dropProcess);
    connect(bus, &ClusterBus::resumed, this, [this] { m_documents->catchUpAll(); });
    m_documents->committedNotification = [bus](const QString &id, qint64 revision) {
        return bus->encode(QJsonObject { { "k", "ops" }, { "n", id }, { "r", revision } });
    };
}

void ChannelHub::onClusterMessage(const QString &process, const QJsonObject &message)
{
    const QString kind = message.value(QLatin1String("k")).toString();
    const QString topic = message.value(QLatin1String("t")).toString();
    if (kind == QLatin1String("b")) {
        broadcast(topic, message.value(QLatin1String("e")).toString(),
                  message.value(QLatin1String("x")), nullptr);
    } else if (kind == QLatin1String("pd")) {
        // Joins first, as phoenix.js's Presence.syncDiff applies them: a diff merged over
        // presence_batch_ms may hold a socket's join and its leave both.
        const QJsonObject diff = message.value(QLatin1String("d")).toObject();
        const QJsonObject joins = diff.value(QLatin1String("joins")).toObject();
        for (auto it = joins.begin(); it != joins.end(); ++it)
            for (const QJsonValue &m :
                 it.value().toObject().value(QLatin1String("metas")).toArray())
                remoteJoin(process, topic, it.key(), m.toObject());
        const QJsonObject leaves = diff.value(QLatin1String("leaves")).toObject();
        for (auto it = leaves.begin(); it != leaves.end(); ++it)
            for (const QJsonValue &m :
                 it.value().toObject().value(QLatin1String("metas")).toArray())
                remoteLeave(process, topic,
                            m.toObject().value(QLatin1String("phx_ref")).toString());
    } else if (kind == QLatin1String("hello")) {
        m_cluster->publish(
            QJsonObject { { "k", "sync" }, { "to", process }, { "st", localPresence() } });
    } else if (kind == QLatin1String("sync")) {
        syncRemote(process, message.value(QLatin1String("st")).toObject());
    } else if (kind == QLatin1String("ops")) {
        m_documents->catchUp(message.value(QLatin1String("n")).toString(),
                             Protocol::jsonInt64(message.value(QLatin1String("r"))).value_or(0));
    } else if (kind == QLatin1String("member")) {
        membershipChangedHere(message.value(QLatin1String("w")).toString(),
                              message.value(QLatin1String("u")).toString());
    } else if (kind == QLatin1String("close")) {
        closeTopicHere(topic);
        if (const std::optional<Protocol::Topic> t = Protocol::Topic::parse(topic);
            t && t->kind == Protocol::Topic::Kind::Notebook)
            m_documents->forget(t->id);
    }
}

void ChannelHub::remoteJoin(const QString &process, const QString &topic, const QString &key,
                            const QJsonObject &meta)
{
    const QString phxRef = meta.value(QLatin1String("phx_ref")).toString();
    QHash<QString, QString> &refs = m_remotePresence[process][topic];
    if (phxRef.isEmpty() || refs.contains(phxRef))
        return; // a sync had it already
    refs.insert(phxRef, key);
    queuePresenceDiff(topic, m_presence[topic].join(key, meta), false);
}

void ChannelHub::remoteLeave(const QString &process, const QString &topic, const QString &phxRef)
{
    const auto byProcess = m_remotePresence.find(process);
    if (byProcess == m_remotePresence.end())
        return;
    const auto byTopic = byProcess->find(topic);
    if (byTopic == byProcess->end())
        return;
    const QString key = byTopic->take(phxRef);
    if (key.isNull())
        return;
    if (byTopic->isEmpty())
        byProcess->erase(byTopic);
    auto presence = m_presence.find(topic);
    if (presence == m_presence.end())
        return;
    const QJsonObject diff = presence->leave(key, phxRef);
    if (presence->isEmpty())
        m_presence.erase(presence);
    if (!diff.isEmpty())
        queuePresenceDiff(topic, diff, false);
}

void ChannelHub::syncRemote(const QString &process, const QJsonObject &topics)
{
    // What the process holds now replaces what was known of it.
    QHash<QString, QSet<QString>> now;
    for (auto t = topics.begin(); t != topics.end(); ++t) {
        const QJsonObject keys = t.value().toObject();
        for (auto k = keys.begin(); k != keys.end(); ++k)
            for (const QJsonValue &m :
                 k.value().toObject().value(QLatin1String("metas")).toArray()) {
                now[t.key()].insert(m.toObject().value(QLatin1String("phx_ref")).toString());
                remoteJoin(process, t.key(), k.key(), m.toObject());
            }
    }
    const auto known = m_remotePresence.constFind(process);
    if (known == m_remotePresence.constEnd())
        return;
    std::vector<std::pair<QString, QString>> gone;
    for (auto t = known->begin(); t != known->end(); ++t)
        for (auto r = t->begin(); r != t->end(); ++r)
            if (!now.value(t.key()).contains(r.key()))
                gone.emplace_back(t.key(), r.key());
    for (const auto &[topic, phxRef] : gone)
        remoteLeave(process, topic, phxRef);
}

void ChannelHub::dropProcess(const QString &process)
{
    const auto known = m_remotePresence.constFind(process);
    if (known == m_remotePresence.constEnd())
        return;
    std::vector<std::pair<QString, QString>> gone;
    for (auto t = known->begin(); t != known->end(); ++t)
        for (auto r = t->begin(); r != t->end(); ++r)
            gone.emplace_back(t.key(), r.key());
    for (const auto &[topic, phxRef] : gone)
        remoteLeave(process, topic, phxRef);
    m_remotePresence.remove(process);
}

QJsonObject ChannelHub::localPresence() const
{
    QHash<QString, Protocol::PresenceState> mine;
    for (SocketSession *s : m_sessions)
        for (auto it = s->joined().cbegin(); it != s->joined().cend(); ++it)
            mine[it.key()].join(s->identity().userId, presenceMeta(s, *it));
    QJsonObject out;
    for (auto it = mine.begin(); it != mine.end(); ++it)
        out.insert(it.key(), it->state());
    return out;
}

void ChannelHub::onClosed(SocketSession *session)
{
    const QStringList topics = session->joined().keys();
    for (const QString &topic : topics)
        leave(session, topic, false);
    m_sessions.remove(session);
    --m_metrics.sockets;
    m_metrics.messagesOut
        += session->framesSent(); // those of the open sockets are added in metrics()
    const int code = session->closeCode();
    ++m_metrics
          .socketsClosed[code >= 1000 && code <= 1015 ? code : ChannelMetrics::kOtherCloseCode];
    if (!m_overUserLimit.remove(session)) {
        auto count = m_socketsPerUser.find(session->identity().userId);
        if (count != m_socketsPerUser.end() && --*count <= 0)
            m_socketsPerUser.erase(count);
    }
    session->deleteLater();
}

void ChannelHub::checkRevocations()
{
    // Overlap by a second: a revocation committed within the same millisecond as the last
    // poll must not be missed; closing twice is harmless.
    qint64 newest = m_revokedSince;
    const QStringList revoked = m_accounts->tokensRevokedSince(m_revokedSince - 1000, &newest);
    m_revokedSince = newest;
    if (revoked.isEmpty())
        return;
    const QSet<QString> tokens(revoked.begin(), revoked.end());
    // close() may end a socket at once (Qt emits disconnected from inside it when nothing
    // waits to be written), and onClosed removes it from m_sessions: walk a copy.
    const QList<SocketSession *> sessions = m_sessions.values();
    for (SocketSession *s : sessions)
        if (tokens.contains(s->identity().tokenId))
            s->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("token revoked"));
}

void ChannelHub::closeAll(int code, const QString &reason)
{
    m_revocationTimer.stop();
    const QList<SocketSession *> sessions = m_sessions.values(); // see checkRevocations
    for (SocketSession *s : sessions)
        s->close(code, reason);
    m_shutdownTimer.start();
}

void ChannelHub::checkAllClosed()
{
    if (!m_sessions.isEmpty() || !findChildren<CloseLinger *>(Qt::FindDirectChildrenOnly).isEmpty())
        return;
    m_shutdownTimer.stop();
    emit allClosed();
}

ChannelMetrics ChannelHub::metrics() const
{
    ChannelMetrics m = m_metrics;
    m.bytesQueued = m_context.queuedBytesTotal;
    for (const SocketSession *s : m_sessions) {
        m.framesQueued += s->queuedFrames();
        m.messagesOut += s->framesSent();
    }
    return m;
}

} // namespace Kyozo::Server
