-- What the security page lists about each portal session (issue 17): the browser and address
-- it was last used from, when it signed in and when it was last active. Written by the session
-- store from the session's own data at sign-in and on each keep-alive save.
ALTER TABLE session_owners ADD COLUMN user_agent TEXT;
ALTER TABLE session_owners ADD COLUMN ip TEXT;
ALTER TABLE session_owners ADD COLUMN signed_in_at INTEGER;
ALTER TABLE session_owners ADD COLUMN last_active_at INTEGER;

-- Sessions a person (or a password change) ended. A request of that session still in flight
-- may write it back after the deletion; the store deletes it again when it finds the id here,
-- on whichever replica. Kept a day (epoch ms), then forgotten by the hourly clean-up.
CREATE TABLE IF NOT EXISTS ended_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    ended_at INTEGER NOT NULL
);
