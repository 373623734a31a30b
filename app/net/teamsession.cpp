#include "teamsession.h"

#include "tokenstore.h"

namespace Kyozo::App {

TeamSession::TeamSession(QUrl server, QString workspace, QObject *parent)
    : QObject(parent), m_server(std::move(server)), m_workspace(std::move(workspace))
{
    connect(&m_connection, &ChannelConnection::stateChanged, this, [this](ChannelConnection::State state) {
        emit statusChanged(state == ChannelConnection::State::Connected ? tr("Connected to %1").arg(m_server.authority())
                                                                        : tr("Connecting to %1…").arg(m_server.authority()));
    });
    connect(&m_connection, &ChannelConnection::refused, this, [this](const QString &reason) {
        emit statusChanged(tr("The server refused this token: %1").arg(reason));
    });
}

std::optional<QString> TeamSession::storedToken()
{
    return TokenStore(m_server.toString()).read();
}

bool TeamSession::storeToken(const QString &token)
{
    TokenStore store(m_server.toString());
    const bool ok = store.write(token);
    if (!store.notice().isEmpty())
        emit notice(store.notice());
    return ok;
}

void TeamSession::start(const QString &token)
{
    m_connection.open(m_server, token, QStringLiteral("execution:workspace:") + m_workspace);
}

} // namespace Kyozo::App
