#include "solosession.h"

#include "net/tokenstore.h"

#include <QLoggingCategory>
#include <QRegularExpression>

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

SoloSession::SoloSession(QObject *parent)
    : QObject(parent),
      m_server(BundledServer::defaultProgram(), BundledServer::defaultDatabaseUrl()),
      m_user(localUserName())
{
    connect(&m_server, &BundledServer::ready, this, &SoloSession::connectTo);
    connect(&m_server, &BundledServer::died, this, [this](const QString &reason, bool willRestart) {
        m_connection.close();
        emit statusChanged(willRestart ? tr("Local server stopped (%1); restarting…").arg(reason)
                                       : tr("Local server stopped (%1); it keeps failing, so it was not restarted.").arg(reason));
    });
    connect(&m_connection, &ChannelConnection::stateChanged, this, [this](ChannelConnection::State state) {
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
        m_token = token(true);
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
        emit statusChanged(tr("kyozo-server was not found next to kyozo or on PATH; working offline."));
        return;
    }
    emit statusChanged(tr("Starting the local server…"));
    m_server.start();
}

void SoloSession::stop()
{
    m_connection.close();
    m_server.stop();
}

QString SoloSession::token(bool fresh)
{
    TokenStore store(QStringLiteral("solo"));
    if (!fresh)
        if (const auto saved = store.read())
            return *saved;
    QByteArray out;
    QString error;
    // `user add` of an existing user only adds the membership (SPEC §11), so this is safe
    // on every first run and after the database was replaced.
    if (m_server.admin({ QStringLiteral("user"), QStringLiteral("add"), m_user, QStringLiteral("--workspace"), kWorkspace,
                         QStringLiteral("--role"), QStringLiteral("owner") },
                       &out, &error)
                != 0
        || m_server.admin({ QStringLiteral("token"), QStringLiteral("create"), m_user }, &out, &error) != 0) {
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
        m_token = token(false);
    if (m_token.isEmpty())
        return;
    m_connection.open(url, m_token, QStringLiteral("execution:workspace:") + kWorkspace);
}

} // namespace Kyozo::App
