//! The audit trail: every change made through the portal, and every refused attempt, with the
//! signed-in person as actor. Logto records no Management API changes, and all of them reach
//! Logto as the same M2M app, so this is the only record of who did what.
//!
//! Append-only: the application never updates rows (a trigger refuses it) and deletes only
//! by age when retention is configured. Each entry carries the hash of the previous one; writers
//! serialize on a lock (an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) so
//! several replicas keep one chain.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::db::Db;

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Key of the PostgreSQL advisory lock that serializes audit writers.
const PG_AUDIT_LOCK: i64 = 0x1060_a0d1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// Who acted: the signed-in person (never the M2M app).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Actor {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// Request context recorded with each entry.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Origin {
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An entry to append. Build it with [`NewEntry::new`] and the `with_*` helpers.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: Actor,
    pub origin: Origin,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub org_id: Option<String>,
    pub outcome: Outcome,
    pub error_code: Option<String>,
    /// Non-secret facts about the change (e.g. role names, changed field names).
    pub details: serde_json::Value,
}

impl NewEntry {
    pub fn new(action: &str, actor: Actor, origin: Origin) -> Self {
        NewEntry {
            actor,
            origin,
            action: action.to_string(),
            target_type: None,
            target_id: None,
            target_label: None,
            org_id: None,
            outcome: Outcome::Success,
            error_code: None,
            details: serde_json::json!({}),
        }
    }

    pub fn target(mut self, kind: &str, id: &str, label: Option<&str>) -> Self {
        self.target_type = Some(kind.to_string());
        self.target_id = Some(id.to_string());
        self.target_label = label.map(str::to_string);
        self
    }

    pub fn org(mut self, org_id: &str) -> Self {
        self.org_id = Some(org_id.to_string());
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Adds one fact to the details (which become an object if they were not one).
    pub fn detail(mut self, key: &str, value: serde_json::Value) -> Self {
        if !self.details.is_object() {
            self.details = serde_json::json!({});
        }
        if let Some(map) = self.details.as_object_mut() {
            map.insert(key.to_string(), value);
        }
        self
    }

    pub fn failed(mut self, code: &str) -> Self {
        self.outcome = Outcome::Failure;
        self.error_code = Some(code.to_string());
        self
    }
}

/// A stored entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: i64,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub org_id: Option<String>,
    pub result: String,
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The hash this entry should carry, from its own fields and the previous hash.
    pub fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            &HashedFields {
                occurred_at: self.occurred_at,
                actor_id: self.actor_id.as_deref(),
                actor_name: self.actor_name.as_deref(),
                actor_email: self.actor_email.as_deref(),
                action: &self.action,
                target_type: self.target_type.as_deref(),
                target_id: self.target_id.as_deref(),
                target_label: self.target_label.as_deref(),
                org_id: self.org_id.as_deref(),
                result: &self.result,
                error_code: self.error_code.as_deref(),
                request_id: self.request_id.as_deref(),
                ip: self.ip.as_deref(),
                user_agent: self.user_agent.as_deref(),
                details: &self.details,
            },
        )
    }
}

#[derive(Serialize)]
struct HashedFields<'a> {
    occurred_at: i64,
    actor_id: Option<&'a str>,
    actor_name: Option<&'a str>,
    actor_email: Option<&'a str>,
    action: &'a str,
    target_type: Option<&'a str>,
    target_id: Option<&'a str>,
    target_label: Option<&'a str>,
    org_id: Option<&'a str>,
    result: &'a str,
    error_code: Option<&'a str>,
    request_id: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    details: &'a str,
}

fn chain_hash(prev_hash: &str, fields: &HashedFields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(fields).expect("plain fields serialize"));
    hex::encode(hasher.finalize())
}

/// Filters for listing and exporting the trail. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub org_ids: Option<Vec<String>>,
    pub org_id: Option<String>,
    pub target_id: Option<String>,
    pub result: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

enum Param {
    Text(String),
    Int(i64),
}

impl Filter {
    /// `WHERE …` with numbered placeholders produced by `ph` (`?` or `$n`).
    fn where_clause(&self, ph: &dyn Fn(usize) -> String) -> (String, Vec<Param>) {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        let push = |sql: &str, p: Param, params: &mut Vec<Param>| {
            params.push(p);
            sql.replace("{}", &ph(params.len()))
        };
        if let Some(actor) = &self.actor {
            let a = push("(actor_id = {}", Param::Text(actor.clone()), &mut params);
            let b = push(
                " OR lower(actor_email) = lower({})",
                Param::Text(actor.clone()),
                &mut params,
            );
            clauses.push(format!("{a}{b})"));
        }
        if let Some(action) = &self.action {
            clauses.push(push(
                "action = {}",
                Param::Text(action.clone()),
                &mut params,
            ));
        }
        if let Some(org) = &self.org_id {
            clauses.push(push("org_id = {}", Param::Text(org.clone()), &mut params));
        }
        if let Some(orgs) = &self.org_ids {
            if orgs.is_empty() {
                clauses.push("1 = 0".to_string());
            } else {
                let list: Vec<String> = orgs
                    .iter()
                    .map(|o| push("{}", Param::Text(o.clone()), &mut params))
                    .collect();
                clauses.push(format!("org_id IN ({})", list.join(", ")));
            }
        }
        if let Some(target) = &self.target_id {
            clauses.push(push(
                "target_id = {}",
                Param::Text(target.clone()),
                &mut params,
            ));
        }
        if let Some(result) = &self.result {
            clauses.push(push(
                "result = {}",
                Param::Text(result.clone()),
                &mut params,
            ));
        }
        if let Some(from) = self.from_ms {
            clauses.push(push("occurred_at >= {}", Param::Int(from), &mut params));
        }
        if let Some(to) = self.to_ms {
            clauses.push(push("occurred_at <= {}", Param::Int(to), &mut params));
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        (sql, params)
    }
}

/// Result of `audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { entries: u64 },
    Broken { entry_id: i64, reason: String },
}

/// The wall clock; rules about time (session and token lifetimes) read [`crate::clock::Clock`].
pub fn now_ms() -> i64 {
    crate::clock::system_now_ms()
}

const COLUMNS: &str = "id, occurred_at, actor_id, actor_name, actor_email, action, target_type, \
    target_id, target_label, org_id, result, error_code, request_id, ip, user_agent, details, \
    prev_hash, hash";

#[derive(Clone, Debug)]
pub struct AuditLog {
    db: Db,
}

impl AuditLog {
    pub fn new(db: Db) -> Self {
        AuditLog { db }
    }

    /// Appends one entry to the chain and returns its id.
    pub async fn record(&self, entry: NewEntry) -> anyhow::Result<i64> {
        let details = serde_json::to_string(&entry.details)?;
        let occurred_at = now_ms();
        let fields = |prev: &str| {
            chain_hash(
                prev,
                &HashedFields {
                    occurred_at,
                    actor_id: entry.actor.id.as_deref(),
                    actor_name: entry.actor.name.as_deref(),
                    actor_email: entry.actor.email.as_deref(),
                    action: &entry.action,
                    target_type: entry.target_type.as_deref(),
                    target_id: entry.target_id.as_deref(),
                    target_label: entry.target_label.as_deref(),
                    org_id: entry.org_id.as_deref(),
                    result: entry.outcome.as_str(),
                    error_code: entry.error_code.as_deref(),
                    request_id: entry.origin.request_id.as_deref(),
                    ip: entry.origin.ip.as_deref(),
                    user_agent: entry.origin.user_agent.as_deref(),
                    details: &details,
                },
            )
        };
        const INSERT_TAIL: &str = "(occurred_at, actor_id, actor_name, actor_email, action, \
            target_type, target_id, target_label, org_id, result, error_code, request_id, ip, \
            user_agent, details, prev_hash, hash)";
        macro_rules! bind_all {
            ($q:expr, $prev:expr, $hash:expr) => {
                $q.bind(occurred_at)
                    .bind(&entry.actor.id)
                    .bind(&entry.actor.name)
                    .bind(&entry.actor.email)
                    .bind(&entry.action)
                    .bind(&entry.target_type)
                    .bind(&entry.target_id)
                    .bind(&entry.target_label)
                    .bind(&entry.org_id)
                    .bind(entry.outcome.as_str())
                    .bind(&entry.error_code)
                    .bind(&entry.origin.request_id)
                    .bind(&entry.origin.ip)
                    .bind(&entry.origin.user_agent)
                    .bind(&details)
                    .bind($prev)
                    .bind($hash)
            };
        }
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(PG_AUDIT_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let prev: Option<String> =
                    sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                        .fetch_optional(&mut *tx)
                        .await?;
                let prev = prev.unwrap_or_else(|| GENESIS_HASH.to_string());
                let hash = fields(&prev);
                let sql = format!(
                    "INSERT INTO audit_log {INSERT_TAIL} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                     $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id"
                );
                let id: i64 = bind_all!(sqlx::query_scalar(&sql), &prev, &hash)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(id)
            }
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // IMMEDIATE takes the write lock before reading the previous hash.
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                let result: anyhow::Result<i64> = async {
                    let c: &mut SqliteConnection = &mut conn;
                    let prev: Option<String> =
                        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                            .fetch_optional(&mut *c)
                            .await?;
                    let prev = prev.unwrap_or_else(|| GENESIS_HASH.to_string());
                    let hash = fields(&prev);
                    let sql = format!(
                        "INSERT INTO audit_log {INSERT_TAIL} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, \
                         ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
                    );
                    let id: i64 = bind_all!(sqlx::query_scalar(&sql), &prev, &hash)
                        .fetch_one(&mut *c)
                        .await?;
                    Ok(id)
                }
                .await;
                match result {
                    Ok(id) => {
                        sqlx::query("COMMIT").execute(&mut *conn).await?;
                        Ok(id)
                    }
                    Err(e) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                        Err(e)
                    }
                }
            }
        }
    }

    /// Records an entry and logs (instead of failing the request) when the database refuses.
    pub async fn record_or_log(&self, entry: NewEntry) {
        let action = entry.action.clone();
        if let Err(e) = self.record(entry).await {
            tracing::error!(action, error = %e, "could not write the audit trail");
        }
    }

    /// A page of entries, newest first, and the total matching `filter`.
    pub async fn list(
        &self,
        filter: &Filter,
        page: u32,
        page_size: u32,
    ) -> anyhow::Result<(Vec<Entry>, u64)> {
        let offset = i64::from(page.saturating_sub(1)) * i64::from(page_size);
        // `$n` placeholders: PostgreSQL needs them and SQLite accepts them.
        let (w, params) = filter.where_clause(&|n| format!("${n}"));
        let count_sql = format!("SELECT COUNT(*) FROM audit_log{w}");
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log{w} ORDER BY id DESC LIMIT {page_size} OFFSET {offset}"
        );
        crate::on_db!(&self.db, pool => {
            let mut cq = sqlx::query_scalar::<_, i64>(&count_sql);
            for p in &params {
                cq = match p {
                    Param::Text(s) => cq.bind(s.clone()),
                    Param::Int(i) => cq.bind(*i),
                };
            }
            let total = cq.fetch_one(pool).await? as u64;
            let mut q = sqlx::query_as::<_, Entry>(&sql);
            for p in &params {
                q = match p {
                    Param::Text(s) => q.bind(s.clone()),
                    Param::Int(i) => q.bind(*i),
                };
            }
            Ok((q.fetch_all(pool).await?, total))
        })
    }

    /// Walks the chain from the oldest kept entry and names the first broken one.
    pub async fn verify(&self) -> anyhow::Result<Verification> {
        let mut checked = 0u64;
        let mut last_id = 0i64;
        let mut prev_hash: Option<String> = None;
        loop {
            let batch: Vec<Entry> = crate::on_db!(&self.db, pool => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1000"
                ))
                .bind(last_id)
                .fetch_all(pool)
                .await?
            });
            if batch.is_empty() {
                return Ok(Verification::Intact { entries: checked });
            }
            for entry in batch {
                // The oldest kept entry's predecessor may have been pruned by retention.
                if let Some(prev) = &prev_hash {
                    if &entry.prev_hash != prev {
                        return Ok(Verification::Broken {
                            entry_id: entry.id,
                            reason: "its previous-hash does not match the entry before it"
                                .to_string(),
                        });
                    }
                }
                if entry.expected_hash() != entry.hash {
                    return Ok(Verification::Broken {
                        entry_id: entry.id,
                        reason: "its content does not match its hash (edited)".to_string(),
                    });
                }
                checked += 1;
                last_id = entry.id;
                prev_hash = Some(entry.hash);
            }
        }
    }

    /// Deletes entries older than `days` and records that it did.
    pub async fn prune_older_than(&self, days: u32) -> anyhow::Result<u64> {
        let cutoff = now_ms() - i64::from(days) * 86_400_000;
        let removed = crate::on_db!(&self.db, pool => sqlx::query("DELETE FROM audit_log WHERE occurred_at < $1")
                .bind(cutoff)
                .execute(pool)
                .await?
                .rows_affected());
        if removed > 0 {
            self.record(
                NewEntry::new("audit.prune", Actor::default(), Origin::default())
                    .details(serde_json::json!({ "removed": removed, "older_than_days": days })),
            )
            .await?;
        }
        Ok(removed)
    }

    /// Total number of entries (used by tests and `audit verify`).
    pub async fn count(&self) -> anyhow::Result<u64> {
        let n: i64 = crate::on_db!(&self.db, pool => sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
                .fetch_one(pool)
                .await?
                .try_get("n")?);
        Ok(n as u64)
    }
}
