#pragma once

#include "bundledserver.h"
#include "net/channelconnection.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

namespace Kyozo::App {

// Solo mode (SPEC §9): the bundled server, a local user with a token kept by TokenStore,
// and the channel connection to the local workspace, in which the writer shows in presence.
class SoloSession : public QObject
{
    Q_OBJECT
public:
    // `program`: the kyozo-server to bundle (tests pass the build's own).
    explicit SoloSession(QString program = BundledServer::defaultProgram(),
                         QObject *parent = nullptr);
    ~SoloSession() override;

    void start();
    void stop();
    // File → Reconnect (issue 19 item 7): the server started again now, its crashes
    // forgotten. After the crash limit this is also tried by itself, with back-off: first
    // after retryDelays().first ms, then twice as long each time up to .second.
    void reconnect();
    void setRetryDelays(int firstMs, int maxMs);
    std::pair<int, int> retryDelays() const { return { m_firstRetryMs, m_maxRetryMs }; }
    // The wait before the automatic retry that is due, in ms; -1 when none is.
    int pendingRetryDelay() const { return m_retryTimer.isActive() ? m_retryTimer.interval() : -1; }

    BundledServer *server() { return &m_server; }
    ChannelConnection *connection() { return &m_connection; }
    QString userName() const { return m_user; }
    // The local user's token, once the server was ready the first time (else empty).
    QString token() const { return m_token; }
    // Where this app reaches the bundled server now; empty while it is not ready.
    QUrl serverUrl() const { return m_server.url(); }

    // "Share…" (issue 15 item 3): the server is restarted listening on `address`:`port`, a
    // guest user of the local workspace (role editor) gets a new token, and sharingStarted()
    // says where a collaborator connects. The guest is recorded in QSettings ("share/guests")
    // so that running cells can refuse it (issue 17).
    void startSharing(const QHostAddress &address, quint16 port);
    // Revokes the guest's token and restarts the server on loopback only.
    void stopSharing();
    bool isSharing() const { return m_sharing; }
    // The URL a collaborator uses: the shared address, or for an any-address the machine's
    // first IPv4 address that is not loopback.
    static QUrl publicUrl(const QHostAddress &address, quint16 port);
    // The first IPv4 address of an interface that is up and not loopback; null when none.
    static QHostAddress firstNetworkAddress();
    // The command line that opens the local workspace (and `notebookId` when not empty) as
    // the guest: kyozo --server URL --workspace local [--notebook ID] --token TOKEN.
    static QString guestCommandLine(const QUrl &url, const QString &token,
                                    const QString &notebookId);

    static inline const QString kGuest = QStringLiteral("guest");
    static inline const QString kWorkspace = QStringLiteral("local");

signals:
    // Text for the status bar, already translated.
    void statusChanged(const QString &text);
    // Said once: the keychain could not be used (TokenStore::notice()).
    void notice(const QString &text);
    // The server is ready at `url` (for this app) with the local user's token(): after the
    // first start and after every restart, which may change its port.
    void serverReady(const QUrl &url);
    void sharingStarted(const QUrl &url, const QString &guestToken);
    void sharingFailed(const QString &reason);
    void sharingStopped();

private:
    QString makeToken(bool fresh);
    void revokeGuest();
    void connectTo(const QUrl &url);

    BundledServer m_server;
    ChannelConnection m_connection;
    QString m_user;
    QString m_token;
    bool m_renewedToken = false;
    QHostAddress m_shareAddress;
    QString m_guestToken;
    bool m_sharePending = false;
    bool m_sharing = false;
    QTimer m_retryTimer; // after the crash limit
    int m_firstRetryMs = 30 * 1000;
    int m_maxRetryMs = 10 * 60 * 1000;
    int m_nextRetryMs = m_firstRetryMs;
};

} // namespace Kyozo::App
