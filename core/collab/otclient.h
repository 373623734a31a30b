#pragma once

#include "textoperation.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace Kyozo::Collab {

// One `op` push (SPEC §11 "Co-editing"): the operation, the revision it was made on, and
// the client-chosen id the server keeps with it so that a resend after a lost ack is
// applied once (docs/server.md, "Co-editing").
struct OtPush
{
    qint64 revision = 0;
    TextOperation operation;
    QString opId;

    // {"revision": R, "ops": [...], "op_id": "..."}
    QJsonObject toJson() const;
};

// What the caller does after telling the client of an event: apply `apply` to the local
// document in order (each op on the text the previous one left), then push `send`.
struct OtEffects
{
    std::vector<TextOperation> apply;
    std::optional<OtPush> send;
    // Set when the event does not fit the client's state (a revision out of order, an
    // operation that does not apply to the server's text): nothing changed; the caller
    // rejoins, which ends in reconnected().
    QString error;
    // The server's text is not known any more (see OtClient): join the topic again and pass
    // the reply to reconnected(). Remote operations are ignored until then.
    bool rejoin = false;
};

// The client side of server-authoritative OT (SPEC §5): ot.js 0.0.15's `Client` state
// machine — synchronized, awaiting ack, awaiting ack with a buffer
// (https://github.com/Operational-Transformation/ot.js, lib/client.js) — plus what ot.js
// leaves out: edits made offline, the resend of the outstanding operation on reconnect
// without duplicating it when its ack was lost, the server's `resync` refusal, and other
// refusals. Local edits never wait: applyLocal only decides whether to send now.
//
// Reconnecting (reconnected(), after the join reply's {revision, content}): the client
// keeps the server's text at its last revision, so the difference to the joined content is
// everything it missed — but it cannot tell from the text whether its outstanding operation
// is in it (its ack may have been lost with the connection). So it sends the very same push
// again (the same revision, operation and op_id; docs/server.md "Resending without
// duplicates") and holds remote operations back until the answer:
// - `ok` with a revision up to the joined one is the server's duplicate answer: the
//   operation is in the joined content, and what was missed is the difference from the
//   server's text with it applied, which the buffer is transformed past;
// - `ok` with a later revision: it was applied only now, transformed past operations this
//   client never saw, so the server's text is not known here; `rejoin` asks the caller to
//   join again, and that join reply is taken as holding the operation.
// Every replica ends on the server's text; the op_id only keeps the text from doubling.
class OtClient
{
public:
    enum class State { Synchronized, AwaitingAck, AwaitingAckWithBuffer };

    // A client joined at `revision` with the server's `content`. `clientId` prefixes every
    // op_id; empty: a random one.
    OtClient(qint64 revision, const QString &content, const QString &clientId = {});

    // The local user changed the document by `operation` (already applied there).
    OtEffects applyLocal(const TextOperation &operation);
    // `phx_reply ok {"revision": N}` to the outstanding push.
    OtEffects serverAck(qint64 revision);
    // `op {"revision": N, "ops"}` from another client.
    OtEffects applyServer(qint64 revision, const TextOperation &operation);
    // The outstanding push was refused (`bad_op`, `forbidden`, `too_large`): the pending
    // edits are dropped; `apply` undoes them locally.
    OtEffects refused();
    // The `resync` refusal {revision, content}: the push was not applied; the pending edits
    // are rebased onto `content` and sent again.
    OtEffects resync(qint64 revision, const QString &content);

    // The socket closed. Edits stay queued; remote operations stop until reconnected().
    void disconnected();
    // Joined again; the join reply's {revision, content}.
    OtEffects reconnected(qint64 revision, const QString &content);

    bool isOnline() const { return m_online; }
    bool isRecovering() const { return m_recovery.has_value() || m_awaitingRejoin; }
    State state() const;
    // The last revision of the server the client has.
    qint64 revision() const { return m_revision; }
    // The server's text at revision().
    const QString &serverText() const { return m_serverText; }
    std::optional<TextOperation> outstanding() const;
    std::optional<TextOperation> buffer() const;
    // Local edits not yet acknowledged (the status bar's "n waiting").
    int pendingCount() const;
    // The length of the local document the client expects (serverText with the pending
    // edits applied).
    qsizetype localLength() const;
    // A position in the server's text at revision() moved onto the local document (ot.js
    // transformSelection: through the outstanding operation, then the buffer).
    qsizetype transformServerPosition(qsizetype position) const;

private:
    struct Pending
    {
        TextOperation operation;
        QString opId;
        int edits = 0;
        bool sent = false; // it may have reached the server
    };
    struct Recovery
    {
        qint64 revision = 0; // the joined revision
        QString content;
        std::vector<std::pair<qint64, TextOperation>> held; // remote ops after `revision`
    };

    OtPush sendOutstanding();
    QString nextOpId();
    OtEffects applyRemote(qint64 revision, const TextOperation &operation);
    OtEffects rebaseOnto(qint64 revision, const QString &content);
    OtEffects finishRecovery(qint64 ackRevision);
    OtEffects adoptWithOutstanding(qint64 revision, const QString &content,
                                   const std::vector<std::pair<qint64, TextOperation>> &held = {});

    qint64 m_revision = 0;
    QString m_serverText;
    QString m_clientId;
    quint64 m_nextOp = 1;
    bool m_online = true;
    std::optional<Pending> m_outstanding;
    std::optional<Pending> m_buffer;
    std::optional<Recovery> m_recovery;
    // The outstanding operation is on the server, at a text this client does not know: the
    // next join reply holds it.
    bool m_awaitingRejoin = false;
};

} // namespace Kyozo::Collab
