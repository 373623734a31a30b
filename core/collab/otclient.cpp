#include "otclient.h"

#include <QUuid>

namespace Kyozo::Collab {

namespace {

    OtEffects failure(const QString &message)
    {
        OtEffects effects;
        effects.error = message;
        return effects;
    }

    // Appends `more` (which happened after `effects`) to `effects`.
    void append(OtEffects &effects, OtEffects more)
    {
        for (TextOperation &op : more.apply)
            effects.apply.push_back(std::move(op));
        if (more.send)
            effects.send = std::move(more.send);
        if (!more.error.isEmpty())
            effects.error = more.error;
    }

    void applyIfNotNoop(OtEffects &effects, const TextOperation &op)
    {
        if (!op.isNoop())
            effects.apply.push_back(op);
    }

} // namespace

QJsonObject OtPush::toJson() const
{
    QJsonObject push { { QStringLiteral("revision"), revision },
                       { QStringLiteral("ops"), operation.toJson() } };
    if (!opId.isEmpty())
        push.insert(QStringLiteral("op_id"), opId);
    return push;
}

OtClient::OtClient(qint64 revision, const QString &content, const QString &clientId)
    : m_revision(revision)
    , m_serverText(content)
    , m_clientId(clientId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : clientId)
{
}

OtClient::State OtClient::state() const
{
    if (!m_outstanding)
        return State::Synchronized;
    return m_buffer ? State::AwaitingAckWithBuffer : State::AwaitingAck;
}

std::optional<TextOperation> OtClient::outstanding() const
{
    if (!m_outstanding)
        return std::nullopt;
    return m_outstanding->operation;
}

std::optional<TextOperation> OtClient::buffer() const
{
    if (!m_buffer)
        return std::nullopt;
    return m_buffer->operation;
}

int OtClient::pendingCount() const
{
    return (m_outstanding ? m_outstanding->edits : 0) + (m_buffer ? m_buffer->edits : 0);
}

qsizetype OtClient::localLength() const
{
    if (m_buffer)
        return m_buffer->operation.targetLength();
    if (m_outstanding)
        return m_outstanding->operation.targetLength();
    return m_serverText.size();
}

qsizetype OtClient::transformServerPosition(qsizetype position) const
{
    if (m_outstanding)
        position = m_outstanding->operation.transformPosition(position);
    if (m_buffer)
        position = m_buffer->operation.transformPosition(position);
    return position;
}

QString OtClient::nextOpId()
{
    return m_clientId + QLatin1Char(':') + QString::number(m_nextOp++);
}

OtPush OtClient::sendOutstanding()
{
    m_outstanding->sent = true;
    return { m_revision, m_outstanding->operation, m_outstanding->opId };
}

OtEffects OtClient::applyLocal(const TextOperation &operation)
{
    if (operation.baseLength() != localLength())
        return failure(QStringLiteral("a local operation on %1 code units, the document has %2")
                           .arg(operation.baseLength())
                           .arg(localLength()));
    if (operation.isNoop())
        return {};
    if (!m_outstanding) {
        m_outstanding = Pending { operation, nextOpId(), 1, false };
        if (m_online && !m_recovery && !m_awaitingRejoin)
            return { {}, sendOutstanding(), {} };
        return {};
    }
    // ot.js: while an operation is awaiting its ack, later edits are composed into one
    // buffer. An outstanding operation that never left (made offline) takes them itself.
    Pending &target = m_buffer ? *m_buffer : *m_outstanding;
    if (!m_buffer && m_outstanding->sent) {
        m_buffer = Pending { operation, {}, 1, false };
        return {};
    }
    target.operation = *target.operation.compose(operation);
    ++target.edits;
    return {};
}

OtEffects OtClient::serverAck(qint64 revision)
{
    if (!m_online)
        return failure(QStringLiteral("an ack while offline"));
    if (m_awaitingRejoin)
        return failure(QStringLiteral("an ack while waiting for a rejoin"));
    if (m_recovery)
        return finishRecovery(revision);
    if (!m_outstanding || !m_outstanding->sent)
        return failure(QStringLiteral("an ack with no operation awaiting one"));
    if (revision != m_revision + 1)
        return failure(
            QStringLiteral("an ack of revision %1, expected %2").arg(revision).arg(m_revision + 1));
    m_serverText = *m_outstanding->operation.apply(m_serverText);
    m_revision = revision;
    m_outstanding.reset();
    if (!m_buffer)
        return {};
    // ot.js AwaitingWithBuffer.serverAck: the buffer goes out next.
    m_outstanding = std::move(m_buffer);
    m_buffer.reset();
    m_outstanding->opId = nextOpId();
    return { {}, sendOutstanding(), {} };
}

OtEffects OtClient::applyServer(qint64 revision, const TextOperation &operation)
{
    if (!m_online)
        return failure(QStringLiteral("a remote operation while offline"));
    if (m_awaitingRejoin)
        return {}; // the rejoin's content holds it
    if (m_recovery) {
        // Held until the resend's answer says what the local document is to be.
        const qint64 expected = m_recovery->held.empty() ? m_recovery->revision + 1
                                                         : m_recovery->held.back().first + 1;
        if (revision != expected)
            return failure(QStringLiteral("a remote operation of revision %1, expected %2")
                               .arg(revision)
                               .arg(expected));
        m_recovery->held.emplace_back(revision, operation);
        return {};
    }
    return applyRemote(revision, operation);
}

OtEffects OtClient::applyRemote(qint64 revision, const TextOperation &operation)
{
    if (revision != m_revision + 1)
        return failure(QStringLiteral("a remote operation of revision %1, expected %2")
                           .arg(revision)
                           .arg(m_revision + 1));
    QString why;
    auto next = operation.apply(m_serverText, &why);
    if (!next)
        return failure(QStringLiteral("a remote operation that does not apply: %1").arg(why));
    m_serverText = std::move(*next);
    m_revision = revision;
    // ot.js AwaitingConfirm/AwaitingWithBuffer.applyServer.
    TextOperation local = operation;
    if (m_outstanding) {
        auto pair = *TextOperation::transform(m_outstanding->operation, local);
        m_outstanding->operation = std::move(pair.first);
        local = std::move(pair.second);
        if (m_buffer) {
            auto second = *TextOperation::transform(m_buffer->operation, local);
            m_buffer->operation = std::move(second.first);
            local = std::move(second.second);
        }
    }
    OtEffects effects;
    applyIfNotNoop(effects, local);
    return effects;
}

OtEffects OtClient::refused()
{
    if (!m_outstanding)
        return failure(QStringLiteral("a refusal with no operation awaiting an answer"));
    // Undo every pending edit locally: the document goes back to the server's text.
    TextOperation pending = m_outstanding->operation;
    if (m_buffer)
        pending = *pending.compose(m_buffer->operation);
    OtEffects effects;
    applyIfNotNoop(effects, pending.invert(m_serverText));
    m_outstanding.reset();
    m_buffer.reset();
    m_awaitingRejoin = false;
    if (m_recovery) {
        // The refused push was the resend: catch up with the joined content, then with what
        // came after it.
        Recovery recovery = std::move(*m_recovery);
        m_recovery.reset();
        append(effects, rebaseOnto(recovery.revision, recovery.content));
        for (const auto &[revision, op] : recovery.held)
            append(effects, applyRemote(revision, op));
    }
    return effects;
}

OtEffects OtClient::resync(qint64 revision, const QString &content)
{
    // The refused push was not applied, and `content` is the server's text after every remote
    // operation held so far. A resync of a resend cannot say whether the first copy got in
    // (docs/server.md: the history no longer reaches back); the pending edits are sent again
    // rather than lost.
    m_recovery.reset();
    m_awaitingRejoin = false;
    return rebaseOnto(revision, content);
}

OtEffects OtClient::rebaseOnto(qint64 revision, const QString &content)
{
    TextOperation missed = TextOperation::diff(m_serverText, content);
    m_serverText = content;
    m_revision = revision;
    OtEffects effects;
    if (!m_outstanding) {
        applyIfNotNoop(effects, missed);
        return effects;
    }
    // None of the pending edits is on the server: they go out again as one operation.
    TextOperation pending = m_outstanding->operation;
    int edits = m_outstanding->edits;
    if (m_buffer) {
        pending = *pending.compose(m_buffer->operation);
        edits += m_buffer->edits;
    }
    auto pair = *TextOperation::transform(pending, missed);
    applyIfNotNoop(effects, pair.second);
    m_buffer.reset();
    m_outstanding.reset();
    if (pair.first.isNoop())
        return effects;
    m_outstanding = Pending { std::move(pair.first), nextOpId(), edits, false };
    if (m_online)
        effects.send = sendOutstanding();
    return effects;
}

void OtClient::disconnected()
{
    m_online = false;
    m_recovery.reset();
}

OtEffects OtClient::reconnected(qint64 revision, const QString &content)
{
    m_online = true;
    m_recovery.reset();
    if (m_awaitingRejoin) {
        m_awaitingRejoin = false;
        return adoptWithOutstanding(revision, content);
    }
    if (!m_outstanding || !m_outstanding->sent)
        return rebaseOnto(revision, content); // nothing of ours can be in `content`
    // Ask by sending the same push again (ot.js's resend, with its op_id).
    m_recovery = Recovery { revision, content, {} };
    return { {}, OtPush { m_revision, m_outstanding->operation, m_outstanding->opId }, {}, false };
}

OtEffects OtClient::finishRecovery(qint64 ackRevision)
{
    Recovery recovery = std::move(*m_recovery);
    m_recovery.reset();
    if (ackRevision <= recovery.revision)
        return adoptWithOutstanding(recovery.revision, recovery.content, recovery.held);
    // Applied only now, transformed past operations this client never saw.
    m_awaitingRejoin = true;
    OtEffects effects;
    effects.rejoin = true;
    return effects;
}

OtEffects OtClient::adoptWithOutstanding(qint64 revision, const QString &content,
                                         const std::vector<std::pair<qint64, TextOperation>> &held)
{
    // `content` holds the outstanding operation: what this client missed is the difference
    // from the server's text with it applied.
    OtEffects effects;
    const QString withOurs = *m_outstanding->operation.apply(m_serverText);
    m_outstanding.reset();
    TextOperation local = TextOperation::diff(withOurs, content);
    if (m_buffer) {
        auto pair = *TextOperation::transform(m_buffer->operation, local);
        m_outstanding = std::move(m_buffer);
        m_buffer.reset();
        m_outstanding->operation = std::move(pair.first);
        local = std::move(pair.second);
        if (m_outstanding->operation.isNoop())
            m_outstanding.reset();
    }
    applyIfNotNoop(effects, local);
    m_serverText = content;
    m_revision = revision;
    if (m_outstanding) {
        m_outstanding->opId = nextOpId();
        effects.send = sendOutstanding();
    }
    for (const auto &[r, op] : held)
        append(effects, applyRemote(r, op));
    return effects;
}

} // namespace Kyozo::Collab
