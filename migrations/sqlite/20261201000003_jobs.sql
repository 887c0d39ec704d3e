-- Batch work kept in the database (issue 18): a 500-row invitation batch, a bulk role change
-- or a large export runs as a job that any replica picks up, survives a restart and reports
-- per row. A job is held by one replica at a time through `holder` and `lease_until` (epoch
-- ms), renewed while it runs; when a replica stops, another takes the job over once the lease
-- ends and resumes from each row's `step`.
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    -- The organization the job works on (its admins may follow it); NULL: operators only.
    org_id TEXT,
    created_by TEXT NOT NULL,
    -- What the kind needs to run (who acts, the request it came from, its choices), as JSON.
    params TEXT NOT NULL,
    -- queued | running | done | failed
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    holder TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    -- Why a job failed as a whole (a message key), when it did.
    failure TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state_created ON jobs (state, created_at);
CREATE INDEX IF NOT EXISTS jobs_org_created ON jobs (org_id, created_at);

-- One row of a job. `step` is the row's progress, written before each outside effect, so a
-- resumed job knows what may already have happened (e.g. `creating`: the invitation may exist
-- in Logto); `memo` keeps what an earlier step learned (the invitation's id); `result` is the
-- row's final outcome, set together with `step = 'done'`.
CREATE TABLE IF NOT EXISTS job_rows (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    input TEXT NOT NULL,
    step TEXT NOT NULL,
    memo TEXT,
    result TEXT,
    PRIMARY KEY (job_id, line)
);
