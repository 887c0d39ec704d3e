//! A bulk role change as a background job ([`crate::jobs`]): one organization role given to, or
//! taken from, many members. Any replica runs it; after a restart it resumes where it stopped.
//!
//! Each row is one member and moves `pending → applying → done`:
//! - at `pending` the member's roles are read (nothing changed yet). A member who already has
//!   the role (or lacks it, for a removal), or is no longer a member, is finished at once.
//! - before the change, the row moves to `applying` with the roles it had in its memo; then
//!   the whole role set is PUT, as the single change does. Taking an admin role away goes
//!   through the same last-admin guard and lease as the single change
//!   ([`super::guard::without_losing_last_admin`]), one row at a time.
//! - the audit entry is written, then the row is finished with its result. A restart between
//!   the two repeats the entry rather than lose it (the entries name the job).
//!
//! Resuming at `applying`, the roles are read again: when the change is already there it was
//! this job's (the memo says the member did not have it before), and the row is reported and
//! audited as changed; otherwise the change is applied again. Adding or removing a role is the
//! same in effect when done twice, so no row is changed twice in a way anyone could see.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Actor, Origin};
use crate::jobs::{Job, JobRow, NewJob, NewRow, DONE, PENDING};
use crate::lang::Lang;
use crate::logto::{LogtoError, OrgMember, OrgRole};
use crate::web::i18n::Tr;
use crate::web::AppState;

use super::fetch_member;
use super::guard::{
    holds_admin_role, still_an_admin, without_losing_last_admin, ChangeBy, Subject,
};
use super::refusal::Refusal;

/// The job kind of a bulk role change.
pub const KIND: &str = "member_roles";

/// Before the role set is PUT; the memo holds the roles the member had.
const APPLYING: &str = "applying";

/// Give the role, or take it away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Add,
    Remove,
}

impl Change {
    pub fn parse(s: &str) -> Option<Change> {
        match s {
            "add" => Some(Change::Add),
            "remove" => Some(Change::Remove),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Add => "add",
            Change::Remove => "remove",
        }
    }
}

/// What the job needs to run: the change, and who asked for it (the job acts in their name).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Params {
    pub org_id: String,
    pub change: Change,
    pub role_id: String,
    pub role_name: String,
    pub actor_id: String,
    /// Operators may take the last admin's role away, as with the single change.
    pub is_operator: bool,
    pub actor: Actor,
    pub origin: Origin,
}

/// One row: the member to change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Input {
    user_id: String,
}

/// What the memo of an `applying` row keeps: the member's role names before the change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Before {
    roles: Vec<String>,
}

/// How a row ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Changed,
    /// Already had the role (add), or did not have it (remove).
    Unchanged,
    NotMember,
    /// A rule of the portal said no (the last admin, the actor no longer an admin…).
    Refused {
        code: String,
    },
    /// Logto refused or could not answer.
    Failed {
        code: String,
    },
}

/// A finished row as the progress page shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowResult {
    pub line: i64,
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Stores the change and its members (`user_ids`, in that order); returns the job's id.
pub async fn enqueue(
    state: &AppState,
    params: &Params,
    user_ids: &[String],
) -> anyhow::Result<String> {
    let rows = user_ids
        .iter()
        .zip(1..)
        .map(|(user_id, line)| {
            Ok(NewRow {
                line,
                input: serde_json::to_value(Input {
                    user_id: user_id.clone(),
                })?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let id = state
        .jobs
        .enqueue(NewJob {
            kind: KIND,
            org_id: Some(params.org_id.clone()),
            created_by: params.actor_id.clone(),
            params: serde_json::to_value(params)?,
            rows,
        })
        .await?;
    Ok(id)
}

/// The results of a job's finished rows, in line order.
pub fn results(rows: &[JobRow]) -> Vec<RowResult> {
    rows.iter()
        .filter(|r| r.step == DONE)
        .filter_map(|r| serde_json::from_value(r.result.clone()?).ok())
        .collect()
}

/// Works through a claimed job, one row at a time (admin changes are serialized anyway),
/// until every row is done or this replica no longer holds it (`lost`).
pub async fn run(state: &AppState, job: &Job, lost: Arc<AtomicBool>) -> anyhow::Result<()> {
    let params: Params = serde_json::from_value(job.params.clone())?;
    let rows: Vec<JobRow> = state
        .jobs
        .rows(&job.id)
        .await?
        .into_iter()
        .filter(|r| r.step != DONE)
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let roles = state.org_facts.roles(&state.logto).await?;
    let worker = Worker {
        state,
        params: &params,
        job_id: &job.id,
        roles: &roles,
        lost,
        // Refusals keep their code only; the page words them in the reader's language.
        t: Tr::new(Lang::En),
    };
    for row in rows {
        worker.row(row).await?;
    }
    Ok(())
}

struct Worker<'a> {
    state: &'a AppState,
    params: &'a Params,
    job_id: &'a str,
    roles: &'a [OrgRole],
    lost: Arc<AtomicBool>,
    t: Tr,
}

/// What the row's member looked like when read.
struct Seen {
    name: String,
    email: Option<String>,
    role_ids: Vec<String>,
    role_names: Vec<String>,
}

impl Seen {
    fn of(m: &OrgMember) -> Seen {
        Seen {
            name: m.display_name().to_string(),
            email: m.primary_email.clone().filter(|e| !e.is_empty()),
            role_ids: m.organization_roles.iter().map(|r| r.id.clone()).collect(),
            role_names: m
                .organization_roles
                .iter()
                .map(|r| r.name.clone())
                .collect(),
        }
    }
}

impl Worker<'_> {
    fn by(&self) -> ChangeBy<'_> {
        ChangeBy {
            org_id: &self.params.org_id,
            actor_id: &self.params.actor_id,
            is_operator: self.params.is_operator,
            t: &self.t,
            actor: self.params.actor.clone(),
            origin: self.params.origin.clone(),
            job: Some(self.job_id),
        }
    }

    /// Does the member have what this job wants them to have?
    fn in_effect(&self, seen: &Seen) -> bool {
        let has = seen.role_ids.iter().any(|id| id == &self.params.role_id);
        match self.params.change {
            Change::Add => has,
            Change::Remove => !has,
        }
    }

    /// One row, from whatever step it reached.
    async fn row(&self, row: JobRow) -> anyhow::Result<()> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(crate::jobs::NotHeld.into());
        }
        let input: Input = serde_json::from_value(row.input.clone())?;
        let before = row
            .memo
            .clone()
            .and_then(|m| serde_json::from_value::<Before>(m).ok());
        let user_id = input.user_id.as_str();
        let member = match fetch_member(&self.state.logto, &self.params.org_id, user_id).await {
            Ok(m) => m,
            Err(e) => {
                let fallback = Seen {
                    name: user_id.to_string(),
                    email: None,
                    role_ids: Vec::new(),
                    role_names: Vec::new(),
                };
                return self.failed(&row, user_id, &fallback, before, &e).await;
            }
        };
        let Some(member) = member else {
            let seen = Seen {
                name: user_id.to_string(),
                email: None,
                role_ids: Vec::new(),
                role_names: Vec::new(),
            };
            let outcome = Outcome::NotMember;
            self.audit_refused(user_id, &seen, before.as_ref(), "not_member")
                .await;
            return self.finish(&row, user_id, &seen, outcome).await;
        };
        let seen = Seen::of(&member);
        if self.in_effect(&seen) {
            // At `applying`, the member lacked it (add) or had it (remove) before: this job's doing.
            let outcome = if row.step == APPLYING {
                Outcome::Changed
            } else {
                Outcome::Unchanged
            };
            let before_names = before.map(|b| b.roles).unwrap_or(seen.role_names.clone());
            self.audit_done(user_id, &seen, &before_names, &outcome)
                .await;
            return self.finish(&row, user_id, &seen, outcome).await;
        }
        if row.step == PENDING {
            let memo = serde_json::to_value(Before {
                roles: seen.role_names.clone(),
            })?;
            if !self
                .state
                .jobs
                .advance(self.job_id, row.line, PENDING, APPLYING, Some(&memo))
                .await?
            {
                return Err(crate::jobs::NotHeld.into());
            }
        }
        let row = JobRow {
            step: APPLYING.to_string(),
            ..row
        };
        match self.apply(&member, &seen).await {
            Ok(()) => {
                let outcome = Outcome::Changed;
                self.audit_done(user_id, &seen, &seen.role_names, &outcome)
                    .await;
                self.finish(&row, user_id, &seen, outcome).await
            }
            Err(Refusal::Logto(e)) => self.failed(&row, user_id, &seen, None, &e).await,
            Err(refusal @ Refusal::Rule { .. }) => {
                let code = refusal.code();
                self.audit_refused(
                    user_id,
                    &seen,
                    Some(&Before {
                        roles: seen.role_names.clone(),
                    }),
                    &code,
                )
                .await;
                self.finish(&row, user_id, &seen, Outcome::Refused { code })
                    .await
            }
        }
    }

    /// PUTs the member's role set with the role added or taken away; taking an admin role
    /// away goes through the last-admin guard and its lease.
    async fn apply(&self, member: &OrgMember, seen: &Seen) -> Result<(), Refusal> {
        let (org_id, role_id) = (&self.params.org_id, &self.params.role_id);
        let by = self.by();
        if !self.params.is_operator {
            // The job acts for its creator only while they still administer the organization.
            still_an_admin(self.state, &self.t, org_id, &self.params.actor_id).await?;
        }
        let wanted: Vec<String> = match self.params.change {
            Change::Add => seen
                .role_ids
                .iter()
                .cloned()
                .chain(std::iter::once(role_id.clone()))
                .collect(),
            Change::Remove => seen
                .role_ids
                .iter()
                .filter(|id| *id != role_id)
                .cloned()
                .collect(),
        };
        let wanted_names = self
            .roles
            .iter()
            .filter(|r| wanted.contains(&r.id))
            .map(|r| &r.name);
        let set = self
            .state
            .logto
            .set_member_roles(org_id, &member.id, &wanted);
        let loses_admin = holds_admin_role(self.state, &seen.role_names)
            && !holds_admin_role(self.state, wanted_names);
        if loses_admin {
            let undo = self
                .state
                .logto
                .set_member_roles(org_id, &member.id, &seen.role_ids);
            let subject = Subject {
                id: &member.id,
                name: &seen.name,
            };
            without_losing_last_admin(self.state, &by, self.roles, &subject, set, undo).await
        } else {
            set.await.map_err(Refusal::from)
        }
    }

    /// The roles after the change, by name, sorted as the single change records them.
    fn after(&self, before: &[String], outcome: &Outcome) -> Vec<String> {
        let mut after: Vec<String> = before.to_vec();
        if *outcome == Outcome::Changed {
            let role = &self.params.role_name;
            match self.params.change {
                Change::Add if !after.contains(role) => after.push(role.clone()),
                Change::Remove => after.retain(|r| r != role),
                _ => {}
            }
        }
        after.sort();
        after
    }

    fn details(&self, before: &[String]) -> serde_json::Value {
        json!({
            "job": self.job_id,
            "bulk": self.params.change.as_str(),
            "role": self.params.role_name,
            "before": before,
        })
    }

    /// `member.roles_change` for a changed or unchanged row.
    async fn audit_done(&self, user_id: &str, seen: &Seen, before: &[String], outcome: &Outcome) {
        let mut details = self.details(before);
        details["after"] = json!(self.after(before, outcome));
        if *outcome == Outcome::Unchanged {
            details["unchanged"] = json!(true);
        }
        let subject = Subject {
            id: user_id,
            name: &seen.name,
        };
        let entry = self
            .by()
            .entry("member.roles_change", &subject)
            .details(details);
        self.state.audit.record_or_log(entry).await;
    }

    /// `member.roles_change`, refused with `code`.
    async fn audit_refused(&self, user_id: &str, seen: &Seen, before: Option<&Before>, code: &str) {
        let before = before.map(|b| b.roles.clone()).unwrap_or_default();
        let subject = Subject {
            id: user_id,
            name: &seen.name,
        };
        let entry = self
            .by()
            .entry("member.roles_change", &subject)
            .details(self.details(&before))
            .failed(code);
        self.state.audit.record_or_log(entry).await;
    }

    /// Logto refused the change or could not answer; a member Logto no longer counts is
    /// reported as such.
    async fn failed(
        &self,
        row: &JobRow,
        user_id: &str,
        seen: &Seen,
        before: Option<Before>,
        e: &LogtoError,
    ) -> anyhow::Result<()> {
        tracing::info!(error = %e, line = row.line, "bulk role change: Logto failed for a row");
        let gone = e.failure_code() == "organization.require_membership";
        let code = if gone {
            "not_member".to_string()
        } else {
            e.failure_code()
        };
        self.audit_refused(user_id, seen, before.as_ref(), &code)
            .await;
        let outcome = if gone {
            Outcome::NotMember
        } else {
            Outcome::Failed { code }
        };
        self.finish(row, user_id, seen, outcome).await
    }

    async fn finish(
        &self,
        row: &JobRow,
        user_id: &str,
        seen: &Seen,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        let result = RowResult {
            line: row.line,
            user_id: user_id.to_string(),
            name: seen.name.clone(),
            email: seen.email.clone(),
            outcome,
        };
        if self
            .state
            .jobs
            .finish_row(
                self.job_id,
                row.line,
                &row.step,
                &serde_json::to_value(&result)?,
            )
            .await?
        {
            Ok(())
        } else {
            Err(crate::jobs::NotHeld.into())
        }
    }
}
