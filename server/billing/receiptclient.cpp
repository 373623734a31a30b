#include "receiptclient.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

namespace Kyozo::Server {

using Billing::ReceiptVerification;

struct ReceiptClient::Job
{
    ReceiptVerification verification;
    Done done;
    QElapsedTimer started;
    QPointer<QNetworkReply> current; // the request in flight, if any
    std::unique_ptr<QTimer> deadline; // the whole validation's
    bool finished = false;
    bool timedOut = false;
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
    auto job = std::make_shared<Job>(Job { ReceiptVerification(m_options, receiptBase64),
                                           std::move(done), {}, {}, {}, false, false });
    job->started.start();
    // kDeadlineMs in all, whatever the upstream does (a byte every few seconds keeps a
    // transfer timeout from ever firing): the request in flight is aborted, a wait cut short.
    job->deadline = std::make_unique<QTimer>();
    job->deadline->setSingleShot(true);
    connect(job->deadline.get(), &QTimer::timeout, this, [this, job] {
        job->timedOut = true;
        if (job->current)
            job->current->abort(); // its finished() ends the job
        else
            step(job, job->verification.onDeadline());
    });
    job->deadline->start(int(kDeadlineMs));
    step(job, job->verification.start());
    return true;
}

void ReceiptClient::step(const std::shared_ptr<Job> &job, ReceiptVerification::Next next)
{
    if (job->finished)
        return;
    switch (next) {
    case ReceiptVerification::Next::Send:
        send(job);
        return;
    case ReceiptVerification::Next::Wait:
        QTimer::singleShot(job->verification.delayMs(), this, [this, job] {
            if (!job->finished)
                send(job);
        });
        return;
    case ReceiptVerification::Next::Done:
        job->finished = true;
        // Possibly from the deadline's own timeout(): deleted once that has returned, which
        // also drops the job its connection holds.
        job->deadline->stop();
        job->deadline.release()->deleteLater();
        --m_inFlight;
        job->done(job->verification);
        return;
    }
}

void ReceiptClient::send(const std::shared_ptr<Job> &job)
{
    QNetworkRequest request { QUrl(job->verification.url()) };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network->post(request, job->verification.requestBody());
    job->current = reply;
    // Each request kTimeoutMs, and its answer at most kMaxAnswerBytes.
    QTimer::singleShot(kTimeoutMs, reply, [reply] { reply->abort(); });
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxAnswerBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, job, reply] {
        job->current = nullptr;
        if (job->timedOut) {
            step(job, job->verification.onDeadline());
            return;
        }
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        // An answer cut off (timeout, dropped, too big) is a network error even after a 200.
        if (reply->error() != QNetworkReply::NoError && (http == 0 || (http >= 200 && http < 300))) {
            step(job, job->verification.onNetworkError(reply->errorString()));
            return;
        }
        step(job, job->verification.onReply(http, reply->readAll()));
    });
}

} // namespace Kyozo::Server
