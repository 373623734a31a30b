#include "migrations.h"

namespace Kyozo::Server {

const QList<Migration> &migrations()
{
    static const QList<Migration> all = {
        { 1,
          {
                  QStringLiteral("CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                                 "created_at BIGINT NOT NULL)"),
                  QStringLiteral("CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                                 "created_at BIGINT NOT NULL)"),
                  QStringLiteral("CREATE TABLE memberships (user_id TEXT NOT NULL REFERENCES users(id), "
                                 "workspace_id TEXT NOT NULL REFERENCES workspaces(id), "
                                 "role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')), "
                                 "PRIMARY KEY (user_id, workspace_id))"),
                  QStringLiteral("CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), "
                                 "token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, revoked_at BIGINT)"),
                  QStringLiteral("CREATE INDEX tokens_revoked_at ON tokens (revoked_at)"),
                  QStringLiteral("CREATE TABLE notebooks (id TEXT PRIMARY KEY, "
                                 "workspace_id TEXT NOT NULL REFERENCES workspaces(id), title TEXT NOT NULL, "
                                 "content TEXT NOT NULL, revision BIGINT NOT NULL, created_at BIGINT NOT NULL, "
                                 "updated_at BIGINT NOT NULL)"),
                  // Filled by the execution and file issues; here so that every topic kind
                  // authorises the same way (resource -> workspace -> membership).
                  QStringLiteral("CREATE TABLE containers (id TEXT PRIMARY KEY, "
                                 "workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, "
                                 "created_at BIGINT NOT NULL)"),
                  QStringLiteral("CREATE TABLE files (id TEXT PRIMARY KEY, "
                                 "workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, "
                                 "created_at BIGINT NOT NULL)"),
          } },
    };
    return all;
}

} // namespace Kyozo::Server
