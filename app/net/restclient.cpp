#include "restclient.h"
#include "protocol/json.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace Kyozo::App {

RestClient::RestClient(QUrl server, QString token, QObject *parent)
    : QObject(parent)
    , m_server(std::move(server))
    , m_token(std::move(token))
{
}

void RestClient::get(const QString &path, const QUrlQuery &query, Done done)
{
    QUrl url = m_server;
    url.setPath(path, QUrl::TolerantMode); // percent-encoded segments stay encoded
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    finish(m_network.get(request), done);
}

void RestClient::post(const QString &path, const QJsonObject &body, Done done)
{
    QUrl url = m_server;
    url.setPath(path, QUrl::TolerantMode); // percent-encoded segments stay encoded
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(kTimeoutMs);
    finish(m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)), done);
}

QNetworkRequest RestClient::request(const QString &path) const
{
    QUrl url = m_server;
    url.setPath(path, QUrl::TolerantMode); // percent-encoded segments stay encoded
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    return request;
}

void RestClient::put(const QString &path, const QJsonObject &body, Done done)
{
    QNetworkRequest r = request(path);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    finish(m_network.put(r, QJsonDocument(body).toJson(QJsonDocument::Compact)), done);
}

void RestClient::remove(const QString &path, Done done)
{
    finish(m_network.deleteResource(request(path)), done);
}

void RestClient::finish(QNetworkReply *reply, const Done &done)
{
    reply->setParent(this);
    // A server that sends more than any answer of its API can hold is not read further.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxAnswerBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_lastStatus = status;
        const QByteArray body = reply->readAll();
        QJsonParseError parseError;
        const QJsonDocument json = Protocol::parseJson(body, &parseError);
        if (status >= 200 && status < 300) {
            if (body.isEmpty() || json.isObject())
                done(json.object(), {});
            else
                done({}, tr("the server's answer is not JSON (%1).").arg(parseError.errorString()));
            return;
        }
        if (status == 0) {
            done({}, reply->errorString());
            return;
        }
        // {"error": {"code", "message"}} (SPEC §11)
        const QJsonObject error = json.object().value(QLatin1String("error")).toObject();
        const QString message = error.value(QLatin1String("message")).toString();
        done({},
             tr("the server answered %1: %2")
                 .arg(status)
                 .arg(message.isEmpty() ? error.value(QLatin1String("code")).toString() : message));
    });
}

} // namespace Kyozo::App
