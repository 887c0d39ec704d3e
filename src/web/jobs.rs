//! The job worker of one replica: it claims batch work from the shared database
//! ([`crate::jobs`]), keeps its lease while it works, and hands each job to the code of its
//! kind. Any replica may run any job; a job whose replica stopped is taken over when its lease
//! runs out (at start-up at once, on SQLite, which one process uses).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::jobs::{Job, LEASE_RENEW};
use crate::web::invitations::batch;
use crate::web::members::bulk_job;
use crate::web::users::export_job;
use crate::web::AppState;

/// Jobs one replica runs at once; the Logto client's throttle paces their calls anyway.
const JOBS_AT_ONCE: usize = 2;
/// How often a replica looks for work enqueued by another replica.
const POLL: Duration = Duration::from_secs(2);
/// How long a job waits before another try after a passing failure (the database or Logto).
const RETRY_AFTER: Duration = Duration::from_secs(15);
/// Tries before a job that keeps failing is given up, with a reason on its page.
const MAX_ATTEMPTS: i64 = 10;

/// Starts this replica's worker.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        if state.db.kind() == "sqlite" {
            match state.jobs.release_orphans().await {
                Ok(n) if n > 0 => tracing::info!(jobs = n, "resuming jobs left by a restart"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not look for interrupted jobs"),
            }
        }
        let slots = Arc::new(Semaphore::new(JOBS_AT_ONCE));
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            match state.jobs.claim_next().await {
                Ok(Some(job)) => {
                    let state = state.clone();
                    tokio::spawn(async move {
                        run(&state, job).await;
                        drop(slot);
                    });
                }
                Ok(None) => {
                    drop(slot);
                    tokio::select! {
                        _ = tokio::time::sleep(POLL) => {}
                        _ = state.jobs.enqueued() => {}
                    }
                }
                Err(e) => {
                    drop(slot);
                    tracing::warn!(error = %e, "could not look for jobs");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    });
}

/// Runs one claimed job, renewing its lease meanwhile.
async fn run(state: &AppState, job: Job) {
    let lost = Arc::new(AtomicBool::new(false));
    let renewal = {
        let (jobs, id, lost) = (state.jobs.clone(), job.id.clone(), lost.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_RENEW).await;
                match jobs.renew(&id).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = %id, "job taken over by another replica; stopping here");
                        lost.store(true, Ordering::SeqCst);
                        return;
                    }
                    // The lease is long enough to ride out a short database hiccup.
                    Err(e) => {
                        tracing::warn!(job = %id, error = %e, "could not renew a job's lease")
                    }
                }
            }
        })
    };
    tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, "job started");
    let result = if job.attempts > MAX_ATTEMPTS {
        tracing::warn!(job = %job.id, attempts = job.attempts, "job given up after repeated failures");
        Err(GiveUp.into())
    } else {
        match job.kind.as_str() {
            batch::KIND => batch::run(state, &job, lost.clone()).await,
            export_job::KIND => export_job::run(state, &job, lost.clone()).await,
            bulk_job::KIND => bulk_job::run(state, &job, lost.clone()).await,
            other => Err(anyhow::anyhow!("unknown job kind {other}")),
        }
    };
    renewal.abort();
    match result {
        Ok(()) => match state.jobs.finish(&job.id, None).await {
            Ok(_) => tracing::info!(job = %job.id, "job finished"),
            Err(e) => tracing::warn!(job = %job.id, error = %e, "could not mark a job finished"),
        },
        Err(e) if e.is::<GiveUp>() || e.is::<Stopped>() => {
            let reason = e.downcast_ref::<Stopped>().map_or("jobs.gave_up", |s| s.0);
            if let Err(e) = state.jobs.finish(&job.id, Some(reason)).await {
                tracing::warn!(job = %job.id, error = %e, "could not mark a job stopped");
            }
        }
        Err(e) if e.is::<crate::jobs::NotHeld>() || lost.load(Ordering::SeqCst) => {
            tracing::info!(job = %job.id, "job left to the replica that holds it now");
        }
        Err(e) => {
            tracing::warn!(job = %job.id, error = %e, "job interrupted; it will be tried again");
            if let Err(e) = state.jobs.give_back(&job.id, RETRY_AFTER).await {
                tracing::warn!(job = %job.id, error = %e, "could not give a job back; its lease runs out by itself");
            }
        }
    }
}

/// What a job's progress page shows of it, whatever its kind (the shared template part
/// `job_progress` in `components/parts.html`).
#[derive(Debug, Clone)]
pub struct Progress {
    pub job_id: String,
    pub total: i64,
    pub done: i64,
    pub finished: bool,
    /// Why the job failed as a whole (a message key), when it did.
    pub failed: Option<String>,
    pub started: bool,
}

impl Progress {
    pub fn of(job: &Job) -> Progress {
        Progress {
            job_id: job.id.clone(),
            total: job.total,
            done: job.done,
            finished: job.state.is_finished(),
            failed: job.failure.clone(),
            started: job.started_at.is_some(),
        }
    }

    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            100
        } else {
            self.done * 100 / self.total
        }
    }
}

/// The job `job_id` of `kind` belonging to `org_id` (`None`: to no organization), or 404:
/// another organization's job, another kind, or not an id name nothing.
pub async fn find(
    state: &AppState,
    job_id: &str,
    kind: &str,
    org_id: Option<&str>,
) -> crate::web::error::AppResult<Job> {
    use crate::web::error::AppError;
    let job_id = uuid::Uuid::parse_str(job_id).map_err(|_| AppError::NotFound)?;
    let job = state
        .jobs
        .get(&job_id.to_string())
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?;
    if job.kind != kind || job.org_id.as_deref() != org_id {
        return Err(AppError::NotFound);
    }
    Ok(job)
}

/// How long finished invitation batches and bulk role changes stay on their pages.
const BATCHES_KEPT_MS: i64 = 30 * 86_400_000;

/// Deletes prepared exports after a day (they hold personal data) and finished invitation
/// batches and bulk role changes after 30 days; run by the hourly housekeeping.
pub async fn forget_old(state: &AppState) {
    let now = crate::clock::system_now_ms();
    for (kind, kept) in [
        (export_job::KIND, export_job::KEPT_MS),
        (batch::KIND, BATCHES_KEPT_MS),
        (bulk_job::KIND, BATCHES_KEPT_MS),
    ] {
        match state.jobs.delete_finished_before(kind, now - kept).await {
            Ok(n) if n > 0 => tracing::info!(kind, removed = n, "old jobs removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(kind, error = %e, "could not remove old jobs"),
        }
    }
}

/// A job may not go on (its reason is a message key, shown on its page): the person who
/// started it may no longer do what it does.
#[derive(Debug, thiserror::Error)]
#[error("the job may not go on: {0}")]
pub struct Stopped(pub &'static str);

/// How often (in rows) a running job checks again that its starter may still do it.
pub const RECHECK_EVERY: usize = 100;

/// Whether `user_id` may still administer `org_id` (`None`: operators only), read from Logto
/// now; a job acts for the person who started it only while they may.
pub async fn starter_may(
    state: &AppState,
    user_id: &str,
    org_id: Option<&str>,
) -> Result<bool, crate::logto::LogtoError> {
    let access = crate::auth::access::load_access(&state.access_sources(), user_id).await?;
    Ok(access.is_some_and(|(_, access)| match org_id {
        Some(org) => access.may_administer(org),
        None => access.is_operator,
    }))
}

/// A job failed too often to try again.
#[derive(Debug, thiserror::Error)]
#[error("the job failed too many times")]
struct GiveUp;
