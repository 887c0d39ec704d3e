//! The outgoing Logto budget in PostgreSQL, shared by every replica: one short transaction
//! per grant under a transaction-level advisory lock, and one update when the call ended, on
//! the database's clock (replicas' clocks may differ; the database's is one).

use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;

use crate::logto::{turn_in, BudgetAnswer, BudgetAsk, SharedBudget};

/// The advisory lock that serializes grants (any fixed number no other part uses).
const BUDGET_LOCK: i64 = 0x6c6f_6774_6f5f_6275; // "logto_bu"

/// The database's time, epoch milliseconds.
const NOW_MS: &str = "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// A waiter keeps its place this long past the moment it was told to ask again.
const PLACE_GRACE: Duration = Duration::from_secs(5);

/// [`SharedBudget`] on a PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct PgBudget {
    pool: PgPool,
}

impl PgBudget {
    pub fn new(pool: PgPool) -> Self {
        PgBudget { pool }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl SharedBudget for PgBudget {
    async fn take(&self, ask: &BudgetAsk<'_>) -> anyhow::Result<BudgetAnswer> {
        let span = ms(ask.span);
        let mut tx = self.pool.begin().await?;
        let now: i64 = sqlx::query_scalar(&format!(
            "SELECT {NOW_MS} FROM (SELECT pg_advisory_xact_lock($1)) AS locked"
        ))
        .bind(BUDGET_LOCK)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM logto_calls WHERE ends_ms <= $1")
            .bind(now - span)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM logto_call_queue WHERE expires_at_ms <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // Calls in flight end later than now: they leave a span from now at the earliest.
        let ends: Vec<i64> =
            sqlx::query_scalar("SELECT LEAST(ends_ms, $1) AS e FROM logto_calls ORDER BY e")
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
        let replicas: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT replica) FROM logto_calls WHERE replica <> $1",
        )
        .bind(ask.replica)
        .fetch_one(&mut *tx)
        .await?;
        let replicas = u32::try_from(replicas)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        // A place that expired (its waiter was too slow to ask again) is lost: queue anew.
        let ticket = match ask.ticket {
            Some(t) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT ticket FROM logto_call_queue WHERE ticket = $1",
                )
                .bind(t)
                .fetch_optional(&mut *tx)
                .await?
            }
            None => None,
        };
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM logto_call_queue WHERE $1::bigint IS NULL OR ticket < $1",
        )
        .bind(ticket)
        .fetch_one(&mut *tx)
        .await?;
        let ahead = u32::try_from(ahead).unwrap_or(u32::MAX);
        let in_use = u32::try_from(ends.len()).unwrap_or(u32::MAX);
        if in_use.saturating_add(ahead) < ask.limit {
            let call: i64 = sqlx::query_scalar(
                "INSERT INTO logto_calls (replica, granted_ms, ends_ms) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(ask.replica)
            .bind(now)
            .bind(now + ms(ask.longest_call))
            .fetch_one(&mut *tx)
            .await?;
            if let Some(t) = ticket {
                sqlx::query("DELETE FROM logto_call_queue WHERE ticket = $1")
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            return Ok(BudgetAnswer::Granted {
                call,
                in_use: in_use + 1,
                replicas,
            });
        }
        // Unknown turn (the callers ahead have yet to take theirs): ask again soon.
        let wait =
            turn_in(&ends, ask.limit, ahead, now, ask.span).unwrap_or(Duration::from_millis(20));
        let expires = now + ms(wait) + ms(PLACE_GRACE);
        let ticket = match ticket {
            Some(t) => {
                sqlx::query("UPDATE logto_call_queue SET expires_at_ms = $2 WHERE ticket = $1")
                    .bind(t)
                    .bind(expires)
                    .execute(&mut *tx)
                    .await?;
                t
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO logto_call_queue (replica, expires_at_ms) VALUES ($1, $2) \
                     RETURNING ticket",
                )
                .bind(ask.replica)
                .bind(expires)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        tx.commit().await?;
        Ok(BudgetAnswer::Wait {
            ticket,
            wait,
            in_use,
            replicas,
        })
    }

    async fn ended(&self, call: i64) -> anyhow::Result<()> {
        sqlx::query(&format!(
            "UPDATE logto_calls SET ends_ms = LEAST(ends_ms, {NOW_MS}) WHERE id = $1"
        ))
        .bind(call)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn leave(&self, ticket: i64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM logto_call_queue WHERE ticket = $1")
            .bind(ticket)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn in_use(&self, span: Duration) -> anyhow::Result<u32> {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM logto_calls WHERE ends_ms > {NOW_MS} - $1"
        ))
        .bind(ms(span))
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
