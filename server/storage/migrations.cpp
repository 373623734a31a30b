#include "migrations.h"

namespace Kyozo::Server {

const QList<Migration> &migrations()
{
    static const QList<Migration> all = {
        { 1,
          {
              QStringLiteral("CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                             "created_at BIGINT NOT NULL)"),
              QStringLiteral(
                  "CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                  "created_at BIGINT NOT NULL)"),
              QStringLiteral(
                  "CREATE TABLE memberships (user_id TEXT NOT NULL REFERENCES users(id), "
                  "workspace_id TEXT NOT NULL REFERENCES workspaces(id), "
                  "role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')), "
                  "PRIMARY KEY (user_id, workspace_id))"),
              QStringLiteral("CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL "
                             "REFERENCES users(id), "
                             "token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, "
                             "revoked_at BIGINT)"),
              QStringLiteral("CREATE INDEX tokens_revoked_at ON tokens (revoked_at)"),
              QStringLiteral(
                  "CREATE TABLE notebooks (id TEXT PRIMARY KEY, "
                  "workspace_id TEXT NOT NULL REFERENCES workspaces(id), title TEXT NOT NULL, "
                  "content TEXT NOT NULL, revision BIGINT NOT NULL, created_at BIGINT NOT NULL, "
                  "updated_at BIGINT NOT NULL)"),
              // Filled by the execution and file issues; here so that every topic kind
              // authorises the same way (resource -> workspace -> membership).
              QStringLiteral(
                  "CREATE TABLE containers (id TEXT PRIMARY KEY, "
                  "workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, "
                  "created_at BIGINT NOT NULL)"),
              QStringLiteral(
                  "CREATE TABLE files (id TEXT PRIMARY KEY, "
                  "workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, "
                  "created_at BIGINT NOT NULL)"),
          } },
        // Co-editing (SPEC §5, docs/server.md "Co-editing"): a notebook's text is its newest
        // snapshot plus the operations after it, so an operation writes one small row and
        // never the whole text. A snapshot is taken at least every 1,000 revisions; the
        // content column moves into the snapshot of revision 0 (every notebook so far was
        // at revision 0: nothing could change one).
        { 2,
          {
              QStringLiteral(
                  "CREATE TABLE notebook_snapshots (notebook_id TEXT NOT NULL "
                  "REFERENCES notebooks(id) ON DELETE CASCADE, revision BIGINT NOT NULL, "
                  "content TEXT NOT NULL, created_at BIGINT NOT NULL, "
                  "PRIMARY KEY (notebook_id, revision))"),
              // op_id: the client's id of the operation, so that a resend after a lost
              // acknowledgement is answered with the first revision instead of applied twice.
              QStringLiteral(
                  "CREATE TABLE notebook_operations (notebook_id TEXT NOT NULL "
                  "REFERENCES notebooks(id) ON DELETE CASCADE, revision BIGINT NOT NULL, "
                  "user_id TEXT NOT NULL REFERENCES users(id), created_at BIGINT NOT NULL, "
                  "ops TEXT NOT NULL, op_id TEXT, PRIMARY KEY (notebook_id, revision))"),
              QStringLiteral("CREATE INDEX notebook_operations_op_id ON notebook_operations "
                             "(notebook_id, user_id, op_id)"),
              QStringLiteral(
                  "INSERT INTO notebook_snapshots (notebook_id, revision, content, created_at) "
                  "SELECT id, revision, content, updated_at FROM notebooks"),
              QStringLiteral("ALTER TABLE notebooks DROP COLUMN content"),
              QStringLiteral("CREATE INDEX notebooks_workspace ON notebooks (workspace_id)"),
          } },
        // Execution (SPEC §6, docs/server.md "Execution"): the latest run of each cell of a
        // notebook, keyed by the cell's id, with the hash of the code it ran (a result whose
        // cell has changed since is replayed as stale) and its output up to the cap, in the
        // chunks it was sent in. `limit` is an SQL keyword: limit_name.
        { 3,
          {
              QStringLiteral("CREATE TABLE cell_runs (notebook_id TEXT NOT NULL "
                             "REFERENCES notebooks(id) ON DELETE CASCADE, cell_id TEXT NOT NULL, "
                             "execution_id TEXT NOT NULL, cell_hash TEXT NOT NULL, "
                             "user_id TEXT NOT NULL REFERENCES users(id), status TEXT NOT NULL, "
                             "exit_code INTEGER, limit_name TEXT, message TEXT, started_at BIGINT, "
                             "finished_at BIGINT NOT NULL, truncated INTEGER NOT NULL, "
                             "PRIMARY KEY (notebook_id, cell_id))"),
              QStringLiteral("CREATE TABLE cell_run_outputs (notebook_id TEXT NOT NULL, "
                             "cell_id TEXT NOT NULL, seq BIGINT NOT NULL, stream TEXT NOT NULL, "
                             "output TEXT NOT NULL, PRIMARY KEY (notebook_id, cell_id, seq), "
                             "FOREIGN KEY (notebook_id, cell_id) REFERENCES cell_runs "
                             "(notebook_id, cell_id) ON DELETE CASCADE)"),
          } },
        // Billing (SPEC §7, docs/billing.md). billing_events is the audit log: every event,
        // accepted, refused or ignored, one row each, never updated except that erasing an
        // account blanks its user_id. billing_processed_events makes events idempotent:
        // an event id is applied once. A subscription keeps its registers as JSON
        // (core/billing/subscription.h) beside the columns the queries need.
        { 4,
          {
              QStringLiteral(
                  "CREATE TABLE billing_events (id TEXT PRIMARY KEY, "
                  "received_at BIGINT NOT NULL, source TEXT NOT NULL, event_id TEXT, "
                  "event_type TEXT, user_id TEXT, subscription_id TEXT, invoice_id TEXT, "
                  "customer_id TEXT, outcome TEXT NOT NULL CHECK (outcome IN "
                  "('accepted', 'duplicate', 'stale', 'ignored', 'refused')), "
                  "reason TEXT, state TEXT, body_sha256 TEXT NOT NULL)"),
              QStringLiteral(
                  "CREATE INDEX billing_events_user ON billing_events (user_id, received_at)"),
              QStringLiteral(
                  "CREATE INDEX billing_events_invoice ON billing_events (source, invoice_id)"),
              QStringLiteral("CREATE TABLE billing_processed_events (source TEXT NOT NULL, "
                             "event_id TEXT NOT NULL, received_at BIGINT NOT NULL, "
                             "PRIMARY KEY (source, event_id))"),
              QStringLiteral("CREATE TABLE billing_subscriptions (source TEXT NOT NULL, "
                             "subscription_id TEXT NOT NULL, user_id TEXT NOT NULL, "
                             "customer_id TEXT NOT NULL, plan TEXT NOT NULL, state TEXT NOT NULL, "
                             "expires_at BIGINT NOT NULL, registers TEXT NOT NULL, "
                             "updated_at BIGINT NOT NULL, PRIMARY KEY (source, subscription_id))"),
              QStringLiteral(
                  "CREATE INDEX billing_subscriptions_user ON billing_subscriptions (user_id)"),
              QStringLiteral("CREATE INDEX billing_subscriptions_customer ON billing_subscriptions "
                             "(source, customer_id)"),
              // The licence signer's key when the config names no key file.
              QStringLiteral("CREATE TABLE billing_signing_keys (id TEXT PRIMARY KEY, "
                             "private_pem TEXT NOT NULL, created_at BIGINT NOT NULL)"),
          } },
        // Usage of metered operations (docs/billing.md "Usage"): one counter per user,
        // operation and calendar month (UTC), counted as the operations are allowed.
        { 5,
          {
              QStringLiteral(
                  "CREATE TABLE usage_counters (user_id TEXT NOT NULL, "
                  "operation TEXT NOT NULL, period_start BIGINT NOT NULL, "
                  "used BIGINT NOT NULL, PRIMARY KEY (user_id, operation, period_start))"),
          } },
        // Several processes on one PostgreSQL database (docs/operator.md "Several
        // processes"): a heartbeat row per live process, and the cluster messages too large
        // for a NOTIFY payload, which go by reference.
        { 6,
          {
              // backend_pid: the LISTENing connection's, ended when the process is taken
              // for gone (a stopped process's LISTEN would fill the NOTIFY queue).
              QStringLiteral("CREATE TABLE cluster_processes (id TEXT PRIMARY KEY, "
                             "started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL, "
                             "backend_pid BIGINT)"),
              QStringLiteral("CREATE TABLE cluster_messages (id TEXT PRIMARY KEY, "
                             "payload TEXT NOT NULL, created_at BIGINT NOT NULL)"),
              QStringLiteral(
                  "CREATE INDEX cluster_messages_created ON cluster_messages (created_at)"),
          },
          true },
    };
    return all;
}

} // namespace Kyozo::Server
