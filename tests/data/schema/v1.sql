-- A kyozo-server database at schema version 1 (as migration 1 made it), with data, written
-- in the SQL SQLite and PostgreSQL share: tst_migrations loads it into each and upgrades it.
-- One statement per line.
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);
CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);
CREATE TABLE memberships (user_id TEXT NOT NULL REFERENCES users(id), workspace_id TEXT NOT NULL REFERENCES workspaces(id), role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')), PRIMARY KEY (user_id, workspace_id));
CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, revoked_at BIGINT);
CREATE INDEX tokens_revoked_at ON tokens (revoked_at);
CREATE TABLE notebooks (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), title TEXT NOT NULL, content TEXT NOT NULL, revision BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE containers (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE files (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, created_at BIGINT NOT NULL);
INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1764547200000);
INSERT INTO users (id, name, created_at) VALUES ('u-ada', 'ada', 1764547200000);
INSERT INTO workspaces (id, name, created_at) VALUES ('w-lab', 'lab', 1764547200000);
INSERT INTO memberships (user_id, workspace_id, role) VALUES ('u-ada', 'w-lab', 'owner');
INSERT INTO notebooks (id, workspace_id, title, content, revision, created_at, updated_at) VALUES ('n-notes', 'w-lab', 'Notes', '# Notes é', 0, 1764547200000, 1764547300000);
INSERT INTO notebooks (id, workspace_id, title, content, revision, created_at, updated_at) VALUES ('n-empty', 'w-lab', 'Empty', '', 0, 1764547200000, 1764547200000);
