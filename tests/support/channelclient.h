#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>
#include <functional>

namespace KyozoTest {

// Runs the event loop until `done` or the timeout; false on timeout.
bool spinUntil(const std::function<bool()> &done, int timeoutMs);

// A minimal Phoenix v2 client over QWebSocket for protocol tests: sends frames, keeps every
// frame received, waits for one that matches, reports how the server closed.
class ChannelClient : public QObject
{
    Q_OBJECT
public:
    ChannelClient();
    bool open(const QUrl &url, int timeoutMs = 5000);
    void send(const QJsonArray &frame);
    void sendText(const QString &text);
    // The first unconsumed frame that matches, consumed; an empty array on timeout.
    QJsonArray waitFor(const std::function<bool(const QJsonArray &)> &match, int timeoutMs = 5000);
    QJsonArray waitForReply(const QString &ref, int timeoutMs = 5000);
    QJsonArray waitForEvent(const QString &topic, const QString &event, int timeoutMs = 5000);
    // Sends phx_join and returns its reply.
    QJsonArray join(const QString &topic, const QString &joinRef, const QJsonObject &payload = {});
    bool waitClosed(int timeoutMs = 5000);
    int closeCode() const { return m_closeCode; }
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // Frames not consumed by a wait so far.
    QList<QJsonArray> pending() const { return m_frames; }
    // Every frame received since the socket opened, consumed or not.
    int received() const { return m_received; }

private:
    QWebSocket m_socket;
    QList<QJsonArray> m_frames;
    int m_received = 0;
    int m_closeCode = -1;
    bool m_closed = false;
};

// A frame [join_ref, ref, topic, event, payload] with string refs (null when empty).
QJsonArray frame(const QString &joinRef, const QString &ref, const QString &topic, const QString &event,
                 const QJsonValue &payload = QJsonObject{});

} // namespace KyozoTest
