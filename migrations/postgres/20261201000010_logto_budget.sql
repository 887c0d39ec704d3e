-- The outgoing budget shared by every replica (src/logto/budget.rs, src/db/logto_budget.rs):
-- one row per call granted during the current window (older rows are removed as grants are
-- made), and the queue of calls waiting for room, in arrival order.
CREATE TABLE IF NOT EXISTS logto_calls (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,                  -- epoch milliseconds, the database's clock
    replica TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logto_calls_at_ms ON logto_calls (at_ms);
CREATE TABLE IF NOT EXISTS logto_call_queue (
    ticket BIGSERIAL PRIMARY KEY,           -- arrival order
    replica TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL           -- a waiter that stops asking loses its place
);
CREATE INDEX IF NOT EXISTS logto_call_queue_expires_at_ms ON logto_call_queue (expires_at_ms);
