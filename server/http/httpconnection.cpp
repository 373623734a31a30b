#include "httpconnection.h"

#include <QSslSocket>

#include <QPointer>

#include <QLoggingCategory>
#include <QTcpSocket>

#include <algorithm>

#include <sys/socket.h>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Kyozo::Server {

namespace {

    // One read from the socket; the head is read in pieces no larger than this either.
    constexpr qint64 kChunkBytes = 64 * 1024;
    // Requests are not parsed further while this much of the answers waits to be sent: a client
    // that pipelines without reading holds at most one answer here, not one per request.
    constexpr qint64 kWriteHighWater = 256 * 1024;

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const HttpLimits &limits, qint64 lingerBytes,
                               HttpRequestHandler *handler, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_tls(qobject_cast<QSslSocket *>(socket))
    , m_limits(limits)
    , m_lingerBytes(lingerBytes)
    , m_handler(handler)
    , m_parser(limits.maxHeaderBytes,
               [handler](const HttpRequest &head) { return handler->bodyLimit(head); })
{
    m_chunk.resize(kChunkBytes);
    // Qt stops reading from the kernel when this much is buffered: a head never needs more,
    // and a client that sends faster than requests are answered is held back by TCP.
    m_socket->setReadBufferSize(limits.maxHeaderBytes + kChunkBytes);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onDeadline);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::processInput);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    if (m_tls)
        connect(m_tls, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::finish);
    // The first head must arrive within header_timeout_ms of the connect.
    arm(Deadline::Head);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::arm(Deadline deadline)
{
    m_deadline = deadline;
    switch (deadline) {
    case Deadline::Head:
    case Deadline::Body:
    case Deadline::Linger:
        m_timer.start(m_limits.headerTimeoutMs);
        break;
    case Deadline::Idle:
    case Deadline::Write:
        m_timer.start(m_limits.idleTimeoutMs);
        break;
    }
}

void HttpConnection::onDeadline()
{
    switch (m_deadline) {
    case Deadline::Head:
        qCDebug(lcHttp) << "request head timed out from" << m_socket->peerAddress();
        // A connection that sent nothing is simply closed; a partial request hears why.
        if (m_parser.atRequestStart() && m_headConsumed == 0 && m_socket->bytesAvailable() == 0) {
            m_socket->abort();
            finish();
        } else {
            fail(408, "request_timeout", tr("the request did not arrive in time"));
        }
        return;
    case Deadline::Body:
        qCDebug(lcHttp) << "request body stalled or too slow from" << m_socket->peerAddress();
        fail(408, "request_timeout", tr("the request did not arrive in time"));
        return;
    case Deadline::Idle:
        qCDebug(lcHttp) << "idle keep-alive connection closed" << m_socket->peerAddress();
        m_socket->abort();
        finish();
        return;
    case Deadline::Write:
    case Deadline::Linger:
        m_socket->abort();
        finish();
        return;
    }
}

void HttpConnection::processInput()
{
    if (m_state == State::Lingering) {
        // After a refusal the rest of the request is read and dropped, so that the close
        // does not turn into a reset that wipes the answer (RFC 9112 §9.6).
        const qint64 dropped = m_socket->skip(m_socket->bytesAvailable());
        m_lingered += std::max<qint64>(dropped, 0);
        if (m_lingered > m_lingerBytes) {
            m_socket->abort();
            finish();
        }
        return;
    }
    // Each round consumes bytes or returns; the socket's buffer bounds how many there are.
    while (m_state == State::Reading && unsentBytes() < kWriteHighWater
           && m_socket->bytesAvailable() > 0) {
        if (!(m_parser.inHead() ? readHead() : readBody()))
            return;
    }
}

// The head is read inside a transaction, so that an upgrade can give every byte back.
bool HttpConnection::readHead()
{
    if (!m_inTransaction) {
        m_socket->startTransaction();
        m_inTransaction = true;
        m_headConsumed = 0;
        if (m_deadline != Deadline::Head)
            arm(Deadline::Head);
    }
    const qint64 got = m_socket->read(m_chunk.data(), kChunkBytes);
    if (got <= 0)
        return false;
    qsizetype consumed = 0;
    const HttpRequestParser::Event event
        = m_parser.feed(m_chunk.constData(), qsizetype(got), &consumed);
    m_headConsumed += consumed;
    switch (event) {
    case HttpRequestParser::Event::NeedMore:
        return true;
    case HttpRequestParser::Event::HeadComplete:
        m_socket->rollbackTransaction();
        m_inTransaction = false;
        onHeadComplete();
        return m_state == State::Reading;
    case HttpRequestParser::Event::RequestComplete: // not reached: the head pauses first
    case HttpRequestParser::Event::Failed:
        break;
    }
    m_socket->rollbackTransaction();
    m_inTransaction = false;
    const HttpRequestParser::Error error = m_parser.error();
    qCDebug(lcHttp) << "refused a request head:" << HttpRequestParser::statusFor(error)
                    << m_parser.errorDetail();
    switch (error) {
    case HttpRequestParser::Error::HeaderTooLarge:
        fail(431, "header_too_large",
             tr("the request line and headers exceed %1 bytes").arg(m_limits.maxHeaderBytes));
        break;
    case HttpRequestParser::Error::UriTooLong:
        fail(414, "uri_too_long", tr("the request target is too long"));
        break;
    case HttpRequestParser::Error::BodyTooLarge:
        fail(413, "payload_too_large",
             tr("the request body exceeds %1 bytes").arg(m_handler->bodyLimit(m_parser.request())));
        break;
    case HttpRequestParser::Error::None:
    case HttpRequestParser::Error::Malformed:
    case HttpRequestParser::Error::BodyNotStored: // not reached: no body is read in the head
        fail(400, "bad_request", tr("malformed HTTP request"));
        break;
    }
    return false;
}

void HttpConnection::onHeadComplete()
{
    const HttpRequest &head = m_parser.request();
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    // HTTP/1.1 request message that lacks a Host header field and to any request message
    // that contains more than one Host header field line".
    const auto hosts = std::count_if(head.headers.cbegin(), head.headers.cend(),
                                     [](const auto &h) { return h.first == "host"; });
    if (hosts > 1 || (hosts == 0 && head.httpMajor == 1 && head.httpMinor >= 1)) {
        fail(400, "bad_request",
             hosts > 1 ? tr("more than one Host header")
                       : tr("an HTTP/1.1 request needs a Host header"));
        return;
    }
    HttpRequestHandler::HeadVerdict verdict = m_handler->onHead(head);
    if (verdict.kind == HttpRequestHandler::HeadVerdict::Upgrade) {
        // RFC 6455 §4.1: a client waits for the server's handshake before it sends frames.
        // QWebSocketServer drops whatever follows the handshake in its buffer, so frames sent
        // early would vanish without a word; refuse them instead.
        if (m_socket->bytesAvailable() > m_parser.headBytes()) {
            fail(400, "bad_request",
                 tr("data followed the WebSocket upgrade request before its answer"));
            return;
        }
        // Every byte of the request is back in the socket's buffer (rolled back above).
        m_timer.stop();
        m_state = State::Done;
        m_socket->disconnect(this);
        qCDebug(lcHttp).noquote()
            << "WebSocket upgrade from"
            << m_limits.trustedProxies.clientOf(m_socket->peerAddress(), head).toString();
        emit upgradeRequested(m_socket);
        return;
    }
    m_socket->skip(m_headConsumed);
    m_headConsumed = 0;
    m_bodyClock.start();
    m_bodyBytes = 0;
    if (verdict.kind == HttpRequestHandler::HeadVerdict::Respond) {
        // Refused before the body: the connection cannot go on without reading it.
        send(verdict.response, head.method == "HEAD", true, false);
        closeGracefully();
        return;
    }
    if (verdict.bodySink)
        m_parser.setBodySink(std::move(verdict.bodySink));
    // RFC 9110 §10.1.1: a client that waits for 100 Continue gets it once the head passed.
    if (head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0
        && head.httpMinor >= 1)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    armBodyDeadline();
}

// Two bounds on a body: no gap between reads longer than header_timeout_ms (nginx's
// client_body_timeout), and on average min_body_rate bytes a second once the first
// header_timeout_ms are over (Apache mod_reqtimeout's MinRate). The gap alone lets a client
// hold a connection for ever by sending a byte now and then.
void HttpConnection::armBodyDeadline()
{
    qint64 wait = m_limits.headerTimeoutMs;
    if (m_limits.minBodyRate > 0) {
        const qint64 allowed = m_limits.headerTimeoutMs + m_bodyBytes * 1000 / m_limits.minBodyRate;
        wait = std::min(wait, allowed - m_bodyClock.elapsed());
    }
    m_deadline = Deadline::Body;
    m_timer.start(int(std::max<qint64>(wait, 0)));
}

bool HttpConnection::readBody()
{
    const qint64 got = m_socket->peek(m_chunk.data(), kChunkBytes);
    if (got <= 0)
        return false;
    qsizetype consumed = 0;
    const HttpRequestParser::Event event
        = m_parser.feed(m_chunk.constData(), qsizetype(got), &consumed);
    m_socket->skip(consumed);
    m_bodyBytes += consumed;
    switch (event) {
    case HttpRequestParser::Event::NeedMore:
        armBodyDeadline();
        return true;
    case HttpRequestParser::Event::RequestComplete:
        onRequestComplete();
        return m_state == State::Reading;
    case HttpRequestParser::Event::HeadComplete:
    case HttpRequestParser::Event::Failed:
        break;
    }
    if (m_parser.error() == HttpRequestParser::Error::BodyTooLarge)
        fail(413, "payload_too_large",
             tr("the request body exceeds %1 bytes").arg(m_handler->bodyLimit(m_parser.request())));
    else if (m_parser.error() == HttpRequestParser::Error::BodyNotStored)
        fail(507, "insufficient_storage", tr("the request body could not be stored"));
    else
        fail(400, "bad_request", tr("malformed HTTP request body"));
    return false;
}

void HttpConnection::onRequestComplete()
{
    const HttpRequest request = m_parser.takeRequest();
    // An upgrade the route did not take (h2c, say) leaves the stream in another protocol.
    const bool close = !request.keepAlive || request.upgrade;
    const Answering how { request.method == "HEAD", close, !close && request.httpMinor == 0 };
    const QByteArray method = request.method, path = request.path;
    m_state = State::Awaiting;
    m_timer.stop(); // the handler bounds its own wait
    QPointer<HttpConnection> self(this);
    const bool later
        = m_handler->handleLater(request, [self, how, method, path](const HttpResponse &r) {
              if (!self || self->m_state != State::Awaiting)
                  return; // closed meanwhile, or answered twice
              qCDebug(lcHttp) << method << path << r.status << "(answered later)";
              self->m_state = State::Reading;
              self->answer(how, r);
              // Pipelined requests behind it, from the event loop rather than from inside the
              // handler that answered.
              QMetaObject::invokeMethod(
                  self.data(),
                  [self] {
                      if (self && self->m_state == State::Reading)
                          self->processInput();
                  },
                  Qt::QueuedConnection);
          });
    if (later)
        return;
    m_state = State::Reading;
    const HttpResponse response = m_handler->handle(request);
    qCDebug(lcHttp).noquote()
        << request.method << request.path << response.status << "from"
        << m_limits.trustedProxies.clientOf(m_socket->peerAddress(), request).toString()
        << m_limits.trustedProxies.schemeOf(m_socket->peerAddress(), request, m_tls != nullptr);
    answer(how, response);
}

void HttpConnection::answer(const Answering &how, const HttpResponse &response)
{
    send(response, how.headOnly, how.close, how.keepAliveHttp10);
    if (how.close) {
        closeGracefully();
        return;
    }
    arm(unsentBytes() > 0 ? Deadline::Write : Deadline::Idle);
}

void HttpConnection::fail(int status, const char *code, const QString &message)
{
    if (m_state != State::Reading)
        return;
    if (m_inTransaction) {
        m_socket->rollbackTransaction();
        m_inTransaction = false;
    }
    send(jsonError(status, code, message), false, true, false);
    closeGracefully();
}

void HttpConnection::send(const HttpResponse &response, bool headOnly, bool close,
                          bool keepAliveHttp10)
{
    m_socket->write(response.serialize(headOnly, close, keepAliveHttp10));
}

void HttpConnection::closeGracefully()
{
    m_state = State::Closing;
    if (unsentBytes() > 0)
        arm(Deadline::Write);
    else
        startLingering();
}

qint64 HttpConnection::unsentBytes() const
{
    // A TLS socket's bytesToWrite() counts only what it has not encrypted yet; what it has
    // is still on its way in the TCP socket below.
    return m_socket->bytesToWrite() + (m_tls ? m_tls->encryptedBytesToWrite() : 0);
}

void HttpConnection::startLingering()
{
    // Half-close: the client reads the answer and then end-of-stream, while what it still
    // sends is dropped for at most header_timeout_ms (nginx's lingering close).
    m_state = State::Lingering;
    if (m_tls) {
        // TLS ends with close_notify, which only QSslSocket can send: it does on
        // disconnectFromHost(), then closes once that is written. Not a half-close, so what
        // the client still sends may reset the connection; the answer was sent whole first.
        arm(Deadline::Linger);
        m_socket->disconnectFromHost();
        return;
    }
    if (::shutdown(int(m_socket->socketDescriptor()), SHUT_WR) != 0) {
        m_socket->abort();
        finish();
        return;
    }
    arm(Deadline::Linger);
    processInput();
}

void HttpConnection::onBytesWritten()
{
    if (unsentBytes() > 0) {
        if (m_deadline == Deadline::Write)
            arm(Deadline::Write); // progress: another idle_timeout_ms for the rest
        return;
    }
    if (m_state == State::Closing) {
        startLingering();
        return;
    }
    if (m_state != State::Reading)
        return;
    if (m_deadline == Deadline::Write)
        arm(m_parser.atRequestStart() ? Deadline::Idle : Deadline::Head);
    processInput();
}

void HttpConnection::finish()
{
    if (m_state == State::Done)
        return;
    m_state = State::Done;
    m_timer.stop();
    m_socket->disconnect(this);
    emit finished();
}

} // namespace Kyozo::Server
