#pragma once

#include "channelconnection.h"

#include <QObject>
#include <optional>

namespace Kyozo::App {

// Team mode (SPEC §9): a remote kyozo-server, its workspace topic, and a token kept by
// TokenStore under the server's URL.
class TeamSession : public QObject
{
    Q_OBJECT
public:
    TeamSession(QUrl server, QString workspace, QObject *parent = nullptr);

    std::optional<QString> storedToken();
    bool storeToken(const QString &token);
    void start(const QString &token);
    QUrl server() const { return m_server; }
    ChannelConnection *connection() { return &m_connection; }

signals:
    void statusChanged(const QString &text);
    void notice(const QString &text);

private:
    QUrl m_server;
    QString m_workspace;
    ChannelConnection m_connection;
};

} // namespace Kyozo::App
