#pragma once

#include <QByteArray>
#include <QList>
#include <memory>
#include <utility>

class QJsonObject;
class QString;

namespace Kyozo::Server {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

// Where a route takes its body as it arrives instead of in HttpRequest::body (an upload,
// written to disk): write() gets every body byte in order; false stops the request (507).
class HttpBodySink
{
public:
    virtual ~HttpBodySink() = default;
    virtual bool write(QByteArrayView bytes) = 0;
};

// One parsed HTTP/1.1 request (RFC 9112) as http-parser saw it. Everything is raw bytes: the
// path is still percent-encoded, so that the route table decodes each segment exactly once.
struct HttpRequest
{
    QByteArray method; // "GET", as http_method_str() spells it
    QByteArray target; // the request-target as sent
    QByteArray path; // the target's path, percent-encoded
    QByteArray query; // after '?', percent-encoded, without the '?'
    HttpHeaders headers; // names lower-cased, in the order sent
    QByteArray body; // empty when a bodySink took it
    std::shared_ptr<HttpBodySink> bodySink; // set by the route once the head is read
    qint64 bodyBytes = 0; // read so far, wherever they went
    int httpMajor = 1;
    int httpMinor = 1;
    bool keepAlive = true; // http_should_keep_alive(): HTTP/1.0 closes unless asked not to
    bool upgrade = false; // Upgrade + Connection: upgrade were sent

    // The first header of that (lower-case) name, or a null array.
    QByteArray header(QByteArrayView lowerCaseName) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    HttpHeaders headers; // besides Content-Type, Content-Length and Connection

    // The bytes to send. `headOnly` (RFC 9110 §9.3.2, HEAD) keeps the Content-Length of the
    // body but leaves the body out; `close` says Connection: close; `keepAliveHttp10` says
    // Connection: keep-alive, which an HTTP/1.0 client needs to hear.
    QByteArray serialize(bool headOnly, bool close, bool keepAliveHttp10) const;
};

// SPEC §11: JSON bodies; errors are {"error":{"code","message"}}.
HttpResponse jsonResponse(int status, const QJsonObject &body);
HttpResponse jsonError(int status, const char *code, const QString &message);

} // namespace Kyozo::Server
