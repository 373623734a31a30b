#pragma once

#include "httpmessage.h"

#include <functional>
#include <memory>

struct http_parser;

namespace Kyozo::Server {

// Incremental HTTP/1.1 request parsing on Debian's libhttp-parser, with every bound enforced
// while the bytes arrive (issue 14 item 1): the head (request line + headers) is capped, and
// a body's cap, chosen per route once the head is known, is checked against Content-Length
// before any body byte is read and against the running total of a chunked body.
//
// No sockets here, so that unit tests and the fuzz target drive it with plain bytes. feed()
// stops after the head and after each complete request, so a connection answers pipelined
// requests one at a time, in order, and never buffers more than one request.
class HttpRequestParser
{
public:
    enum class Event {
        NeedMore, // everything given was consumed; give more
        HeadComplete, // request() has the method, target and headers; feed() again for the body
        RequestComplete, // request() is whole; takeRequest(), then feed() the rest
        Failed, // error() says why; the connection cannot be resynchronised
    };
    enum class Error {
        None,
        HeaderTooLarge, // 431
        UriTooLong, // 414
        BodyTooLarge, // 413
        BodyNotStored, // 507: the body sink refused a write
        Malformed, // 400
    };
    // Called once the head is complete; returns the body cap in bytes for that request.
    using BodyLimit = std::function<qint64(const HttpRequest &head)>;

    HttpRequestParser(qint64 maxHeaderBytes, BodyLimit bodyLimit);
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser &) = delete;
    HttpRequestParser &operator=(const HttpRequestParser &) = delete;

    // Consumes a prefix of `data` and reports what it reached; `*consumed` is the prefix's
    // length. What is not consumed belongs to what follows and must be fed again.
    Event feed(const char *data, qsizetype size, qsizetype *consumed);

    const HttpRequest &request() const { return m_request; }
    // After HeadComplete: the body goes to `sink` rather than into request().body.
    void setBodySink(std::shared_ptr<HttpBodySink> sink) { m_request.bodySink = std::move(sink); }
    // The complete request; the parser is then ready for the next one on the connection.
    HttpRequest takeRequest();
    Error error() const { return m_error; }
    // http-parser's own name for a Malformed request (for debug logs).
    QByteArray errorDetail() const;
    // No byte of a request has been seen since the last one completed.
    bool atRequestStart() const { return m_phase == Phase::Start; }
    bool inHead() const { return m_phase == Phase::Start || m_phase == Phase::Head; }
    // Bytes of the current request's head so far (all of it once HeadComplete was returned,
    // its last LF included, which feed() reports as not consumed).
    qint64 headBytes() const { return m_headBytes; }
    // The status code an error is answered with (0 for none).
    static int statusFor(Error error);

private:
    enum class Phase { Start, Head, Body, Complete, Failed };
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t length);
    static int onHeaderField(http_parser *p, const char *at, size_t length);
    static int onHeaderValue(http_parser *p, const char *at, size_t length);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t length);
    static int onMessageComplete(http_parser *p);
    Event fail(Error error);
    bool hasObsFold(const char *head, qsizetype size);
    void restart();

    std::unique_ptr<http_parser> m_parser;
    qint64 m_maxHeaderBytes;
    BodyLimit m_bodyLimit;
    qint64 m_headBytes = 0;
    qint64 m_bodyCap = 0;
    HttpRequest m_request;
    bool m_inValue = false; // the last header callback was a value
    bool m_tooManyHeaders = false; // past kMaxHeaders: the rest is not kept, 431 at the head's end
    char m_lastHeadByte = 0; // across feed() calls, to see a line fold split between them
    Phase m_phase = Phase::Start;
    Error m_error = Error::None;
    Event m_pausedAt = Event::NeedMore;
};

} // namespace Kyozo::Server
