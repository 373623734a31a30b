#pragma once

#include "channels/ratelimiter.h"
#include "serverconfig.h"
#include "storage/accountstore.h"

#include <QList>
#include <QMap>
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
    QMap<QString, Joined> &joined() { return m_joined; }
    void send(const Protocol::PhoenixMessage &message);
    void sendText(const QString &frame);
    void close(int code, const QString &reason);
    void heartbeat() { m_heartbeat.start(); }
    // Frames waiting for the kernel to take the ones before them (see sendText).
    qsizetype queuedFrames() const { return m_outbox.size(); }
    // Frames accepted for sending since the socket opened (kyozo_messages_out_total). A
    // count, not a signal per frame: a broadcast to 10,000 sockets would emit 10,000.
    quint64 framesSent() const { return m_framesSent; }

signals:
    void messageReceived(Kyozo::Server::SocketSession *session, const QString &frame);
    void closed(Kyozo::Server::SocketSession *session);

private:
    // Qt 6 appends a payload of 4 KiB or more (QRINGBUFFER_CHUNKSIZE) to a socket's write
    // buffer as it is, not copied into the buffer's chunk, and allocates a new chunk after
    // it (qiodevice.cpp; the new chunks show in heaptrack). Counted in characters: the
    // UTF-8 payload is at least as long.
    static constexpr qsizetype kLargeFrameChars = 4096;
    static constexpr qint64 kTrimIntervalMs = 5;
    void writeFrame(const QString &frame);
    void drainOutbox();

    std::unique_ptr<QWebSocket> m_socket;
    // Broadcast frames stay shared between the sockets' outboxes. A QList, not a std::deque,
    // which allocates half a KiB per socket before anything is queued.
    QList<QString> m_outbox;
    QMetaObject::Connection m_drainConnection;
    Identity m_identity;
    QString m_client;
    RateLimiter m_rate;
    QTimer m_heartbeat;
    // A QMap, not a QHash: a socket joins a few topics, and a QHash reserves and writes
    // room for dozens of entries (~3.5 KiB per socket) at its first insert.
    QMap<QString, Joined> m_joined;
    qsizetype m_maxQueuedFrames;
    quint64 m_framesSent = 0;
    bool m_closing = false;
    bool m_draining = false;
    bool m_lastFrameLarge = false;
};

} // namespace Kyozo::Server
