//! `/audit`: the portal's audit trail. Operators see everything; an organization admin sees the
//! entries of the organizations they administer; everyone else gets 403. Filtered, paginated,
//! exportable as CSV or JSON Lines (streamed).

mod sentence;

use crate::web::format::Moment;
use std::collections::HashMap;

use askama::Template;
use axum::{
    body::Body,
    extract::{Query, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures::stream::{self, StreamExt};
use serde::Deserialize;

use crate::audit::{Entry, Filter};
use crate::logto::OrgQuery;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::extract::Htmx;
use crate::web::format::parse_date;
use crate::web::pager::{PageParams, Pager};
use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_page))
        .route("/audit/export.csv", get(export_csv))
        .route("/audit/export.jsonl", get(export_jsonl))
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub org: Option<String>,
    pub target: Option<String>,
    pub result: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(flatten)]
    pub paging: PageParams,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 200)
}

impl AuditQuery {
    /// The filter this person may see: operators everything, admins their organizations only.
    fn filter(&self, user: &CurrentUser) -> Filter {
        let org_ids = if user.access.is_operator {
            None
        } else {
            Some(user.access.admin_orgs().map(|o| o.id.clone()).collect())
        };
        Filter {
            actor: clean(&self.actor),
            action: clean(&self.action),
            org_id: clean(&self.org),
            org_ids,
            target_id: clean(&self.target),
            result: clean(&self.result).filter(|r| r == "success" || r == "failure"),
            from_ms: clean(&self.from).and_then(|d| parse_date(&d, false)),
            to_ms: clean(&self.to).and_then(|d| parse_date(&d, true)),
        }
    }

    /// The view's parameters (without paging), for links and exports.
    fn params(&self) -> Vec<(String, String)> {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("org", &self.org),
            ("target", &self.target),
            ("result", &self.result),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| clean(v).map(|v| (k.to_string(), v)))
        .collect()
    }

    /// A target or a date is set: the "more filters" fold starts open.
    fn more_filters_set(&self) -> bool {
        [&self.target, &self.from, &self.to]
            .into_iter()
            .any(|v| clean(v).is_some())
    }

    fn query_string(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.params() {
            s.append_pair(&k, &v);
        }
        s.finish()
    }
}

fn require_audit_access(user: &CurrentUser) -> AppResult<()> {
    if user.access.is_operator || user.access.administers_any() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub use sentence::known_actions;
use sentence::{action_groups, failure_reason, ActionGroup};

/// One entry as the page shows it: a sentence after the actor, the reason of a failure in
/// words; the raw fields stay in `entry` for the expandable details.
pub struct Row {
    pub when: Moment,
    pub entry: Entry,
    pub org_name: Option<String>,
    /// "invited new.person@example.com to Acme Corp as member".
    pub sentence: String,
    /// Why it failed, in words; `None` for a success.
    pub reason: Option<String>,
}

/// The trail with its filters; htmx swaps the table (`partial`) as filters change.
#[derive(Template)]
#[template(path = "audit/page.html", blocks = ["partial"])]
struct AuditPage {
    ctx: PageCtx,
    q: AuditQuery,
    orgs: Vec<(String, String)>,
    actions: Vec<ActionGroup>,
    export_qs: String,
    rows: Vec<Row>,
    pager: Pager,
    is_operator: bool,
}
crate::page_template!(AuditPage);

/// Organization names the person may filter by: theirs, or (operators) the first 100.
async fn visible_orgs(state: &AppState, user: &CurrentUser) -> Vec<(String, String)> {
    if user.access.is_operator {
        match state
            .logto
            .list_organizations(&OrgQuery {
                page: 1,
                page_size: 100,
                q: None,
                show_featured: false,
            })
            .await
        {
            Ok(page) => page.items.into_iter().map(|o| (o.id, o.name)).collect(),
            // The trail itself does not need Logto: show ids when names are unavailable.
            Err(e) => {
                tracing::warn!(error = %e, "audit page: organization names unavailable");
                Vec::new()
            }
        }
    } else {
        user.access
            .admin_orgs()
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect()
    }
}

async fn audit_page(
    htmx: Htmx,
    State(state): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require_audit_access(&user)?;
    let filter = q.filter(&user);
    let page = q.paging.page();
    let page_size = q.paging.page_size();
    let (entries, total) = state.audit.list(&filter, page, page_size).await?;
    let orgs = if htmx.fragment && !user.access.is_operator {
        user.access
            .admin_orgs()
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect()
    } else {
        visible_orgs(&state, &user).await
    };
    let names: HashMap<&str, &str> = orgs.iter().map(|(i, n)| (i.as_str(), n.as_str())).collect();
    let dates = ctx.dates(&state.clock);
    let rows = entries
        .into_iter()
        .map(|entry| {
            let org_name = entry
                .org_id
                .as_deref()
                .and_then(|o| names.get(o).map(|n| n.to_string()));
            Row {
                when: dates.moment(entry.occurred_at),
                sentence: sentence::sentence(&ctx.t, &entry, org_name.as_deref()),
                reason: (entry.result != "success").then(|| {
                    failure_reason(&ctx.t, entry.error_code.as_deref().unwrap_or_default())
                }),
                org_name,
                entry,
            }
        })
        .collect();
    let pager = Pager::new("/audit", page, page_size, total, q.params(), "#audit-table");
    let push = pager.href(page);
    let actions = action_groups(&ctx.t);
    let view = AuditPage {
        export_qs: q.query_string(),
        ctx,
        q,
        orgs,
        actions,
        rows,
        pager,
        is_operator: user.access.is_operator,
    };
    htmx.page_at(&view, &push)
}

/// Streams every entry of the filter, a database page at a time.
fn entries_stream(
    state: AppState,
    filter: Filter,
) -> impl futures::Stream<Item = Result<Entry, anyhow::Error>> {
    const BATCH: u32 = 500;
    stream::unfold(Some(1u32), move |next| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let page = next?;
            match state.audit.list(&filter, page, BATCH).await {
                Ok((rows, total)) => {
                    let more = u64::from(page) * u64::from(BATCH) < total && !rows.is_empty();
                    let items: Vec<Result<Entry, anyhow::Error>> =
                        rows.into_iter().map(Ok).collect();
                    Some((stream::iter(items), more.then_some(page + 1)))
                }
                Err(e) => Some((stream::iter(vec![Err(e)]), None)),
            }
        }
    })
    .flatten()
    // Body consumers may poll once more after the end; a fused stream allows that.
    .fuse()
}

const CSV_HEADER: &str = "\u{feff}id,time,actor_id,actor_name,actor_email,action,target_type,target_id,target_label,organization_id,result,error_code,request_id,ip,user_agent,details\r\n";

fn csv_line(e: &Entry) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    crate::web::csv::line([
        e.id.to_string(),
        crate::web::format::iso(e.occurred_at),
        opt(&e.actor_id),
        opt(&e.actor_name),
        opt(&e.actor_email),
        e.action.clone(),
        opt(&e.target_type),
        opt(&e.target_id),
        opt(&e.target_label),
        opt(&e.org_id),
        e.result.clone(),
        opt(&e.error_code),
        opt(&e.request_id),
        opt(&e.ip),
        opt(&e.user_agent),
        e.details.clone(),
    ])
}

fn download(body: Body, content_type: &'static str, file: &str) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

async fn export_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require_audit_access(&user)?;
    let lines = entries_stream(state, q.filter(&user)).map(|r| r.map(|e| csv_line(&e)));
    let body = stream::once(async { Ok::<_, anyhow::Error>(CSV_HEADER.to_string()) }).chain(lines);
    Ok(download(
        Body::from_stream(body.map(|r| r.map_err(std::io::Error::other))),
        "text/csv; charset=utf-8",
        "audit.csv",
    )
    .into_response())
}

async fn export_jsonl(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    require_audit_access(&user)?;
    let lines = entries_stream(state, q.filter(&user)).map(|r| {
        r.and_then(|e| {
            let mut line = serde_json::to_string(&e)?;
            line.push('\n');
            Ok(line)
        })
    });
    Ok(download(
        Body::from_stream(lines.map(|r| r.map_err(std::io::Error::other))),
        "application/x-ndjson; charset=utf-8",
        "audit.jsonl",
    ))
}
