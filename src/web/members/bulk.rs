//! Bulk role changes from the member table: the people ticked in the table (their checkboxes
//! belong to the form above it, `form="members-bulk"`, so the row forms inside the table stay
//! forms of their own), a role, give or take away. `GET …/members/bulk` asks for a
//! confirmation; its `POST` enqueues a job ([`super::bulk_job`]) and sends the person to the
//! job's page `…/members/batches/{job_id}`, which htmx refreshes while it runs and which ends
//! with one result per member.
//!
//! Only the people ticked on the page are changed; "everyone matching the filter" is not
//! offered (a page holds up to 100 members, and the person sees whom they change).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{Form, Query};
use serde::Deserialize;

use crate::logto::{LogtoId, OrgRole};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Htmx, OrgAdmin};
use crate::web::format::Moment;
use crate::web::i18n::Tr;
use crate::web::jobs::Progress;
use crate::web::parts::{org_tabs, OrgSection, Tab};
use crate::web::AppState;

use super::bulk_job::{self, Change, Outcome, Params, RowResult};
use super::params::{last, safe_back};
use super::refusal::{with_status, WORDING};
use super::{members_path, org_name};

/// More than a page of the table holds (100): a hand-made request cannot make a huge job.
const MAX_PEOPLE: usize = 500;

/// The bulk form, as the confirmation reads it and posts it again.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BulkForm {
    user_ids: Vec<String>,
    #[serde(deserialize_with = "last")]
    change: String,
    #[serde(deserialize_with = "last")]
    role_id: String,
    #[serde(deserialize_with = "last")]
    back: String,
}

/// A valid bulk change: who, which role, which way.
struct Chosen {
    user_ids: Vec<String>,
    change: Change,
    role: OrgRole,
}

/// Field messages of a bulk form that cannot go on.
#[derive(Debug, Default)]
pub struct BulkErrors {
    pub people: Option<String>,
    pub role: Option<String>,
    pub change: Option<String>,
}

impl BulkForm {
    /// The distinct, well-formed ids ticked, in order.
    fn people(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in &self.user_ids {
            let id = id.trim();
            if LogtoId::parse(id).is_ok() && !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        ids
    }

    fn check(&self, t: &Tr, roles: &[OrgRole]) -> Result<Chosen, BulkErrors> {
        let user_ids = self.people();
        let change = Change::parse(&self.change);
        let role = roles.iter().find(|r| r.id == self.role_id).cloned();
        let mut errors = BulkErrors::default();
        if user_ids.is_empty() {
            errors.people = Some(t.t("members.bulk.err.nobody"));
        } else if user_ids.len() > MAX_PEOPLE {
            errors.people = Some(t.count("members.bulk.err.too_many", MAX_PEOPLE as i64));
        }
        if role.is_none() {
            errors.role = Some(t.t("members.bulk.err.role"));
        }
        if change.is_none() {
            errors.change = Some(t.t("members.bulk.err.change"));
        }
        match (change, role) {
            (Some(change), Some(role)) if errors.people.is_none() => Ok(Chosen {
                user_ids,
                change,
                role,
            }),
            _ => Err(errors),
        }
    }
}

/// The confirmation: its own page, or (htmx) the panel above the table.
#[derive(Template)]
#[template(path = "members/bulk.html", blocks = ["partial"])]
struct ConfirmPage {
    ctx: PageCtx,
    heading: String,
    tabs: Vec<Tab>,
    action: String,
    back: String,
    /// "Give the role admin to 3 people?"; empty when the form cannot go on.
    question: String,
    user_ids: Vec<String>,
    change: String,
    role_id: String,
    errors: BulkErrors,
}
crate::page_template!(ConfirmPage);

fn bulk_path(org_id: &str) -> String {
    format!("{}/bulk", members_path(org_id))
}

fn question(t: &Tr, chosen: &Chosen) -> String {
    let key = match chosen.change {
        Change::Add => "members.bulk.confirm_add",
        Change::Remove => "members.bulk.confirm_remove",
    };
    let n = chosen.user_ids.len() as i64;
    t.count_with(key, n, &[("role", &chosen.role.name)])
}

/// `GET /orgs/{org_id}/members/bulk`: how many people, which role, given or taken away.
pub(super) async fn confirm(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(form): Query<BulkForm>,
) -> AppResult<Response> {
    let roles = state.org_facts.roles(&state.logto).await?;
    let org_id = admin.org_id.clone();
    let back = safe_back(&org_id, &form.back);
    let (question, errors, status) = match form.check(&ctx.t, &roles) {
        Ok(chosen) => (
            question(&ctx.t, &chosen),
            BulkErrors::default(),
            StatusCode::OK,
        ),
        Err(errors) => (String::new(), errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let heading = ctx.t.t("members.bulk.heading");
    let tabs = org_tabs(
        &ctx.t,
        &org_id,
        OrgSection::Members,
        None,
        None,
        ctx.may_edit_org(&org_id),
    );
    let page = ConfirmPage {
        heading,
        tabs,
        action: bulk_path(&org_id),
        back,
        question,
        user_ids: form.people(),
        change: form.change.clone(),
        role_id: form.role_id.clone(),
        errors,
        ctx,
    };
    let resp = page.ctx.htmx().page(&page)?;
    Ok(with_status(resp, status))
}

/// `POST /orgs/{org_id}/members/bulk`: enqueues the change and goes to its page.
pub(super) async fn start(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Form(form): Form<BulkForm>,
) -> AppResult<Response> {
    let roles = state.org_facts.roles(&state.logto).await?;
    let chosen = match form.check(&ctx.t, &roles) {
        Ok(chosen) => chosen,
        // Posted by hand without a valid choice: the confirmation says what is missing.
        Err(_) => return confirm(State(state), admin, ctx, Query(form)).await,
    };
    let actor_id = admin.user.id().to_string();
    // The person's own row goes last: taking their own admin role away first would leave
    // the rest of the job without their authority.
    let (mut user_ids, own): (Vec<String>, Vec<String>) =
        chosen.user_ids.into_iter().partition(|id| *id != actor_id);
    user_ids.extend(own);
    let params = Params {
        org_id: admin.org_id.clone(),
        change: chosen.change,
        role_id: chosen.role.id.clone(),
        role_name: chosen.role.name.clone(),
        actor_id,
        is_operator: admin.is_operator(),
        actor: ctx.actor(),
        origin: ctx.origin(),
    };
    let job_id = bulk_job::enqueue(&state, &params, &user_ids)
        .await
        .map_err(AppError::Internal)?;
    let to = format!("{}/batches/{job_id}", members_path(&admin.org_id));
    if ctx.is_htmx {
        let mut r = StatusCode::OK.into_response();
        r.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_str(&to).map_err(|e| AppError::Internal(e.into()))?,
        );
        Ok(r)
    } else {
        Ok(Redirect::to(&to).into_response())
    }
}

/// One member's result, in words.
#[derive(Debug, Clone)]
pub struct ResultLine {
    pub name: String,
    pub email: String,
    pub label: String,
    pub detail: String,
    pub badge: &'static str,
}

impl ResultLine {
    fn of(t: &Tr, params: &Params, r: RowResult) -> ResultLine {
        let (label, detail, badge) = match &r.outcome {
            Outcome::Changed => (
                t.t(match params.change {
                    Change::Add => "members.bulk.result.added",
                    Change::Remove => "members.bulk.result.removed",
                }),
                String::new(),
                "badge badge-ok",
            ),
            Outcome::Unchanged => (
                t.t(match params.change {
                    Change::Add => "members.bulk.result.had_it",
                    Change::Remove => "members.bulk.result.did_not_have_it",
                }),
                String::new(),
                "badge",
            ),
            Outcome::NotMember => (
                t.t("members.bulk.result.not_member"),
                String::new(),
                "badge badge-warn",
            ),
            Outcome::Refused { code } => {
                let detail = match code.as_str() {
                    "last_admin_guard" | "last_admin_restored" => {
                        t.f("members.err.last_admin", &[("name", &r.name)])
                    }
                    "actor_no_longer_admin" => t.t("members.err.no_longer_admin"),
                    "admin_change_busy" => t.t("members.err.busy"),
                    _ => t.t("error.internal"),
                };
                (
                    t.t("members.bulk.result.refused"),
                    detail,
                    "badge badge-warn",
                )
            }
            Outcome::Failed { code } => {
                let key = WORDING
                    .codes
                    .iter()
                    .find(|(c, _)| c == code)
                    .map(|(_, key)| *key)
                    .unwrap_or("members.bulk.result.failed_detail");
                (
                    t.t("members.bulk.result.failed"),
                    t.t(key),
                    "badge badge-warn",
                )
            }
        };
        ResultLine {
            name: r.name,
            email: r.email.unwrap_or_default(),
            label,
            detail,
            badge,
        }
    }
}

/// The job's page.
#[derive(Template)]
#[template(path = "members/batch.html", blocks = ["partial"])]
struct BatchPage {
    ctx: PageCtx,
    heading: String,
    /// "Give the role admin to 3 people".
    what: String,
    org_name: String,
    tabs: Vec<Tab>,
    progress: Progress,
    status: String,
    started: Moment,
    finished: Option<Moment>,
    /// (label, count) of the results so far.
    summary: Vec<(String, usize)>,
    results: Vec<ResultLine>,
    back: String,
    self_url: String,
}
crate::page_template!(BatchPage);

/// `GET /orgs/{org_id}/members/batches/{job_id}`: the progress, then one result per member.
pub(super) async fn show(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    Path((_, job_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let job = crate::web::jobs::find(&state, &job_id, bulk_job::KIND, Some(&admin.org_id)).await?;
    let params: Params =
        serde_json::from_value(job.params.clone()).map_err(|e| AppError::Internal(e.into()))?;
    let rows = state
        .jobs
        .rows(&job.id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let org_name = org_name(&state, &admin).await?;
    let t = ctx.t;
    let progress = Progress::of(&job);
    let results: Vec<ResultLine> = bulk_job::results(&rows)
        .into_iter()
        .map(|r| ResultLine::of(&t, &params, r))
        .collect();
    let mut summary: Vec<(String, usize)> = Vec::new();
    for r in &results {
        match summary.iter_mut().find(|(label, _)| *label == r.label) {
            Some((_, n)) => *n += 1,
            None => summary.push((r.label.clone(), 1)),
        }
    }
    let status = if let Some(key) = &progress.failed {
        t.t(key)
    } else if progress.finished {
        t.count("members.bulk.finished", progress.total)
    } else if !progress.started {
        t.t("members.bulk.queued")
    } else {
        t.f(
            "members.bulk.running",
            &[("done", &progress.done), ("total", &progress.total)],
        )
    };
    let what_key = match params.change {
        Change::Add => "members.bulk.what_add",
        Change::Remove => "members.bulk.what_remove",
    };
    let now = state.clock.now_ms();
    let page = BatchPage {
        heading: t.t("members.bulk.job_heading"),
        what: t.count_with(what_key, progress.total, &[("role", &params.role_name)]),
        tabs: org_tabs(
            &t,
            &admin.org_id,
            OrgSection::Members,
            None,
            None,
            ctx.may_edit_org(&admin.org_id),
        ),
        org_name,
        started: Moment::new(&t, job.created_at, now),
        finished: job.finished_at.map(|at| Moment::new(&t, at, now)),
        status,
        progress,
        summary,
        results,
        back: members_path(&admin.org_id),
        self_url: format!("{}/batches/{}", members_path(&admin.org_id), job.id),
        ctx,
    };
    htmx.page(&page)
}
