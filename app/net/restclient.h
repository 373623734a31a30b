#pragma once

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

namespace Kyozo::App {

// kyozo-server's REST API (SPEC §11) with the user's bearer token: JSON in, JSON out, every
// answer bounded in size and time, errors as one translated line.
class RestClient : public QObject
{
    Q_OBJECT
public:
    RestClient(QUrl server, QString token, QObject *parent = nullptr);

    // Paths are as in the request target: a segment holding '/', '%' or '?' comes
    // percent-encoded (QUrl::toPercentEncoding), and stays so.
    // `error` is empty on a 2xx answer with a JSON object (or no body).
    using Done = std::function<void(const QJsonObject &json, const QString &error)>;
    void get(const QString &path, const QUrlQuery &query, Done done);
    void post(const QString &path, const QJsonObject &body, Done done);
    void put(const QString &path, const QJsonObject &body, Done done);
    void remove(const QString &path, Done done); // DELETE

    // The HTTP status of the answer whose Done runs now (0: no answer), e.g. to tell a
    // missing notebook (404) from a server that did not answer.
    int lastStatus() const { return m_lastStatus; }
    QUrl server() const { return m_server; }
    QString token() const { return m_token; }

    // A notebook of 64 MiB (the server's default max_notebook_bytes) as JSON, with room.
    static constexpr qint64 kMaxAnswerBytes = 160 * 1024 * 1024;
    static constexpr int kTimeoutMs = 20000;

private:
    QNetworkRequest request(const QString &path) const;
    void finish(class QNetworkReply *reply, const Done &done);

    QUrl m_server;
    QString m_token;
    QNetworkAccessManager m_network;
    int m_lastStatus = 0;
};

} // namespace Kyozo::App
