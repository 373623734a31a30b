#include "channelclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>

namespace KyozoTest {

// Runs the event loop until `done` or the timeout.
bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() >= timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

namespace {
QJsonValue ref(const QString &s) { return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s); }
} // namespace

QJsonArray frame(const QString &joinRef, const QString &r, const QString &topic, const QString &event,
                 const QJsonValue &payload)
{
    return QJsonArray{ ref(joinRef), ref(r), topic, event, payload };
}

ChannelClient::ChannelClient()
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_frames.append(QJsonDocument::fromJson(text.toUtf8()).array());
        ++m_received;
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = int(m_socket.closeCode());
    });
}

bool ChannelClient::open(const QUrl &url, int timeoutMs)
{
    m_socket.open(url);
    return spinUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState || m_closed; }, timeoutMs)
            && m_socket.state() == QAbstractSocket::ConnectedState;
}

void ChannelClient::send(const QJsonArray &f) { sendText(QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact))); }

void ChannelClient::sendText(const QString &text) { m_socket.sendTextMessage(text); }

QJsonArray ChannelClient::waitFor(const std::function<bool(const QJsonArray &)> &match, int timeoutMs)
{
    QJsonArray found;
    spinUntil([&] {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (match(m_frames[i])) {
                found = m_frames.takeAt(i);
                return true;
            }
        }
        return false;
    }, timeoutMs);
    return found;
}

QJsonArray ChannelClient::waitForReply(const QString &r, int timeoutMs)
{
    return waitFor([&](const QJsonArray &f) { return f[1].toString() == r && f[3].toString() == QLatin1String("phx_reply"); },
                   timeoutMs);
}

QJsonArray ChannelClient::waitForEvent(const QString &topic, const QString &event, int timeoutMs)
{
    return waitFor([&](const QJsonArray &f) { return f[2].toString() == topic && f[3].toString() == event; }, timeoutMs);
}

QJsonArray ChannelClient::join(const QString &topic, const QString &joinRef, const QJsonObject &payload)
{
    send(frame(joinRef, joinRef, topic, QStringLiteral("phx_join"), payload));
    return waitForReply(joinRef);
}

bool ChannelClient::waitClosed(int timeoutMs)
{
    return spinUntil([this] { return m_closed; }, timeoutMs);
}

} // namespace KyozoTest
