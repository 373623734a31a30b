#include "rawwebsocket.h"

#include <QElapsedTimer>
#include <QJsonDocument>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace KyozoTest {

QByteArray clientTextFrame(const QByteArray &payload)
{
    QByteArray f("\x81", 1);
    const quint64 n = quint64(payload.size());
    if (n < 126) {
        f += char(0x80 | n);
    } else if (n < 65536) {
        f += char(0x80 | 126);
        f += char(n >> 8);
        f += char(n & 0xff);
    } else {
        f += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            f += char((n >> shift) & 0xff);
    }
    f += QByteArray(4, '\0'); // RFC 6455 §5.3: clients mask; a zero key leaves the payload as it is
    return f + payload;
}

RawWebSocket::~RawWebSocket()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool RawWebSocket::open(quint16 port, const QString &pathAndQuery)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0)
        return false;
    if (m_receiveBuffer > 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, sizeof m_receiveBuffer);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        return false;
    writeAll(
        QStringLiteral(
            "GET %1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            .arg(pathAndQuery)
            .toLatin1());
    while (!m_in.contains("\r\n\r\n"))
        if (!receive(5000))
            return false;
    const qsizetype end = m_in.indexOf("\r\n\r\n") + 4;
    const bool switched = m_in.startsWith("HTTP/1.1 101");
    m_in.remove(0, end);
    return switched;
}

void RawWebSocket::sendText(const QByteArray &payload)
{
    writeAll(clientTextFrame(payload));
}

void RawWebSocket::sendFrame(const QJsonArray &frame)
{
    sendText(QJsonDocument(frame).toJson(QJsonDocument::Compact));
}

bool RawWebSocket::trySendText(const QByteArray &payload, int stallMs)
{
    const QByteArray data = clientTextFrame(payload);
    for (qsizetype done = 0; done < data.size();) {
        pollfd p { m_fd, POLLOUT, 0 };
        if (::poll(&p, 1, stallMs) <= 0 || !(p.revents & POLLOUT))
            return false;
        const ssize_t n = ::send(m_fd, data.constData() + done, size_t(data.size() - done),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

bool RawWebSocket::readUntil(const std::function<bool(const QList<QJsonArray> &)> &done,
                             int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    for (;;) {
        parseFrames();
        if (done(texts) || closeCode >= 0)
            return done(texts);
        if (t.elapsed() > timeoutMs || !receive(int(timeoutMs - t.elapsed())))
            return false;
    }
}

void RawWebSocket::readUntilClosed(int timeoutMs)
{
    readUntil([](const QList<QJsonArray> &) { return false; }, timeoutMs);
}

void RawWebSocket::dropConnection()
{
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
    ended = true;
}

void RawWebSocket::writeAll(const QByteArray &data)
{
    for (qsizetype done = 0; done < data.size();) {
        const ssize_t n
            = ::send(m_fd, data.constData() + done, size_t(data.size() - done), MSG_NOSIGNAL);
        if (n <= 0)
            return;
        done += n;
    }
}

bool RawWebSocket::receive(int timeoutMs)
{
    if (ended)
        return false;
    pollfd p { m_fd, POLLIN, 0 };
    if (::poll(&p, 1, std::max(0, timeoutMs)) <= 0)
        return false;
    char buf[65536];
    const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
    if (n <= 0) {
        ended = true;
        reset = n < 0 && errno == ECONNRESET;
        return false;
    }
    m_in.append(buf, n);
    return true;
}

// Server frames are not masked: opcode, length (7 bits, 16 or 64), payload. What was parsed
// is removed once at the end: removing each frame from the front would be quadratic.
void RawWebSocket::parseFrames()
{
    qsizetype at = 0;
    for (;;) {
        const qsizetype left = m_in.size() - at;
        if (left < 2)
            break;
        const char *p = m_in.constData() + at;
        const int opcode = uchar(p[0]) & 0x0f;
        quint64 len = uchar(p[1]) & 0x7f;
        qsizetype header = 2;
        if (len == 126) {
            if (left < 4)
                break;
            len = (quint64(uchar(p[2])) << 8) | uchar(p[3]);
            header = 4;
        } else if (len == 127) {
            if (left < 10)
                break;
            len = 0;
            for (int i = 2; i < 10; ++i)
                len = (len << 8) | uchar(p[i]);
            header = 10;
        }
        if (quint64(left - header) < len)
            break;
        const QByteArray payload = m_in.mid(at + header, qsizetype(len));
        at += header + qsizetype(len);
        if (opcode == 0x1) {
            texts.append(QJsonDocument::fromJson(payload).array());
        } else if (opcode == 0x8 && closeCode < 0) {
            closeCode = payload.size() >= 2 ? (uchar(payload[0]) << 8) | uchar(payload[1]) : 1005;
            textsBeforeClose = texts.size();
        }
    }
    m_in.remove(0, at);
}

} // namespace KyozoTest
