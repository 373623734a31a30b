#include "phoenixmessage.h"
#include "json.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Kyozo::Protocol {

namespace {
QJsonValue refValue(const std::optional<QString> &ref)
{
    return ref ? QJsonValue(*ref) : QJsonValue(QJsonValue::Null);
}

bool readRef(const QJsonValue &v, std::optional<QString> *out)
{
    if (v.isNull()) {
        out->reset();
        return true;
    }
    if (v.isString()) {
        *out = v.toString();
        return true;
    }
    // The JS client always sends strings; accept numbers as their decimal text.
    if (v.isDouble()) {
        *out = QString::number(v.toInteger());
        return true;
    }
    return false;
}

// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS; a free tr() would be filed under the
// enclosing class ("lacks Q_OBJECT macro") and its translation never found at run time.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(PhoenixMessage)
};
} // namespace

QByteArray PhoenixMessage::encode() const
{
    const QJsonArray frame{ refValue(joinRef), refValue(ref), topic, event, payload };
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

std::optional<PhoenixMessage> PhoenixMessage::decode(QByteArrayView frame, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = parseJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = Tr::tr("frame is not JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isArray() || doc.array().size() != 5) {
        *error = Tr::tr("frame must be an array [join_ref, ref, topic, event, payload]");
        return std::nullopt;
    }
    const QJsonArray a = doc.array();
    PhoenixMessage m;
    if (!readRef(a[0], &m.joinRef) || !readRef(a[1], &m.ref)) {
        *error = Tr::tr("join_ref and ref must be strings or null");
        return std::nullopt;
    }
    if (!a[2].isString() || !a[3].isString() || a[2].toString().isEmpty() || a[3].toString().isEmpty()) {
        *error = Tr::tr("topic and event must be non-empty strings");
        return std::nullopt;
    }
    m.topic = a[2].toString();
    m.event = a[3].toString();
    m.payload = a[4];
    return m;
}

QByteArray encodeFrame(const std::optional<QString> &joinRef, const std::optional<QString> &ref,
                       const QString &topic, const QString &event, QByteArrayView payloadJson)
{
    QByteArray head = QJsonDocument(QJsonArray{ refValue(joinRef), refValue(ref), topic, event })
                              .toJson(QJsonDocument::Compact);
    head.chop(1); // the closing ']'
    head.reserve(head.size() + payloadJson.size() + 2);
    head += ',';
    head += payloadJson;
    head += ']';
    return head;
}

PhoenixMessage reply(const PhoenixMessage &request, bool ok, const QJsonObject &response)
{
    PhoenixMessage m;
    m.joinRef = request.joinRef;
    m.ref = request.ref;
    m.topic = request.topic;
    m.event = QString::fromLatin1(Event::Reply);
    m.payload = QJsonObject{ { "status", ok ? QStringLiteral("ok") : QStringLiteral("error") },
                             { "response", response } };
    return m;
}

} // namespace Kyozo::Protocol
