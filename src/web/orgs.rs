//! `/orgs`: the organizations a person administers (operators: all of them, searchable and
//! paginated by Logto), each with its member count; and `/orgs/go`, the header's switcher.

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};

use crate::logto::{LogtoError, MemberQuery, OrgQuery};
use crate::web::context::PageCtx;
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::htmx::page_or_partial;
use crate::web::pager::{PageParams, Pager};
use crate::web::parts::{org_tabs, MenuItem, OrgSection};
use crate::web::AppState;

const TABLE_TARGET: &str = "#orgs-table";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list))
        .route("/orgs/go", get(go))
}

fn members_href(org_id: &str) -> String {
    format!(
        "/orgs/{}/members",
        percent_encoding::utf8_percent_encode(org_id, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// Query pairs, the last value of a repeated key winning (bookmarks edited by hand).
fn query_value(raw: Option<&str>, key: &str) -> String {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == key)
        .last()
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// `GET /orgs/go?org_id=`: the header's organization switcher.
async fn go(user: CurrentUser, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let org_id = query_value(raw.as_deref(), "org_id");
    if org_id.is_empty() {
        return Ok(Redirect::to("/orgs").into_response());
    }
    // Only a Logto id becomes part of the path redirected to.
    if crate::logto::LogtoId::parse(&org_id).is_err()
        || !(user.access.is_operator || user.access.is_org_admin(&org_id))
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&members_href(&org_id)).into_response())
}

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub members: Option<u64>,
    pub href: String,
    /// The row's "⋯" menu: the organization's sections.
    pub menu: Vec<MenuItem>,
}

impl OrgRow {
    fn new(id: String, name: String, members: Option<u64>, t: &crate::web::i18n::Tr) -> Self {
        let menu = org_tabs(t, &id, OrgSection::Members, None, None)
            .into_iter()
            .map(|tab| MenuItem::link(tab.label, tab.href))
            .collect();
        OrgRow {
            href: members_href(&id),
            id,
            name,
            members,
            menu,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OrgsView {
    pub is_operator: bool,
    pub q: String,
    pub rows: Vec<OrgRow>,
    pub page_size: u32,
    pub status_text: String,
    pub error: Option<String>,
    pub canonical: String,
    pub paged: bool,
    pub oob: bool,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct OrgsPage {
    ctx: PageCtx,
    view: OrgsView,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "orgs/_table.html")]
struct OrgsTable {
    ctx: PageCtx,
    view: OrgsView,
    pager: Pager,
}

/// `GET /orgs`
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let raw = raw.as_deref();
    let paging = PageParams {
        page: Some(query_value(raw, "page")).filter(|s| !s.is_empty()),
        page_size: Some(query_value(raw, "page_size")).filter(|s| !s.is_empty()),
    };
    let (page, page_size) = (paging.page(), paging.page_size());
    let q: String = query_value(raw, "q").chars().take(200).collect();
    let is_operator = user.access.is_operator;

    let (rows, total, failure): (Vec<OrgRow>, u64, Option<LogtoError>) = if is_operator {
        let query = OrgQuery {
            page,
            page_size,
            q: Some(q.clone()).filter(|q| !q.is_empty()),
            show_featured: true,
        };
        match state.logto.list_organizations(&query).await {
            Ok(p) => (
                p.items
                    .into_iter()
                    .map(|o| OrgRow::new(o.id, o.name, o.users_count, &ctx.t))
                    .collect(),
                p.total,
                None,
            ),
            Err(e) => (Vec::new(), 0, Some(e)),
        }
    } else {
        // An admin's organizations come from the session (a handful); one count each, at once.
        let admin_orgs: Vec<_> = user.access.admin_orgs().cloned().collect();
        let counts = futures::future::join_all(admin_orgs.iter().map(|o| async {
            let one = MemberQuery {
                page: 1,
                page_size: 1,
                ..Default::default()
            };
            state.logto.list_org_members(&o.id, &one).await
        }))
        .await;
        let mut failure = None;
        let rows: Vec<OrgRow> = admin_orgs
            .iter()
            .zip(counts)
            .map(|(o, count)| {
                let members = match count {
                    Ok(p) => Some(p.total),
                    Err(e) => {
                        failure.get_or_insert(e);
                        None
                    }
                };
                OrgRow::new(o.id.clone(), o.name.clone(), members, &ctx.t)
            })
            .collect();
        let total = rows.len() as u64;
        (rows, total, failure)
    };

    let status = failure
        .as_ref()
        .map(|e| {
            tracing::warn!(error = %e, "organizations page: Logto failed");
            logto_view(e).0
        })
        .unwrap_or(StatusCode::OK);
    let error = failure.as_ref().map(|e| {
        format!(
            "{} {}",
            ctx.t.t("orgs.load_failed"),
            ctx.t.t(logto_view(e).2)
        )
    });
    let pager = Pager::new(
        "/orgs",
        page,
        page_size,
        total,
        vec![("q".into(), q.clone())],
        TABLE_TARGET,
    );
    let canonical = pager.href(page);
    let view = OrgsView {
        is_operator,
        q,
        rows,
        page_size,
        status_text: ctx.t.count("orgs.found", total as i64),
        error,
        canonical: canonical.clone(),
        paged: is_operator,
        oob: ctx.is_htmx,
    };
    let page_tpl = OrgsPage {
        ctx: ctx.clone(),
        view: view.clone(),
        pager: pager.clone(),
    };
    let partial = OrgsTable { ctx, view, pager };
    let mut resp = page_or_partial(partial.ctx.is_htmx, &page_tpl, &partial, Some(&canonical))?;
    *resp.status_mut() = status;
    Ok(resp)
}
