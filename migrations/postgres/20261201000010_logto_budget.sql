-- The outgoing budget shared by every replica (src/logto/budget.rs, src/db/logto_budget.rs):
-- one row per call to Logto that still counts (in flight, or ended during the last window;
-- older rows are removed as calls are granted), and the queue of calls waiting for room, in
-- arrival order. Times are epoch milliseconds on the database's clock.
CREATE TABLE IF NOT EXISTS logto_calls (
    id BIGSERIAL PRIMARY KEY,
    replica TEXT NOT NULL,
    granted_ms BIGINT NOT NULL,
    ends_ms BIGINT NOT NULL                 -- the latest it can end while in flight
);
CREATE INDEX IF NOT EXISTS logto_calls_ends_ms ON logto_calls (ends_ms);
CREATE TABLE IF NOT EXISTS logto_call_queue (
    ticket BIGSERIAL PRIMARY KEY,           -- arrival order
    replica TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL           -- a waiter that stops asking loses its place
);
CREATE INDEX IF NOT EXISTS logto_call_queue_expires_at_ms ON logto_call_queue (expires_at_ms);
