//! `/orgs`: the organizations a person administers (operators: all of them, searchable and
//! paginated by Logto), each with its member count; for someone who administers none, the
//! organizations they belong to with their own roles, read-only. And `/orgs/go`, the
//! header's switcher. Operators also create organizations ([`create`]), and change
//! ([`settings`], [`jit`]) and delete ([`delete`]) them; see [`access`] for who may do what.

mod access;
mod create;
mod delete;
mod jit;
mod settings;

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use axum_extra::extract::Query;
use serde::Deserialize;

use crate::auth::session::Access;
use crate::logto::{LogtoError, MemberQuery, OrgQuery};
use crate::web::context::PageCtx;
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::extract::{CurrentUser, Htmx};
use crate::web::i18n::Tr;
use crate::web::members::last_value;
use crate::web::pager::{PageParams, Pager};
use crate::web::parts::{org_tabs, HeaderAction, MenuItem, OrgSection};
use crate::web::AppState;

const TABLE_TARGET: &str = "#orgs-table";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list))
        .route("/orgs/go", get(go))
        .route("/orgs/new", get(create::new_form).post(create::create))
        .route(
            "/orgs/{org_id}/settings",
            get(settings::show).post(settings::save),
        )
        .route("/orgs/{org_id}/jit/domains", post(jit::add_domain))
        .route(
            "/orgs/{org_id}/jit/domains/remove",
            post(jit::remove_domain),
        )
        .route("/orgs/{org_id}/jit/roles", post(jit::set_roles))
        .route(
            "/orgs/{org_id}/delete",
            get(delete::confirm).post(delete::delete),
        )
}

fn members_href(org_id: &str) -> String {
    format!(
        "/orgs/{}/members",
        percent_encoding::utf8_percent_encode(org_id, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// The query of `/orgs` and `/orgs/go`; a key given twice keeps its last value.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrgsQuery {
    #[serde(deserialize_with = "last_value")]
    q: String,
    #[serde(deserialize_with = "last_value")]
    page: String,
    #[serde(deserialize_with = "last_value")]
    page_size: String,
    #[serde(deserialize_with = "last_value")]
    org_id: String,
}

/// `GET /orgs/go?org_id=`: the header's organization switcher.
async fn go(user: CurrentUser, Query(query): Query<OrgsQuery>) -> AppResult<Response> {
    let org_id = query.org_id;
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
    /// The person's own roles here (the read-only list of a plain member).
    pub roles: Vec<String>,
}

impl OrgRow {
    fn new(id: String, name: String, members: Option<u64>, t: &Tr, settings: bool) -> Self {
        let menu = org_tabs(t, &id, OrgSection::Members, None, None, settings)
            .into_iter()
            .map(|tab| MenuItem::link(tab.label, tab.href))
            .collect();
        OrgRow {
            href: members_href(&id),
            id,
            name,
            members,
            menu,
            roles: Vec::new(),
        }
    }
}

/// Whose list `/orgs` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Every organization of the tenant, searchable.
    Operator,
    /// The organizations the person administers, with member counts.
    Admin,
    /// The organizations the person belongs to, with their own roles: nothing to manage,
    /// and nothing about the other members.
    Member,
}

impl Viewer {
    fn of(access: &Access) -> Self {
        if access.is_operator {
            Viewer::Operator
        } else if access.administers_any() {
            Viewer::Admin
        } else {
            Viewer::Member
        }
    }

    fn intro_key(self) -> &'static str {
        match self {
            Viewer::Operator => "orgs.intro_operator",
            Viewer::Admin => "orgs.intro_admin",
            Viewer::Member => "orgs.intro_member",
        }
    }
}

#[derive(Debug, Clone)]
pub struct OrgsView {
    pub viewer: Viewer,
    pub intro: String,
    pub q: String,
    pub rows: Vec<OrgRow>,
    pub page_size: u32,
    pub status_text: String,
    pub error: Option<String>,
    pub canonical: String,
    pub oob: bool,
    /// Operators: "New organization".
    pub actions: Vec<HeaderAction>,
}

impl OrgsView {
    pub fn is_operator(&self) -> bool {
        self.viewer == Viewer::Operator
    }

    /// A plain member's list: names and their own roles, no links, no counts, no menu.
    pub fn read_only(&self) -> bool {
        self.viewer == Viewer::Member
    }
}

/// The organizations page; htmx swaps its `partial` (the table) as the search changes.
#[derive(Template)]
#[template(path = "orgs/list.html", blocks = ["partial"])]
struct OrgsPage {
    ctx: PageCtx,
    view: OrgsView,
    pager: Pager,
}
crate::page_template!(OrgsPage);

type Listed = (Vec<OrgRow>, u64, Option<LogtoError>);

/// Every organization, one page of Logto's search.
async fn all_orgs(state: &AppState, t: &Tr, query: OrgQuery) -> Listed {
    match state.logto.list_organizations(&query).await {
        Ok(p) => (
            p.items
                .into_iter()
                .map(|o| OrgRow::new(o.id, o.name, o.users_count, t, true))
                .collect(),
            p.total,
            None,
        ),
        Err(e) => (Vec::new(), 0, Some(e)),
    }
}

/// An admin's organizations come from the session (a handful); one count each, at once.
async fn administered(state: &AppState, t: &Tr, access: &Access) -> Listed {
    let settings = state.config.admins_edit_org;
    let admin_orgs: Vec<_> = access.admin_orgs().cloned().collect();
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
            OrgRow::new(o.id.clone(), o.name.clone(), members, t, settings)
        })
        .collect();
    let total = rows.len() as u64;
    (rows, total, failure)
}

/// A plain member's organizations and roles, from the session: no call to Logto.
fn memberships(access: &Access, t: &Tr) -> Listed {
    let rows: Vec<OrgRow> = access
        .orgs
        .iter()
        .map(|o| OrgRow {
            roles: o.roles.clone(),
            ..OrgRow::new(o.id.clone(), o.name.clone(), None, t, false)
        })
        .collect();
    let total = rows.len() as u64;
    (rows, total, None)
}

/// `GET /orgs`
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    htmx: Htmx,
    Query(query): Query<OrgsQuery>,
) -> AppResult<Response> {
    let paging = PageParams {
        page: Some(query.page).filter(|s| !s.is_empty()),
        page_size: Some(query.page_size).filter(|s| !s.is_empty()),
    };
    let (page, page_size) = (paging.page(), paging.page_size());
    let q: String = query.q.chars().take(200).collect();
    let viewer = Viewer::of(&user.access);
    let (rows, total, failure) = match viewer {
        Viewer::Operator => {
            let query = OrgQuery {
                page,
                page_size,
                q: Some(q.clone()).filter(|q| !q.is_empty()),
                show_featured: true,
            };
            all_orgs(&state, &ctx.t, query).await
        }
        Viewer::Admin => administered(&state, &ctx.t, &user.access).await,
        Viewer::Member => memberships(&user.access, &ctx.t),
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
        viewer,
        intro: ctx.t.t(viewer.intro_key()),
        q,
        rows,
        page_size,
        status_text: ctx.t.count("orgs.found", total as i64),
        error,
        canonical: canonical.clone(),
        oob: ctx.is_htmx,
        actions: if viewer == Viewer::Operator {
            vec![
                HeaderAction::new("org-new", ctx.t.t("orgs.new.button"), "/orgs/new")
                    .primary()
                    .swapping("#org-new-panel"),
            ]
        } else {
            Vec::new()
        },
    };
    let mut resp = htmx.page_at(&OrgsPage { ctx, view, pager }, &canonical)?;
    *resp.status_mut() = status;
    Ok(resp)
}
