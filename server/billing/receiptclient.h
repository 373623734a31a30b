#pragma once

#include "billing/appstorereceipt.h"

#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace Kyozo::Server {

// Sends receipts to Apple's verifyReceipt and follows Billing::ReceiptVerification's steps
// (the sandbox move, the retries with their delays) over HTTP. Bounded: at most kMaxInFlight
// receipts at once, each request kTimeoutMs, each answer kMaxAnswerBytes, and each receipt
// kDeadlineMs in all, retries included, so the caller waiting on it gets an answer.
class ReceiptClient : public QObject
{
    Q_OBJECT
public:
    explicit ReceiptClient(Billing::ReceiptOptions options, QObject *parent = nullptr);
    ~ReceiptClient() override;

    using Done = std::function<void(const Billing::ReceiptVerification &verification)>;
    // False (and `done` never called) when kMaxInFlight receipts are being verified already.
    bool verify(const QByteArray &receiptBase64, Done done);

    static constexpr int kMaxInFlight = 32;
    static constexpr int kTimeoutMs = 10000;
    static constexpr qint64 kDeadlineMs = 40000;
    static constexpr qint64 kMaxAnswerBytes = 8 << 20;

private:
    struct Job;
    void send(const std::shared_ptr<Job> &job);
    void step(const std::shared_ptr<Job> &job, Billing::ReceiptVerification::Next next);

    Billing::ReceiptOptions m_options;
    QNetworkAccessManager *m_network;
    int m_inFlight = 0;
};

} // namespace Kyozo::Server
