#include "closelinger.h"

#include <QAbstractSocket>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QWebSocket>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#if defined(Q_OS_LINUX)
#include <cstdlib>
#include <dirent.h>
#endif

Q_LOGGING_CATEGORY(lcLinger, "kyozo.server.socket.linger")

namespace Kyozo::Server {

namespace {

    quint32 portsKey(quint16 local, quint16 peer)
    {
        return quint32(local) << 16 | peer;
    }

    // The local and peer ends of a connected socket descriptor.
    bool endsOf(int fd, QHostAddress *local, quint16 *localPort, QHostAddress *peer,
                quint16 *peerPort)
    {
        sockaddr_storage a {}, b {};
        socklen_t la = sizeof a, lb = sizeof b;
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &la) != 0
            || ::getpeername(fd, reinterpret_cast<sockaddr *>(&b), &lb) != 0)
            return false;
        const auto port = [](const sockaddr_storage &s) -> int {
            if (s.ss_family == AF_INET)
                return ntohs(reinterpret_cast<const sockaddr_in &>(s).sin_port);
            if (s.ss_family == AF_INET6)
                return ntohs(reinterpret_cast<const sockaddr_in6 &>(s).sin6_port);
            return -1;
        };
        if (port(a) < 0 || port(b) < 0)
            return false;
        *local = QHostAddress(reinterpret_cast<const sockaddr *>(&a));
        *peer = QHostAddress(reinterpret_cast<const sockaddr *>(&b));
        *localPort = quint16(port(a));
        *peerPort = quint16(port(b));
        return true;
    }

    bool isConnectionOf(int fd, const QWebSocket &socket)
    {
        QHostAddress local, peer;
        quint16 localPort = 0, peerPort = 0;
        return endsOf(fd, &local, &localPort, &peer, &peerPort) && localPort == socket.localPort()
            && peerPort == socket.peerPort()
            && peer.isEqual(socket.peerAddress(), QHostAddress::TolerantConversion)
            && local.isEqual(socket.localAddress(), QHostAddress::TolerantConversion);
    }

} // namespace

int ConnectionDescriptors::find(const QWebSocket &socket)
{
    if (const auto *tcp
        = socket.findChild<const QAbstractSocket *>(QString(), Qt::FindDirectChildrenOnly)) {
        const int fd = int(tcp->socketDescriptor());
        if (fd >= 0)
            return fd;
    }
    if (!m_expiry.isActive())
        rebuild();
    // Verified again: within the turn a descriptor may have been closed and reused.
    const auto range = m_byPorts.equal_range(portsKey(socket.localPort(), socket.peerPort()));
    for (auto it = range.first; it != range.second; ++it)
        if (isConnectionOf(*it, socket))
            return *it;
    return -1;
}

void ConnectionDescriptors::rebuild()
{
    m_byPorts.clear();
    // Valid for this event-loop turn only: afterwards descriptors come and go.
    m_expiry.setSingleShot(true);
    m_expiry.start(0);
#if defined(Q_OS_LINUX)
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return;
    const int own = ::dirfd(dir);
    while (const dirent *entry = ::readdir(dir)) {
        char *end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || fd == own)
            continue;
        QHostAddress local, peer;
        quint16 localPort = 0, peerPort = 0;
        if (endsOf(int(fd), &local, &localPort, &peer, &peerPort))
            m_byPorts.insert(portsKey(localPort, peerPort), int(fd));
    }
    ::closedir(dir);
#endif
}

void CloseLinger::start(int descriptor, QWebSocket *socket, int timeoutMs, qint64 maxDiscardBytes,
                        QObject *parent)
{
    const int duplicate = ::fcntl(descriptor, F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) {
        qCDebug(lcLinger) << "cannot duplicate the descriptor:" << qt_error_string(errno);
        return;
    }
    auto *linger = new CloseLinger(duplicate, timeoutMs, maxDiscardBytes, parent);
    // Qt has written everything it held (the close frame last) and dropped its descriptor.
    connect(socket, &QWebSocket::disconnected, linger, &CloseLinger::shutdownWrite);
}

CloseLinger::CloseLinger(int duplicate, int timeoutMs, qint64 maxDiscardBytes, QObject *parent)
    : QObject(parent)
    , m_fd(duplicate)
    , m_notifier(duplicate, QSocketNotifier::Read)
    , m_maxDiscard(maxDiscardBytes)
{
    connect(&m_notifier, &QSocketNotifier::activated, this, &CloseLinger::drain);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &CloseLinger::finish);
    m_timeout.start(timeoutMs);
}

CloseLinger::~CloseLinger()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void CloseLinger::drain()
{
    char buffer[16384];
    for (int i = 0; i < 64; ++i) { // then back to the event loop; the notifier fires again
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            m_discarded += n;
            if (m_discarded > m_maxDiscard) {
                // Enough: stop reading. The timeout then closes, with RST if more came.
                m_notifier.setEnabled(false);
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        finish(); // the client closed its side (or the connection failed): nothing is unread
        return;
    }
}

void CloseLinger::shutdownWrite()
{
    ::shutdown(m_fd, SHUT_WR);
}

void CloseLinger::finish()
{
    m_notifier.setEnabled(false);
    m_timeout.stop();
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
    deleteLater();
}

} // namespace Kyozo::Server
