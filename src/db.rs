//! The database: SQLite (embedded default) or PostgreSQL (several replicas), one pool each,
//! shared by sessions, the audit trail and migrations.

use std::{path::Path, str::FromStr};

use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

mod logto_budget;
mod portal_sessions;
mod session_cache;

pub use logto_budget::PgBudget;
pub use portal_sessions::{PortalSession, SessionIndex, ENDED_KEPT_MS};
pub use session_cache::{session_key, SessionCache, SessionCacheStats, SessionChange};

/// Runs one expression against whichever pool `db` holds, so a query written once (with
/// `$1`-style placeholders, which SQLite accepts too) serves both backends.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects to `database_url`; for SQLite the file (and its folder) is created on first start.
    pub async fn connect(database_url: &str) -> anyhow::Result<Db> {
        if database_url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(std::time::Duration::from_secs(5))
                .foreign_keys(true);
            let file = options.get_filename();
            if file != Path::new(":memory:") {
                if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        anyhow::anyhow!("cannot create the database folder {}: {e}", dir.display())
                    })?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            let options = PgConnectOptions::from_str(database_url)?;
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(std::time::Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// A migrated SQLite database in a fresh temporary file, for unit tests.
    #[cfg(test)]
    pub async fn temp_sqlite() -> Db {
        let dir = std::env::temp_dir().join("logto-portal-tests");
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let url = format!(
            "sqlite://{}",
            dir.join(format!("{}.db", uuid::Uuid::new_v4())).display()
        );
        let db = Db::connect(&url).await.expect("SQLite opens");
        db.migrate().await.expect("migrations apply");
        db
    }

    /// For `/readyz`.
    pub async fn ping(&self) -> bool {
        crate::on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    /// The outgoing Logto budget shared by every replica: in PostgreSQL; `None` for SQLite
    /// (one process, whose client keeps the window in memory).
    pub fn shared_logto_budget(&self) -> Option<std::sync::Arc<dyn crate::logto::SharedBudget>> {
        match self {
            Db::Postgres(pool) => Some(std::sync::Arc::new(PgBudget::new(pool.clone()))),
            Db::Sqlite(_) => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub fn session_store(&self) -> PortalSessionStore {
        let store = match self {
            Db::Sqlite(pool) => SqlStore::Sqlite(
                SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("static table name is valid"),
            ),
            Db::Postgres(pool) => SqlStore::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name("sessions"))
                    .expect("static table name is valid"),
            ),
        };
        let cache = match self {
            Db::Sqlite(_) => SessionCache::for_one_process(),
            Db::Postgres(_) => SessionCache::for_replicas(),
        };
        PortalSessionStore {
            store,
            db: self.clone(),
            cache,
        }
    }

    pub async fn forget_session_owner(&self, session_id: &str) -> sqlx::Result<()> {
        crate::on_db!(self, pool => {
            sqlx::query("DELETE FROM session_owners WHERE session_id = $1")
                .bind(session_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes every portal session of `user_id`; returns how many there were.
    pub async fn delete_sessions_of(&self, user_id: &str) -> sqlx::Result<u64> {
        let ended = match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(
                    "DELETE FROM sessions WHERE id IN \
                     (SELECT session_id FROM session_owners WHERE user_id = ?)",
                )
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("DELETE FROM session_owners WHERE user_id = ?")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                n
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(
                    "DELETE FROM sessions WHERE id IN \
                     (SELECT session_id FROM session_owners WHERE user_id = $1)",
                )
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("DELETE FROM session_owners WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                n
            }
        };
        Ok(ended)
    }

    /// Deletes every portal session of `user_id` but `keep` (the one asking), marked as ended
    /// so that a request in flight cannot bring one back; returns how many there were.
    pub async fn delete_other_sessions_of(
        &self,
        user_id: &str,
        keep: &str,
        now_ms: i64,
    ) -> sqlx::Result<u64> {
        self.mark_others_ended(user_id, keep, now_ms).await?;
        let n = crate::on_db!(self, pool => {
            let n = sqlx::query(
                "DELETE FROM sessions WHERE id <> $2 AND id IN \
                 (SELECT session_id FROM session_owners WHERE user_id = $1)",
            )
            .bind(user_id)
            .bind(keep)
            .execute(pool)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM session_owners WHERE user_id = $1 AND session_id <> $2")
                .bind(user_id)
                .bind(keep)
                .execute(pool)
                .await?;
            n
        });
        Ok(n)
    }

    /// How many live portal sessions `user_id` has.
    pub async fn count_sessions_of(&self, user_id: &str) -> sqlx::Result<u64> {
        let n: i64 = crate::on_db!(self, pool => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM session_owners o JOIN sessions s ON s.id = o.session_id \
                     WHERE o.user_id = $1",
                )
                .bind(user_id)
                .fetch_one(pool)
                .await?);
        Ok(n.max(0) as u64)
    }

    /// The generation of `user_id`'s access: 0 until the portal first changes it.
    pub async fn access_generation(&self, user_id: &str) -> sqlx::Result<i64> {
        let found: Option<i64> = crate::on_db!(self, pool => {
            sqlx::query_scalar("SELECT generation FROM access_generations WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.unwrap_or(0))
    }

    /// Marks every session's copy of `user_id`'s access as outdated; returns the new generation.
    pub async fn bump_access_generation(&self, user_id: &str) -> sqlx::Result<i64> {
        crate::on_db!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO access_generations (user_id, generation) VALUES ($1, 1) \
                 ON CONFLICT (user_id) DO UPDATE SET generation = access_generations.generation + 1 \
                 RETURNING generation",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await
        })
    }

    /// Removes expired sessions; called periodically by `serve`.
    pub async fn delete_expired_sessions(&self) -> anyhow::Result<u64> {
        let removed = match self {
            // The store writes expiry dates as RFC 3339 text.
            Db::Sqlite(pool) => {
                sqlx::query("DELETE FROM sessions WHERE datetime(expiry_date) < datetime('now')")
                    .execute(pool)
                    .await?
                    .rows_affected()
            }
            Db::Postgres(pool) => sqlx::query("DELETE FROM sessions WHERE expiry_date < now()")
                .execute(pool)
                .await?
                .rows_affected(),
        };
        // Owners of sessions that expired (or were removed) are forgotten with them.
        let orphans =
            "DELETE FROM session_owners WHERE session_id NOT IN (SELECT id FROM sessions)";
        crate::on_db!(self, pool => {
            sqlx::query(orphans).execute(pool).await?;
        });
        Ok(removed)
    }
}

/// The session store on whichever database is configured, plus the index of whose
/// sessions are whose (`session_owners`), kept up to date as sessions are written, and a
/// short-lived copy of each session and access generation in memory ([`SessionCache`]).
/// Whatever ends sessions or changes access goes through here, so the copies follow.
#[derive(Clone, Debug)]
pub struct PortalSessionStore {
    store: SqlStore,
    db: Db,
    cache: SessionCache,
}

#[derive(Clone, Debug)]
enum SqlStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl PortalSessionStore {
    pub fn cache(&self) -> &SessionCache {
        &self.cache
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The generation of `user_id`'s access (see [`Db::access_generation`]), from memory
    /// while fresh.
    pub async fn access_generation(&self, user_id: &str) -> sqlx::Result<i64> {
        if let Some(generation) = self.cache.generation(user_id) {
            return Ok(generation);
        }
        let epoch = self.cache.epoch();
        let generation = self.db.access_generation(user_id).await?;
        self.cache.keep_generation(user_id, generation, epoch);
        Ok(generation)
    }

    /// Marks every session's copy of `user_id`'s access as outdated, on every replica.
    pub async fn bump_access_generation(&self, user_id: &str) -> sqlx::Result<i64> {
        let generation = self.db.bump_access_generation(user_id).await;
        self.cache.bumped_generation(user_id).await;
        generation
    }

    /// Marks every portal session of `user_id` as ended (see [`Db::end_session_of`]).
    pub async fn mark_sessions_ended(&self, user_id: &str, now_ms: i64) -> sqlx::Result<()> {
        self.db.mark_sessions_ended(user_id, now_ms).await
    }

    /// Deletes every portal session of `user_id`; returns how many there were.
    pub async fn delete_sessions_of(&self, user_id: &str) -> sqlx::Result<u64> {
        let ended = self.db.delete_sessions_of(user_id).await;
        self.cache.deleted_sessions().await;
        ended
    }

    /// Deletes every portal session of `user_id` but `keep` (see
    /// [`Db::delete_other_sessions_of`]).
    pub async fn delete_other_sessions_of(
        &self,
        user_id: &str,
        keep: &str,
        now_ms: i64,
    ) -> sqlx::Result<u64> {
        let ended = self
            .db
            .delete_other_sessions_of(user_id, keep, now_ms)
            .await;
        self.cache.deleted_sessions().await;
        ended
    }

    /// Ends one of `user_id`'s sessions (see [`Db::end_session_of`]).
    pub async fn end_session_of(
        &self,
        user_id: &str,
        session_id: &str,
        now_ms: i64,
    ) -> sqlx::Result<bool> {
        let ended = self.db.end_session_of(user_id, session_id, now_ms).await;
        match Id::from_str(session_id) {
            Ok(id) => self.cache.deleted_session(&id).await,
            Err(_) => self.cache.deleted_sessions().await,
        }
        ended
    }

    /// Indexes a signed-in session under its person, with what the security page lists about
    /// it (browser, address, signed in, last active: see [`crate::auth::session::DEVICE_KEY`]).
    async fn index(&self, record: &Record) -> session_store::Result<()> {
        use crate::auth::session::{DEVICE_KEY, TOUCHED_KEY, USER_KEY};
        let user = record.data.get(USER_KEY);
        let Some(user_id) = user.and_then(|u| u.get("id")).and_then(|id| id.as_str()) else {
            return Ok(());
        };
        let device = record.data.get(DEVICE_KEY);
        let text = |key: &str| device.and_then(|d| d.get(key)).and_then(|v| v.as_str());
        let index = SessionIndex {
            user_id,
            signed_in_at: user
                .and_then(|u| u.get("signed_in_at"))
                .and_then(|v| v.as_i64()),
            last_active_at: record.data.get(TOUCHED_KEY).and_then(|v| v.as_i64()),
            user_agent: text("user_agent"),
            ip: text("ip"),
        };
        self.db
            .index_session(&record.id.to_string(), &index)
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl SessionStore for PortalSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.store {
            SqlStore::Sqlite(s) => s.create(record).await?,
            SqlStore::Postgres(s) => s.create(record).await?,
        }
        self.cache.wrote_session(record).await;
        self.index(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let written = match &self.store {
            SqlStore::Sqlite(s) => s.save(record).await,
            SqlStore::Postgres(s) => s.save(record).await,
        };
        if let Err(e) = written {
            // Whatever the database holds now, this replica's copy may not be it.
            self.cache.deleted_session(&record.id).await;
            return Err(e);
        }
        // Kept (and told) before the mark is read: an ending that this read misses is made,
        // and heard, after this copy exists, so the copy is forgotten with it.
        self.cache.wrote_session(record).await;
        // A request that was in flight when its session was ended writes it back here; the
        // mark (written before the deletion) is read after this write, so one of the two
        // always removes it.
        let id = record.id.to_string();
        let ended = self.db.was_ended(&id).await.map_err(backend);
        if !matches!(ended, Ok(false)) {
            self.cache.deleted_session(&record.id).await;
            ended?;
            return self.db.delete_session_row(&id).await.map_err(backend);
        }
        self.index(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = self.cache.session(id, time::OffsetDateTime::now_utc()) {
            return Ok(Some(record));
        }
        let epoch = self.cache.epoch();
        let found = match &self.store {
            SqlStore::Sqlite(s) => s.load(id).await?,
            SqlStore::Postgres(s) => s.load(id).await?,
        };
        if let Some(record) = &found {
            self.cache.keep_session(record, epoch);
        }
        Ok(found)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = match &self.store {
            SqlStore::Sqlite(s) => s.delete(id).await,
            SqlStore::Postgres(s) => s.delete(id).await,
        };
        self.cache.deleted_session(id).await;
        deleted?;
        self.db
            .forget_session_owner(&id.to_string())
            .await
            .map_err(backend)
    }
}
