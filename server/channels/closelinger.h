#pragma once

#include <QElapsedTimer>
#include <QMultiHash>
#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

class QWebSocket;

namespace Kyozo::Server {

// Finds the descriptor of the TCP connection under a QWebSocket. Qt 6.4 does not expose it,
// and QWebSocket does not own the QTcpSocket it was upgraded from (the HTTP front does). A
// front that parents that QTcpSocket to the QWebSocket makes this O(1); otherwise it is the
// one of this process's sockets whose local and peer ends are the QWebSocket's, found by one
// pass over /proc/self/fd that every lookup of the same event-loop turn shares (a close of
// all sockets costs one pass, not one per socket). Linux only; elsewhere nothing is found.
class ConnectionDescriptors
{
public:
    // -1 when not found.
    int find(const QWebSocket &socket);

private:
    void rebuild();
    QMultiHash<quint32, int> m_byPorts; // (local port << 16 | peer port) -> descriptor
    QTimer m_expiry; // ends the index's event-loop turn
};

// RFC 6455 §7.1.1: the server should close the TCP connection after the close handshake,
// and TCP (RFC 1122 §4.2.2.13, as Linux does) answers data that arrives for a closed socket,
// or was not read before close(), with RST — which makes the peer's kernel drop what it has
// not delivered yet, our close frame among it. Qt's QWebSocket::close() writes the close
// frame and then closes the socket at once, with the client's data unread (a client that
// floods, or sent a frame too big). This keeps a duplicate of the descriptor: Qt's close then
// only drops Qt's reference; this one reads and discards what the client still sends, shuts
// the write side (FIN after the close frame) once Qt has written everything, and closes when
// the client closes its side, or after `timeoutMs`, or after `maxDiscardBytes` were read.
class CloseLinger : public QObject
{
    Q_OBJECT
public:
    // Starts lingering on a duplicate of `descriptor`; deletes itself when done.
    static void start(int descriptor, QWebSocket *socket, int timeoutMs, qint64 maxDiscardBytes,
                      QObject *parent);
    ~CloseLinger() override;

private:
    CloseLinger(int duplicate, int timeoutMs, qint64 maxDiscardBytes, QObject *parent);
    void drain();
    void shutdownWrite();
    void finish();

    int m_fd;
    QSocketNotifier m_notifier;
    QTimer m_timeout;
    qint64 m_maxDiscard;
    qint64 m_discarded = 0;
};

} // namespace Kyozo::Server
