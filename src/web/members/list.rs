//! The member table: search, role filter and paging, one page or only the table for htmx;
//! and a single member's row (the "cancel" of an inline form).

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Query;
use axum_htmx::HxTrigger;

use crate::auth::session::Flash;
use crate::logto::{Feature, LogtoError, OrgRole};
use crate::web::context::PageCtx;
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::extract::Htmx;
use crate::web::extract::OrgAdmin;
use crate::web::htmx::html;
use crate::web::pager::Pager;
use crate::web::parts::{org_tabs, HeaderAction, OrgSection, Tab};
use crate::web::AppState;

use super::act::{member_for_form, MemberAt};
use super::params::{query_string, ViewQuery};
use super::refusal::{logto_message, with_status};
use super::{choices, members_path, org_name, MemberRow, RoleChoice, RowFragment, RowLinks};

const TABLE_TARGET: &str = "#members-table";
/// The refresh element inside the table; its requests must not add history entries.
const REFRESH_ID: &str = "members-view";

/// Everything the member table shows; the page adds the heading and the filter form.
#[derive(Debug, Clone)]
pub struct MembersView {
    pub heading: String,
    /// Members | Invitations.
    pub tabs: Vec<Tab>,
    /// Beside the title: export (follows the filters), add member (the primary action).
    pub actions: Vec<HeaderAction>,
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
    /// The role filter covered only the first members (Logto without a role filter).
    pub partial_scan: Option<String>,
    /// htmx fragment: also refresh the page-size field and the live status out of band.
    pub oob: bool,
    /// What a plain form just changed ("Roles of Ann saved."), shown above the table rather
    /// than at the top of the page.
    pub flash: Option<Flash>,
}

impl MembersView {
    pub fn refresh_id(&self) -> &'static str {
        REFRESH_ID
    }
}

/// The member page; htmx swaps its `partial` (the table) on search, paging and refresh.
#[derive(Template)]
#[template(path = "members/page.html", blocks = ["partial"])]
struct MembersPage {
    ctx: PageCtx,
    view: MembersView,
    pager: Pager,
}
crate::page_template!(MembersPage);

/// `GET /orgs/{org_id}/members`: the page, or only the table for htmx (search, paging,
/// filter, refresh after an addition).
pub(super) async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    mut ctx: PageCtx,
    htmx: Htmx,
    HxTrigger(trigger): HxTrigger,
    Query(query): Query<ViewQuery>,
) -> AppResult<Response> {
    let cache = &state.org_facts;
    let params = query.view();
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
    let mut partial_scan = None;
    let dates = ctx.dates(&state.clock);
    let links = RowLinks::new(&org_id, &canonical);
    let (rows, total) = match members {
        Ok(found) => {
            if !found.complete {
                partial_scan = Some(ctx.t.count_with(
                    "members.err.role_filter_partial",
                    i64::try_from(found.members_read).unwrap_or(i64::MAX),
                    &[("version", &Feature::MemberRoleFilter.since())],
                ));
            }
            let p = found.page;
            (
                p.items
                    .into_iter()
                    .map(|m| MemberRow::with_links(m, &admin, &links, &ctx.t, &dates))
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
    let filtered = !params.q.is_empty() || !params.role.is_empty();
    let export_href = if filter_q.is_empty() {
        format!("{path}/export.csv")
    } else {
        format!("{path}/export.csv?{filter_q}")
    };
    let add_href = format!("{path}/add");
    let view = MembersView {
        heading: ctx.t.f("members.title", &[("org", &heading_name)]),
        // The count is the organization's only when nothing filters the list.
        tabs: org_tabs(
            &ctx.t,
            &org_id,
            OrgSection::Members,
            (!filtered && error.is_none()).then_some(total),
            None,
            ctx.may_edit_org(&org_id),
        ),
        actions: vec![
            HeaderAction::new("members-export", ctx.t.t("members.export"), export_href).download(),
            HeaderAction::new("add-member", ctx.t.t("members.add_button"), &add_href)
                .primary()
                .swapping("#add-panel"),
        ],
        q: params.q.clone(),
        roles: role_options,
        past_end: rows.is_empty() && total > 0,
        rows,
        page_size: params.page_size,
        status_text: ctx.t.count("members.found", total as i64),
        filtered,
        error,
        first_href: pager.href(1),
        partial_scan,
        canonical: canonical.clone(),
        oob: ctx.is_htmx,
        flash: ctx.flash.take(),
        path,
    };
    let page = MembersPage { ctx, view, pager };
    // A refresh of the same view (after an addition) must not add a history entry.
    let resp = if trigger.as_deref() == Some(REFRESH_ID) {
        htmx.page(&page)?
    } else {
        htmx.page_at(&page, &canonical)?
    };
    Ok(with_status(resp, status))
}

/// `GET /orgs/{org_id}/members/{user_id}`: the member's row (htmx "cancel"); without htmx
/// the member list.
pub(super) async fn row(
    State(state): State<AppState>,
    ctx: PageCtx,
    at: MemberAt,
) -> AppResult<Response> {
    if !ctx.is_htmx {
        return Ok(Redirect::to(&at.back).into_response());
    }
    let (member, ()) = member_for_form(&state, &at, async {}).await?;
    let row = MemberRow::new(
        member,
        &at.admin,
        &at.back,
        &ctx.t,
        &ctx.dates(&state.clock),
    );
    html(&RowFragment { ctx, row })
}
