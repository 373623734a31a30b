#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Kyozo::Protocol {

// Presence on one topic as the `Presence` object of the `phoenix` JS client consumes it
// (SPEC §4, §11): keys are user ids, each with one meta per connection, every meta
// carrying its `phx_ref`. Produces the `presence_state` and `presence_diff` payloads.
class PresenceState
{
public:
    // Adds a meta (must contain "phx_ref"); returns the presence_diff payload announcing it.
    QJsonObject join(const QString &key, const QJsonObject &meta);
    // Removes the meta with this phx_ref; returns the diff, or an empty object if unknown.
    QJsonObject leave(const QString &key, const QString &phxRef);

    QJsonObject state() const; // the presence_state payload
    // The same payload as compact JSON text, spliced from metas encoded once when they
    // joined: a join to a topic of N presences costs O(N) bytes copied, not N objects built.
    QByteArray encodedState() const;
    bool isEmpty() const { return m_metas.isEmpty(); }
    qsizetype metaCount(const QString &key) const { return m_metas.value(key).size(); }

    // Applies a presence_state or presence_diff payload (the client side of the same
    // protocol, used by the app and by tests).
    static QJsonObject applyDiff(QJsonObject state, const QJsonObject &diff);

private:
    QHash<QString, QList<QJsonObject>> m_metas;
    QHash<QString, QList<QByteArray>> m_encoded;  // same order as m_metas
    QHash<QString, QByteArray> m_encodedKeys;     // JSON string literals
};

} // namespace Kyozo::Protocol
