#pragma once

#include "channels/ratelimiter.h"
#include "serverconfig.h"
#include "storage/accountstore.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QWebSocket>
#include <memory>

namespace Kyozo::Protocol {
struct PhoenixMessage;
}

namespace Kyozo::Server {

// One client connection: its identity, the topics it joined, and the per-socket rules
// (frame cap, rate limit, heartbeat timeout).
class SocketSession : public QObject
{
    Q_OBJECT
public:
    struct Joined
    {
        QString joinRef;
        QString phxRef; // its presence meta
    };

    SocketSession(std::unique_ptr<QWebSocket> socket, Identity identity, const Limits &limits,
                  QObject *parent = nullptr);
    ~SocketSession() override;

    const Identity &identity() const { return m_identity; }
    QString client() const { return m_client; }
    QHash<QString, Joined> &joined() { return m_joined; }
    void send(const Protocol::PhoenixMessage &message);
    void sendText(const QString &frame);
    void close(int code, const QString &reason);
    void heartbeat() { m_heartbeat.start(); }

signals:
    void messageReceived(Kyozo::Server::SocketSession *session, const QString &frame);
    void closed(Kyozo::Server::SocketSession *session);
    void messageSent();

private:
    std::unique_ptr<QWebSocket> m_socket;
    Identity m_identity;
    QString m_client;
    RateLimiter m_rate;
    QTimer m_heartbeat;
    QHash<QString, Joined> m_joined;
    bool m_closing = false;
};

} // namespace Kyozo::Server
