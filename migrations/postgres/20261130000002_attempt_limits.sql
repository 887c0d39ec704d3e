-- Attempt limits shared by every replica (src/limits.rs): one row per purpose and subject
-- (a hashed user id, address or client address), counting attempts in a fixed window.
CREATE TABLE IF NOT EXISTS attempt_limits (
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    window_ends_at BIGINT NOT NULL,        -- epoch milliseconds
    PRIMARY KEY (purpose, subject)
);
CREATE INDEX IF NOT EXISTS attempt_limits_window_ends_at ON attempt_limits (window_ends_at);
