#include "receiptclient.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace Kyozo::Server {

using Billing::ReceiptVerification;

struct ReceiptClient::Job
{
    ReceiptVerification verification;
    Done done;
    QElapsedTimer started;
};

ReceiptClient::ReceiptClient(Billing::ReceiptOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setAutoDeleteReplies(true);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ReceiptClient::~ReceiptClient() = default;

bool ReceiptClient::verify(const QByteArray &receiptBase64, Done done)
{
    if (m_inFlight >= kMaxInFlight)
        return false;
    ++m_inFlight;
    auto job = std::make_shared<Job>(
        Job { ReceiptVerification(m_options, receiptBase64), std::move(done), {} });
    job->started.start();
    step(job, job->verification.start());
    return true;
}

void ReceiptClient::step(const std::shared_ptr<Job> &job, ReceiptVerification::Next next)
{
    switch (next) {
    case ReceiptVerification::Next::Send:
        send(job);
        return;
    case ReceiptVerification::Next::Wait:
        if (job->started.elapsed() + job->verification.delayMs() + kTimeoutMs > kDeadlineMs) {
            step(job, job->verification.onDeadline());
            return;
        }
        QTimer::singleShot(job->verification.delayMs(), this, [this, job] { send(job); });
        return;
    case ReceiptVerification::Next::Done:
        --m_inFlight;
        job->done(job->verification);
        return;
    }
}

void ReceiptClient::send(const std::shared_ptr<Job> &job)
{
    QNetworkRequest request { QUrl(job->verification.url()) };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(kTimeoutMs);
    QNetworkReply *reply = m_network->post(request, job->verification.requestBody());
    // An answer past the bound is not Apple's: cut it off instead of buffering it.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxAnswerBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, job, reply] {
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError && http == 0) {
            step(job, job->verification.onNetworkError(reply->errorString()));
            return;
        }
        step(job, job->verification.onReply(http, reply->readAll()));
    });
}

} // namespace Kyozo::Server
