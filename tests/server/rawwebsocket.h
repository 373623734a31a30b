#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <functional>

namespace KyozoTest {

// A WebSocket client on a plain blocking socket (RFC 6455 framing written out here, the
// server's parser is under test): it reads only when told to, so that what the server sends
// piles up on the server's side, and it can keep sending while it does not read. A small
// receive buffer (set before connect, so that the window offered stays small) makes the
// server's side fill up sooner.
class RawWebSocket
{
public:
    explicit RawWebSocket(int receiveBufferBytes = 0)
        : m_receiveBuffer(receiveBufferBytes)
    {
    }
    ~RawWebSocket();
    RawWebSocket(const RawWebSocket &) = delete;
    RawWebSocket &operator=(const RawWebSocket &) = delete;

    // TCP connect and the upgrade request; true when the server answered 101.
    bool open(quint16 port, const QString &pathAndQuery);
    // A masked text frame (a zero mask: the payload goes as it is).
    void sendText(const QByteArray &payload);
    void sendFrame(const QJsonArray &frame);
    // Like sendText, but gives up instead of blocking once the kernel has taken nothing for
    // `stallMs` (the server stopped reading); returns whether the whole frame went out.
    bool trySendText(const QByteArray &payload, int stallMs);
    // Reads until `done` holds for the text frames received so far or the close frame came.
    bool readUntil(const std::function<bool(const QList<QJsonArray> &)> &done, int timeoutMs);
    // Reads until the server's close frame, the end of the stream or the timeout.
    void readUntilClosed(int timeoutMs);
    // Closes the TCP connection without a close frame.
    void dropConnection();

    QList<QJsonArray> texts;
    int closeCode = -1; // from the server's close frame; -1 while none came
    qsizetype textsBeforeClose = -1;
    bool reset = false; // the connection ended with ECONNRESET
    bool ended = false; // EOF or reset

private:
    void writeAll(const QByteArray &data);
    bool receive(int timeoutMs);
    void parseFrames();

    int m_fd = -1;
    int m_receiveBuffer;
    QByteArray m_in;
};

// The WebSocket frame header of a masked client text frame with a zero mask.
QByteArray clientTextFrame(const QByteArray &payload);

} // namespace KyozoTest
