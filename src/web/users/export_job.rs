//! Exports of large directories as background jobs ([`crate::jobs`]). A search matching more
//! people than `PORTAL_EXPORT_INLINE_MAX` is not streamed within one request: the operator
//! asks for the file, any replica prepares it page by page (one job row per page of 100, its
//! CSV lines kept with the row), and the file is downloaded from the portal's database when
//! ready. A restart resumes at the first page not yet read. Files are deleted a day after
//! they are ready.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use askama::Template;
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::search::SearchForm;
use super::{csv, rejection_reason, LIST_PATH};
use crate::audit::NewEntry;
use crate::jobs::{Job, NewJob, NewRow, DONE, PENDING};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Htmx, Operator};
use crate::web::format::Moment;
use crate::web::AppState;

/// The job kind of a directory export.
pub const KIND: &str = "user_export";
/// Users per Logto call, and per job row.
const PAGE_SIZE: u32 = 100;
/// How long a prepared file is kept.
pub const KEPT_MS: i64 = 24 * 3_600_000;
/// Rows read from the database at a time while a file downloads.
const DOWNLOAD_CHUNK: i64 = 20;

#[derive(Debug, Serialize, Deserialize)]
struct ExportParams {
    /// The directory search, as its URL parameters.
    search: Vec<(String, String)>,
    /// How many people matched when the export was asked for.
    total: u64,
    filename: String,
}

/// One row's input: the page it reads.
#[derive(Debug, Serialize, Deserialize)]
struct PageInput {
    page: u32,
}

/// One row's result: the CSV lines of its page.
#[derive(Debug, Serialize, Deserialize)]
struct PageOutput {
    csv: String,
    count: usize,
}

/// The page offering a background export, instead of a download that would take too long.
#[derive(Template)]
#[template(path = "users/export_offer.html")]
pub(super) struct OfferPage {
    pub ctx: PageCtx,
    pub body: String,
    pub search: Vec<(String, String)>,
    pub back: String,
}

/// The answer to `GET /users/export.csv` for a search of `total` people, too many to stream.
pub(super) fn offer(ctx: PageCtx, form: &SearchForm, total: u64) -> AppResult<Response> {
    let page = OfferPage {
        body: ctx.t.f("users.exports.offer_body", &[("total", &total)]),
        ctx,
        search: form.params(),
        back: form.url(LIST_PATH),
    };
    crate::web::htmx::html(&page)
}

fn filename(state: &AppState) -> String {
    format!(
        "users-{}.csv",
        crate::web::format::format_utc(
            state.clock.now_ms(),
            time::macros::format_description!("[year][month][day]-[hour][minute]")
        )
    )
}

/// `POST /users/exports`: the search (its URL parameters as form fields) becomes a job.
pub(super) async fn create(
    Operator(op): Operator,
    ctx: PageCtx,
    htmx: Htmx,
    State(state): State<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut form = SearchForm::parse(&pairs);
    if !form.validate() {
        return Ok(Redirect::to(&form.url(LIST_PATH)).into_response());
    }
    // One row learns how many pages there are (and whether Logto takes the search).
    let mut query = form.to_query();
    query.page = 1;
    query.page_size = 1;
    let first = match state.logto.list_users(&query).await {
        Err(e) if rejection_reason(&e).is_some() => {
            return Ok(Redirect::to(&form.url(LIST_PATH)).into_response());
        }
        other => other?,
    };
    let pages = first.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let params = ExportParams {
        search: form.params(),
        total: first.total,
        filename: filename(&state),
    };
    let rows = (1..=pages)
        .map(|page| NewRow {
            line: page as i64,
            input: json!(PageInput { page: page as u32 }),
        })
        .collect();
    let job_id = state
        .jobs
        .enqueue(NewJob {
            kind: KIND,
            org_id: None,
            created_by: op.id().to_string(),
            params: serde_json::to_value(&params).map_err(|e| AppError::Internal(e.into()))?,
            rows,
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    state
        .audit
        .record_or_log(
            NewEntry::new("user.export", ctx.actor(), ctx.origin()).details(json!({
                "search": form.url(LIST_PATH),
                "job": job_id,
                "total": first.total,
            })),
        )
        .await;
    let to = format!("/users/exports/{job_id}");
    Ok(if htmx.fragment {
        (axum_htmx::HxRedirect(to), ()).into_response()
    } else {
        Redirect::to(&to).into_response()
    })
}

/// Reads every page not yet read, in order, until done or no longer held here.
pub async fn run(state: &AppState, job: &Job, lost: Arc<AtomicBool>) -> anyhow::Result<()> {
    let params: ExportParams = serde_json::from_value(job.params.clone())?;
    let form = SearchForm::parse(&params.search);
    let mut read = 0;
    for row in state.jobs.rows(&job.id).await? {
        if row.step == DONE {
            continue;
        }
        // The file is prepared for its operator only while they are one.
        if read % crate::web::jobs::RECHECK_EVERY == 0
            && !crate::web::jobs::starter_may(state, &job.created_by, None).await?
        {
            return Err(crate::web::jobs::Stopped("users.exports.no_longer_operator").into());
        }
        read += 1;
        if lost.load(Ordering::SeqCst) {
            return Err(crate::jobs::NotHeld.into());
        }
        let input: PageInput = serde_json::from_value(row.input)?;
        let mut query = form.to_query();
        query.page = input.page;
        query.page_size = PAGE_SIZE;
        // A failure leaves the page unread: the job is tried again later from here.
        let page = state.logto.list_users(&query).await?;
        let mut lines = String::new();
        for user in &page.items {
            lines.push_str(&csv::row(user));
        }
        let output = PageOutput {
            csv: lines,
            count: page.items.len(),
        };
        if !state
            .jobs
            .finish_row(&job.id, row.line, PENDING, &serde_json::to_value(&output)?)
            .await?
        {
            return Err(crate::jobs::NotHeld.into());
        }
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "users/export.html", blocks = ["partial"])]
pub(super) struct ExportPage {
    pub ctx: PageCtx,
    pub self_url: String,
    pub download: String,
    pub filename: String,
    pub progress: crate::web::jobs::Progress,
    pub status: String,
    pub started: Moment,
    pub expires: Option<Moment>,
    pub back: String,
}
crate::page_template!(ExportPage);

/// `GET /users/exports/{job_id}`: the export's progress, then its download.
pub(super) async fn show(
    Operator(_op): Operator,
    ctx: PageCtx,
    htmx: Htmx,
    State(state): State<AppState>,
    Path(job_id): Path<String>,
) -> AppResult<Response> {
    let job = crate::web::jobs::find(&state, &job_id, KIND, None).await?;
    let params: ExportParams =
        serde_json::from_value(job.params.clone()).map_err(|e| AppError::Internal(e.into()))?;
    let t = ctx.t;
    let now = state.clock.now_ms();
    let finished = job.state.is_finished();
    let status = if let Some(key) = &job.failure {
        t.t(key)
    } else if finished {
        t.f("users.exports.ready", &[("total", &params.total)])
    } else if job.started_at.is_none() {
        t.t("users.exports.queued")
    } else {
        t.f(
            "users.exports.running",
            &[
                (
                    "done",
                    &job.done
                        .saturating_mul(i64::from(PAGE_SIZE))
                        .min(params.total as i64),
                ),
                ("total", &params.total),
            ],
        )
    };
    let page = ExportPage {
        self_url: format!("/users/exports/{}", job.id),
        download: format!("/users/exports/{}/download", job.id),
        filename: params.filename.clone(),
        progress: crate::web::jobs::Progress::of(&job),
        status,
        started: Moment::new(&t, job.created_at, now),
        expires: job.finished_at.map(|at| Moment::new(&t, at + KEPT_MS, now)),
        back: SearchForm::parse(&params.search).url(LIST_PATH),
        ctx,
    };
    htmx.page(&page)
}

/// `GET /users/exports/{job_id}/download`: the prepared file, read from the database a few
/// pages at a time (memory stays flat whatever the directory's size).
pub(super) async fn download(
    Operator(_op): Operator,
    State(state): State<AppState>,
    Path(job_id): Path<String>,
) -> AppResult<Response> {
    let job = crate::web::jobs::find(&state, &job_id, KIND, None).await?;
    if job.state != crate::jobs::JobState::Done {
        return Ok(Redirect::to(&format!("/users/exports/{}", job.id)).into_response());
    }
    let params: ExportParams =
        serde_json::from_value(job.params.clone()).map_err(|e| AppError::Internal(e.into()))?;
    let header_line =
        futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from(csv::header())) });
    let jobs = state.jobs.clone();
    let id = job.id.clone();
    let rows = futures::stream::try_unfold(Some(0_i64), move |after| {
        let (jobs, id) = (jobs.clone(), id.clone());
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let chunk = jobs
                .rows_after(&id, after, DOWNLOAD_CHUNK)
                .await
                .map_err(std::io::Error::other)?;
            let Some(last) = chunk.last().map(|r| r.line) else {
                return Ok(None);
            };
            let mut out = String::new();
            for row in chunk {
                let page: PageOutput = row
                    .result
                    .and_then(|r| serde_json::from_value(r).ok())
                    .ok_or_else(|| std::io::Error::other("an export page is missing"))?;
                out.push_str(&page.csv);
            }
            Ok(Some((Bytes::from(out), Some(last))))
        }
    });
    let mut resp = Body::from_stream(futures::StreamExt::chain(header_line, rows)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", params.filename)) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
