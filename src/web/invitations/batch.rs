//! A large invitation batch as a background job ([`crate::jobs`]): the form enqueues it and
//! shows its progress page; any replica sends it, and after a restart it resumes where it
//! stopped without inviting anyone twice.
//!
//! Each row to send moves `pending → creating → created → delivering → done`, and the step is
//! written before the effect it names. On resuming:
//! - `creating`: the invitation may exist in Logto already. The portal looks for a pending one
//!   from this inviter for this address, made since the batch began, and takes it over instead
//!   of creating another (Logto also refuses a second pending invitation for one address).
//! - `created`: the invitation exists (its id is in the row's memo); the email is still to send.
//! - `delivering`: Logto may have sent the email. It is not asked again; the row says the email
//!   is unconfirmed, and the list's "Resend" is one click away.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use futures::{stream, StreamExt};
use serde::{Deserialize, Serialize};

use super::send::{self, Batch, Delivery, Outcome, Planned, RowResult};
use crate::jobs::{Job, JobRow, NewJob, NewRow, DONE, PENDING};
use crate::logto::{InvitationFilter, InvitationStatus};
use crate::web::AppState;

/// The job kind of an invitation batch.
pub const KIND: &str = "invitations";

/// Batches up to this many rows are sent within the request (they take well under a second
/// under the default throttle) and show their results at once; larger ones become a job.
pub const INLINE_MAX_ROWS: usize = 25;

const CREATING: &str = "creating";
const CREATED: &str = "created";
const DELIVERING: &str = "delivering";

/// What a created row remembers: the invitation made for it.
#[derive(Debug, Serialize, Deserialize)]
struct Made {
    invitation_id: String,
}

/// Stores the batch and its planned rows; returns the job's id.
pub async fn enqueue(
    state: &AppState,
    batch: &Batch,
    planned: &[Planned],
) -> anyhow::Result<String> {
    let rows = planned
        .iter()
        .map(|p| {
            Ok(NewRow {
                line: p.line as i64,
                input: serde_json::to_value(p)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let id = state
        .jobs
        .enqueue(NewJob {
            kind: KIND,
            org_id: Some(batch.org_id.clone()),
            created_by: batch.inviter_id.clone(),
            params: serde_json::to_value(batch)?,
            rows,
        })
        .await?;
    Ok(id)
}

/// The results of a batch's finished rows, in line order.
pub fn results(rows: &[JobRow]) -> Vec<RowResult> {
    rows.iter()
        .filter(|r| r.step == DONE)
        .filter_map(|r| {
            let planned: Planned = serde_json::from_value(r.input.clone()).ok()?;
            let outcome: Outcome = serde_json::from_value(r.result.clone()?).ok()?;
            Some(send::result_of(planned, outcome))
        })
        .collect()
}

/// Works through a claimed batch until every row is done, or until this replica no longer
/// holds it (`lost`).
pub async fn run(state: &AppState, job: &Job, lost: Arc<AtomicBool>) -> anyhow::Result<()> {
    let batch: Batch = serde_json::from_value(job.params.clone())?;
    let rows = state.jobs.rows(&job.id).await?;
    let worker = Worker {
        state: state.clone(),
        batch: Arc::new(batch),
        job_id: job.id.clone(),
        since: job.created_at - CLOCK_SKEW_MS,
        lost,
        sent: AtomicUsize::new(0),
        halted: AtomicBool::new(false),
    };
    worker.inviter_still_may().await?;
    let mut to_send = Vec::new();
    for row in rows.into_iter().filter(|r| r.step != DONE) {
        let planned: Planned = serde_json::from_value(row.input.clone())?;
        to_send.push((row, planned));
    }
    let (refused, to_send): (Vec<_>, Vec<_>) =
        to_send.into_iter().partition(|(_, p)| p.refused.is_some());
    for (row, planned) in refused {
        worker.refuse(row, planned).await?;
    }
    let mut rest = to_send.into_iter();
    // As inline: the first row goes alone and learns whether the tenant can send email.
    if let Some((row, planned)) = rest.next() {
        worker.send(row, planned).await?;
    }
    let outcomes: Vec<anyhow::Result<()>> = stream::iter(rest)
        .map(|(row, planned)| {
            let worker = &worker;
            async move { worker.send(row, planned).await }
        })
        .buffer_unordered(send::CONCURRENCY)
        .collect()
        .await;
    outcomes.into_iter().collect()
}

struct Worker {
    state: AppState,
    batch: Arc<Batch>,
    job_id: String,
    /// When the batch was enqueued (less a margin for clocks): older invitations are not the
    /// batch's own.
    since: i64,
    lost: Arc<AtomicBool>,
    /// Rows taken up in this run, for the periodic check of the inviter's rights.
    sent: AtomicUsize,
    /// The inviter may no longer invite: rows not yet begun are left alone (the ones in
    /// flight finish, so none is left half done).
    halted: AtomicBool,
}

/// Logto's clock may run behind the portal's: an invitation made for the batch can carry a
/// time a little before the batch's own. (Pending invitations older than the batch were
/// refused when it was planned, so the margin cannot take over someone else's.)
const CLOCK_SKEW_MS: i64 = 15 * 60_000;

const INVITER_LOST_ACCESS: &str = "invitations.batch.inviter_lost_access";

impl Worker {
    /// The batch invites in its inviter's name only while they may invite here.
    async fn inviter_still_may(&self) -> anyhow::Result<()> {
        let may = crate::web::jobs::starter_may(
            &self.state,
            &self.batch.inviter_id,
            Some(&self.batch.org_id),
        )
        .await?;
        if may {
            Ok(())
        } else {
            self.halted.store(true, Ordering::SeqCst);
            Err(crate::web::jobs::Stopped(INVITER_LOST_ACCESS).into())
        }
    }

    fn still_held(&self) -> anyhow::Result<()> {
        if self.halted.load(Ordering::SeqCst) {
            return Err(crate::web::jobs::Stopped(INVITER_LOST_ACCESS).into());
        }
        if self.lost.load(Ordering::SeqCst) {
            Err(crate::jobs::NotHeld.into())
        } else {
            Ok(())
        }
    }

    /// Moves the row's step, or stops: someone else holds the job now.
    async fn advance(
        &self,
        line: i64,
        from: &str,
        to: &str,
        memo: Option<&serde_json::Value>,
    ) -> anyhow::Result<()> {
        if self
            .state
            .jobs
            .advance(&self.job_id, line, from, to, memo)
            .await?
        {
            Ok(())
        } else {
            Err(crate::jobs::NotHeld.into())
        }
    }

    async fn finish(&self, line: i64, from: &str, outcome: &Outcome) -> anyhow::Result<()> {
        if self
            .state
            .jobs
            .finish_row(&self.job_id, line, from, &serde_json::to_value(outcome)?)
            .await?
        {
            Ok(())
        } else {
            Err(crate::jobs::NotHeld.into())
        }
    }

    /// A row the portal refused before enqueueing (bad address, repeat, unknown role …).
    async fn refuse(&self, row: JobRow, planned: Planned) -> anyhow::Result<()> {
        self.still_held()?;
        let Some(outcome) = planned.refused.clone() else {
            return Ok(());
        };
        // The audit entry goes first: a restart in between repeats it rather than lose it.
        if outcome != Outcome::Duplicate {
            send::audit_refusal(
                &self.state,
                &self.batch,
                &planned,
                &outcome,
                Some(&self.job_id),
            )
            .await;
        }
        self.finish(row.line, &row.step, &outcome).await
    }

    /// One row to invite, from whatever step it reached.
    async fn send(&self, row: JobRow, planned: Planned) -> anyhow::Result<()> {
        self.still_held()?;
        if (self.sent.fetch_add(1, Ordering::SeqCst) + 1) % crate::web::jobs::RECHECK_EVERY == 0 {
            self.inviter_still_may().await?;
        }
        let line = row.line;
        let made = row
            .memo
            .clone()
            .and_then(|m| serde_json::from_value::<Made>(m).ok());
        match (row.step.as_str(), made) {
            (DELIVERING, Some(made)) => {
                let delivery = Delivery::Unconfirmed;
                self.invited(line, DELIVERING, planned, made, delivery)
                    .await
            }
            (CREATED, Some(made)) => self.deliver(line, planned, made).await,
            (CREATING, _) => match self.find_made(&planned).await? {
                Some(made) => {
                    let memo = serde_json::to_value(&made)?;
                    self.advance(line, CREATING, CREATED, Some(&memo)).await?;
                    self.deliver(line, planned, made).await
                }
                None => self.create(line, planned).await,
            },
            _ => {
                self.advance(line, PENDING, CREATING, None).await?;
                self.create(line, planned).await
            }
        }
    }

    /// A pending invitation this batch already made for the row's address (a restart came
    /// between Logto's answer and the portal writing it down).
    async fn find_made(&self, planned: &Planned) -> anyhow::Result<Option<Made>> {
        let filter = InvitationFilter {
            organization_id: Some(self.batch.org_id.clone()),
            inviter_id: Some(self.batch.inviter_id.clone()),
            invitee: Some(planned.email.clone()),
        };
        let found = self.state.logto.list_invitations(&filter).await?;
        Ok(found
            .into_iter()
            .find(|i| {
                i.status == InvitationStatus::Pending
                    && i.invitee.eq_ignore_ascii_case(&planned.email)
                    && i.created_at >= self.since
            })
            .map(|i| Made {
                invitation_id: i.id,
            }))
    }

    /// Creates the invitation (the row is at `creating`).
    async fn create(&self, line: i64, planned: Planned) -> anyhow::Result<()> {
        let new = send::new_invitation(&self.batch, &planned);
        match self.state.logto.create_invitation(&new).await {
            Ok(invitation) => {
                let made = Made {
                    invitation_id: invitation.id,
                };
                let memo = serde_json::to_value(&made)?;
                self.advance(line, CREATING, CREATED, Some(&memo)).await?;
                self.deliver(line, planned, made).await
            }
            Err(e) => {
                let outcome = send::create_failure(&e);
                // Logto's "already invited" may be this batch's own invitation, made by a
                // replica that stopped (or lost the job) just after: take it over.
                if outcome == Outcome::AlreadyInvited {
                    if let Some(made) = self.find_made(&planned).await? {
                        let memo = serde_json::to_value(&made)?;
                        self.advance(line, CREATING, CREATED, Some(&memo)).await?;
                        return self.deliver(line, planned, made).await;
                    }
                }
                send::audit_create_failed(
                    &self.state,
                    &self.batch,
                    &planned,
                    &e,
                    Some(&self.job_id),
                )
                .await;
                self.finish(line, CREATING, &outcome).await
            }
        }
    }

    /// Sends the email of a created invitation (the row is at `created`).
    async fn deliver(&self, line: i64, planned: Planned, made: Made) -> anyhow::Result<()> {
        self.advance(line, CREATED, DELIVERING, None).await?;
        let link = super::acceptance_link(&self.state, &made.invitation_id);
        let delivery =
            send::deliver_for(&self.state, &self.batch, &made.invitation_id, &link).await;
        self.invited(line, DELIVERING, planned, made, delivery)
            .await
    }

    async fn invited(
        &self,
        line: i64,
        from: &str,
        planned: Planned,
        made: Made,
        delivery: Delivery,
    ) -> anyhow::Result<()> {
        send::audit_invited(
            &self.state,
            &self.batch,
            &planned,
            &made.invitation_id,
            &delivery,
            Some(&self.job_id),
        )
        .await;
        let link = super::acceptance_link(&self.state, &made.invitation_id);
        let outcome = Outcome::Invited {
            invitation_id: made.invitation_id,
            link,
            delivery,
        };
        self.finish(line, from, &outcome).await
    }
}
