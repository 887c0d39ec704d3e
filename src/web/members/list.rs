//! The member table: search, role filter and paging, one page or only the table for htmx;
//! and a single member's row (the "cancel" of an inline form).

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use crate::logto::{Feature, LogtoError, OrgRole, ROLE_SCAN_LIMIT};
use crate::web::context::PageCtx;
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::extract::OrgAdmin;
use crate::web::htmx::{html, page_or_partial};
use crate::web::ids::{Ids, LogtoId};
use crate::web::pager::Pager;
use crate::web::AppState;

use super::act::member_for_form;
use super::params::{query_string, Fields, ViewParams};
use super::refusal::{logto_message, with_status};
use super::COLUMNS;
use super::{choices, members_path, org_name, MemberRow, RoleChoice, RowFragment};

const TABLE_TARGET: &str = "#members-table";
/// The refresh element inside the table; its requests must not add history entries.
const REFRESH_ID: &str = "members-view";

/// Everything the member table shows; the page adds the heading and the filter form.
#[derive(Debug, Clone)]
pub struct MembersView {
    pub heading: String,
    pub path: String,
    pub q: String,
    pub roles: Vec<RoleChoice>,
    pub rows: Vec<MemberRow>,
    pub page_size: u32,
    pub status_text: String,
    pub filtered: bool,
    pub past_end: bool,
    pub error: Option<String>,
    pub canonical: String,
    pub first_href: String,
    pub export_href: String,
    pub add_href: String,
    /// The role filter covered only the first members (Logto without a role filter).
    pub partial_scan: Option<String>,
    /// htmx fragment: also refresh the page-size field and the live status out of band.
    pub oob: bool,
}

impl MembersView {
    pub fn refresh_id(&self) -> &'static str {
        REFRESH_ID
    }

    pub fn columns(&self) -> u32 {
        COLUMNS
    }
}

#[derive(Template)]
#[template(path = "members/page.html")]
struct MembersPage {
    ctx: PageCtx,
    view: MembersView,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "members/_table.html")]
struct MembersTable {
    ctx: PageCtx,
    view: MembersView,
    pager: Pager,
}

/// `GET /orgs/{org_id}/members`: the page, or only the table for htmx (search, paging,
/// filter, refresh after an addition).
pub(super) async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let cache = &state.org_facts;
    let params = ViewParams::parse(raw.as_deref());
    let org_id = admin.org_id.clone();
    let query = params.member_query();
    let (name, roles, members) = tokio::join!(
        org_name(&state, &admin),
        cache.roles(&state.logto),
        state.logto.list_org_members_by_role(&org_id, &query),
    );
    let heading_name = match name {
        Ok(n) => n,
        Err(e) if e.is_not_found() => return Err(AppError::NotFound),
        Err(e) => {
            tracing::warn!(error = %e, "organization name unavailable");
            org_id.clone()
        }
    };
    let path = members_path(&org_id);
    let mut error = None;
    let mut status = StatusCode::OK;
    let mut note_failure = |e: &LogtoError| {
        tracing::warn!(error = %e, org_id = %org_id, "member page: Logto failed");
        if error.is_none() {
            status = logto_view(e).0;
            error = Some(format!(
                "{} {}",
                ctx.t.t("members.load_failed"),
                logto_message(&ctx.t, e)
            ));
        }
    };
    let roles: Vec<OrgRole> = match roles {
        Ok(r) => r.as_ref().clone(),
        Err(e) => {
            note_failure(&e);
            Vec::new()
        }
    };
    // The view's own address: pushed to the address bar, and where plain forms return.
    let canonical = format!("{path}?{}", {
        let mut pairs = params.filter_pairs();
        pairs.push(("page".into(), params.page.to_string()));
        pairs.push(("page_size".into(), params.page_size.to_string()));
        query_string(&pairs)
    });
    let self_id = admin.user.user.id.clone();
    let mut partial_scan = None;
    let dates = ctx.dates(&state.clock);
    let (rows, total) = match members {
        Ok(found) => {
            if !found.complete {
                partial_scan = Some(ctx.t.count_with(
                    "members.err.role_filter_partial",
                    ROLE_SCAN_LIMIT as i64,
                    &[("version", &Feature::MemberRoleFilter.since())],
                ));
            }
            let p = found.page;
            (
                p.items
                    .iter()
                    .map(|m| MemberRow::new(m, &org_id, &self_id, &canonical, &dates))
                    .collect::<Vec<_>>(),
                p.total,
            )
        }
        Err(e) => {
            note_failure(&e);
            (Vec::new(), 0)
        }
    };
    let mut role_options = choices(&roles, std::slice::from_ref(&params.role));
    if !params.role.is_empty() && !role_options.iter().any(|r| r.checked) {
        // A bookmarked filter on a role that is gone: keep it visible rather than pretend.
        role_options.push(RoleChoice {
            id: params.role.clone(),
            name: params.role.clone(),
            description: None,
            checked: true,
        });
    }
    let pager = Pager::new(
        &path,
        params.page,
        params.page_size,
        total,
        params.filter_pairs(),
        TABLE_TARGET,
    );
    let filter_q = query_string(&params.filter_pairs());
    let view = MembersView {
        heading: ctx.t.f("members.title", &[("org", &heading_name)]),
        q: params.q.clone(),
        roles: role_options,
        past_end: rows.is_empty() && total > 0,
        rows,
        page_size: params.page_size,
        status_text: ctx.t.count("members.found", total as i64),
        filtered: !params.q.is_empty() || !params.role.is_empty(),
        error,
        first_href: pager.href(1),
        export_href: if filter_q.is_empty() {
            format!("{path}/export.csv")
        } else {
            format!("{path}/export.csv?{filter_q}")
        },
        add_href: format!("{path}/add"),
        partial_scan,
        canonical: canonical.clone(),
        oob: ctx.is_htmx,
        path,
    };
    // A refresh of the same view (after an addition) must not add a history entry.
    let is_refresh = headers
        .get("hx-trigger")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == REFRESH_ID);
    let push = (!is_refresh).then_some(canonical.as_str());
    let page = MembersPage {
        ctx: ctx.clone(),
        view: view.clone(),
        pager: pager.clone(),
    };
    let partial = MembersTable { ctx, view, pager };
    Ok(with_status(
        page_or_partial(partial.ctx.is_htmx, &page, &partial, push)?,
        status,
    ))
}

/// `GET /orgs/{org_id}/members/{user_id}`: the member's row (htmx "cancel"); without htmx
/// the member list.
pub(super) async fn row(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let back = Fields::query(raw.as_deref()).back(&admin.org_id);
    if !ctx.is_htmx {
        return Ok(Redirect::to(&back).into_response());
    }
    let (member, ()) = member_for_form(&state, &admin, &user_id, async {}).await?;
    let row = MemberRow::new(
        &member,
        &admin.org_id,
        &admin.user.user.id,
        &back,
        &ctx.dates(&state.clock),
    );
    html(&RowFragment { ctx, row })
}
