#pragma once

// A raw HTTP/1.1 client for tests of the HTTP front: exact bytes out, answers read with
// libhttp-parser in response mode (the same outside library, used as a reader only), so
// that framing (Content-Length, HEAD, keep-alive, pipelining) is checked byte for byte.
#include <QByteArray>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QList>
#include <QTcpSocket>

#include <http_parser.h>

#include <optional>

namespace KyozoTest {

struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &[n, v] : headers)
            if (n == lowerName)
                return v;
        return {};
    }
};

class RawClient
{
public:
    // `from`: the local address to connect from (any of 127/8 reaches the loopback server).
    bool connect(quint16 port, const QHostAddress &from = QHostAddress::LocalHost)
    {
        if (from != QHostAddress::LocalHost && !m_socket.bind(from, 0))
            return false;
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(5000);
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    QTcpSocket &socket() { return m_socket; }

    // The next answer on the connection; `headRequest`: the answer to a HEAD has no body.
    std::optional<RawResponse> read(int timeoutMs = 5000, bool headRequest = false)
    {
        http_parser parser;
        http_parser_init(&parser, HTTP_RESPONSE);
        State st;
        st.headRequest = headRequest;
        parser.data = &st;
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_header_field = [](http_parser *p, const char *at, size_t n) {
            auto *d = static_cast<State *>(p->data);
            if (d->inValue || d->r.headers.isEmpty())
                d->r.headers.append(std::pair<QByteArray, QByteArray>());
            d->inValue = false;
            d->r.headers.last().first.append(QByteArray(at, qsizetype(n)).toLower());
            return 0;
        };
        s.on_header_value = [](http_parser *p, const char *at, size_t n) {
            auto *d = static_cast<State *>(p->data);
            d->inValue = true;
            d->r.headers.last().second.append(at, qsizetype(n));
            return 0;
        };
        s.on_headers_complete = [](http_parser *p) {
            auto *d = static_cast<State *>(p->data);
            d->r.status = int(p->status_code);
            return d->headRequest || d->r.status == 100 ? 1 : 0;
        };
        s.on_body = [](http_parser *p, const char *at, size_t n) {
            static_cast<State *>(p->data)->r.body.append(at, qsizetype(n));
            return 0;
        };
        s.on_message_complete = [](http_parser *p) {
            auto *d = static_cast<State *>(p->data);
            d->done = true;
            http_parser_pause(p, 1);
            return 0;
        };
        QDeadlineTimer deadline(timeoutMs);
        while (true) {
            if (!m_pending.isEmpty()) {
                const size_t n = http_parser_execute(&parser, &s, m_pending.constData(),
                                                     size_t(m_pending.size()));
                m_pending.remove(0, qsizetype(n));
                if (st.done) {
                    if (st.r.status == 100) { // 100 Continue: the real answer follows
                        return read(int(deadline.remainingTime()), headRequest);
                    }
                    return st.r;
                }
                if (HTTP_PARSER_ERRNO(&parser) != HPE_OK)
                    return std::nullopt;
            }
            if (deadline.hasExpired())
                return std::nullopt;
            if (m_socket.bytesAvailable() == 0
                && !m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
                if (m_socket.state() != QAbstractSocket::ConnectedState) {
                    m_pending += m_socket.readAll();
                    if (m_pending.isEmpty()) {
                        // EOF ends a body without Content-Length
                        http_parser_execute(&parser, &s, nullptr, 0);
                        return st.done ? std::optional<RawResponse>(st.r) : std::nullopt;
                    }
                    continue;
                }
                continue;
            }
            m_pending += m_socket.readAll();
        }
    }

    // True once the server closed the connection (end of stream or reset) within the time.
    bool waitClosed(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
            m_socket.waitForReadyRead(
                int(qMax<qint64>(1, qMin<qint64>(100, deadline.remainingTime()))));
            m_pending += m_socket.readAll();
        }
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }
    QByteArray pending() const { return m_pending; }

private:
    struct State
    {
        RawResponse r;
        bool inValue = false;
        bool headRequest = false;
        bool done = false;
    };
    QTcpSocket m_socket;
    QByteArray m_pending;
};

} // namespace KyozoTest
