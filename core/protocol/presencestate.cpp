#include "presencestate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace Kyozo::Protocol {

namespace {
QJsonObject entry(const QJsonObject &meta)
{
    return QJsonObject{ { "metas", QJsonArray{ meta } } };
}
} // namespace

QJsonObject PresenceState::join(const QString &key, const QJsonObject &meta)
{
    m_metas[key].append(meta);
    m_encoded[key].append(QJsonDocument(meta).toJson(QJsonDocument::Compact));
    if (!m_encodedKeys.contains(key)) {
        QByteArray literal = QJsonDocument(QJsonArray{ key }).toJson(QJsonDocument::Compact);
        m_encodedKeys.insert(key, literal.mid(1, literal.size() - 2)); // strip [ ]
    }
    return QJsonObject{ { "joins", QJsonObject{ { key, entry(meta) } } }, { "leaves", QJsonObject{} } };
}

QJsonObject PresenceState::leave(const QString &key, const QString &phxRef)
{
    auto it = m_metas.find(key);
    if (it == m_metas.end())
        return {};
    for (qsizetype i = 0; i < it->size(); ++i) {
        if (it->at(i).value(QLatin1String("phx_ref")).toString() == phxRef) {
            const QJsonObject meta = it->takeAt(i);
            m_encoded[key].removeAt(i);
            if (it->isEmpty()) {
                m_metas.erase(it);
                m_encoded.remove(key);
                m_encodedKeys.remove(key);
            }
            return QJsonObject{ { "joins", QJsonObject{} },
                                { "leaves", QJsonObject{ { key, entry(meta) } } } };
        }
    }
    return {};
}

QJsonObject PresenceState::state() const
{
    QJsonObject out;
    for (auto it = m_metas.begin(); it != m_metas.end(); ++it) {
        QJsonArray metas;
        for (const QJsonObject &m : it.value())
            metas.append(m);
        out.insert(it.key(), QJsonObject{ { "metas", metas } });
    }
    return out;
}

QByteArray PresenceState::encodedState() const
{
    QByteArray out = "{";
    for (auto it = m_encoded.begin(); it != m_encoded.end(); ++it) {
        if (out.size() > 1)
            out += ',';
        out += m_encodedKeys.value(it.key());
        out += ":{\"metas\":[";
        for (qsizetype i = 0; i < it->size(); ++i) {
            if (i)
                out += ',';
            out += it->at(i);
        }
        out += "]}";
    }
    out += '}';
    return out;
}

QJsonObject PresenceState::applyDiff(QJsonObject state, const QJsonObject &diff)
{
    const QJsonObject joins = diff.value(QLatin1String("joins")).toObject();
    for (auto it = joins.begin(); it != joins.end(); ++it) {
        // As phoenix.js syncDiff: the joined metas, after the current ones whose phx_ref
        // they do not repeat (a client may see its own join in the state and in a diff).
        const QJsonArray joined = it.value().toObject().value(QLatin1String("metas")).toArray();
        QSet<QString> joinedRefs;
        for (const QJsonValue &m : joined)
            joinedRefs.insert(m.toObject().value(QLatin1String("phx_ref")).toString());
        QJsonArray metas;
        for (const QJsonValue &m : state.value(it.key()).toObject().value(QLatin1String("metas")).toArray())
            if (!joinedRefs.contains(m.toObject().value(QLatin1String("phx_ref")).toString()))
                metas.append(m);
        for (const QJsonValue &m : joined)
            metas.append(m);
        state.insert(it.key(), QJsonObject{ { "metas", metas } });
    }
    const QJsonObject leaves = diff.value(QLatin1String("leaves")).toObject();
    for (auto it = leaves.begin(); it != leaves.end(); ++it) {
        QJsonArray metas = state.value(it.key()).toObject().value(QLatin1String("metas")).toArray();
        for (const QJsonValue &gone : it.value().toObject().value(QLatin1String("metas")).toArray()) {
            const QString ref = gone.toObject().value(QLatin1String("phx_ref")).toString();
            for (qsizetype i = 0; i < metas.size(); ++i) {
                if (metas[i].toObject().value(QLatin1String("phx_ref")).toString() == ref) {
                    metas.removeAt(i);
                    break;
                }
            }
        }
        if (metas.isEmpty())
            state.remove(it.key());
        else
            state.insert(it.key(), QJsonObject{ { "metas", metas } });
    }
    return state;
}

} // namespace Kyozo::Protocol
