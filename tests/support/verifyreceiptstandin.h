#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace KyozoTest {

// A stand-in for Apple's verifyReceipt on loopback, answering as Apple documents
// (https://developer.apple.com/documentation/appstorereceipts/verifyreceipt): POST
// {"receipt-data","password","exclude-old-transactions"} to /production or /sandbox; a wrong
// password is 21004, a receipt of the other environment 21007 (at production) or 21008 (at
// the sandbox), an unknown one 21003; a known one status 0 with the response it was given
// (its receipt.request_date_ms the time of the answer). addReceipt() again changes it.
class VerifyReceiptStandIn : public QObject
{
    Q_OBJECT
public:
    explicit VerifyReceiptStandIn(QByteArray sharedSecret, QObject *parent = nullptr);
    ~VerifyReceiptStandIn() override;
    bool start();
    QString productionUrl() const;
    QString sandboxUrl() const;

    // A receipt Apple knows, from "Production" or "Sandbox", and what it answers for it
    // (status and environment are added).
    void addReceipt(const QByteArray &receiptBase64, const QString &environment,
                    const QJsonObject &response);
    // The next `count` requests fail first: HTTP 503, Apple's 21005, or the connection dropped.
    enum class Failure { Http503, Status21005, Drop };
    void failNext(int count, Failure how);

    struct Seen
    {
        QString path;
        QJsonObject body;
    };
    QList<Seen> seen;

private:
    void onConnection();
    void answer(QTcpSocket *socket, const QByteArray &path, const QByteArray &body);

    QByteArray m_secret;
    QTcpServer *m_server;
    QHash<QByteArray, std::pair<QString, QJsonObject>> m_receipts;
    int m_failures = 0;
    Failure m_failure = Failure::Http503;
};

} // namespace KyozoTest
