#include "verifyreceiptstandin.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>

namespace KyozoTest {

VerifyReceiptStandIn::VerifyReceiptStandIn(QByteArray sharedSecret, QObject *parent)
    : QObject(parent)
    , m_secret(std::move(sharedSecret))
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &VerifyReceiptStandIn::onConnection);
}

VerifyReceiptStandIn::~VerifyReceiptStandIn() = default;

bool VerifyReceiptStandIn::start()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QString VerifyReceiptStandIn::productionUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/production").arg(m_server->serverPort());
}

QString VerifyReceiptStandIn::sandboxUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/sandbox").arg(m_server->serverPort());
}

void VerifyReceiptStandIn::addReceipt(const QByteArray &receiptBase64, const QString &environment,
                                      const QJsonObject &response)
{
    m_receipts.insert(receiptBase64, { environment, response });
}

void VerifyReceiptStandIn::failNext(int count, Failure how)
{
    m_failures = count;
    m_failure = how;
}

void VerifyReceiptStandIn::onConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *buffer = new QByteArray;
        connect(socket, &QTcpSocket::disconnected, socket, [socket, buffer] {
            delete buffer;
            socket->deleteLater();
        });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = buffer->left(headEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qsizetype length = at < 0
                ? 0
                : head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
            if (buffer->size() < headEnd + 4 + length)
                return;
            const QList<QByteArray> requestLine = buffer->left(buffer->indexOf("\r\n")).split(' ');
            answer(socket, requestLine.value(1), buffer->mid(headEnd + 4, length));
        });
    }
}

void VerifyReceiptStandIn::answer(QTcpSocket *socket, const QByteArray &path,
                                  const QByteArray &body)
{
    const QJsonObject request = QJsonDocument::fromJson(body).object();
    seen.append({ QString::fromLatin1(path), request });
    int http = 200;
    QJsonObject response;
    if (m_failures > 0) {
        --m_failures;
        if (m_failure == Failure::Drop) {
            socket->abort();
            return;
        }
        if (m_failure == Failure::Http503)
            http = 503;
        else
            response = QJsonObject { { "status", 21005 } };
    } else if (request.value("password").toString().toUtf8() != m_secret) {
        response = QJsonObject { { "status", 21004 } };
    } else if (!m_receipts.contains(request.value("receipt-data").toString().toLatin1())) {
        response = QJsonObject { { "status", 21003 } };
    } else {
        const auto &[environment, known]
            = m_receipts.value(request.value("receipt-data").toString().toLatin1());
        const bool atSandbox = path == "/sandbox";
        if (environment == QLatin1String("Sandbox") && !atSandbox) {
            response = QJsonObject { { "status", 21007 } };
        } else if (environment == QLatin1String("Production") && atSandbox) {
            response = QJsonObject { { "status", 21008 } };
        } else {
            response = known;
            response.insert("status", 0);
            response.insert("environment", environment);
            // As Apple: the receipt's request_date_ms is the time of this answer.
            if (response.contains("receipt")) {
                QJsonObject receipt = response.value("receipt").toObject();
                receipt.insert("request_date_ms",
                               QString::number(QDateTime::currentMSecsSinceEpoch()));
                response.insert("receipt", receipt);
            }
        }
    }
    const QByteArray payload = http == 200 ? QJsonDocument(response).toJson() : "busy";
    socket->write("HTTP/1.1 " + QByteArray::number(http) + (http == 200 ? " OK" : " Busy")
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload);
    socket->disconnectFromHost();
}

} // namespace KyozoTest
