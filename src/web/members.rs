//! Organization members for tenant admins (and operators): the member table with search, role
//! filter and paging, adding an existing user (found by exact email or username for admins,
//! see [`PickerScope`]), changing a member's roles, removing a member,
//! and a streamed CSV export. Every change goes through the Management API and into the audit
//! trail with the signed-in person as actor.
//!
//! Cost of one member page: the member list (members carry `organizationRoles`) plus the
//! organization-role list, which is cached briefly; operators also need the organization name
//! (cached too). A warm page is one call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use futures::{stream, StreamExt, TryStreamExt};
use serde_json::json;

use crate::audit::NewEntry;
use crate::auth::access::OrgAdmin;
use crate::auth::revocation::{after_access_change, AccessChange};
use crate::auth::session::{safe_return_to, ACCESS_KEY};
use crate::config::AdminUserSearch;
use crate::leases::{Lease, LeaseError, LEASE_WAIT};
use crate::limits::{self, Reservation};
use crate::logto::{
    Feature, LogtoClient, LogtoError, MemberQuery, OrgMember, OrgRole, RoleType, SearchField,
    UserQuery, UserSearch, ROLE_SCAN_LIMIT,
};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{logto_view, AppError, AppResult};
use crate::web::htmx::{html, page_or_partial};
use crate::web::i18n::Tr;
use crate::web::ids::{Ids, LogtoId};
use crate::web::pager::{PageParams, Pager};
use crate::web::AppState;

/// How long the organization-role list is reused (roles rarely change; a stale list only
/// costs a fresh fetch when a submitted role is not in it).
const ROLES_TTL: Duration = Duration::from_secs(30);
/// How long an organization's name is reused for the heading (operators only).
const ORG_NAME_TTL: Duration = Duration::from_secs(300);
const TABLE_TARGET: &str = "#members-table";
/// The refresh element inside the table; its requests must not add history entries.
const REFRESH_ID: &str = "members-view";
/// Candidates shown in the "add member" picker.
const CANDIDATES_SHOWN: u32 = 10;
/// Characters needed before the picker searches (2 fits two-character Chinese names).
const CANDIDATE_MIN_CHARS: usize = 2;
const COLUMNS: u32 = 7;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{org_id}/members", get(list))
        .route("/orgs/{org_id}/members/export.csv", get(export_csv))
        .route("/orgs/{org_id}/members/add", get(add_form).post(add))
        .route("/orgs/{org_id}/members/candidates", get(candidates))
        .route("/orgs/{org_id}/members/{user_id}", get(row))
        .route(
            "/orgs/{org_id}/members/{user_id}/roles",
            get(edit_roles).post(save_roles),
        )
        .route(
            "/orgs/{org_id}/members/{user_id}/remove",
            get(confirm_remove).post(remove),
        )
}

// ---------------------------------------------------------------------------------------
// Cache

/// Short-lived copies of the organization-role list and organization names, one per portal
/// (kept in `AppState`, so test apps with their own fake Logto never share it).
#[derive(Clone, Default)]
pub struct MemberCache(Arc<Mutex<CacheState>>);

#[derive(Default)]
struct CacheState {
    roles: Option<(Instant, Arc<Vec<OrgRole>>)>,
    org_names: HashMap<String, (Instant, String)>,
}

impl MemberCache {
    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The roles that can be given to people (type `User`), by name.
    pub async fn roles(&self, logto: &LogtoClient) -> Result<Arc<Vec<OrgRole>>, LogtoError> {
        let cached = {
            let st = self.state();
            st.roles
                .as_ref()
                .filter(|(at, _)| at.elapsed() < ROLES_TTL)
                .map(|(_, roles)| roles.clone())
        };
        match cached {
            Some(roles) => Ok(roles),
            None => self.fresh_roles(logto).await,
        }
    }

    async fn fresh_roles(&self, logto: &LogtoClient) -> Result<Arc<Vec<OrgRole>>, LogtoError> {
        let roles: Vec<OrgRole> = logto
            .list_org_roles()
            .await?
            .into_iter()
            .filter(|r| r.r#type == RoleType::User)
            .collect();
        let roles = Arc::new(roles);
        self.state().roles = Some((Instant::now(), roles.clone()));
        Ok(roles)
    }

    pub async fn org_name(&self, logto: &LogtoClient, org_id: &str) -> Result<String, LogtoError> {
        let cached = {
            let st = self.state();
            st.org_names
                .get(org_id)
                .filter(|(at, _)| at.elapsed() < ORG_NAME_TTL)
                .map(|(_, name)| name.clone())
        };
        if let Some(name) = cached {
            return Ok(name);
        }
        let org = logto.get_organization(org_id).await?;
        let mut st = self.state();
        st.org_names
            .retain(|_, (at, _)| at.elapsed() < ORG_NAME_TTL);
        st.org_names
            .insert(org_id.to_string(), (Instant::now(), org.name.clone()));
        Ok(org.name)
    }

    /// The chosen role ids resolved against the list; a miss refreshes the list once (a role
    /// may have been created since). `None` when a role does not exist or cannot be given.
    async fn resolve(
        &self,
        logto: &LogtoClient,
        ids: &[String],
    ) -> Result<Option<Vec<OrgRole>>, LogtoError> {
        let pick = |roles: &[OrgRole]| -> Option<Vec<OrgRole>> {
            ids.iter()
                .map(|id| roles.iter().find(|r| &r.id == id).cloned())
                .collect()
        };
        let cached = self.roles(logto).await?;
        if let Some(found) = pick(&cached) {
            return Ok(Some(found));
        }
        Ok(pick(&self.fresh_roles(logto).await?))
    }
}

/// The organization's name: from the session for its admins, else (operators) from Logto.
pub async fn org_name(state: &AppState, admin: &OrgAdmin) -> Result<String, LogtoError> {
    if let Some(o) = admin.user.access.orgs.iter().find(|o| o.id == admin.org_id) {
        return Ok(o.name.clone());
    }
    state.org_cache.org_name(&state.logto, &admin.org_id).await
}

// ---------------------------------------------------------------------------------------
// Small helpers

fn enc(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn members_path(org_id: &str) -> String {
    format!("/orgs/{}/members", enc(org_id))
}

fn member_path(org_id: &str, user_id: &str) -> String {
    format!("{}/{}", members_path(org_id), enc(user_id))
}

/// Query or form pairs; a repeated key keeps every value (multi-selects), lookups take the last.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(bytes: &[u8]) -> Self {
        Fields(
            url::form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn query(raw: Option<&str>) -> Self {
        Self::parse(raw.unwrap_or("").as_bytes())
    }

    fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    fn all(&self, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, v) in self.0.iter().filter(|(k, _)| k == key) {
            let v = v.trim();
            if !v.is_empty() && !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
        out
    }
}

/// Where a plain form goes back to: the member list the person came from, never elsewhere.
fn safe_back(org_id: &str, candidate: &str) -> String {
    let list = members_path(org_id);
    let back = safe_return_to(Some(candidate));
    if back == list || back.starts_with(&format!("{list}?")) {
        back
    } else {
        list
    }
}

/// `2026-11-20 14:03 UTC` and its ISO form for `<time datetime>`.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub text: String,
    pub iso: String,
}

fn stamp(ms: i64) -> Option<Stamp> {
    let iso = crate::web::format::iso(ms);
    (!iso.is_empty()).then(|| Stamp {
        text: crate::web::format::datetime(ms),
        iso,
    })
}

/// A Logto failure in words a person understands (never Logto's raw text).
fn logto_message(t: &Tr, e: &LogtoError) -> String {
    match e.code() {
        Some("organization.require_membership") | Some("entity.not_found") => {
            t.t("members.err.not_member")
        }
        Some("organization.role_names_not_found") => t.t("members.err.unknown_role"),
        Some("entity.relation_foreign_key_not_found") => t.t("members.err.gone"),
        Some("entity.db_constraint_violated") => t.t("members.err.role_not_assignable"),
        _ if e.is_not_found() => t.t("members.err.not_member"),
        _ => t.t(logto_view(e).2),
    }
}

/// What the audit trail records for a failed Logto call.
fn failure_code(e: &LogtoError) -> String {
    match e {
        LogtoError::Api { code: Some(c), .. } => c.clone(),
        LogtoError::Api { status, .. } => format!("http_{status}"),
        LogtoError::RateLimited => "rate_limited".into(),
        LogtoError::Unavailable(_) => "logto_unavailable".into(),
        LogtoError::Config(_) => "logto_config".into(),
        LogtoError::Decode(_) => "logto_decode".into(),
        LogtoError::Unsupported(_) => "logto_unsupported".into(),
    }
}

/// The status a refused action answers with: 422 for what the person can fix, Logto's
/// availability status otherwise.
fn failure_status(e: Option<&LogtoError>) -> StatusCode {
    match e {
        Some(
            e @ (LogtoError::Unavailable(_)
            | LogtoError::RateLimited
            | LogtoError::Config(_)
            | LogtoError::Decode(_)),
        ) => logto_view(e).0,
        Some(e)
            if e.status()
                .is_some_and(|s| s >= 500 || s == 429 || s == 401 || s == 403) =>
        {
            logto_view(e).0
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}

fn role_names(roles: &[OrgRole]) -> Vec<String> {
    let mut names: Vec<String> = roles.iter().map(|r| r.name.clone()).collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// View models

/// A short message shown inside a row or form.
#[derive(Debug, Clone)]
pub struct Notice {
    pub class: &'static str,
    pub text: String,
}

impl Notice {
    fn ok(text: String) -> Self {
        Notice {
            class: "alert alert-success",
            text,
        }
    }

    fn error(text: String) -> Self {
        Notice {
            class: "alert alert-error",
            text,
        }
    }
}

/// One line of the member table.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub initials: String,
    pub avatar: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub roles: Vec<String>,
    pub last_sign_in: Option<Stamp>,
    pub is_self: bool,
    pub is_suspended: bool,
    /// The member list to return to after a plain-form action.
    pub back: String,
    pub notice: Option<Notice>,
}

impl MemberRow {
    fn new(m: &OrgMember, org_id: &str, self_id: &str, back: &str) -> Self {
        let name = m.display_name().to_string();
        let initials = name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        MemberRow {
            id: m.id.clone(),
            org_id: org_id.to_string(),
            initials,
            // Through the portal: the browser never contacts the avatar's host.
            avatar: crate::web::avatars::avatar_src(&m.id, m.avatar.as_deref()),
            email: m.primary_email.clone().filter(|s| !s.is_empty()),
            username: m.username.clone().filter(|s| !s.is_empty()),
            roles: m
                .organization_roles
                .iter()
                .map(|r| r.name.clone())
                .collect(),
            last_sign_in: m.last_sign_in_at.and_then(stamp),
            is_self: m.id == self_id,
            is_suspended: m.is_suspended,
            back: back.to_string(),
            name,
            notice: None,
        }
    }

    pub fn roles_href(&self) -> String {
        format!(
            "{}/roles?back={}",
            member_path(&self.org_id, &self.id),
            enc(&self.back)
        )
    }

    pub fn remove_href(&self) -> String {
        format!(
            "{}/remove?back={}",
            member_path(&self.org_id, &self.id),
            enc(&self.back)
        )
    }
}

#[derive(Debug, Clone)]
pub struct RoleChoice {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub checked: bool,
}

fn choices(roles: &[OrgRole], checked: &[String]) -> Vec<RoleChoice> {
    roles
        .iter()
        .map(|r| RoleChoice {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone().filter(|d| !d.is_empty()),
            checked: checked.iter().any(|c| c == &r.id),
        })
        .collect()
}

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

/// The view's filters from the query string.
struct ViewParams {
    q: String,
    role: String,
    page: u32,
    page_size: u32,
}

impl ViewParams {
    fn parse(raw: Option<&str>) -> Self {
        let f = Fields::query(raw);
        let paging = PageParams {
            page: Some(f.get("page")).filter(|s| !s.is_empty()),
            page_size: Some(f.get("page_size")).filter(|s| !s.is_empty()),
        };
        ViewParams {
            q: f.get("q").chars().take(200).collect(),
            role: f.get("role"),
            page: paging.page(),
            page_size: paging.page_size(),
        }
    }

    fn filter_pairs(&self) -> Vec<(String, String)> {
        vec![
            ("q".into(), self.q.clone()),
            ("role".into(), self.role.clone()),
        ]
    }

    fn member_query(&self) -> MemberQuery {
        MemberQuery {
            page: self.page,
            page_size: self.page_size,
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            organization_role_id: Some(self.role.clone()).filter(|r| !r.is_empty()),
        }
    }
}

fn query_string(pairs: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

// ---------------------------------------------------------------------------------------
// The member table

/// `GET /orgs/{org_id}/members`: the page, or only the table for htmx (search, paging,
/// filter, refresh after an addition).
async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let cache = &state.org_cache;
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
    let (rows, total) = match members {
        Ok(found) => {
            if !found.complete {
                partial_scan = Some(ctx.t.f(
                    "members.role_filter_partial",
                    &[
                        ("limit", &ROLE_SCAN_LIMIT),
                        ("version", &Feature::MemberRoleFilter.since()),
                    ],
                ));
            }
            let p = found.page;
            (
                p.items
                    .iter()
                    .map(|m| MemberRow::new(m, &org_id, &self_id, &canonical))
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
        status_text: ctx.t.f("members.found", &[("total", &total)]),
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

/// One member, found through the member list (it carries the organization roles): the
/// search matches the id, the exact id is then picked. `None` when not a member.
async fn fetch_member(
    logto: &LogtoClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<OrgMember>, LogtoError> {
    let page = logto
        .list_org_members(
            org_id,
            &MemberQuery {
                q: Some(user_id.to_string()),
                page: 1,
                page_size: 100,
                organization_role_id: None,
            },
        )
        .await?;
    Ok(page.items.into_iter().find(|m| m.id == user_id))
}

#[derive(Template)]
#[template(path = "members/_row.html")]
struct RowFragment {
    ctx: PageCtx,
    row: MemberRow,
}

/// `GET /orgs/{org_id}/members/{user_id}`: the member's row (htmx "cancel"); without htmx
/// the member list.
async fn row(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let back = safe_back(&admin.org_id, &Fields::query(raw.as_deref()).get("back"));
    if !ctx.is_htmx {
        return Ok(Redirect::to(&back).into_response());
    }
    let member = fetch_member(&state.logto, &admin.org_id, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = MemberRow::new(&member, &admin.org_id, &admin.user.user.id, &back);
    html(&RowFragment { ctx, row })
}

// ---------------------------------------------------------------------------------------
// Changing roles

/// The role form, inline in the table (htmx) or on its own page.
#[derive(Debug, Clone)]
pub struct RolesForm {
    pub org_id: String,
    pub user_id: String,
    pub legend: String,
    pub choices: Vec<RoleChoice>,
    pub error: Option<String>,
    pub back: String,
    pub inline: bool,
}

impl RolesForm {
    pub fn action(&self) -> String {
        format!("{}/roles", member_path(&self.org_id, &self.user_id))
    }

    pub fn row_href(&self) -> String {
        format!(
            "{}?back={}",
            member_path(&self.org_id, &self.user_id),
            enc(&self.back)
        )
    }
}

#[derive(Template)]
#[template(path = "members/_roles_row.html")]
struct RolesRow {
    ctx: PageCtx,
    form: RolesForm,
}

#[derive(Template)]
#[template(path = "members/roles_page.html")]
struct RolesPage {
    ctx: PageCtx,
    title: String,
    form: RolesForm,
}

fn render_roles_form(ctx: PageCtx, form: RolesForm, title: String) -> AppResult<Response> {
    if form.inline {
        html(&RolesRow { ctx, form })
    } else {
        html(&RolesPage { ctx, title, form })
    }
}

/// `GET /orgs/{org_id}/members/{user_id}/roles`
async fn edit_roles(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let cache = &state.org_cache;
    let back = safe_back(&admin.org_id, &Fields::query(raw.as_deref()).get("back"));
    let (member, roles) = tokio::join!(
        fetch_member(&state.logto, &admin.org_id, &user_id),
        cache.roles(&state.logto)
    );
    let member = member?.ok_or(AppError::NotFound)?;
    let roles = roles?;
    let held: Vec<String> = member
        .organization_roles
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let name = member.display_name().to_string();
    let form = RolesForm {
        org_id: admin.org_id.clone(),
        user_id: member.id.clone(),
        legend: ctx.t.f("members.roles_legend", &[("name", &name)]),
        choices: choices(&roles, &held),
        error: None,
        back,
        inline: ctx.is_htmx,
    };
    let title = ctx.t.f("members.roles_title", &[("name", &name)]);
    render_roles_form(ctx, form, title)
}

/// Why a change was refused before or by Logto.
enum Refusal {
    Guard(&'static str, String),
    Logto(LogtoError),
}

impl Refusal {
    fn code(&self) -> String {
        match self {
            Refusal::Guard(code, _) => (*code).to_string(),
            Refusal::Logto(e) => failure_code(e),
        }
    }

    fn message(&self, t: &Tr) -> String {
        match self {
            Refusal::Guard(_, msg) => msg.clone(),
            Refusal::Logto(e) => logto_message(t, e),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Refusal::Guard(..) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Logto(e) => failure_status(Some(e)),
        }
    }
}

impl From<LogtoError> for Refusal {
    fn from(e: LogtoError) -> Self {
        Refusal::Logto(e)
    }
}

/// The ids of the organization roles that make someone an admin here.
fn admin_role_ids(state: &AppState, roles: &[OrgRole]) -> Vec<String> {
    roles
        .iter()
        .filter(|r| state.config.is_admin_role(&r.name))
        .map(|r| r.id.clone())
        .collect()
}

/// Would someone other than `user_id` still be an admin of the organization? Every holder
/// Logto names is checked against their own roles, so a Logto that ignores the role filter
/// (before 1.41) cannot make this pass; when the members could not all be read, the answer
/// is no (fail closed).
async fn another_admin_exists(
    state: &AppState,
    roles: &[OrgRole],
    org_id: &str,
    user_id: &str,
) -> Result<bool, LogtoError> {
    let admin_roles = admin_role_ids(state, roles);
    if admin_roles.is_empty() {
        return Ok(false);
    }
    let holders = state
        .logto
        .org_role_holders(org_id, &admin_roles, 2)
        .await?;
    Ok(holders.user_ids.iter().any(|id| id != user_id))
}

fn holds_admin_role(state: &AppState, names: impl IntoIterator<Item = impl AsRef<str>>) -> bool {
    names
        .into_iter()
        .any(|n| state.config.is_admin_role(n.as_ref()))
}

/// Refuses to take the last admin's admin role away (operators may).
async fn last_admin_guard(
    state: &AppState,
    ctx: &PageCtx,
    org_id: &str,
    roles: &[OrgRole],
    member: &OrgMember,
) -> Result<(), Refusal> {
    if another_admin_exists(state, roles, org_id, &member.id).await? {
        return Ok(());
    }
    Err(Refusal::Guard(
        "last_admin_guard",
        ctx.t.f(
            "members.err.last_admin",
            &[("name", &member.display_name())],
        ),
    ))
}

/// Runs `change`, which takes `member`'s admin role away, so that the organization never
/// loses its last admin through the portal: changes of one organization's admins are
/// serialized across replicas by a lease, checked before, re-counted after, and undone by
/// `undo` (with an audit entry) when no admin remains. Operators may remove the last admin.
async fn without_losing_last_admin<C, U>(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    roles: &[OrgRole],
    member: &OrgMember,
    change: C,
    undo: U,
) -> Result<(), Refusal>
where
    C: std::future::Future<Output = Result<(), LogtoError>>,
    U: std::future::Future<Output = Result<(), LogtoError>>,
{
    let org_id = &admin.org_id;
    if admin.is_operator() {
        return change.await.map_err(Refusal::from);
    }
    let lease = Lease::acquire(&state.db, &format!("org-admins:{org_id}"), LEASE_WAIT)
        .await
        .map_err(|e| match e {
            LeaseError::Busy => Refusal::Guard("admin_change_busy", ctx.t.t("members.err.busy")),
            LeaseError::Db(e) => {
                tracing::error!(error = %e, "lease storage failed");
                Refusal::Guard("storage_unavailable", ctx.t.t("error.internal"))
            }
        })?;
    let outcome = async {
        last_admin_guard(state, ctx, org_id, roles, member).await?;
        change.await?;
        // Someone may have changed the admins outside the portal meanwhile.
        let admins = admin_role_ids(state, roles);
        let left = state.logto.org_role_holders(org_id, &admins, 1).await?;
        if left.user_ids.is_empty() {
            let restored = undo.await;
            let entry = NewEntry::new("member.roles_restore", ctx.actor(), ctx.origin())
                .target("user", &member.id, Some(member.display_name()))
                .org(org_id)
                .details(json!({ "reason": "no_admin_left" }));
            state
                .audit
                .record_or_log(match &restored {
                    Ok(()) => entry,
                    Err(e) => entry.failed(&failure_code(e)),
                })
                .await;
            restored?;
            return Err(Refusal::Guard(
                "last_admin_restored",
                ctx.t.f(
                    "members.err.last_admin",
                    &[("name", &member.display_name())],
                ),
            ));
        }
        Ok(())
    }
    .await;
    lease.release().await;
    outcome
}

/// After the person took their own admin role away: re-read their access on the next request.
async fn expire_own_access(admin: &OrgAdmin) -> AppResult<()> {
    let mut access = admin.user.access.clone();
    access.checked_at = 0;
    admin.user.session.insert(ACCESS_KEY, &access).await?;
    Ok(())
}

/// Leaves a page the person may no longer see: `HX-Redirect` for htmx, a 303 otherwise.
fn leave_to(ctx: &PageCtx, target: &str) -> Response {
    if ctx.is_htmx {
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(target) {
            r.headers_mut().insert("hx-redirect", v);
        }
        r
    } else {
        Redirect::to(target).into_response()
    }
}

/// `POST /orgs/{org_id}/members/{user_id}/roles`: replaces the member's role set with one PUT.
async fn save_roles(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    body: Bytes,
) -> AppResult<Response> {
    let cache = &state.org_cache;
    let fields = Fields::parse(&body);
    let back = safe_back(&admin.org_id, &fields.get("back"));
    let wanted = fields.all("role_ids");
    let org_id = admin.org_id.clone();
    let (member, resolved) = tokio::join!(
        fetch_member(&state.logto, &org_id, &user_id),
        cache.resolve(&state.logto, &wanted)
    );
    let Some(member) = member? else {
        record_failure(
            &state,
            &ctx,
            "member.roles_change",
            &org_id,
            &user_id,
            None,
            "organization.require_membership",
            json!({ "requestedRoleIds": wanted }),
        )
        .await;
        return member_gone(&admin, ctx, &user_id, &back).await;
    };
    let name = member.display_name().to_string();
    let all_roles = cache.roles(&state.logto).await?;
    let before: Vec<String> = member
        .organization_roles
        .iter()
        .map(|r| r.name.clone())
        .collect();

    let outcome: Result<Vec<OrgRole>, Refusal> = async {
        let chosen = resolved?
            .ok_or_else(|| Refusal::Guard("unknown_role", ctx.t.t("members.err.unknown_role")))?;
        let ids: Vec<String> = chosen.iter().map(|r| r.id.clone()).collect();
        let set = state.logto.set_member_roles(&org_id, &member.id, &ids);
        let loses_admin =
            holds_admin_role(&state, member.organization_roles.iter().map(|r| &r.name))
                && !holds_admin_role(&state, chosen.iter().map(|r| &r.name));
        if loses_admin {
            let held: Vec<String> = member
                .organization_roles
                .iter()
                .map(|r| r.id.clone())
                .collect();
            let undo = state.logto.set_member_roles(&org_id, &member.id, &held);
            without_losing_last_admin(&state, &admin, &ctx, &all_roles, &member, set, undo).await?;
        } else {
            set.await?;
        }
        Ok(chosen)
    }
    .await;

    match outcome {
        Ok(chosen) => {
            let after = role_names(&chosen);
            let entry = NewEntry::new("member.roles_change", ctx.actor(), ctx.origin())
                .target("user", &member.id, Some(&name))
                .org(&org_id)
                .details(json!({ "before": before, "after": after }));
            let entry =
                after_access_change(&state, entry, &member.id, AccessChange::RolesChanged).await;
            state.audit.record_or_log(entry).await;
            let lost_own_admin = member.id == admin.user.user.id
                && !admin.is_operator()
                && !holds_admin_role(&state, &after);
            if lost_own_admin {
                expire_own_access(&admin).await?;
                let org = org_name_or_id(&admin);
                let message = ctx.t.f("members.self_demoted", &[("org", &org)]);
                set_flash(&admin.user.session, "info", message).await?;
                return Ok(leave_to(&ctx, "/"));
            }
            if ctx.is_htmx {
                let mut updated = member.clone();
                updated.organization_roles = chosen
                    .iter()
                    .map(|r| crate::logto::RoleRef {
                        id: r.id.clone(),
                        name: r.name.clone(),
                    })
                    .collect();
                updated
                    .organization_roles
                    .sort_by(|a, b| a.name.cmp(&b.name));
                let mut row = MemberRow::new(&updated, &org_id, &admin.user.user.id, &back);
                row.notice = Some(Notice::ok(ctx.t.t("members.roles_saved")));
                html(&RowFragment { ctx, row })
            } else {
                let message = ctx.t.f("members.roles_saved_of", &[("name", &name)]);
                set_flash(&admin.user.session, "success", message).await?;
                Ok(Redirect::to(&back).into_response())
            }
        }
        Err(refusal) => {
            state
                .audit
                .record_or_log(
                    NewEntry::new("member.roles_change", ctx.actor(), ctx.origin())
                        .target("user", &member.id, Some(&name))
                        .org(&org_id)
                        .details(json!({ "before": before, "requestedRoleIds": wanted }))
                        .failed(&refusal.code()),
                )
                .await;
            let form = RolesForm {
                org_id: org_id.clone(),
                user_id: member.id.clone(),
                legend: ctx.t.f("members.roles_legend", &[("name", &name)]),
                choices: choices(&all_roles, &wanted),
                error: Some(refusal.message(&ctx.t)),
                back,
                inline: ctx.is_htmx,
            };
            let title = ctx.t.f("members.roles_title", &[("name", &name)]);
            Ok(with_status(
                render_roles_form(ctx, form, title)?,
                refusal.status(),
            ))
        }
    }
}

/// The person acted on someone who is no longer a member: say so in place of the row (htmx)
/// or on the list (plain form).
async fn member_gone(
    admin: &OrgAdmin,
    ctx: PageCtx,
    user_id: &str,
    back: &str,
) -> AppResult<Response> {
    let message = ctx.t.t("members.err.not_member");
    if ctx.is_htmx {
        let resp = html(&RemovedRow {
            user_id: user_id.to_string(),
            notice: Notice::error(message),
            columns: COLUMNS,
        })?;
        Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY))
    } else {
        set_flash(&admin.user.session, "error", message).await?;
        Ok(Redirect::to(back).into_response())
    }
}

fn org_name_or_id(admin: &OrgAdmin) -> String {
    admin
        .user
        .access
        .orgs
        .iter()
        .find(|o| o.id == admin.org_id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| admin.org_id.clone())
}

#[allow(clippy::too_many_arguments)]
async fn record_failure(
    state: &AppState,
    ctx: &PageCtx,
    action: &str,
    org_id: &str,
    user_id: &str,
    label: Option<&str>,
    code: &str,
    details: serde_json::Value,
) {
    state
        .audit
        .record_or_log(
            NewEntry::new(action, ctx.actor(), ctx.origin())
                .target("user", user_id, label)
                .org(org_id)
                .details(details)
                .failed(code),
        )
        .await;
}

// ---------------------------------------------------------------------------------------
// Removing a member

#[derive(Debug, Clone)]
pub struct RemoveForm {
    pub org_id: String,
    pub user_id: String,
    pub title: String,
    pub question: String,
    pub error: Option<String>,
    pub back: String,
    pub inline: bool,
}

impl RemoveForm {
    pub fn action(&self) -> String {
        format!("{}/remove", member_path(&self.org_id, &self.user_id))
    }

    pub fn row_href(&self) -> String {
        format!(
            "{}?back={}",
            member_path(&self.org_id, &self.user_id),
            enc(&self.back)
        )
    }

    pub fn columns(&self) -> u32 {
        COLUMNS
    }
}

#[derive(Template)]
#[template(path = "members/_remove_row.html")]
struct RemoveRow {
    ctx: PageCtx,
    form: RemoveForm,
}

#[derive(Template)]
#[template(path = "members/remove_page.html")]
struct RemovePage {
    ctx: PageCtx,
    form: RemoveForm,
}

#[derive(Template)]
#[template(path = "members/_removed_row.html")]
struct RemovedRow {
    user_id: String,
    notice: Notice,
    columns: u32,
}

fn render_remove_form(ctx: PageCtx, form: RemoveForm) -> AppResult<Response> {
    if form.inline {
        html(&RemoveRow { ctx, form })
    } else {
        html(&RemovePage { ctx, form })
    }
}

fn remove_form(
    ctx: &PageCtx,
    admin: &OrgAdmin,
    org: &str,
    member: &OrgMember,
    back: String,
) -> RemoveForm {
    let name = member.display_name().to_string();
    RemoveForm {
        org_id: admin.org_id.clone(),
        user_id: member.id.clone(),
        title: ctx.t.f("members.remove_title", &[("name", &name)]),
        question: ctx
            .t
            .f("members.remove_question", &[("name", &name), ("org", &org)]),
        error: None,
        back,
        inline: ctx.is_htmx,
    }
}

/// `GET /orgs/{org_id}/members/{user_id}/remove`: the confirmation.
async fn confirm_remove(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let back = safe_back(&admin.org_id, &Fields::query(raw.as_deref()).get("back"));
    let (member, org) = tokio::join!(
        fetch_member(&state.logto, &admin.org_id, &user_id),
        org_name(&state, &admin)
    );
    let member = member?.ok_or(AppError::NotFound)?;
    let org = org?;
    let form = remove_form(&ctx, &admin, &org, &member, back);
    render_remove_form(ctx, form)
}

/// `POST /orgs/{org_id}/members/{user_id}/remove`
async fn remove(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, user_id)): Ids<(LogtoId, LogtoId)>,
    body: Bytes,
) -> AppResult<Response> {
    let cache = &state.org_cache;
    let fields = Fields::parse(&body);
    let back = safe_back(&admin.org_id, &fields.get("back"));
    let org_id = admin.org_id.clone();
    let (member, org, roles) = tokio::join!(
        fetch_member(&state.logto, &org_id, &user_id),
        org_name(&state, &admin),
        cache.roles(&state.logto)
    );
    let Some(member) = member? else {
        record_failure(
            &state,
            &ctx,
            "member.remove",
            &org_id,
            &user_id,
            None,
            "entity.not_found",
            json!({}),
        )
        .await;
        return member_gone(&admin, ctx, &user_id, &back).await;
    };
    let org = org.unwrap_or_else(|_| org_id.clone());
    let name = member.display_name().to_string();
    let held: Vec<String> = member
        .organization_roles
        .iter()
        .map(|r| r.name.clone())
        .collect();

    let outcome: Result<(), Refusal> = async {
        let roles = roles?;
        let remove = state.logto.remove_org_member(&org_id, &member.id);
        if holds_admin_role(&state, member.organization_roles.iter().map(|r| &r.name)) {
            let held: Vec<String> = member
                .organization_roles
                .iter()
                .map(|r| r.id.clone())
                .collect();
            let member_ids = [member.id.clone()];
            let undo = async {
                state.logto.add_org_members(&org_id, &member_ids).await?;
                state
                    .logto
                    .set_member_roles(&org_id, &member.id, &held)
                    .await
            };
            without_losing_last_admin(&state, &admin, &ctx, &roles, &member, remove, undo).await?;
        } else {
            remove.await?;
        }
        Ok(())
    }
    .await;

    let entry = NewEntry::new("member.remove", ctx.actor(), ctx.origin())
        .target("user", &member.id, Some(&name))
        .org(&org_id)
        .details(json!({ "roles": held }));
    match outcome {
        Ok(()) => {
            let change = AccessChange::MembershipChanged;
            let entry = after_access_change(&state, entry, &member.id, change).await;
            state.audit.record_or_log(entry).await;
            let message = ctx
                .t
                .f("members.removed", &[("name", &name), ("org", &org)]);
            if member.id == admin.user.user.id && !admin.is_operator() {
                expire_own_access(&admin).await?;
                set_flash(&admin.user.session, "info", message).await?;
                return Ok(leave_to(&ctx, "/"));
            }
            if ctx.is_htmx {
                html(&RemovedRow {
                    user_id: member.id.clone(),
                    notice: Notice::ok(message),
                    columns: COLUMNS,
                })
            } else {
                set_flash(&admin.user.session, "success", message).await?;
                Ok(Redirect::to(&back).into_response())
            }
        }
        Err(refusal) => {
            state
                .audit
                .record_or_log(entry.failed(&refusal.code()))
                .await;
            let mut form = remove_form(&ctx, &admin, &org, &member, back);
            form.error = Some(refusal.message(&ctx.t));
            Ok(with_status(
                render_remove_form(ctx, form)?,
                refusal.status(),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Adding an existing user

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub label: String,
    pub detail: String,
    pub selected: bool,
}

/// The picker's results: people who are not members yet.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub q: String,
    pub items: Vec<Candidate>,
    /// A hint, "nobody found", "more than shown" or a failure, in words.
    pub message: Option<String>,
    pub failed: bool,
    /// Refused by the attempt limit (answered 429).
    pub throttled: bool,
}

/// How the picker searches the tenant's users for this person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerScope {
    /// An exact email address or username: one person or nobody. Organization admins, by
    /// default: in a B2B tenant every organization is a different customer, and a substring
    /// search would list the other customers' people two letters at a time.
    Exact,
    /// Substring over email, username and name: operators, or every admin with
    /// `PORTAL_ADMIN_USER_SEARCH=tenant`.
    Substring,
}

impl PickerScope {
    pub fn of(state: &AppState, admin: &OrgAdmin) -> Self {
        if admin.is_operator() || state.config.admin_user_search == AdminUserSearch::Tenant {
            PickerScope::Substring
        } else {
            PickerScope::Exact
        }
    }
}

/// Who searches, for the attempt limit and the audit trail.
struct Searcher<'a> {
    state: &'a AppState,
    ctx: &'a PageCtx,
    admin: &'a OrgAdmin,
    scope: PickerScope,
}

/// What an exact search sends: an email address (one `@`, something on both sides) to
/// `primaryEmail`, a possible username to `username`; anything else cannot match either.
fn exact_search(q: &str) -> Option<UserSearch> {
    match q.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Some(UserSearch::new().field_exact(SearchField::PrimaryEmail, q))
        }
        Some(_) => None,
        None if crate::web::profile::basics::valid_username(q) => {
            Some(UserSearch::new().field_exact(SearchField::Username, q))
        }
        None => None,
    }
}

#[derive(Debug, Clone)]
pub struct AddForm {
    pub org_id: String,
    pub roles: Vec<RoleChoice>,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub inline: bool,
    /// The picker takes exact email addresses and usernames only.
    pub exact: bool,
}

impl AddForm {
    pub fn action(&self) -> String {
        format!("{}/add", members_path(&self.org_id))
    }

    pub fn candidates_href(&self) -> String {
        format!("{}/candidates", members_path(&self.org_id))
    }

    pub fn list_href(&self) -> String {
        members_path(&self.org_id)
    }

    pub fn close_href(&self) -> String {
        format!("{}/add?close=1", members_path(&self.org_id))
    }

    /// Exact look-ups each cost an attempt: search after a longer pause in typing.
    pub fn search_trigger(&self) -> &'static str {
        if self.exact {
            "input changed delay:800ms, submit"
        } else {
            "input delay:300ms, submit"
        }
    }

    pub fn hint_key(&self) -> &'static str {
        if self.exact {
            "members.add_search_hint_exact"
        } else {
            "members.add_search_hint"
        }
    }

    pub fn label_key(&self) -> &'static str {
        if self.exact {
            "members.add_search_label_exact"
        } else {
            "members.add_search_label"
        }
    }
}

#[derive(Template)]
#[template(path = "members/_add_panel.html")]
struct AddPanel {
    ctx: PageCtx,
    add: AddForm,
    cands: Candidates,
}

#[derive(Template)]
#[template(path = "members/add_page.html")]
struct AddPage {
    ctx: PageCtx,
    title: String,
    add: AddForm,
    cands: Candidates,
}

#[derive(Template)]
#[template(path = "members/_candidates.html")]
struct CandidatesFragment {
    cands: Candidates,
}

async fn search_candidates(who: &Searcher<'_>, q: &str, selected: &str) -> Candidates {
    let (state, t, org_id) = (who.state, &who.ctx.t, who.admin.org_id.as_str());
    let q: String = q.trim().chars().take(128).collect();
    let exact = who.scope == PickerScope::Exact;
    if q.chars().count() < CANDIDATE_MIN_CHARS {
        return Candidates {
            message: Some(t.t(if exact {
                "members.add_type_exact"
            } else {
                "members.add_type_more"
            })),
            q,
            ..Default::default()
        };
    }
    let search = if exact {
        match exact_search(&q) {
            Some(search) => search,
            // Same answer as "nobody": the input's shape is all it depends on.
            None => {
                return Candidates {
                    message: Some(t.t("members.add_exact_no_match")),
                    q,
                    ..Default::default()
                }
            }
        }
    } else {
        UserSearch::new()
            .field_contains(SearchField::PrimaryEmail, &q)
            .field_contains(SearchField::Username, &q)
            .field_contains(SearchField::Name, &q)
    };
    // Operators read the whole directory anyway (/users); everyone else's look-ups count.
    if !who.admin.is_operator() {
        let limit = &limits::DIRECTORY_SEARCHES;
        match state.limits.reserve(limit, who.admin.user.id()).await {
            Ok(Reservation::Granted { .. }) => {}
            Ok(Reservation::Refused { retry_after }) => {
                let entry =
                    NewEntry::new("security.rate_limited", who.ctx.actor(), who.ctx.origin())
                        .org(org_id)
                        .details(json!({
                            "limit": limit.name,
                            "retry_after_seconds": retry_after.as_secs().max(1),
                        }))
                        .failed(limit.audit_code);
                state.audit.record_or_log(entry).await;
                return Candidates {
                    q,
                    message: Some(crate::web::format::too_many_attempts(t, retry_after)),
                    failed: true,
                    throttled: true,
                    ..Default::default()
                };
            }
            Err(e) => {
                tracing::error!(error = %e, "member picker: attempt limit unavailable");
                return Candidates {
                    q,
                    message: Some(t.t("members.add_search_failed")),
                    failed: true,
                    ..Default::default()
                };
            }
        }
    }
    let query = UserQuery {
        page: 1,
        // Two for an exact search: a case-exact match wins over a case-insensitive one.
        page_size: if exact { 2 } else { CANDIDATES_SHOWN },
        search,
        exclude_organization_id: Some(org_id.to_string()),
        exclude_role_id: None,
    };
    match state.logto.list_users(&query).await {
        Ok(page) => {
            let mut users = page.items;
            if exact {
                let best = users
                    .iter()
                    .position(|u| {
                        u.primary_email.as_deref() == Some(q.as_str())
                            || u.username.as_deref() == Some(q.as_str())
                    })
                    .unwrap_or(0);
                users = users.into_iter().skip(best).take(1).collect();
            }
            let items: Vec<Candidate> = users
                .iter()
                .map(|u| {
                    let detail: Vec<&str> = [u.primary_email.as_deref(), u.username.as_deref()]
                        .into_iter()
                        .flatten()
                        .filter(|s| !s.is_empty() && *s != u.display_name())
                        .collect();
                    Candidate {
                        id: u.id.clone(),
                        label: u.display_name().to_string(),
                        detail: detail.join(" · "),
                        selected: u.id == selected,
                    }
                })
                .collect();
            let message = if items.is_empty() {
                Some(t.t(if exact {
                    "members.add_exact_no_match"
                } else {
                    "members.add_no_match"
                }))
            } else if !exact && page.total > items.len() as u64 {
                Some(t.f(
                    "members.add_more",
                    &[("shown", &items.len()), ("total", &page.total)],
                ))
            } else {
                None
            };
            Candidates {
                q,
                items,
                message,
                ..Default::default()
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "member picker: Logto failed");
            Candidates {
                q,
                items: Vec::new(),
                message: Some(format!(
                    "{} {}",
                    t.t("members.add_search_failed"),
                    logto_message(t, &e)
                )),
                failed: true,
                throttled: false,
            }
        }
    }
}

fn render_add(ctx: PageCtx, add: AddForm, cands: Candidates) -> AppResult<Response> {
    if add.inline {
        html(&AddPanel { ctx, add, cands })
    } else {
        let title = ctx.t.t("members.add_title");
        html(&AddPage {
            ctx,
            title,
            add,
            cands,
        })
    }
}

/// `GET /orgs/{org_id}/members/add?q=`: the picker (a panel for htmx, a page otherwise).
async fn add_form(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let cache = &state.org_cache;
    let fields = Fields::query(raw.as_deref());
    if fields.get("close") == "1" {
        // "Close" on the htmx panel: the empty placeholder; without htmx, the list.
        return Ok(if ctx.is_htmx {
            axum::response::Html(r#"<div id="add-panel"></div>"#).into_response()
        } else {
            Redirect::to(&members_path(&admin.org_id)).into_response()
        });
    }
    let q = fields.get("q");
    let scope = PickerScope::of(&state, &admin);
    let who = Searcher {
        state: &state,
        ctx: &ctx,
        admin: &admin,
        scope,
    };
    let (roles, cands) = tokio::join!(cache.roles(&state.logto), search_candidates(&who, &q, ""));
    let add = AddForm {
        org_id: admin.org_id.clone(),
        roles: choices(&roles?, &[]),
        error: None,
        notice: None,
        inline: ctx.is_htmx,
        exact: scope == PickerScope::Exact,
    };
    let status = picker_status(&cands);
    Ok(with_status(render_add(ctx, add, cands)?, status))
}

/// `GET /orgs/{org_id}/members/candidates?q=`: only the picker's results (htmx); without
/// htmx, the add page.
async fn candidates(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let q = Fields::query(raw.as_deref()).get("q");
    if !ctx.is_htmx {
        let target = format!(
            "{}/add?{}",
            members_path(&admin.org_id),
            query_string(&[("q".into(), q)])
        );
        return Ok(Redirect::to(&target).into_response());
    }
    let who = Searcher {
        state: &state,
        ctx: &ctx,
        admin: &admin,
        scope: PickerScope::of(&state, &admin),
    };
    let cands = search_candidates(&who, &q, "").await;
    let status = picker_status(&cands);
    Ok(with_status(html(&CandidatesFragment { cands })?, status))
}

/// 429 when the attempt limit refused, 502 when Logto failed, else 200.
fn picker_status(cands: &Candidates) -> StatusCode {
    if cands.throttled {
        StatusCode::TOO_MANY_REQUESTS
    } else if cands.failed {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::OK
    }
}

/// `POST /orgs/{org_id}/members/add`: adds the chosen user, then gives the chosen roles.
async fn add(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    body: Bytes,
) -> AppResult<Response> {
    let cache = &state.org_cache;
    let fields = Fields::parse(&body);
    let user_id = fields.get("user_id");
    let wanted = fields.all("role_ids");
    let q = fields.get("q");
    let org_id = admin.org_id.clone();
    let all_roles = cache.roles(&state.logto).await?;
    let scope = PickerScope::of(&state, &admin);
    let who = Searcher {
        state: &state,
        ctx: &ctx,
        admin: &admin,
        scope,
    };

    let refuse = |error: String,
                  status: StatusCode,
                  ctx: PageCtx,
                  cands: Candidates|
     -> AppResult<Response> {
        let add = AddForm {
            org_id: org_id.clone(),
            roles: choices(&all_roles, &wanted),
            error: Some(error),
            notice: None,
            inline: ctx.is_htmx,
            exact: scope == PickerScope::Exact,
        };
        Ok(with_status(render_add(ctx, add, cands)?, status))
    };

    if user_id.is_empty() {
        let cands = search_candidates(&who, &q, "").await;
        let msg = ctx.t.t("members.add_choose_person");
        return refuse(msg, StatusCode::UNPROCESSABLE_ENTITY, ctx, cands);
    }

    let user = match state.logto.get_user(&user_id).await {
        Ok(u) => u,
        Err(e) => {
            let code = if e.is_not_found() {
                "entity.not_found".to_string()
            } else {
                failure_code(&e)
            };
            record_failure(
                &state,
                &ctx,
                "member.add",
                &org_id,
                &user_id,
                None,
                &code,
                json!({ "roleIds": wanted }),
            )
            .await;
            let cands = search_candidates(&who, &q, "").await;
            let (msg, status) = if e.is_not_found() {
                (
                    ctx.t.t("members.err.gone"),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            } else {
                (logto_message(&ctx.t, &e), failure_status(Some(&e)))
            };
            return refuse(msg, status, ctx, cands);
        }
    };
    let name = user.display_name().to_string();

    let outcome: Result<Vec<OrgRole>, Refusal> = async {
        let chosen = cache
            .resolve(&state.logto, &wanted)
            .await?
            .ok_or_else(|| Refusal::Guard("unknown_role", ctx.t.t("members.err.unknown_role")))?;
        state
            .logto
            .add_org_members(&org_id, std::slice::from_ref(&user.id))
            .await?;
        Ok(chosen)
    }
    .await;

    let entry = NewEntry::new("member.add", ctx.actor(), ctx.origin())
        .target("user", &user.id, Some(&name))
        .org(&org_id);
    let chosen = match outcome {
        Ok(chosen) => chosen,
        Err(refusal) => {
            state
                .audit
                .record_or_log(
                    entry
                        .details(json!({ "requestedRoleIds": wanted }))
                        .failed(&refusal.code()),
                )
                .await;
            let cands = search_candidates(&who, &q, &user.id).await;
            let msg = refusal.message(&ctx.t);
            return refuse(msg, refusal.status(), ctx, cands);
        }
    };
    let names = role_names(&chosen);
    let ids: Vec<String> = chosen.iter().map(|r| r.id.clone()).collect();
    let org = org_name(&state, &admin)
        .await
        .unwrap_or_else(|_| org_id.clone());
    let roles_result = state.logto.add_member_roles(&org_id, &user.id, &ids).await;
    let (kind, message) = match &roles_result {
        Ok(()) => {
            state
                .audit
                .record_or_log(
                    after_access_change(
                        &state,
                        entry.details(json!({ "roles": names })),
                        &user.id,
                        AccessChange::MembershipChanged,
                    )
                    .await,
                )
                .await;
            (
                "success",
                ctx.t
                    .f("members.add_done", &[("name", &name), ("org", &org)]),
            )
        }
        Err(e) => {
            // The membership exists; only the roles are missing. Both facts go to the trail.
            state
                .audit
                .record_or_log(
                    after_access_change(
                        &state,
                        entry.details(json!({ "roles": [], "requestedRoles": names })),
                        &user.id,
                        AccessChange::MembershipChanged,
                    )
                    .await,
                )
                .await;
            record_failure(
                &state,
                &ctx,
                "member.roles_change",
                &org_id,
                &user.id,
                Some(&name),
                &failure_code(e),
                json!({ "before": [], "after": names }),
            )
            .await;
            (
                "error",
                ctx.t.f(
                    "members.add_roles_failed",
                    &[("name", &name), ("reason", &logto_message(&ctx.t, e))],
                ),
            )
        }
    };
    if ctx.is_htmx {
        let add = AddForm {
            org_id: org_id.clone(),
            roles: choices(&all_roles, &[]),
            error: roles_result.is_err().then(|| message.clone()),
            notice: roles_result.is_ok().then(|| message.clone()),
            inline: true,
            exact: scope == PickerScope::Exact,
        };
        let cands = Candidates {
            message: Some(ctx.t.t(if scope == PickerScope::Exact {
                "members.add_type_exact"
            } else {
                "members.add_type_more"
            })),
            ..Default::default()
        };
        let mut resp = html(&AddPanel { ctx, add, cands })?;
        // The member table listens for this and reloads itself.
        resp.headers_mut()
            .insert("hx-trigger", HeaderValue::from_static("members-changed"));
        Ok(resp)
    } else {
        set_flash(&admin.user.session, kind, message).await?;
        Ok(Redirect::to(&members_path(&org_id)).into_response())
    }
}

// ---------------------------------------------------------------------------------------
// CSV export

const CSV_HEADER: [&str; 9] = [
    "id",
    "name",
    "username",
    "email",
    "phone",
    "organization_roles",
    "last_sign_in",
    "created_at",
    "suspended",
];

fn member_csv_line(m: &OrgMember) -> String {
    let iso = |ms: Option<i64>| ms.and_then(stamp).map(|s| s.iso).unwrap_or_default();
    crate::web::csv::line([
        m.id.clone(),
        m.name.clone().unwrap_or_default(),
        m.username.clone().unwrap_or_default(),
        m.primary_email.clone().unwrap_or_default(),
        m.primary_phone.clone().unwrap_or_default(),
        m.organization_roles
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        iso(m.last_sign_in_at),
        iso(Some(m.created_at)),
        m.is_suspended.to_string(),
    ])
}

/// `GET /orgs/{org_id}/members/export.csv?q=&role=`: every member matching the view's
/// filters, 100 per Logto call through the client's throttle, streamed as it arrives. The
/// first page is read before answering, so an early Logto failure is a proper error page; a
/// later one cuts the download short (the browser reports it failed) rather than lying.
async fn export_csv(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let params = ViewParams::parse(raw.as_deref());
    let query = params.member_query();
    let mut members = Box::pin(state.logto.org_members_stream(&admin.org_id, query));
    let first = members.next().await.transpose()?;
    state
        .audit
        .record_or_log(
            NewEntry::new("member.export", ctx.actor(), ctx.origin())
                .org(&admin.org_id)
                .details(json!({ "q": params.q, "role": params.role })),
        )
        .await;
    let org_id = admin.org_id.clone();
    // A byte-order mark so spreadsheet programs read the file as UTF-8.
    let head = format!(
        "{}{}",
        crate::web::csv::BOM,
        crate::web::csv::header_line(&CSV_HEADER)
    );
    let rows = stream::iter(first.map(Ok))
        .chain(members)
        .map_ok(|m| Bytes::from(member_csv_line(&m)))
        .map_err(move |e| {
            tracing::warn!(error = %e, org_id = %org_id, "CSV export cut short: Logto failed");
            e
        });
    let body = Body::from_stream(stream::once(async move { Ok(Bytes::from(head)) }).chain(rows));
    let safe_id: String = admin
        .org_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"members-{safe_id}.csv\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_the_member_list() {
        assert_eq!(
            safe_back("o1", "/orgs/o1/members?q=a&page=2"),
            "/orgs/o1/members?q=a&page=2"
        );
        assert_eq!(safe_back("o1", "/orgs/o2/members"), "/orgs/o1/members");
        assert_eq!(
            safe_back("o1", "https://evil.test/orgs/o1/members"),
            "/orgs/o1/members"
        );
        assert_eq!(safe_back("o1", "/orgs/o1/membersx"), "/orgs/o1/members");
        assert_eq!(safe_back("o1", ""), "/orgs/o1/members");
    }

    #[test]
    fn fields_keep_repeated_values() {
        let f = Fields::parse(b"role_ids=a&role_ids=b&role_ids=a&q=+x+&q=y");
        assert_eq!(f.all("role_ids"), vec!["a", "b"]);
        assert_eq!(f.get("q"), "y");
        assert_eq!(f.get("missing"), "");
    }

    #[test]
    fn view_params_forgive_bad_input() {
        let p = ViewParams::parse(Some("page=abc&page_size=7&q=%25x&role=r1"));
        assert_eq!((p.page, p.page_size), (1, 20));
        assert_eq!(p.member_query().q.as_deref(), Some("%x"));
        assert_eq!(p.member_query().organization_role_id.as_deref(), Some("r1"));
    }

    #[test]
    fn stamps_are_utc() {
        let s = stamp(0).unwrap();
        assert_eq!(s.text, "1970-01-01 00:00 UTC");
        assert_eq!(s.iso, "1970-01-01T00:00:00Z");
    }
}
