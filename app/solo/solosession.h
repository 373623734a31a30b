#pragma once

#include "bundledserver.h"
#include "net/channelconnection.h"

#include <QObject>

namespace Kyozo::App {

// Solo mode (SPEC §9): the bundled server, a local user with a token kept by TokenStore,
// and the channel connection to the local workspace, in which the writer shows in presence.
class SoloSession : public QObject
{
    Q_OBJECT
public:
    explicit SoloSession(QObject *parent = nullptr);
    ~SoloSession() override;

    void start();
    void stop();

    BundledServer *server() { return &m_server; }
    ChannelConnection *connection() { return &m_connection; }
    QString userName() const { return m_user; }

    static inline const QString kWorkspace = QStringLiteral("local");

signals:
    // Text for the status bar, already translated.
    void statusChanged(const QString &text);
    // Said once: the keychain could not be used (TokenStore::notice()).
    void notice(const QString &text);

private:
    QString token(bool fresh);
    void connectTo(const QUrl &url);

    BundledServer m_server;
    ChannelConnection m_connection;
    QString m_user;
    QString m_token;
    bool m_renewedToken = false;
};

} // namespace Kyozo::App
