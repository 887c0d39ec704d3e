-- Sessions (tower-sessions SqliteStore layout, table `sessions`).
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry_date ON sessions (expiry_date);

-- The audit trail: append-only, each entry chained to the previous one by hash.
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at INTEGER NOT NULL,          -- epoch milliseconds
    actor_id TEXT,
    actor_name TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    target_label TEXT,
    org_id TEXT,
    result TEXT NOT NULL,                  -- success | failure
    error_code TEXT,
    request_id TEXT,
    ip TEXT,
    user_agent TEXT,
    details TEXT NOT NULL DEFAULT '{}',    -- JSON; never secret values
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS audit_log_occurred_at ON audit_log (occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor_id);
CREATE INDEX IF NOT EXISTS audit_log_org ON audit_log (org_id);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target_id);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
