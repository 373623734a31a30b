#pragma once

#include "protocol/topic.h"

#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <optional>
#include <unordered_map>

namespace Kyozo::Server {

class Database;

enum class Role { Viewer, Editor, Owner };
std::optional<Role> roleFromString(const QString &text);
QString roleName(Role role);

struct Identity
{
    QString userId;
    QString userName;
    QString tokenId;
};

struct UserSummary
{
    QString name;
    QList<std::pair<QString, Role>> memberships; // workspace name, role
};

struct Member
{
    QString name;
    Role role = Role::Viewer;
};

// What a change of a workspace's members came to (issue 21 item 3).
enum class MemberChange {
    Created, // the user is a member now
    Updated, // was a member, has the new role
    Removed,
    NotMember, // removing someone who was not one
    NoSuchUser,
    LastOwner, // refused: the workspace would have no owner left
    Failed, // storage failed; *error says why
};

// Users, workspaces, memberships and tokens (SPEC §8, §11).
class AccountStore
{
public:
    explicit AccountStore(Database &db)
        : m_db(db)
    {
    }

    // Writes are durable when they return true (Database: synchronous commit), and a
    // failed one stores nothing of itself.
    // Idempotent: creates what is missing; an existing membership takes the new role.
    bool addUser(const QString &name, const QString &workspace, std::optional<Role> role,
                 QString *error);
    QList<UserSummary> users(QString *error);
    std::optional<QString> createToken(const QString &userName, QString *error);
    bool revokeToken(const QString &token, QString *error);

    // A workspace's members by name; nullopt when storage failed.
    std::optional<QList<Member>> members(const QString &workspaceId, QString *error);
    // The user (who must exist) gets `role` in the workspace. A workspace always keeps an
    // owner: demoting or removing its last one is refused, checked in the same transaction
    // (on PostgreSQL with the workspace's memberships locked, so two owners demoting each
    // other at once cannot both pass).
    MemberChange setMember(const QString &workspaceId, const QString &userName, Role role,
                           QString *error);
    MemberChange removeMember(const QString &workspaceId, const QString &userName, QString *error);

    std::optional<Identity> authenticate(const QString &token);
    std::optional<Role> role(const QString &userId, const QString &workspaceId);
    std::optional<QString> workspaceIdByName(const QString &name);
    std::optional<QString> workspaceNameById(const QString &id);
    // The workspace a topic's resource belongs to (the workspace topic's id is its name).
    std::optional<QString> workspaceOf(const Protocol::Topic &topic);
    // Token ids revoked after `sinceMs`; *newestMs advances to the latest revocation seen.
    QStringList tokensRevokedSince(qint64 sinceMs, qint64 *newestMs);

private:
    MemberChange changeMember(const QString &workspaceId, const QString &userName,
                              std::optional<Role> role, QString *error);
    QSqlQuery &prepared(const QString &sql);
    std::optional<QString> idOf(const char *table, const QString &name, QString *error);
    std::optional<QString> ensure(const char *table, const QString &name, QString *error);
    Database &m_db;
    // Statements prepared once per SQL text (node-based: references stay valid).
    std::unordered_map<QString, QSqlQuery> m_prepared;
};

} // namespace Kyozo::Server
