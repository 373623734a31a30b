#include "solosession.h"

#include "net/tokenstore.h"

#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSettings>

Q_LOGGING_CATEGORY(lcSolo, "kyozo.solo")

namespace Kyozo::App {

namespace {

    QString localUserName()
    {
        QString name = qEnvironmentVariable("USER");
        name.remove(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")));
        return name.isEmpty() ? QStringLiteral("writer") : name;
    }

} // namespace

SoloSession::SoloSession(QString program, QObject *parent)
    : QObject(parent)
    , m_server(std::move(program), BundledServer::defaultDatabaseUrl())
    , m_user(localUserName())
{
    connect(&m_server, &BundledServer::ready, this, &SoloSession::connectTo);
    connect(&m_server, &BundledServer::ready, this, [this](const QUrl &) {
        if (!m_sharePending)
            return;
        m_sharePending = false;
        m_sharing = true;
        emit sharingStarted(publicUrl(m_shareAddress, quint16(m_server.url().port())),
                            m_guestToken);
    });
    connect(&m_server, &BundledServer::died, this, [this](const QString &reason, bool willRestart) {
        m_connection.close();
        if (m_sharePending) {
            // It could not listen there (the port is taken, the address is not this
            // machine's): back to loopback only, where the restart now starts it.
            m_sharePending = false;
            m_server.setListen(BundledServer::kLoopback);
            revokeGuest();
            const QString why = m_server.lastError().isEmpty() ? reason : m_server.lastError();
            qCWarning(lcSolo).noquote() << "sharing failed:" << why;
            emit sharingFailed(why);
        }
        if (willRestart) {
            emit statusChanged(tr("Local server stopped (%1); restarting…").arg(reason));
            return;
        }
        // The crash limit: not given up for good. Tried again later, less often each time
        // (the edits made meanwhile wait in co-editing's offline queue).
        const int delay = m_nextRetryMs;
        m_nextRetryMs = std::min(m_nextRetryMs * 2, m_maxRetryMs);
        m_retryTimer.start(delay);
        emit statusChanged(tr("Local server stopped (%1); it keeps failing. Trying again in "
                              "%2 s, or now with File → Reconnect.")
                               .arg(reason)
                               .arg((delay + 999) / 1000));
    });
    connect(&m_server, &BundledServer::ready, this, [this] {
        m_retryTimer.stop();
        m_nextRetryMs = m_firstRetryMs;
    });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &SoloSession::reconnect);
    connect(&m_connection, &ChannelConnection::stateChanged, this,
            [this](ChannelConnection::State state) {
                switch (state) {
                case ChannelConnection::State::Connected:
                    m_renewedToken = false;
                    emit statusChanged(tr("Connected to the local server"));
                    break;
                case ChannelConnection::State::Connecting:
                    emit statusChanged(tr("Connecting to the local server…"));
                    break;
                case ChannelConnection::State::Disconnected:
                    if (m_server.isRunning())
                        emit statusChanged(tr("Disconnected from the local server; retrying…"));
                    break;
                }
            });
    // A token the database no longer knows (its file was removed): make a new one, once.
    connect(&m_connection, &ChannelConnection::refused, this, [this](const QString &reason) {
        qCInfo(lcSolo) << "refused:" << reason;
        if (m_renewedToken || m_server.url().isEmpty()) {
            emit statusChanged(tr("The local server refused this app: %1").arg(reason));
            return;
        }
        m_renewedToken = true;
        m_token = makeToken(true);
        connectTo(m_server.url());
    });
}

SoloSession::~SoloSession()
{
    stop();
}

void SoloSession::start()
{
    if (m_server.program().isEmpty()) {
        emit statusChanged(
            tr("kyozo-server was not found next to kyozo or on PATH; working offline."));
        return;
    }
    emit statusChanged(tr("Starting the local server…"));
    m_server.start();
}

void SoloSession::reconnect()
{
    m_retryTimer.stop();
    if (m_server.program().isEmpty())
        return;
    emit statusChanged(tr("Starting the local server…"));
    m_server.restart(m_server.listen()); // forgets the quick restarts
}

void SoloSession::setRetryDelays(int firstMs, int maxMs)
{
    m_firstRetryMs = firstMs;
    m_maxRetryMs = maxMs;
    m_nextRetryMs = firstMs;
}

void SoloSession::stop()
{
    m_retryTimer.stop();
    m_connection.close();
    m_server.stop();
}

QHostAddress SoloSession::firstNetworkAddress()
{
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : interface.addressEntries())
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol && !entry.ip().isLoopback())
                return entry.ip();
    }
    return {};
}

QUrl SoloSession::publicUrl(const QHostAddress &address, quint16 port)
{
    QHostAddress host = address;
    if (host == QHostAddress::AnyIPv4 || host == QHostAddress::Any
        || host == QHostAddress::AnyIPv6) {
        host = firstNetworkAddress();
        if (host.isNull())
            host = QHostAddress::LocalHost;
    }
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host.toString());
    url.setPort(port);
    return url;
}

QString SoloSession::guestCommandLine(const QUrl &url, const QString &token,
                                      const QString &notebookId)
{
    QStringList args { QStringLiteral("kyozo"), QStringLiteral("--server"), url.toString(),
                       QStringLiteral("--workspace"), kWorkspace };
    if (!notebookId.isEmpty())
        args << QStringLiteral("--notebook") << notebookId;
    args << QStringLiteral("--token") << token;
    return args.join(u' ');
}

void SoloSession::startSharing(const QHostAddress &address, quint16 port)
{
    if (m_server.program().isEmpty()) {
        emit sharingFailed(tr("kyozo-server was not found next to kyozo or on PATH."));
        return;
    }
    revokeGuest();
    QByteArray out;
    QString error;
    // An editor (SPEC §11 roles): the guest writes but cannot delete notebooks. `user add`
    // of an existing user sets the role given (docs/server.md), so an old guest is an
    // editor again too.
    if (m_server.admin({ QStringLiteral("user"), QStringLiteral("add"), kGuest,
                         QStringLiteral("--workspace"), kWorkspace, QStringLiteral("--role"),
                         QStringLiteral("editor") },
                       &out, &error)
            != 0
        || m_server.admin({ QStringLiteral("token"), QStringLiteral("create"), kGuest }, &out,
                          &error)
            != 0) {
        qCWarning(lcSolo) << "could not create the guest:" << error;
        emit sharingFailed(tr("Could not create the guest user: %1").arg(error));
        return;
    }
    m_guestToken = QString::fromUtf8(out).trimmed();
    // Execution (issue 17) must never run cells for a guest: the name is kept where the
    // app that asks the server to run a cell can read it.
    QSettings settings;
    QStringList guests = settings.value(QStringLiteral("share/guests")).toStringList();
    if (!guests.contains(kGuest))
        guests.append(kGuest);
    settings.setValue(QStringLiteral("share/guests"), guests);
    const QString listen = (address.protocol() == QAbstractSocket::IPv6Protocol
                                ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                                : address.toString())
        + QLatin1Char(':') + QString::number(port);
    settings.setValue(QStringLiteral("share/listen"), listen);
    m_shareAddress = address;
    m_sharing = false;
    m_sharePending = true;
    qCInfo(lcSolo).noquote() << "sharing on" << listen;
    emit statusChanged(tr("Restarting the local server to share it on %1…").arg(listen));
    m_connection.close();
    m_server.restart(listen);
}

void SoloSession::stopSharing()
{
    if (!m_sharing && !m_sharePending)
        return;
    m_sharing = false;
    m_sharePending = false;
    revokeGuest();
    QSettings().remove(QStringLiteral("share/listen"));
    qCInfo(lcSolo) << "sharing stopped";
    m_connection.close();
    m_server.restart(BundledServer::kLoopback);
    emit sharingStopped();
}

void SoloSession::revokeGuest()
{
    if (m_guestToken.isEmpty())
        return;
    QByteArray out;
    QString error;
    if (m_server.admin({ QStringLiteral("token"), QStringLiteral("revoke"), m_guestToken }, &out,
                       &error)
        != 0)
        qCWarning(lcSolo) << "could not revoke the guest's token:" << error;
    m_guestToken.clear();
}

QString SoloSession::makeToken(bool fresh)
{
    TokenStore store(QStringLiteral("solo"));
    if (!fresh)
        if (const auto saved = store.read())
            return *saved;
    QByteArray out;
    QString error;
    // `user add` of an existing user only adds the membership (SPEC §11), so this is safe
    // on every first run and after the database was replaced.
    if (m_server.admin({ QStringLiteral("user"), QStringLiteral("add"), m_user,
                         QStringLiteral("--workspace"), kWorkspace, QStringLiteral("--role"),
                         QStringLiteral("owner") },
                       &out, &error)
            != 0
        || m_server.admin({ QStringLiteral("token"), QStringLiteral("create"), m_user }, &out,
                          &error)
            != 0) {
        qCWarning(lcSolo) << "could not create the local user:" << error;
        emit statusChanged(tr("Could not set up the local user: %1").arg(error));
        return {};
    }
    const QString created = QString::fromUtf8(out).trimmed();
    if (!store.write(created))
        qCWarning(lcSolo) << "could not keep the token anywhere";
    if (!store.notice().isEmpty())
        emit notice(store.notice());
    return created;
}

void SoloSession::connectTo(const QUrl &url)
{
    if (m_token.isEmpty())
        m_token = makeToken(false);
    if (m_token.isEmpty())
        return;
    m_connection.open(url, m_token, QStringLiteral("execution:workspace:") + kWorkspace);
    emit serverReady(url);
}

} // namespace Kyozo::App
