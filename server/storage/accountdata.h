#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Kyozo::Server {

class Database;

// A user's rights over their data (issue 20 item 2; docs/billing.md "Your data"): everything
// the server holds about them, and its erasure.
class AccountData
{
public:
    explicit AccountData(Database &db)
        : m_db(db)
    {
    }

    // GET /api/v1/account/export: the user, memberships, tokens (never their hashes),
    // subscriptions, billing events, usage, and what they wrote and ran (per notebook: the
    // operations' count and time span, the cells' last runs).
    std::optional<QJsonObject> exportOf(const QString &userId, QString *error);

    // DELETE /api/v1/account, one transaction: tokens revoked (open sockets close within
    // the revocation poll), memberships, usage and subscriptions' link to the user removed,
    // the name replaced by "deleted-ID". Kept, with the user no longer named: the billing
    // audit rows (with user_id blanked: accounting law keeps payment records for years) and
    // the edits and runs in shared notebooks, which belong to their workspaces.
    bool erase(const QString &userId, QString *error);

private:
    Database &m_db;
};

} // namespace Kyozo::Server
