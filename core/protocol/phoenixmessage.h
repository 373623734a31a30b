#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <optional>

namespace Kyozo::Protocol {

// One frame of the Phoenix Channels v2 JSON serializer (SPEC §4):
// [join_ref, ref, topic, event, payload]; join_ref and ref are strings or null.
struct PhoenixMessage
{
    std::optional<QString> joinRef;
    std::optional<QString> ref;
    QString topic;
    QString event;
    QJsonValue payload;

    QByteArray encode() const;
    // A frame that is not exactly this shape yields nullopt and a one-line reason.
    static std::optional<PhoenixMessage> decode(QByteArrayView frame, QString *error);
};

// Control events and the reply helpers every channel uses.
namespace Event {
inline constexpr auto Join = "phx_join";
inline constexpr auto Leave = "phx_leave";
inline constexpr auto Reply = "phx_reply";
inline constexpr auto Error = "phx_error";
inline constexpr auto Close = "phx_close";
inline constexpr auto Heartbeat = "heartbeat";
} // namespace Event
inline constexpr auto PhoenixTopic = "phoenix";

PhoenixMessage reply(const PhoenixMessage &request, bool ok, const QJsonObject &response);

// The same frame with a payload that is already JSON text (large payloads such as a
// presence_state are kept encoded rather than rebuilt as QJsonObject for every send).
QByteArray encodeFrame(const std::optional<QString> &joinRef, const std::optional<QString> &ref,
                       const QString &topic, const QString &event, QByteArrayView payloadJson);

} // namespace Kyozo::Protocol
