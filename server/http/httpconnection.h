#pragma once

#include <functional>

#include "httprequestparser.h"
#include "serverconfig.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class QTcpSocket;

class QSslSocket;

namespace Kyozo::Server {

// What the HTTP front asks of the code behind it (the route table, server/http/restapi).
class HttpRequestHandler
{
public:
    struct HeadVerdict
    {
        enum Kind { Continue, Respond, Upgrade } kind = Continue;
        HttpResponse response; // for Respond: sent at once, the body is never read
        std::shared_ptr<HttpBodySink> bodySink; // for Continue: where the body goes, if not memory
    };
    virtual ~HttpRequestHandler() = default;
    // Decided from the method and path alone, before any body byte (issue 14 item 1).
    virtual qint64 bodyLimit(const HttpRequest &head) const = 0;
    // Once the head is complete: read the body, refuse now, or hand the socket to WebSockets.
    virtual HeadVerdict onHead(const HttpRequest &head) = 0;
    virtual HttpResponse handle(const HttpRequest &request) = 0;
    // A request the handler answers later, by calling `reply` once on this thread (it may do
    // so before returning). False: not such a request, handle() answers it. While an answer
    // is awaited the connection reads no further request, so pipelined answers keep their
    // order; a reply for a connection that has closed meanwhile goes nowhere.
    using Reply = std::function<void(const HttpResponse &response)>;
    virtual bool handleLater(const HttpRequest &request, Reply reply)
    {
        Q_UNUSED(request);
        Q_UNUSED(reply);
        return false;
    }
};

// One client's TCP connection while it speaks HTTP/1.1 (RFC 9112): reads with the bounds of
// HttpLimits, answers pipelined requests one at a time and in order, keeps the connection
// alive or closes it as RFC 9112 §9.3 says, and enforces the head, body, idle and write
// deadlines (issue 14 item 2). A WebSocket upgrade leaves the socket with its request unread,
// so that QWebSocketServer::handleConnection() can read the handshake itself.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, const HttpLimits &limits, qint64 lingerBytes,
                   HttpRequestHandler *handler, QObject *parent = nullptr);
    ~HttpConnection() override;

    QTcpSocket *socket() const { return m_socket; }

signals:
    // The socket's buffer starts with the upgrade request; the connection lets go of it.
    void upgradeRequested(QTcpSocket *socket);
    // The socket is closed; the connection can be deleted.
    void finished();

private:
    enum class State { Reading, Awaiting, Closing, Lingering, Done };
    enum class Deadline { Head, Body, Idle, Write, Linger };
    void processInput();
    qint64 unsentBytes() const;
    bool readHead();
    bool readBody();
    void onHeadComplete();
    void onRequestComplete();
    // Sends the answer to a request with these properties, then closes or reads on.
    struct Answering
    {
        bool headOnly;
        bool close;
        bool keepAliveHttp10;
    };
    void answer(const Answering &how, const HttpResponse &response);
    void fail(int status, const char *code, const QString &message);
    void send(const HttpResponse &response, bool headOnly, bool close, bool keepAliveHttp10);
    void closeGracefully();
    void startLingering();
    void onBytesWritten();
    void arm(Deadline deadline);
    void armBodyDeadline();
    void onDeadline();
    void finish();

    QTcpSocket *m_socket;
    QSslSocket *m_tls; // m_socket when the port speaks TLS, else null
    HttpLimits m_limits;
    qint64 m_lingerBytes; // discarded at most after a refusal before closing
    HttpRequestHandler *m_handler;
    HttpRequestParser m_parser;
    QTimer m_timer;
    Deadline m_deadline = Deadline::Head;
    State m_state = State::Reading;
    bool m_inTransaction = false; // the head is read inside a QIODevice transaction
    qint64 m_headConsumed = 0; // head bytes the parser has taken in this transaction
    qint64 m_lingered = 0;
    QElapsedTimer m_bodyClock; // since the head of the request whose body is read
    qint64 m_bodyBytes = 0; // of that body, read so far
    QByteArray m_chunk;
};

} // namespace Kyozo::Server
