-- Avatars the portal keeps when Logto has no storage for uploads (issue 17): each upload is
-- re-encoded as square PNGs (256 and 64 px) and kept by the SHA-256 of the 256 px rendering,
-- which is also its address (`/avatars/u/<hash>-<size>.png`). Rows are never changed.
CREATE TABLE IF NOT EXISTS avatars (
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    image BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (hash, size)
);
