// libFuzzer target (issue 14 item 11): the Phoenix Channels v2 frame codec (SPEC §4) on any
// bytes, as the server reads every text frame a client sends and the app every frame a server
// sends. Oracles where they hold:
//  - a frame that decodes re-encodes to one that decodes to the same message, and encoding is
//    then a fixed point (refs sent as numbers come back as their decimal strings);
//  - encodeFrame (payload spliced in as JSON text) writes exactly what encode() writes;
//  - a topic that Topic::parse accepts prints back as the same string.
// Presence takes outside input on the client side (PresenceState::applyDiff on whatever a server
// sends): an object payload is applied as a diff, and is also replayed as a sequence of server
// joins and leaves whose diffs, applied by the client from nothing, must rebuild exactly the
// server's state — and the server's spliced encodedState() must be that state as JSON.
#include "protocol/json.h"
#include "protocol/phoenixmessage.h"
#include "protocol/presencestate.h"
#include "protocol/topic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace Kyozo::Protocol;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_phoenix: %s\n", what);
        __builtin_trap();
    }
}

bool same(const PhoenixMessage &a, const PhoenixMessage &b)
{
    return a.joinRef == b.joinRef && a.ref == b.ref && a.topic == b.topic && a.event == b.event
        && a.payload == b.payload;
}

void roundTrip(const PhoenixMessage &message)
{
    const QByteArray encoded = message.encode();
    QString error;
    const std::optional<PhoenixMessage> again = PhoenixMessage::decode(encoded, &error);
    check(again.has_value(), "an encoded frame does not decode");
    check(same(message, *again), "decode(encode(m)) != m");
    check(again->encode() == encoded, "encode is not a fixed point");

    if (message.payload.isObject() || message.payload.isArray()) {
        const QJsonDocument payload = message.payload.isObject()
            ? QJsonDocument(message.payload.toObject())
            : QJsonDocument(message.payload.toArray());
        check(encodeFrame(message.joinRef, message.ref, message.topic, message.event,
                          payload.toJson(QJsonDocument::Compact))
                  == encoded,
              "encodeFrame differs from encode");
    }

    if (const std::optional<Topic> topic = Topic::parse(message.topic))
        check(topic->toString() == message.topic, "Topic::parse then toString changed the topic");
}

// Replays the object as server events, member by member in key order: each element of an array
// value (or the value itself if it is not an array) is one event for that key. An object joins
// the key with the object as its meta, under a fresh phx_ref as ChannelHub assigns them ("1",
// "2", ...); anything else leaves that key's meta whose phx_ref is the value's text (an unknown
// ref is a no-op). So {"alice":[{},{"x":1},"1"]} joins alice twice, then leaves the first.
void replayPresence(const QJsonObject &events)
{
    PresenceState server;
    QJsonObject client;
    int nextRef = 0;
    const auto apply = [&](const QString &key, const QJsonValue &event) {
        QJsonObject diff;
        if (event.isObject()) {
            QJsonObject meta = event.toObject();
            meta.insert(QLatin1String("phx_ref"), QString::number(++nextRef));
            diff = server.join(key, meta);
        } else {
            const QString ref
                = event.isString() ? event.toString() : QString::number(event.toInteger());
            diff = server.leave(key, ref);
        }
        client = PresenceState::applyDiff(client, diff);
    };
    for (auto it = events.begin(); it != events.end(); ++it) {
        if (it.value().isArray()) {
            for (const QJsonValue &event : it.value().toArray())
                apply(it.key(), event);
        } else {
            apply(it.key(), it.value());
        }
    }
    const QJsonObject state = server.state();
    check(client == state, "presence diffs applied by a client do not rebuild the server's state");
    QJsonParseError parseError;
    // Read as a client reads frames (Protocol::parseJson keeps a leading U+FEFF of a string,
    // which QJsonDocument::fromJson drops).
    const QJsonDocument encoded = parseJson(server.encodedState(), &parseError);
    check(parseError.error == QJsonParseError::NoError && encoded.isObject(),
          "encodedState is not a JSON object");
    check(encoded.object() == state, "encodedState differs from state()");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const std::optional<PhoenixMessage> message = PhoenixMessage::decode(frame, &error);
    if (!message) {
        check(!error.isEmpty(), "a refused frame came without a reason");
        return 0;
    }
    roundTrip(*message);
    if (message->payload.isObject()) {
        const QJsonObject payload = message->payload.toObject();
        // The client applies whatever arrives as presence_state or presence_diff.
        const QJsonObject state = PresenceState::applyDiff({}, payload);
        PresenceState::applyDiff(state, payload);
        replayPresence(payload);
    }
    return 0;
}
