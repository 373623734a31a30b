#include "channelconnection.h"

#include "protocol/phoenixmessage.h"
#include "protocol/presencestate.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcChannel, "kyozo.channel")

namespace Kyozo::App {

using Protocol::PhoenixMessage;

ChannelConnection::ChannelConnection(QObject *parent)
    : QObject(parent)
{
    // Every message in one frame: Qt 6.4 splits longer ones into 512 KiB frames at byte
    // boundaries, and its receiver (kyozo-server) closes with 1007 when one ends inside a
    // UTF-8 sequence (an op inserting 256 KiB of non-ASCII text is ~768 KB).
    m_socket.setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
    m_heartbeat.setInterval(kHeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        send(QString::fromLatin1(Protocol::PhoenixTopic),
             QString::fromLatin1(Protocol::Event::Heartbeat), {}, false);
    });
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &ChannelConnection::connectSocket);
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_joinRef
            = QString::number(m_ref + 1); // the join's ref is its join_ref, as phoenix.js does
        send(m_topic, QString::fromLatin1(Protocol::Event::Join), m_joinPayload, true);
        m_heartbeat.start();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ChannelConnection::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_heartbeat.stop();
        m_presence = {};
        emit presenceChanged();
        setState(State::Disconnected);
        if (m_wanted)
            m_retry.start();
    });
    // Qt 6.4 names it error(); errorOccurred() came in 6.5.
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                m_lastError = m_socket.errorString();
                qCInfo(lcChannel) << "socket error:" << m_lastError;
                // A refused upgrade is the server saying no to the token (SPEC §11: HTTP 403):
                // retrying with the same token cannot help, so the owner decides what comes next.
                if (m_lastError.contains(QLatin1String("403"))) {
                    m_wanted = false;
                    m_retry.stop();
                    emit refused(m_lastError);
                }
            });
}

ChannelConnection::~ChannelConnection()
{
    m_wanted = false;
    m_socket.abort();
}

void ChannelConnection::open(const QUrl &server, const QString &token, const QString &topic)
{
    m_server = server;
    m_token = token;
    m_topic = topic;
    m_wanted = true;
    m_retry.stop();
    m_socket.abort();
    connectSocket();
}

void ChannelConnection::close()
{
    m_wanted = false;
    m_retry.stop();
    m_socket.close();
}

void ChannelConnection::connectSocket()
{
    if (!m_wanted)
        return;
    QUrl url = m_server;
    url.setScheme(m_server.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                              : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/socket/websocket"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("vsn"), QStringLiteral("2.0.0"));
    query.addQueryItem(QStringLiteral("token"), m_token);
    query.addQueryItem(QStringLiteral("client"), QStringLiteral("kyozo-desktop"));
    url.setQuery(query);
    setState(State::Connecting);
    m_socket.open(url);
}

QString ChannelConnection::push(const QString &event, const QJsonObject &payload)
{
    if (m_state != State::Connected)
        return {};
    send(m_topic, event, payload, true);
    return QString::number(m_ref);
}

void ChannelConnection::send(const QString &topic, const QString &event, const QJsonObject &payload,
                             bool withJoinRef)
{
    PhoenixMessage message;
    if (withJoinRef)
        message.joinRef = m_joinRef;
    message.ref = QString::number(++m_ref);
    message.topic = topic;
    message.event = event;
    message.payload = payload;
    m_socket.sendTextMessage(QString::fromUtf8(message.encode()));
}

void ChannelConnection::onText(const QString &text)
{
    QString error;
    const auto message = PhoenixMessage::decode(text.toUtf8(), &error);
    if (!message) {
        qCWarning(lcChannel) << "bad frame from the server:" << error;
        return;
    }
    if (message->topic != m_topic)
        return;
    const QJsonObject payload = message->payload.toObject();
    if (message->event == QLatin1String(Protocol::Event::Reply) && message->ref == m_joinRef) {
        if (payload.value(QLatin1String("status")).toString() == QLatin1String("ok")) {
            setState(State::Connected);
            emit joined(payload.value(QLatin1String("response")).toObject());
        } else {
            m_lastError = payload.value(QLatin1String("response"))
                              .toObject()
                              .value(QLatin1String("reason"))
                              .toString();
            emit refused(m_lastError);
        }
    } else if (message->event == QLatin1String("presence_state")) {
        m_presence = payload; // the whole state, as phoenix.js syncState from nothing
        emit presenceChanged();
    } else if (message->event == QLatin1String("presence_diff")) {
        m_presence = Protocol::PresenceState::applyDiff(m_presence, payload);
        emit presenceChanged();
    } else if (message->event == QLatin1String(Protocol::Event::Reply)) {
        emit replied(message->ref.value_or(QString()),
                     payload.value(QLatin1String("status")).toString() == QLatin1String("ok"),
                     payload.value(QLatin1String("response")).toObject());
    } else if (message->event == QLatin1String(Protocol::Event::Close)
               || message->event == QLatin1String(Protocol::Event::Error)) {
        m_socket.close(); // rejoin through a fresh socket
    } else {
        emit received(message->event, payload);
    }
}

void ChannelConnection::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

QStringList ChannelConnection::presentNames() const
{
    QStringList names;
    for (auto it = m_presence.begin(); it != m_presence.end(); ++it) {
        const QJsonArray metas = it.value().toObject().value(QLatin1String("metas")).toArray();
        names.append(metas.isEmpty()
                         ? it.key()
                         : metas.first().toObject().value(QLatin1String("name")).toString());
    }
    names.sort();
    return names;
}

} // namespace Kyozo::App
