#include "accountstore.h"

#include "auth/tokenhash.h"
#include "database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMap>
#include <QSqlQuery>
#include <QVariant>

namespace Kyozo::Server {

namespace {
QString tr(const char *text) { return QCoreApplication::translate("AccountStore", text); }
qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }
} // namespace

std::optional<Role> roleFromString(const QString &text)
{
    if (text == QLatin1String("owner"))
        return Role::Owner;
    if (text == QLatin1String("editor"))
        return Role::Editor;
    if (text == QLatin1String("viewer"))
        return Role::Viewer;
    return std::nullopt;
}

QString roleName(Role role)
{
    switch (role) {
    case Role::Owner: return QStringLiteral("owner");
    case Role::Editor: return QStringLiteral("editor");
    case Role::Viewer: return QStringLiteral("viewer");
    }
    return {};
}

QSqlQuery &AccountStore::prepared(const QString &sql)
{
    // Every socket upgrade and join runs these. Preparing a statement each time left
    // SQLite's short-lived allocations between the sockets' long-lived ones: 27 KiB of heap
    // per idle socket that malloc could not give back (bench/server --connect-only).
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        it = m_prepared.emplace(sql, QSqlQuery(m_db.connection())).first;
        it->second.prepare(sql);
    }
    return it->second;
}

std::optional<QString> AccountStore::idOf(const char *table, const QString &name, QString *error)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT id FROM %1 WHERE name = ?").arg(QLatin1String(table)));
    q.bindValue(0, name);
    std::optional<QString> id;
    if (execute(q, error))
        id = q.next() ? q.value(0).toString() : QString();
    q.finish();
    return id;
}

std::optional<QString> AccountStore::ensure(const char *table, const QString &name, QString *error)
{
    const std::optional<QString> existing = idOf(table, name, error);
    if (!existing || !existing->isEmpty())
        return existing;
    QSqlQuery q(m_db.connection());
    const QString id = newId();
    q.prepare(QStringLiteral("INSERT INTO %1 (id, name, created_at) VALUES (?, ?, ?)").arg(QLatin1String(table)));
    q.addBindValue(id);
    q.addBindValue(name);
    q.addBindValue(now());
    if (!executeWrite(m_db, q, error))
        return std::nullopt;
    return id;
}

bool AccountStore::addUser(const QString &name, const QString &workspace, std::optional<Role> role,
                           QString *error)
{
    if (name.trimmed().isEmpty() || name != name.trimmed()) {
        *error = tr("a user name must be non-empty and have no surrounding spaces");
        return false;
    }
    // The user, the workspace and the membership are stored together or not at all.
    Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.commit(error);
    const std::optional<QString> userId = ensure("users", name, error);
    if (!userId)
        return false;
    if (workspace.isEmpty())
        return transaction.commit(error);
    const std::optional<QString> workspaceId = ensure("workspaces", workspace, error);
    if (!workspaceId)
        return false;
    const Role r = role.value_or(Role::Editor);
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT role FROM memberships WHERE user_id = ? AND workspace_id = ?"));
    q.addBindValue(*userId);
    q.addBindValue(*workspaceId);
    if (!execute(q, error))
        return false;
    const bool exists = q.next();
    if (exists && !role)
        return transaction.commit(error); // idempotent: no role given keeps the one there is
    q.prepare(exists ? QStringLiteral("UPDATE memberships SET role = ? WHERE user_id = ? AND workspace_id = ?")
                     : QStringLiteral("INSERT INTO memberships (role, user_id, workspace_id) VALUES (?, ?, ?)"));
    q.addBindValue(roleName(r));
    q.addBindValue(*userId);
    q.addBindValue(*workspaceId);
    return executeWrite(m_db, q, error) && transaction.commit(error);
}

std::optional<QList<Member>> AccountStore::members(const QString &workspaceId, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(
        QStringLiteral("SELECT u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id "
                       "WHERE m.workspace_id = ? ORDER BY u.name"));
    q.addBindValue(workspaceId);
    if (!execute(q, error))
        return std::nullopt;
    QList<Member> out;
    while (q.next())
        out.append({ q.value(0).toString(),
                     roleFromString(q.value(1).toString()).value_or(Role::Viewer) });
    return out;
}

MemberChange AccountStore::setMember(const QString &workspaceId, const QString &userName, Role role,
                                     QString *error)
{
    return changeMember(workspaceId, userName, role, error);
}

MemberChange AccountStore::removeMember(const QString &workspaceId, const QString &userName,
                                        QString *error)
{
    return changeMember(workspaceId, userName, std::nullopt, error);
}

// `role` nullopt: remove the membership.
MemberChange AccountStore::changeMember(const QString &workspaceId, const QString &userName,
                                        std::optional<Role> role, QString *error)
{
    Transaction transaction(m_db, Transaction::Intent::Writing);
    if (!transaction.begun()) {
        transaction.commit(error);
        return MemberChange::Failed;
    }
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT id FROM users WHERE name = ?"));
    q.addBindValue(userName);
    if (!execute(q, error))
        return MemberChange::Failed;
    if (!q.next())
        return MemberChange::NoSuchUser;
    const QString userId = q.value(0).toString();
    // Every membership of the workspace, locked on PostgreSQL until the commit (SQLite's
    // BEGIN IMMEDIATE already holds the database's one write lock).
    q.prepare(m_db.isPostgres()
                  ? QStringLiteral(
                      "SELECT user_id, role FROM memberships WHERE workspace_id = ? FOR UPDATE")
                  : QStringLiteral("SELECT user_id, role FROM memberships WHERE workspace_id = ?"));
    q.addBindValue(workspaceId);
    if (!execute(q, error))
        return MemberChange::Failed;
    std::optional<Role> current;
    int owners = 0;
    while (q.next()) {
        const Role r = roleFromString(q.value(1).toString()).value_or(Role::Viewer);
        owners += r == Role::Owner;
        if (q.value(0).toString() == userId)
            current = r;
    }
    if (!current && !role)
        return MemberChange::NotMember;
    if (current == Role::Owner && role != Role::Owner && owners <= 1)
        return MemberChange::LastOwner;
    if (!role)
        q.prepare(QStringLiteral("DELETE FROM memberships WHERE user_id = ? AND workspace_id = ?"));
    else if (current)
        q.prepare(QStringLiteral(
            "UPDATE memberships SET role = ? WHERE user_id = ? AND workspace_id = ?"));
    else
        q.prepare(QStringLiteral(
            "INSERT INTO memberships (role, user_id, workspace_id) VALUES (?, ?, ?)"));
    if (role)
        q.addBindValue(roleName(*role));
    q.addBindValue(userId);
    q.addBindValue(workspaceId);
    if (!executeWrite(m_db, q, error) || !transaction.commit(error))
        return MemberChange::Failed;
    return !role ? MemberChange::Removed : current ? MemberChange::Updated : MemberChange::Created;
}

QList<UserSummary> AccountStore::users(QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT u.name, w.name, m.role FROM users u "
                             "LEFT JOIN memberships m ON m.user_id = u.id "
                             "LEFT JOIN workspaces w ON w.id = m.workspace_id ORDER BY u.name, w.name"));
    QList<UserSummary> out;
    if (!execute(q, error))
        return out;
    while (q.next()) {
        const QString name = q.value(0).toString();
        if (out.isEmpty() || out.last().name != name)
            out.append({ name, {} });
        if (!q.value(1).isNull())
            out.last().memberships.append({ q.value(1).toString(),
                                            roleFromString(q.value(2).toString()).value_or(Role::Viewer) });
    }
    return out;
}

std::optional<QString> AccountStore::createToken(const QString &userName, QString *error)
{
    const std::optional<QString> userId = idOf("users", userName, error);
    if (!userId)
        return std::nullopt;
    if (userId->isEmpty()) {
        *error = tr("no user named %1").arg(userName);
        return std::nullopt;
    }
    const QString token = newToken();
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("INSERT INTO tokens (id, user_id, token_hash, created_at) VALUES (?, ?, ?, ?)"));
    q.addBindValue(newId());
    q.addBindValue(*userId);
    q.addBindValue(tokenHash(token));
    q.addBindValue(now());
    if (!executeWrite(m_db, q, error)) // one statement in autocommit mode: one transaction
        return std::nullopt;
    return token;
}

bool AccountStore::revokeToken(const QString &token, QString *error)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"));
    q.addBindValue(now());
    q.addBindValue(tokenHash(token));
    if (!executeWrite(m_db, q, error))
        return false;
    if (q.numRowsAffected() != 1) {
        *error = tr("no such token (or it was already revoked)");
        return false;
    }
    return true;
}

std::optional<Identity> AccountStore::authenticate(const QString &token)
{
    if (token.isEmpty())
        return std::nullopt;
    QSqlQuery &q = prepared(QStringLiteral("SELECT u.id, u.name, t.id FROM tokens t JOIN users u ON u.id = t.user_id "
                                           "WHERE t.token_hash = ? AND t.revoked_at IS NULL"));
    q.bindValue(0, tokenHash(token));
    std::optional<Identity> identity;
    if (execute(q, nullptr) && q.next())
        identity = Identity{ q.value(0).toString(), q.value(1).toString(), q.value(2).toString() };
    q.finish();
    return identity;
}

std::optional<Role> AccountStore::role(const QString &userId, const QString &workspaceId)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT role FROM memberships WHERE user_id = ? AND workspace_id = ?"));
    q.bindValue(0, userId);
    q.bindValue(1, workspaceId);
    std::optional<Role> role;
    if (execute(q, nullptr) && q.next())
        role = roleFromString(q.value(0).toString());
    q.finish();
    return role;
}

std::optional<QString> AccountStore::workspaceIdByName(const QString &name)
{
    QString error;
    const std::optional<QString> id = idOf("workspaces", name, &error);
    if (!id || id->isEmpty())
        return std::nullopt;
    return id;
}

std::optional<QString> AccountStore::workspaceNameById(const QString &id)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT name FROM workspaces WHERE id = ?"));
    q.bindValue(0, id);
    std::optional<QString> name;
    if (execute(q, nullptr) && q.next())
        name = q.value(0).toString();
    q.finish();
    return name;
}

std::optional<QString> AccountStore::workspaceOf(const Protocol::Topic &topic)
{
    const char *table = nullptr;
    switch (topic.kind) {
    case Protocol::Topic::Kind::Workspace: return workspaceIdByName(topic.id);
    case Protocol::Topic::Kind::Notebook: table = "notebooks"; break;
    case Protocol::Topic::Kind::Container: table = "containers"; break;
    case Protocol::Topic::Kind::File: table = "files"; break;
    }
    QSqlQuery &q = prepared(QStringLiteral("SELECT workspace_id FROM %1 WHERE id = ?").arg(QLatin1String(table)));
    q.bindValue(0, topic.id);
    std::optional<QString> id;
    if (execute(q, nullptr) && q.next())
        id = q.value(0).toString();
    q.finish();
    return id;
}

QStringList AccountStore::tokensRevokedSince(qint64 sinceMs, qint64 *newestMs)
{
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT id, revoked_at FROM tokens WHERE revoked_at IS NOT NULL AND revoked_at >= ?"));
    q.addBindValue(sinceMs);
    QStringList ids;
    if (!execute(q, nullptr))
        return ids;
    while (q.next()) {
        ids.append(q.value(0).toString());
        *newestMs = qMax(*newestMs, q.value(1).toLongLong());
    }
    return ids;
}

} // namespace Kyozo::Server
