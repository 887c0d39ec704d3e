//! Batch work kept in the shared database: jobs made of rows, picked up by any replica.
//!
//! A job is enqueued with all its rows at once. One replica at a time holds it (`holder`,
//! `lease_until`), renewing the lease while it works; a replica that stops simply lets the lease
//! run out and another one takes the job over, resuming from each row's `step`. Every write a
//! worker makes is guarded by "this replica still holds the job", and a row's step moves by
//! compare-and-set, so two replicas never both start the same step of the same row.
//!
//! What a kind of job does with its rows lives with the pages that create it (the web layer);
//! this module only keeps the records, below every other layer but the database.

use std::time::Duration;

use serde_json::Value;

use crate::clock::system_now_ms;
use crate::db::Db;

/// How long a held job stays held without a renewal; renewed every [`LEASE_RENEW`].
pub const LEASE_TTL: Duration = Duration::from_secs(20);
pub const LEASE_RENEW: Duration = Duration::from_secs(5);

/// A row's step once it is finished; its `result` is set with it.
pub const DONE: &str = "done";
/// A row's step before anything happened.
pub const PENDING: &str = "pending";

/// This replica no longer holds the job (its lease ran out and another replica took it
/// over): the worker stops, and the holder goes on with it.
#[derive(Debug, thiserror::Error)]
#[error("the job is held by another replica now")]
pub struct NotHeld;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    /// The job as a whole could not go on (its organization is gone…); `failure` says why.
    Failed,
}

impl JobState {
    fn parse(s: &str) -> JobState {
        match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            _ => JobState::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub org_id: Option<String>,
    pub created_by: String,
    pub params: Value,
    pub state: JobState,
    pub total: i64,
    pub done: i64,
    pub attempts: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub failure: Option<String>,
}

/// One row of a job.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub line: i64,
    pub input: Value,
    pub step: String,
    pub memo: Option<Value>,
    pub result: Option<Value>,
}

/// A job to enqueue: its rows are `(line, input)`; a row may already be finished (`result`
/// set), e.g. refused by a check made before enqueueing.
pub struct NewJob {
    pub kind: &'static str,
    pub org_id: Option<String>,
    pub created_by: String,
    pub params: Value,
    pub rows: Vec<NewRow>,
}

pub struct NewRow {
    pub line: i64,
    pub input: Value,
}

#[derive(sqlx::FromRow)]
struct JobRecord {
    id: String,
    kind: String,
    org_id: Option<String>,
    created_by: String,
    params: String,
    state: String,
    total: i64,
    done: i64,
    attempts: i64,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    failure: Option<String>,
}

impl From<JobRecord> for Job {
    fn from(r: JobRecord) -> Job {
        Job {
            id: r.id,
            kind: r.kind,
            org_id: r.org_id,
            created_by: r.created_by,
            params: serde_json::from_str(&r.params).unwrap_or(Value::Null),
            state: JobState::parse(&r.state),
            total: r.total,
            done: r.done,
            attempts: r.attempts,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            failure: r.failure,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RowRecord {
    line: i64,
    input: String,
    step: String,
    memo: Option<String>,
    result: Option<String>,
}

impl From<RowRecord> for JobRow {
    fn from(r: RowRecord) -> JobRow {
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        JobRow {
            line: r.line,
            input: json(&r.input),
            step: r.step,
            memo: r.memo.as_deref().map(json),
            result: r.result.as_deref().map(json),
        }
    }
}

const JOB_COLUMNS: &str = "id, kind, org_id, created_by, params, state, total, done, attempts, \
    created_at, started_at, finished_at, failure";

/// The job store of one replica: `holder` names this replica's claims.
#[derive(Clone, Debug)]
pub struct Jobs {
    db: Db,
    holder: String,
    wake: std::sync::Arc<tokio::sync::Notify>,
}

impl Jobs {
    pub fn new(db: Db) -> Jobs {
        Jobs {
            db,
            holder: uuid::Uuid::new_v4().to_string(),
            wake: Default::default(),
        }
    }

    /// This replica's name in `holder`.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Resolves when a job was enqueued by this replica (others find it by polling).
    pub async fn enqueued(&self) {
        self.wake.notified().await
    }

    /// Stores a job and its rows in one transaction; returns its id.
    pub async fn enqueue(&self, job: NewJob) -> sqlx::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let params = job.params.to_string();
        let total = job.rows.len() as i64;
        let now = system_now_ms();
        crate::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO jobs (id, kind, org_id, created_by, params, state, total, done, \
                 created_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, $7)",
            )
            .bind(&id)
            .bind(job.kind)
            .bind(&job.org_id)
            .bind(&job.created_by)
            .bind(&params)
            .bind(total)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for row in &job.rows {
                sqlx::query(
                    "INSERT INTO job_rows (job_id, line, input, step) VALUES ($1, $2, $3, $4)",
                )
                .bind(&id)
                .bind(row.line)
                .bind(row.input.to_string())
                .bind(PENDING)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        self.wake.notify_one();
        Ok(id)
    }

    pub async fn get(&self, id: &str) -> sqlx::Result<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let record: Option<JobRecord> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(record.map(Job::from))
    }

    /// The most recent jobs of `kind` for an organization, newest first.
    pub async fn recent_for_org(
        &self,
        kind: &str,
        org_id: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<Job>> {
        self.recent(kind, "org_id", org_id, limit).await
    }

    /// The most recent jobs of `kind` started by `user_id`, newest first.
    pub async fn recent_by(&self, kind: &str, user_id: &str, limit: i64) -> sqlx::Result<Vec<Job>> {
        self.recent(kind, "created_by", user_id, limit).await
    }

    /// `column` is one of this module's own column names, never input.
    async fn recent(
        &self,
        kind: &str,
        column: &'static str,
        value: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE kind = $1 AND {column} = $2 \
             ORDER BY created_at DESC LIMIT $3"
        );
        let records: Vec<JobRecord> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(&sql).bind(kind).bind(value).bind(limit).fetch_all(pool).await?
        });
        Ok(records.into_iter().map(Job::from).collect())
    }

    /// Every row of a job, in line order.
    pub async fn rows(&self, job_id: &str) -> sqlx::Result<Vec<JobRow>> {
        const SQL: &str = "SELECT line, input, step, memo, result FROM job_rows \
                           WHERE job_id = $1 ORDER BY line";
        let records: Vec<RowRecord> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(SQL).bind(job_id).fetch_all(pool).await?
        });
        Ok(records.into_iter().map(JobRow::from).collect())
    }

    /// Rows of a job from `after_line` on, at most `limit` (for streaming a large result).
    pub async fn rows_after(
        &self,
        job_id: &str,
        after_line: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<JobRow>> {
        const SQL: &str = "SELECT line, input, step, memo, result FROM job_rows \
                           WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3";
        let records: Vec<RowRecord> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(SQL).bind(job_id).bind(after_line).bind(limit).fetch_all(pool).await?
        });
        Ok(records.into_iter().map(JobRow::from).collect())
    }

    /// Takes the oldest job nobody holds (queued, or running with an ended lease) for this
    /// replica. Only one replica's update can match a given lease, so a job has one holder.
    pub async fn claim_next(&self) -> sqlx::Result<Option<Job>> {
        let now = system_now_ms();
        let until = now + crate::clock::Clock::ms(LEASE_TTL);
        let sql = format!(
            "UPDATE jobs SET holder = $1, lease_until = $2, state = 'running', \
             attempts = attempts + 1, started_at = COALESCE(started_at, $3) \
             WHERE id = (SELECT id FROM jobs WHERE state IN ('queued', 'running') \
                         AND lease_until < $3 ORDER BY created_at LIMIT 1) \
             AND state IN ('queued', 'running') AND lease_until < $3 \
             RETURNING {JOB_COLUMNS}"
        );
        let record: Option<JobRecord> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(&self.holder)
                .bind(until)
                .bind(now)
                .fetch_optional(pool)
                .await?
        });
        Ok(record.map(Job::from))
    }

    /// Ends the leases of every job a replica of this database left running. Only for a
    /// database one process uses (SQLite): a job running there was this process's before a
    /// restart, so it resumes at once instead of after [`LEASE_TTL`].
    pub async fn release_orphans(&self) -> sqlx::Result<u64> {
        let n = crate::on_db!(&self.db, pool => {
            sqlx::query("UPDATE jobs SET lease_until = 0 WHERE state = 'running' AND holder <> $1")
                .bind(&self.holder)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// Renews this replica's lease on a job; `false` when it is no longer held here.
    pub async fn renew(&self, job_id: &str) -> sqlx::Result<bool> {
        let until = system_now_ms() + crate::clock::Clock::ms(LEASE_TTL);
        let n = crate::on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND holder = $3 \
                 AND state = 'running'",
            )
            .bind(until)
            .bind(job_id)
            .bind(&self.holder)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Moves a row from step `from` to `to` (keeping `memo` when `None`), only while this
    /// replica holds the job; `false` when the row was not at `from` or the job is not held.
    pub async fn advance(
        &self,
        job_id: &str,
        line: i64,
        from: &str,
        to: &str,
        memo: Option<&Value>,
    ) -> sqlx::Result<bool> {
        let memo = memo.map(Value::to_string);
        let n = crate::on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE job_rows SET step = $1, memo = COALESCE($2, memo) \
                 WHERE job_id = $3 AND line = $4 AND step = $5 AND EXISTS \
                 (SELECT 1 FROM jobs WHERE id = $3 AND holder = $6 AND state = 'running')",
            )
            .bind(to)
            .bind(&memo)
            .bind(job_id)
            .bind(line)
            .bind(from)
            .bind(&self.holder)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Finishes a row that was at step `from` with its result, and counts it done, in one
    /// transaction; `false` when the row was not at `from` or the job is not held here.
    pub async fn finish_row(
        &self,
        job_id: &str,
        line: i64,
        from: &str,
        result: &Value,
    ) -> sqlx::Result<bool> {
        let result = result.to_string();
        let finished = crate::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE job_rows SET step = $1, result = $2 \
                 WHERE job_id = $3 AND line = $4 AND step = $5 AND EXISTS \
                 (SELECT 1 FROM jobs WHERE id = $3 AND holder = $6 AND state = 'running')",
            )
            .bind(DONE)
            .bind(&result)
            .bind(job_id)
            .bind(line)
            .bind(from)
            .bind(&self.holder)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query("UPDATE jobs SET done = done + 1 WHERE id = $1")
                    .bind(job_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            n == 1
        });
        Ok(finished)
    }

    /// Marks a held job finished (done, or failed with a reason's message key).
    pub async fn finish(&self, job_id: &str, failure: Option<&str>) -> sqlx::Result<bool> {
        let state = if failure.is_some() {
            JobState::Failed
        } else {
            JobState::Done
        };
        let n = crate::on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET state = $1, failure = $2, finished_at = $3, holder = NULL, \
                 lease_until = 0 WHERE id = $4 AND holder = $5 AND state = 'running'",
            )
            .bind(state.as_str())
            .bind(failure)
            .bind(system_now_ms())
            .bind(job_id)
            .bind(&self.holder)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes finished jobs of `kind` (and their rows) that ended before `before_ms`.
    pub async fn delete_finished_before(&self, kind: &str, before_ms: i64) -> sqlx::Result<u64> {
        let n = crate::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM job_rows WHERE job_id IN (SELECT id FROM jobs WHERE kind = $1 \
                 AND state IN ('done', 'failed') AND finished_at < $2)",
            )
            .bind(kind)
            .bind(before_ms)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(
                "DELETE FROM jobs WHERE kind = $1 AND state IN ('done', 'failed') \
                 AND finished_at < $2",
            )
            .bind(kind)
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Gives a held job back without finishing it (this replica is stopping, or it could not
    /// go on for a passing reason): another replica, or this one, picks it up again.
    pub async fn give_back(&self, job_id: &str, after: Duration) -> sqlx::Result<()> {
        let until = system_now_ms() + crate::clock::Clock::ms(after);
        crate::on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET holder = NULL, lease_until = $1 WHERE id = $2 AND holder = $3",
            )
            .bind(until)
            .bind(job_id)
            .bind(&self.holder)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn sqlite() -> Db {
        Db::temp_sqlite().await
    }

    fn job(rows: i64) -> NewJob {
        NewJob {
            kind: "test",
            org_id: Some("org1".into()),
            created_by: "u1".into(),
            params: json!({"a": 1}),
            rows: (1..=rows)
                .map(|line| NewRow {
                    line,
                    input: json!({ "n": line }),
                })
                .collect(),
        }
    }

    #[tokio::test]
    async fn one_replica_holds_a_job_and_rows_move_by_compare_and_set() {
        let db = sqlite().await;
        let (a, b) = (Jobs::new(db.clone()), Jobs::new(db.clone()));
        let id = a.enqueue(job(3)).await.unwrap();
        let claimed = a.claim_next().await.unwrap().expect("a takes it");
        assert_eq!(claimed.id, id);
        assert_eq!(claimed.state, JobState::Running);
        assert_eq!(claimed.params, json!({"a": 1}));
        // Held: the other replica finds nothing, and cannot write its rows.
        assert!(b.claim_next().await.unwrap().is_none());
        assert!(!b.advance(&id, 1, PENDING, "started", None).await.unwrap());
        assert!(a
            .advance(&id, 1, PENDING, "started", Some(&json!({"x": 1})))
            .await
            .unwrap());
        // The same step cannot be taken twice.
        assert!(!a.advance(&id, 1, PENDING, "started", None).await.unwrap());
        assert!(a
            .finish_row(&id, 1, "started", &json!({"ok": true}))
            .await
            .unwrap());
        let rows = a.rows(&id).await.unwrap();
        assert_eq!(rows[0].step, DONE);
        assert_eq!(rows[0].memo, Some(json!({"x": 1})));
        assert_eq!(rows[0].result, Some(json!({"ok": true})));
        assert_eq!(a.get(&id).await.unwrap().unwrap().done, 1);
        assert!(a.finish(&id, None).await.unwrap());
        let finished = a.get(&id).await.unwrap().unwrap();
        assert_eq!(finished.state, JobState::Done);
        assert!(finished.finished_at.is_some());
        // A finished job is not claimed again.
        assert!(b.claim_next().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_orphaned_job_is_taken_over_and_the_old_holder_can_no_longer_write() {
        let db = sqlite().await;
        let (old, new) = (Jobs::new(db.clone()), Jobs::new(db.clone()));
        let id = old.enqueue(job(2)).await.unwrap();
        old.claim_next().await.unwrap().unwrap();
        assert!(new.claim_next().await.unwrap().is_none());
        // A restart of a one-process database: the new process ends the old leases.
        assert_eq!(new.release_orphans().await.unwrap(), 1);
        let taken = new.claim_next().await.unwrap().expect("taken over");
        assert_eq!(taken.attempts, 2);
        assert!(!old.renew(&id).await.unwrap());
        assert!(!old.advance(&id, 1, PENDING, "x", None).await.unwrap());
        assert!(new.renew(&id).await.unwrap());
        assert!(!old.finish(&id, None).await.unwrap());
    }

    #[tokio::test]
    async fn parallel_claims_give_each_job_one_holder() {
        let db = sqlite().await;
        let seed = Jobs::new(db.clone());
        for _ in 0..3 {
            seed.enqueue(job(1)).await.unwrap();
        }
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (jobs, barrier) = (Jobs::new(db.clone()), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    jobs.claim_next().await.unwrap().map(|j| j.id)
                })
            })
            .collect();
        let mut claimed = Vec::new();
        for t in tasks {
            claimed.extend(t.await.unwrap());
        }
        claimed.sort();
        let before = claimed.len();
        claimed.dedup();
        assert_eq!(before, claimed.len(), "a job was claimed twice");
        assert_eq!(claimed.len(), 3);
    }
}
