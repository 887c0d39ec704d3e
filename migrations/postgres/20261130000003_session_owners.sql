-- Whose portal sessions are whose, so the portal can end them when it suspends or deletes
-- someone (issue 15). Written by the session store when a signed-in session is created,
-- removed with the session (sign-out, ending) or by the hourly clean-up after expiry.
CREATE TABLE IF NOT EXISTS session_owners (
    session_id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_owners_user ON session_owners (user_id);

-- Bumped each time the portal changes a person's access (suspension, roles, membership).
-- Every request compares it with the generation its session's access was read under, so
-- all replicas re-read access from Logto on the person's next request.
CREATE TABLE IF NOT EXISTS access_generations (
    user_id TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
