//! `GET /orgs/{org_id}/invitations/batches/{job_id}`: the progress of a background invitation
//! batch, then its per-row results. htmx polls the progress region every two seconds while
//! the batch runs; without JavaScript the page has a refresh link.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};

use super::invite::Report;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Htmx, OrgAdmin};
use crate::web::format::Moment;
use crate::web::invitations::batch;
use crate::web::jobs::Progress;
use crate::web::parts::{org_tabs, OrgSection, Tab};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "invitations/batch.html", blocks = ["partial"])]
pub(super) struct BatchPage {
    pub ctx: PageCtx,
    pub heading: String,
    pub org_id: String,
    pub org_name: String,
    pub tabs: Vec<Tab>,
    pub progress: Progress,
    pub status: String,
    pub started: Moment,
    pub finished: Option<Moment>,
    /// The rows' results so far (all of them once the batch is finished).
    pub report: Report,
    /// Addresses worth inviting again (Logto was down or busy for them), one a line.
    pub retry: String,
    pub self_url: String,
}
crate::page_template!(BatchPage);

pub async fn show(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    htmx: Htmx,
    Path((_, job_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let job = crate::web::jobs::find(&state, &job_id, batch::KIND, Some(&admin.org_id)).await?;
    let rows = state
        .jobs
        .rows(&job.id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let org_name = crate::web::members::org_name(&state, &admin).await?;
    let t = ctx.t;
    let progress = Progress::of(&job);
    let results = batch::results(&rows);
    let retry = if progress.finished {
        results
            .iter()
            .filter(|r| r.is_retryable())
            .map(|r| r.email.clone())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        String::new()
    };
    let now = state.clock.now_ms();
    let status = if let Some(key) = &progress.failed {
        t.t(key)
    } else if progress.finished {
        t.f("invitations.batch.finished", &[("total", &progress.total)])
    } else if !progress.started {
        t.t("invitations.batch.queued")
    } else {
        t.f(
            "invitations.batch.running",
            &[("done", &progress.done), ("total", &progress.total)],
        )
    };
    let self_url = format!("/orgs/{}/invitations/batches/{}", admin.org_id, job.id);
    // The batch page offers its own box of addresses to retry (the form's hint is about the form).
    let mut report = Report::new(&t, results);
    report.retry_count = 0;
    let page = BatchPage {
        heading: t.t("invitations.batch.heading"),
        tabs: org_tabs(
            &t,
            &admin.org_id,
            OrgSection::Invitations,
            None,
            None,
            ctx.may_edit_org(&admin.org_id),
        ),
        org_id: admin.org_id.clone(),
        org_name,
        started: Moment::new(&t, job.created_at, now),
        finished: job.finished_at.map(|at| Moment::new(&t, at, now)),
        status,
        progress,
        report,
        retry,
        self_url,
        ctx,
    };
    htmx.page(&page)
}
