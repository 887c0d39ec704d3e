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

    /// For `/readyz`.
    pub async fn ping(&self) -> bool {
        match self {
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub fn session_store(&self) -> PortalSessionStore {
        match self {
            Db::Sqlite(pool) => PortalSessionStore::Sqlite(
                SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("static table name is valid"),
            ),
            Db::Postgres(pool) => PortalSessionStore::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name("sessions"))
                    .expect("static table name is valid"),
            ),
        }
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
        Ok(removed)
    }
}

/// The session store on whichever database is configured.
#[derive(Clone, Debug)]
pub enum PortalSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

#[async_trait]
impl SessionStore for PortalSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(s) => s.load(id).await,
            Self::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
        }
    }
}
