#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace KyozoTest {

// One REST answer of kyozo-server (SPEC §11).
struct RestResponse
{
    int status = 0; // 0 when no answer came within 10 s
    QJsonObject json;
    QByteArray body;
    QByteArray contentType;
    QString networkError; // QNetworkReply::errorString() when the request did not get through
    // {"error":{"code"}} of an error answer.
    QString errorCode() const;
};

// `method url` with a bearer token (when given) and a body of `contentType` (JSON unless
// told); runs the event loop while it waits, at most `timeoutMs`.
RestResponse restRequest(const QByteArray &method, const QUrl &url, const QString &token = {},
                         const QByteArray &body = {},
                         const QByteArray &contentType = QByteArrayLiteral("application/json"),
                         int timeoutMs = 10000,
                         const QList<std::pair<QByteArray, QByteArray>> &headers = {});

} // namespace KyozoTest
