-- Short leases that serialize changes across replicas (e.g. anything that can remove an
-- organization's last admin). A row is held until `expires_at` (epoch ms) or released.
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
