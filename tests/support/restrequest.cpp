#include "restrequest.h"

#include "protocol/json.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <memory>

namespace KyozoTest {

QString RestResponse::errorCode() const
{
    return json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

RestResponse restRequest(const QByteArray &method, const QUrl &url, const QString &token,
                         const QByteArray &body, const QByteArray &contentType, int timeoutMs,
                         const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkAccessManager nam;
    QNetworkRequest req(url);
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    req.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    std::unique_ptr<QNetworkReply> reply(nam.sendCustomRequest(req, method, body));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    RestResponse r;
    if (!reply->isFinished()) {
        r.networkError = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        return r;
    }
    if (reply->error() != QNetworkReply::NoError)
        r.networkError = reply->errorString();
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = Kyozo::Protocol::parseJson(r.body).object(); // as a browser's JSON.parse: every U+FEFF kept
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    return r;
}

} // namespace KyozoTest
