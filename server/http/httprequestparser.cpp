#include "httprequestparser.h"

#include <http_parser.h>

namespace Kyozo::Server {

namespace {

    // A head of 64 KiB holds thousands of tiny headers; each costs two allocations here, so their
    // number is capped too (431), as nginx caps its header buffers.
    constexpr qsizetype kMaxHeaders = 256;

    HttpRequestParser *self(http_parser *p)
    {
        return static_cast<HttpRequestParser *>(p->data);
    }

} // namespace

HttpRequestParser::HttpRequestParser(qint64 maxHeaderBytes, BodyLimit bodyLimit)
    : m_parser(std::make_unique<http_parser>())
    , m_maxHeaderBytes(maxHeaderBytes)
    , m_bodyLimit(std::move(bodyLimit))
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

HttpRequestParser::~HttpRequestParser() = default;

int HttpRequestParser::statusFor(Error error)
{
    switch (error) {
    case Error::None:
        return 0;
    case Error::HeaderTooLarge:
        return 431;
    case Error::UriTooLong:
        return 414;
    case Error::BodyTooLarge:
        return 413;
    case Error::BodyNotStored:
        return 507;
    case Error::Malformed:
        return 400;
    }
    return 400;
}

QByteArray HttpRequestParser::errorDetail() const
{
    return http_errno_name(HTTP_PARSER_ERRNO(m_parser.get()));
}

HttpRequestParser::Event HttpRequestParser::fail(Error error)
{
    if (m_error == Error::None)
        m_error = error;
    m_phase = Phase::Failed;
    return Event::Failed;
}

HttpRequestParser::Event HttpRequestParser::feed(const char *data, qsizetype size,
                                                 qsizetype *consumed)
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &HttpRequestParser::onMessageBegin;
        s.on_url = &HttpRequestParser::onUrl;
        s.on_header_field = &HttpRequestParser::onHeaderField;
        s.on_header_value = &HttpRequestParser::onHeaderValue;
        s.on_headers_complete = &HttpRequestParser::onHeadersComplete;
        s.on_body = &HttpRequestParser::onBody;
        s.on_message_complete = &HttpRequestParser::onMessageComplete;
        return s;
    }();
    *consumed = 0;
    if (m_phase == Phase::Failed)
        return Event::Failed;
    if (m_phase == Phase::Complete)
        return Event::RequestComplete; // takeRequest() first
    qsizetype total = 0;
    while (total < size) {
        const bool head = inHead();
        qsizetype slice = size - total;
        // Never hand http-parser more head than one byte past the cap, so that the cap is
        // exact and does not depend on how the bytes were split.
        if (head)
            slice = std::min<qsizetype>(slice, m_maxHeaderBytes - m_headBytes + 1);
        m_pausedAt = Event::NeedMore;
        const size_t n
            = http_parser_execute(m_parser.get(), &settings, data + total, size_t(slice));
        const http_errno err = HTTP_PARSER_ERRNO(m_parser.get());
        // RFC 9112 §5.2: obs-fold (a head line starting with SP or HTAB) is refused, before
        // the head is acted on; http-parser would glue the line onto the previous value. So
        // is a bare CR (§2.2).
        if (head && hasObsFold(data + total, qsizetype(n))) {
            // Whatever a callback found in this slice (a Content-Length over the cap, say), a
            // head that is not HTTP is refused as such: with the bytes split elsewhere
            // http-parser stops at it before any callback.
            m_error = Error::Malformed;
            return fail(Error::Malformed);
        }
        if (head)
            m_headBytes += qint64(n);
        total += qsizetype(n);
        *consumed = total;
        if (err == HPE_PAUSED) {
            http_parser_pause(m_parser.get(), 0);
            // Paused on the head's last LF, which http-parser reads again when resumed.
            if (head && m_pausedAt == Event::HeadComplete && ++m_headBytes > m_maxHeaderBytes)
                return fail(Error::HeaderTooLarge);
            return m_pausedAt;
        }
        if (err != HPE_OK)
            return fail(err == HPE_HEADER_OVERFLOW ? Error::HeaderTooLarge : Error::Malformed);
        if (inHead() && m_headBytes > m_maxHeaderBytes)
            return fail(Error::HeaderTooLarge);
        if (qsizetype(n) < slice) // http-parser stopped without an error: nothing more fits
            return fail(Error::Malformed);
    }
    return Event::NeedMore;
}

bool HttpRequestParser::hasObsFold(const char *head, qsizetype size)
{
    for (qsizetype i = 0; i < size; ++i) {
        const char c = head[i];
        if ((c == ' ' || c == '\t') && m_lastHeadByte == '\n')
            return true;
        // RFC 9112 §2.2: a bare CR is invalid. http-parser takes one or refuses it depending
        // on where the bytes were split (found by fuzz_http), so it is refused here, alike.
        if (m_lastHeadByte == '\r' && c != '\n')
            return true;
        m_lastHeadByte = c;
    }
    return false;
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest done = std::move(m_request);
    restart();
    return done;
}

void HttpRequestParser::restart()
{
    m_request = HttpRequest();
    m_headBytes = 0;
    m_bodyCap = 0;
    m_inValue = false;
    m_tooManyHeaders = false;
    m_lastHeadByte = 0;
    m_phase = Phase::Start;
}

int HttpRequestParser::onMessageBegin(http_parser *p)
{
    self(p)->m_phase = Phase::Head;
    return 0;
}

int HttpRequestParser::onUrl(http_parser *p, const char *at, size_t length)
{
    self(p)->m_request.target.append(at, qsizetype(length));
    return 0;
}

int HttpRequestParser::onHeaderField(http_parser *p, const char *at, size_t length)
{
    HttpRequestParser *d = self(p);
    if (d->m_phase != Phase::Head)
        return 0; // trailers of a chunked body: bounded by http-parser, not kept
    // RFC 9112 §5.1: no whitespace in a field name or before its colon (400). http-parser
    // built without HTTP_PARSER_STRICT takes SP as a token character.
    if (QByteArrayView(at, qsizetype(length)).contains(' ')) {
        d->m_error = Error::Malformed;
        return -1;
    }
    if (d->m_inValue || d->m_request.headers.isEmpty()) {
        d->m_inValue = false;
        // Too many headers is reported when the head ends, not here: http-parser calls this
        // with part of a field when the bytes end mid-field, before it has checked the rest,
        // so failing here would make a malformed head 431 or 400 depending on the split
        // (found by fuzz_http). Nothing past the cap is kept meanwhile.
        if (d->m_request.headers.size() == kMaxHeaders)
            d->m_tooManyHeaders = true;
        if (d->m_tooManyHeaders)
            return 0;
        d->m_request.headers.append({ QByteArray(), QByteArray() });
    }
    if (d->m_tooManyHeaders)
        return 0;
    d->m_request.headers.last().first.append(at, qsizetype(length));
    return 0;
}

int HttpRequestParser::onHeaderValue(http_parser *p, const char *at, size_t length)
{
    HttpRequestParser *d = self(p);
    if (d->m_phase != Phase::Head)
        return 0;
    d->m_inValue = true;
    if (d->m_tooManyHeaders)
        return 0;
    d->m_request.headers.last().second.append(at, qsizetype(length));
    return 0;
}

int HttpRequestParser::onHeadersComplete(http_parser *p)
{
    HttpRequestParser *d = self(p);
    HttpRequest &r = d->m_request;
    d->m_phase = Phase::Body;
    if (d->m_tooManyHeaders) {
        d->m_error = Error::HeaderTooLarge;
        return -1;
    }
    // RFC 9110 §5.5: a field value has no leading or trailing whitespace (http-parser keeps
    // the trailing one).
    for (auto &header : r.headers) {
        header.first = header.first.toLower();
        header.second = header.second.trimmed();
    }
    // http_parser_url keeps 16-bit offsets.
    if (r.target.size() > 0xFFFF) {
        d->m_error = Error::UriTooLong;
        return -1;
    }
    http_parser_url url;
    http_parser_url_init(&url);
    if (r.target == "*") { // OPTIONS * (RFC 9112 §3.2.4): no path to route
        r.path = r.target;
    } else if (http_parser_parse_url(r.target.constData(), size_t(r.target.size()),
                                     p->method == HTTP_CONNECT, &url)
               != 0) {
        d->m_error = Error::Malformed;
        return -1;
    } else {
        if (url.field_set & (1 << UF_PATH))
            r.path = r.target.mid(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
        if (url.field_set & (1 << UF_QUERY))
            r.query = r.target.mid(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
    }
    r.method = http_method_str(http_method(p->method));
    r.httpMajor = p->http_major;
    r.httpMinor = p->http_minor;
    r.keepAlive = http_should_keep_alive(p) != 0;
    r.upgrade = p->upgrade != 0;
    d->m_bodyCap = d->m_bodyLimit ? d->m_bodyLimit(r) : 0;
    // Refuse a declared length before a byte of the body is read (issue 14 item 1).
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > quint64(d->m_bodyCap)) {
        d->m_error = Error::BodyTooLarge;
        return -1;
    }
    d->m_pausedAt = Event::HeadComplete;
    http_parser_pause(p, 1);
    return 0;
}

int HttpRequestParser::onBody(http_parser *p, const char *at, size_t length)
{
    HttpRequestParser *d = self(p);
    // A chunked body has no declared length: its running total is what is capped.
    if (d->m_request.bodyBytes + qint64(length) > d->m_bodyCap) {
        d->m_error = Error::BodyTooLarge;
        return -1;
    }
    d->m_request.bodyBytes += qint64(length);
    if (d->m_request.bodySink) {
        if (!d->m_request.bodySink->write(QByteArrayView(at, qsizetype(length)))) {
            d->m_error = Error::BodyNotStored;
            return -1;
        }
        return 0;
    }
    d->m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpRequestParser::onMessageComplete(http_parser *p)
{
    HttpRequestParser *d = self(p);
    d->m_phase = Phase::Complete;
    d->m_pausedAt = Event::RequestComplete;
    http_parser_pause(p, 1);
    return 0;
}

} // namespace Kyozo::Server
