#pragma once

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace Kyozo::App {

// The app's side of the channel protocol (SPEC §4): one socket, one joined topic, heartbeats,
// presence. Frames and presence merging come from core/protocol; nothing from server/.
// Reconnects by itself while open() is in force.
class ChannelConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    explicit ChannelConnection(QObject *parent = nullptr);
    ~ChannelConnection() override;

    // `server`: http://host:port of a kyozo-server. `client` names this app in presence metas.
    void open(const QUrl &server, const QString &token, const QString &topic);
    void close();
    // Sent with every join, rejoins after a reconnect included (e.g. {"batch": true}).
    void setJoinPayload(const QJsonObject &payload) { m_joinPayload = payload; }

    // Pushes an event on the joined topic; returns its ref, which replied() names, or an
    // empty string when the topic is not joined (nothing is sent).
    QString push(const QString &event, const QJsonObject &payload);

    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    // presence_state as merged so far: user id → {"metas": [...]}.
    QJsonObject presence() const { return m_presence; }
    // One name per present user, sorted.
    QStringList presentNames() const;

    static constexpr int kHeartbeatMs = 30000; // phoenix.js default
    static constexpr int kRetryMs = 1000;

signals:
    void stateChanged(State state);
    void presenceChanged();
    // The server refused the token or the topic (HTTP 403 or a join error).
    void refused(const QString &reason);
    // The join (or a rejoin after a reconnect) was accepted; `response` is the reply's.
    void joined(const QJsonObject &response);
    // The reply to a push(): phx_reply with its status and response.
    void replied(const QString &ref, bool ok, const QJsonObject &response);
    // Any other event of the topic (op, cursor, selection, …).
    void received(const QString &event, const QJsonObject &payload);

private:
    void connectSocket();
    void onText(const QString &text);
    void setState(State state);
    void send(const QString &topic, const QString &event, const QJsonObject &payload,
              bool withJoinRef);

    QWebSocket m_socket;
    QTimer m_heartbeat;
    QTimer m_retry;
    QUrl m_server;
    QString m_token;
    QString m_topic;
    QString m_joinRef;
    QString m_lastError;
    QJsonObject m_presence;
    QJsonObject m_joinPayload;
    quint64 m_ref = 0;
    State m_state = State::Disconnected;
    bool m_wanted = false;
};

} // namespace Kyozo::App
