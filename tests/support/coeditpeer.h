#pragma once

#include "collab/otclient.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace KyozoTest {

// Runs the event loop until `done` or the timeout, waking as soon as an event arrives (not on
// a fixed tick as spinUntil does: a round trip per step stays a round trip).
bool waitForEvents(const std::function<bool()> &done, int timeoutMs);

// One co-editing client against a real kyozo-server (issue 15's proofs): a Phoenix v2
// socket joined to `execution:notebook:{id}`, core's OtClient as the state machine and a
// local copy of the text the effects are applied to. Everything is asynchronous (frames are
// handled as they arrive), so many peers run in one event loop. The peer rejoins when asked
// (reconnect()), never by itself.
class CoeditPeer : public QObject
{
    Q_OBJECT
public:
    CoeditPeer(const QString &notebookId, const QString &name);

    // Opens the socket to `socketUrl` (token included) and joins. The first join creates the
    // state machine from the join reply; later ones are OtClient::reconnected.
    void connectTo(const QUrl &socketUrl);
    // Drops the connection at once, as a network failure does (no phx_leave).
    void drop();
    // Joins with {"batch": true} from the next join on (docs/server.md "Co-editing",
    // batches): other authors' operations come as `ops` runs of consecutive revisions, each
    // applied in order, and the ack of an own push in its place between two runs.
    void setBatch(bool batch) { m_batch = batch; }

    // A local edit on text(); applied here at once, sent when the state machine says so.
    // False (nothing done) before the first join reply.
    bool edit(const Kyozo::Collab::TextOperation &operation);

    bool hasJoined() const { return bool(m_client); }
    bool isConnected() const { return m_joined; }
    // Joined, nothing pending, nothing held.
    bool isSettled() const;
    const QString &text() const { return m_text; }
    const Kyozo::Collab::OtClient *client() const { return m_client.get(); }
    // Local edits so far, and how many of the first of them the server has acknowledged
    // (edits are acknowledged in the order they were made).
    int editCount() const { return m_edits; }
    int acknowledgedEdits() const { return m_acknowledged; }
    // The first thing that went wrong (a refusal, a state-machine error, bad JSON); empty if
    // none.
    const QString &error() const { return m_error; }
    int joins() const { return m_joinCount; }
    // Every frame received so far (replies, `op`, `ops`, presence).
    qint64 framesReceived() const { return m_framesReceived; }
    // Milliseconds from each push to its ack, in order.
    const QList<double> &ackLatencies() const { return m_ackLatencies; }

    // For benchmarks: a monotonic clock (ns), and hooks called as a broadcast `op` arrives
    // (its revision; for an `ops` run once per revision of it) and as an ack arrives (the
    // revision, and when its push was sent).
    static qint64 clockNs();
    std::function<void(qint64 revision)> onRemoteOperation;
    std::function<void(qint64 revision, qint64 sentNs)> onAcknowledged;

private:
    void onFrame(const QString &text);
    void take(const Kyozo::Collab::OtEffects &effects);
    void send(const QString &event, const QJsonObject &payload, const QString &ref);
    void fail(const QString &why);
    void join();
    void remoteOperation(qint64 revision, const QJsonValue &ops);

    QString m_topic;
    QString m_name;
    QWebSocket m_socket;
    QTimer m_heartbeat;
    std::unique_ptr<Kyozo::Collab::OtClient> m_client;
    QString m_text;
    QString m_joinRef;
    QString m_pushRef; // the ref of the push awaiting its answer
    qint64 m_pushSentAt = 0;
    int m_nextRef = 1;
    qint64 m_framesReceived = 0;
    bool m_joined = false;
    bool m_batch = false;
    int m_joinCount = 0;
    int m_edits = 0;
    int m_acknowledged = 0;
    QString m_error;
    QList<double> m_ackLatencies;
};

} // namespace KyozoTest
