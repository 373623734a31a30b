#include "httpmessage.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <http_parser.h>

namespace Kyozo::Server {

QByteArray HttpRequest::header(QByteArrayView lowerCaseName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerCaseName)
            return value;
    return {};
}

QByteArray HttpResponse::serialize(bool headOnly, bool close, bool keepAliveHttp10) const
{
    QByteArray out;
    out.reserve(160 + (headOnly ? 0 : body.size()));
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + http_status_str(http_status(status))
        + "\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    // RFC 9110 §8.6: 204 carries no Content-Length; a HEAD answer carries the GET's.
    if (status != 204)
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    else if (keepAliveHttp10)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!headOnly && status != 204)
        out += body;
    return out;
}

HttpResponse jsonResponse(int status, const QJsonObject &body)
{
    return HttpResponse { status,
                          QByteArrayLiteral("application/json"),
                          QJsonDocument(body).toJson(QJsonDocument::Compact),
                          {} };
}

HttpResponse jsonError(int status, const char *code, const QString &message)
{
    return jsonResponse(
        status,
        QJsonObject { { QStringLiteral("error"),
                        QJsonObject { { QStringLiteral("code"), QString::fromLatin1(code) },
                                      { QStringLiteral("message"), message } } } });
}

} // namespace Kyozo::Server
