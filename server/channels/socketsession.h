#pragma once

#include "channels/closelinger.h"
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

// What the sessions of one hub share.
struct SessionContext
{
    Limits limits;
    // Sum of the sessions' heldBytes() (max_queued_bytes_total, kyozo_bytes_queued).
    qint64 queuedBytesTotal = 0;
    ConnectionDescriptors descriptors;
    QObject *lingerParent = nullptr; // owns the CloseLingers of closed sessions
};

// One client connection: its identity, the topics it joined, and the per-socket rules
// (frame cap, message and byte rate limits, output caps, heartbeat timeout).
class SocketSession : public QObject
{
    Q_OBJECT
public:
    struct Joined
    {
        QString joinRef;
        QString phxRef; // its presence meta
        // Notebook topics (co-editing): whether the member may push `op` (not a viewer),
        // whether it asked for `ops` batches, and the revision its join reply held.
        bool canEdit = false;
        bool isOwner = false; // may run cells where [execution] run_role = "owner"
        bool batch = false;
        qint64 joinRevision = 0;
        qint64 onlineAt = 0; // its presence meta's online_at
    };

    SocketSession(std::unique_ptr<QWebSocket> socket, Identity identity, SessionContext *context,
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
    // Once closed: the code the connection ended with — the one the server sent, else the
    // client's, else 1006 (RFC 6455 §7.1.5: closed without a close frame).
    int closeCode() const { return m_closeCode; }

signals:
    // The frame as UTF-8, within the rate limits.
    void messageReceived(Kyozo::Server::SocketSession *session, const QByteArray &frame);
    void closed(Kyozo::Server::SocketSession *session);

private:
    // Qt 6 appends a payload of 4 KiB or more (QRINGBUFFER_CHUNKSIZE) to a socket's write
    // buffer as it is, not copied into the buffer's chunk, and allocates a new chunk after
    // it (qiodevice.cpp; the new chunks show in heaptrack). Counted in characters: the
    // UTF-8 payload is at least as long.
    static constexpr qsizetype kLargeFrameChars = 4096;
    static constexpr qint64 kTrimIntervalMs = 5;
    // Held frames are UTF-16 QStrings: two bytes a character is what they occupy.
    static qint64 heldCost(const QString &frame) { return 2 * qint64(frame.size()); }
    void onText(const QString &frame);
    void writeFrame(const QString &frame);
    void drainOutbox();
    void watchWrites();
    void updateHeld();
    void onAboutToClose();
    void onDisconnected();

    std::unique_ptr<QWebSocket> m_socket;
    SessionContext *m_context;
    // Broadcast frames stay shared between the sockets' outboxes. A QList, not a std::deque,
    // which allocates half a KiB per socket before anything is queued.
    QList<QString> m_outbox;
    qint64 m_outboxBytes = 0; // heldCost of m_outbox
    qint64 m_heldBytes = 0; // m_outboxBytes + Qt's write buffer when last looked at
    QMetaObject::Connection m_drainConnection;
    Identity m_identity;
    QString m_client;
    RateLimiter m_rate;
    RateLimiter m_bytes;
    QTimer m_heartbeat;
    QTimer m_closeTimeout;
    // A QMap, not a QHash: a socket joins a few topics, and a QHash reserves and writes
    // room for dozens of entries (~3.5 KiB per socket) at its first insert.
    QMap<QString, Joined> m_joined;
    quint64 m_framesSent = 0;
    int m_closeCode = 1006;
    bool m_closing = false; // the server closes (close() was called)
    bool m_closeStarted = false; // a close frame went out, whoever started it
    bool m_draining = false;
    bool m_lastFrameLarge = false;
};

} // namespace Kyozo::Server
