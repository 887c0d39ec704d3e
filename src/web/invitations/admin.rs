//! `/orgs/{org_id}/invitations`: invite, list, resend, revoke, delete (organization admins and
//! operators, through [`OrgAdmin`]).

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::{
    extract::{FromRequest, Multipart, Query, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::input::{parse_address_list, parse_csv, CsvError, Requested, MAX_CSV_BYTES, MAX_ROWS};
use super::present::{
    effective_status, parse_status_param, status_badge, status_label, status_param, When, STATUSES,
};
use super::send::{self, Batch, Delivery, RowResult};
use crate::audit::{now_ms, NewEntry};
use crate::auth::access::OrgAdmin;
use crate::auth::session::safe_return_to;
use crate::logto::{
    Invitation, InvitationFilter, InvitationStatus, LogtoError, OrgRole, RoleType, SearchField,
    UserQuery, UserSearch,
};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::htmx::html;
use crate::web::i18n::Tr;
use crate::web::ids::{Ids, LogtoId};
use crate::web::pager::{PageParams, Pager};
use crate::web::AppState;

/// Longest expiry an admin may choose.
const MAX_EXPIRY_DAYS: u32 = 365;
const DAY_MS: i64 = 86_400_000;
/// The element the table partial fills.
const TABLE_TARGET: &str = "#invitations-table";
/// htmx event that makes the table reload itself after invitations were created.
const CHANGED_EVENT: &str = "invitations-changed";

// ---------------------------------------------------------------------------------------
// Views

/// A role the admin can tick.
#[derive(Debug, Clone)]
pub struct RoleOption {
    pub id: String,
    pub name: String,
    pub description: String,
    pub checked: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    pub emails: Option<String>,
    pub file: Option<String>,
    pub roles: Option<String>,
    pub expiry: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.emails.is_some()
            || self.file.is_some()
            || self.roles.is_some()
            || self.expiry.is_some()
    }
}

/// What a batch did, for the results table under the form.
#[derive(Debug, Clone)]
pub struct Report {
    pub rows: Vec<RowResult>,
    /// `(label, count)` of each kind of result that occurred.
    pub summary: Vec<(String, usize)>,
    /// `email,link` lines for invitations whose link has to be shared by hand.
    pub links: String,
    pub retry_count: usize,
}

impl Report {
    fn new(t: &Tr, rows: Vec<RowResult>) -> Report {
        let mut summary: Vec<(String, usize)> = Vec::new();
        for row in &rows {
            let label = row.label(t);
            match summary.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => summary.push((label, 1)),
            }
        }
        let links = rows
            .iter()
            .filter_map(|r| r.link_to_share().map(|l| format!("{},{l}", r.email)))
            .collect::<Vec<_>>()
            .join("\n");
        let retry_count = rows.iter().filter(|r| r.is_retryable()).count();
        Report {
            rows,
            summary,
            links,
            retry_count,
        }
    }
}

/// The invite form (typed addresses and CSV upload) with its results.
#[derive(Debug, Clone)]
pub struct InviteCard {
    pub org_id: String,
    pub roles: Vec<RoleOption>,
    pub emails: String,
    pub expiry_days: String,
    pub errors: FieldErrors,
    pub report: Option<Report>,
    pub no_connector: bool,
    pub emails_hint: String,
    pub max_expiry_days: u32,
}

/// A row of the invitations table.
#[derive(Debug, Clone)]
pub struct RowView {
    pub id: String,
    pub invitee: String,
    pub status_label: String,
    pub badge: &'static str,
    pub roles: String,
    pub inviter: String,
    pub created: When,
    pub expires: When,
    pub is_pending: bool,
    /// Shown for pending invitations so the admin can share it again.
    pub link: String,
    pub can_resend: bool,
    pub can_revoke: bool,
    pub can_delete: bool,
}

#[derive(Debug, Clone)]
pub struct StatusOption {
    pub value: &'static str,
    pub label: String,
    pub count: usize,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct TableView {
    pub org_id: String,
    pub rows: Vec<RowView>,
    pub pager: Pager,
    pub status_options: Vec<StatusOption>,
    pub all_count: usize,
    pub q: String,
    /// This view's URL (filters and page), for reloading and for returning after an action.
    pub self_url: String,
    pub list_path: String,
}

impl TableView {
    pub fn status_is_all(&self) -> bool {
        !self.status_options.iter().any(|o| o.selected)
    }
}

/// A message placed in the page's alert region next to an htmx-swapped table.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "invitations/list.html")]
struct ListPage {
    ctx: PageCtx,
    heading: String,
    org_name: String,
    members_href: String,
    card: InviteCard,
    table: TableView,
    notice: Option<Notice>,
}

#[derive(Template)]
#[template(path = "invitations/_card.html")]
struct CardPartial {
    ctx: PageCtx,
    card: InviteCard,
}

#[derive(Template)]
#[template(path = "invitations/_table.html")]
struct TablePartial {
    ctx: PageCtx,
    table: TableView,
    notice: Option<Notice>,
}

// ---------------------------------------------------------------------------------------
// Loading

fn org_filter(org_id: &str) -> InvitationFilter {
    InvitationFilter {
        organization_id: Some(org_id.to_string()),
        ..Default::default()
    }
}

fn list_path(org_id: &str) -> String {
    format!("/orgs/{org_id}/invitations")
}

/// Roles a person can be given (machine-to-machine roles cannot).
fn person_roles(roles: Vec<OrgRole>) -> Vec<OrgRole> {
    roles
        .into_iter()
        .filter(|r| r.r#type == RoleType::User)
        .collect()
}

/// Names of the inviters shown on this page, in one call (exact id search).
async fn inviter_names(
    state: &AppState,
    invitations: &[&Invitation],
) -> Result<HashMap<String, String>, LogtoError> {
    let mut ids: Vec<&str> = invitations
        .iter()
        .filter_map(|i| i.inviter_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::new();
    for chunk in ids.chunks(100) {
        let query = UserQuery {
            page: 1,
            page_size: 100,
            search: UserSearch::new().field_exact_any(SearchField::Id, chunk.iter().copied()),
            ..Default::default()
        };
        for user in state.logto.list_users(&query).await?.items {
            names.insert(user.id.clone(), user.display_name().to_string());
        }
    }
    Ok(names)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub page_size: Option<String>,
}

/// Filters, searches and pages Logto's (unpaginated) list in the portal.
async fn build_table(
    state: &AppState,
    t: &Tr,
    org_id: &str,
    invitations: &[Invitation],
    query: &ListQuery,
) -> Result<TableView, LogtoError> {
    let now = now_ms();
    let status = parse_status_param(&query.status);
    let needle = query.q.trim().to_lowercase();
    let matching_search: Vec<&Invitation> = invitations
        .iter()
        .filter(|i| needle.is_empty() || i.invitee.to_lowercase().contains(&needle))
        .collect();
    let status_options = STATUSES
        .into_iter()
        .map(|s| StatusOption {
            value: status_param(s),
            label: status_label(t, s),
            count: matching_search
                .iter()
                .filter(|i| effective_status(i, now) == s)
                .count(),
            selected: status == Some(s),
        })
        .collect();
    let filtered: Vec<&Invitation> = matching_search
        .iter()
        .copied()
        .filter(|i| status.is_none_or(|s| effective_status(i, now) == s))
        .collect();
    let params = PageParams {
        page: query.page.clone(),
        page_size: query.page_size.clone(),
    };
    let page_size = params.page_size();
    let last_page = (filtered.len().div_ceil(page_size as usize)).max(1) as u32;
    let page = params.page().min(last_page);
    let start = ((page - 1) * page_size) as usize;
    let shown: Vec<&Invitation> = filtered
        .iter()
        .skip(start)
        .take(page_size as usize)
        .copied()
        .collect();
    let names = inviter_names(state, &shown).await?;
    let rows = shown
        .iter()
        .map(|inv| {
            let s = effective_status(inv, now);
            RowView {
                id: inv.id.clone(),
                invitee: inv.invitee.clone(),
                status_label: status_label(t, s),
                badge: status_badge(s),
                roles: inv
                    .organization_roles
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                inviter: inv
                    .inviter_id
                    .as_ref()
                    .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
                    .unwrap_or_default(),
                created: When::new(t, now, inv.created_at),
                expires: When::new(t, now, inv.expires_at),
                is_pending: s == InvitationStatus::Pending,
                link: super::acceptance_link(state, &inv.id),
                can_resend: Action::Resend.allowed(s),
                can_revoke: Action::Revoke.allowed(s),
                can_delete: Action::Delete.allowed(s),
            }
        })
        .collect();
    let path = list_path(org_id);
    let status_value = status.map(status_param).unwrap_or_default().to_string();
    let filters = vec![
        ("status".to_string(), status_value),
        ("q".to_string(), query.q.trim().to_string()),
    ];
    let pager = Pager::new(
        &path,
        page,
        page_size,
        filtered.len() as u64,
        filters,
        TABLE_TARGET,
    );
    let self_url = pager.href(page);
    Ok(TableView {
        org_id: org_id.to_string(),
        rows,
        pager,
        status_options,
        all_count: matching_search.len(),
        q: query.q.trim().to_string(),
        self_url,
        list_path: path,
    })
}

fn fresh_card(state: &AppState, t: &Tr, org_id: &str, roles: &[OrgRole]) -> InviteCard {
    InviteCard {
        org_id: org_id.to_string(),
        roles: roles
            .iter()
            .map(|r| RoleOption {
                id: r.id.clone(),
                name: r.name.clone(),
                description: r.description.clone().unwrap_or_default(),
                // Most invitations are for ordinary members; admins tick more if needed.
                checked: r.name == "member",
            })
            .collect(),
        emails: String::new(),
        expiry_days: state.config.invitation_expiry_days.to_string(),
        errors: FieldErrors::default(),
        report: None,
        no_connector: state.email_connector.known_missing(),
        emails_hint: t.f("invitations.form.emails_hint", &[("max", &MAX_ROWS)]),
        max_expiry_days: MAX_EXPIRY_DAYS,
    }
}

/// Rendered with `Vary: HX-Request`: the same URL serves the page and the htmx fragment.
fn vary_html<T: Template>(template: &T) -> AppResult<Response> {
    let mut resp = html(template)?;
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(resp)
}

// ---------------------------------------------------------------------------------------
// List

/// `GET /orgs/{org_id}/invitations`: the form and the table (htmx: the table alone).
pub async fn list(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    if ctx.is_htmx {
        let invitations = state.logto.list_invitations(&org_filter(&org_id)).await?;
        let table = build_table(&state, &ctx.t, &org_id, &invitations, &query).await?;
        return vary_html(&TablePartial {
            ctx,
            table,
            notice: None,
        });
    }
    let filter = org_filter(&org_id);
    // The organization's name and roles come from the shared short-lived cache.
    let (org_name, invitations, roles) = tokio::try_join!(
        crate::web::members::org_name(&state, &admin),
        state.logto.list_invitations(&filter),
        state.org_cache.roles(&state.logto),
    )?;
    let table = build_table(&state, &ctx.t, &org_id, &invitations, &query).await?;
    let card = fresh_card(&state, &ctx.t, &org_id, &person_roles(roles.to_vec()));
    vary_html(&ListPage {
        heading: ctx.t.f("invitations.heading", &[("org", &org_name)]),
        members_href: format!("/orgs/{org_id}/members"),
        org_name,
        ctx,
        card,
        table,
        notice: None,
    })
}

// ---------------------------------------------------------------------------------------
// Invite

/// A submission of the invite form, typed or uploaded.
struct Submission {
    source: &'static str,
    /// The rows, or the message for the field that could not be read.
    rows: Result<Vec<Requested>, String>,
    emails_text: String,
    role_ids: Vec<String>,
    expiry_raw: String,
}

fn form_value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn form_values(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// `POST /orgs/{org_id}/invitations`: the invite form. The page posts it as multipart (it
/// carries the optional CSV file, and the CSRF token as its `_csrf` part); a urlencoded post with
/// `emails`, `roles` and `expiry_days` works the same without the file.
pub async fn invite(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    request: Request,
) -> AppResult<Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let submission = if is_multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|_| AppError::BadRequest("invitations.form.upload_unreadable"))?;
        read_multipart(&ctx.t, multipart).await?
    } else {
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, &state)
            .await
            .map_err(|_| AppError::BadRequest("invitations.form.upload_unreadable"))?;
        let emails_text = form_value(&fields, "emails");
        Submission {
            source: "form",
            rows: Ok(parse_address_list(&emails_text)),
            emails_text,
            role_ids: form_values(&fields, "roles"),
            expiry_raw: form_value(&fields, "expiry_days"),
        }
    };
    process(state, admin, ctx, submission).await
}

/// The multipart form: typed addresses (`emails`) or a CSV file (`file`), not both.
async fn read_multipart(t: &Tr, mut multipart: Multipart) -> AppResult<Submission> {
    let unreadable = |_| AppError::BadRequest("invitations.form.upload_unreadable");
    let mut file: Option<Vec<u8>> = None;
    let mut too_large = false;
    let mut emails_text = String::new();
    let mut role_ids = Vec::new();
    let mut expiry_raw = String::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if bytes.len() + chunk.len() > MAX_CSV_BYTES {
                        too_large = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes).filter(|b| !b.iter().all(u8::is_ascii_whitespace));
            }
            "emails" => emails_text = field.text().await.map_err(unreadable)?,
            "roles" => role_ids.push(field.text().await.map_err(unreadable)?),
            "expiry_days" => expiry_raw = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    let typed = parse_address_list(&emails_text);
    let (source, rows) = match file {
        _ if too_large => (
            "csv",
            Err(t.f(
                "invitations.form.file_too_large",
                &[("kb", &(MAX_CSV_BYTES / 1024))],
            )),
        ),
        Some(_) if !typed.is_empty() => ("csv", Err(t.t("invitations.form.file_and_emails"))),
        Some(bytes) => (
            "csv",
            parse_csv(&bytes).map_err(|e| match e {
                CsvError::UnclosedQuote(line) => {
                    t.f("invitations.form.csv_unclosed_quote", &[("line", &line)])
                }
                CsvError::NotUtf8 => t.t("invitations.form.csv_not_utf8"),
            }),
        ),
        None => ("form", Ok(typed)),
    };
    Ok(Submission {
        source,
        rows,
        emails_text,
        role_ids,
        expiry_raw,
    })
}

/// A submission that can be sent.
struct Valid {
    rows: Vec<Requested>,
    chosen: Vec<OrgRole>,
    days: u32,
}

/// Checks the form: rows present and not too many, known roles, a sane expiry.
fn validate(t: &Tr, sub: &Submission, roles: &[OrgRole]) -> Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::default();
    let chosen: Vec<OrgRole> = roles
        .iter()
        .filter(|r| sub.role_ids.contains(&r.id))
        .cloned()
        .collect();
    if chosen.len() != sub.role_ids.iter().collect::<HashSet<_>>().len() {
        errors.roles = Some(t.t("invitations.form.roles_unknown"));
    }
    let days = sub
        .expiry_raw
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_EXPIRY_DAYS).contains(d));
    if days.is_none() {
        errors.expiry = Some(t.f(
            "invitations.form.expiry_invalid",
            &[("max", &MAX_EXPIRY_DAYS)],
        ));
    }
    let rows_error = match &sub.rows {
        Err(message) => Some(message.clone()),
        Ok(rows) if rows.is_empty() => Some(t.t(if sub.source == "csv" {
            "invitations.form.csv_empty"
        } else {
            "invitations.form.emails_required"
        })),
        Ok(rows) if rows.len() > MAX_ROWS => Some(t.f(
            "invitations.form.too_many",
            &[("max", &MAX_ROWS), ("count", &rows.len())],
        )),
        Ok(_) => None,
    };
    if sub.source == "csv" {
        errors.file = rows_error;
    } else {
        errors.emails = rows_error;
    }
    match (&sub.rows, days) {
        (Ok(rows), Some(days)) if !errors.any() => Ok(Valid {
            rows: rows.clone(),
            chosen,
            days,
        }),
        _ => Err(errors),
    }
}

/// Validates a submission, sends it, and shows the per-row results.
async fn process(
    state: AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    sub: Submission,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    let filter = org_filter(&org_id);
    let (org_name, roles, invitations) = tokio::try_join!(
        crate::web::members::org_name(&state, &admin),
        state.org_cache.roles(&state.logto),
        state.logto.list_invitations(&filter),
    )?;
    let roles = person_roles(roles.to_vec());
    let t = ctx.t;
    let mut card = fresh_card(&state, &t, &org_id, &roles);
    for option in &mut card.roles {
        option.checked = sub.role_ids.contains(&option.id);
    }
    card.expiry_days = sub.expiry_raw.trim().to_string();
    let Valid { rows, chosen, days } = match validate(&t, &sub, &roles) {
        Ok(valid) => valid,
        Err(errors) => {
            card.emails = sub.emails_text;
            card.errors = errors;
            return respond_card(
                &state,
                ctx,
                &org_name,
                card,
                invitations,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };

    let now = now_ms();
    let pending: HashSet<String> = invitations
        .iter()
        .filter(|i| effective_status(i, now) == InvitationStatus::Pending)
        .map(|i| i.invitee.to_lowercase())
        .collect();
    let planned = send::plan(rows, &chosen, &roles, &pending);
    let batch = Batch {
        org_id: org_id.clone(),
        org_name: org_name.clone(),
        inviter_id: admin.user.user.id.clone(),
        inviter_name: admin.user.user.display_name(),
        expires_at: now + i64::from(days) * DAY_MS,
        source: sub.source,
        locale: ctx.lang.code(),
        actor: ctx.actor(),
        origin: ctx.origin(),
    };
    let results = send::run(state.clone(), batch, planned).await;
    let invited_any = results.iter().any(RowResult::is_invited);
    // Rows Logto could not take for a passing reason stay in the box, ready to send again.
    card.emails = results
        .iter()
        .filter(|r| r.is_retryable() && sub.source == "form")
        .map(|r| r.email.clone())
        .collect::<Vec<_>>()
        .join("\n");
    card.report = Some(Report::new(&t, results));
    card.no_connector = state.email_connector.known_missing();
    let mut resp = if invited_any && !ctx.is_htmx {
        // The table below the results must show the new invitations.
        let fresh = state.logto.list_invitations(&org_filter(&org_id)).await?;
        respond_card(&state, ctx, &org_name, card, fresh, StatusCode::OK).await?
    } else {
        respond_card(&state, ctx, &org_name, card, invitations, StatusCode::OK).await?
    };
    if invited_any {
        resp.headers_mut()
            .insert("hx-trigger", HeaderValue::from_static(CHANGED_EVENT));
    }
    Ok(resp)
}

/// The card alone for htmx, else the whole page around it.
async fn respond_card(
    state: &AppState,
    ctx: PageCtx,
    org_name: &str,
    card: InviteCard,
    invitations: Vec<Invitation>,
    status: StatusCode,
) -> AppResult<Response> {
    let resp = if ctx.is_htmx {
        html(&CardPartial { ctx, card })?
    } else {
        let table = build_table(
            state,
            &ctx.t,
            &card.org_id,
            &invitations,
            &ListQuery::default(),
        )
        .await?;
        html(&ListPage {
            heading: ctx.t.f("invitations.heading", &[("org", &org_name)]),
            members_href: format!("/orgs/{}/members", card.org_id),
            org_name: org_name.to_string(),
            ctx,
            card,
            table,
            notice: None,
        })?
    };
    Ok((status, resp).into_response())
}

// ---------------------------------------------------------------------------------------
// Resend, revoke, delete

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Resend,
    Revoke,
    Delete,
}

impl Action {
    /// Resending and revoking only make sense while the invitation can still be accepted.
    /// Deleting is for ended invitations that did not lead anywhere: a pending one is revoked
    /// first (so its link says "withdrawn" rather than "unknown"), and an accepted one is kept
    /// as the record of how the person joined.
    fn allowed(self, status: InvitationStatus) -> bool {
        match self {
            Action::Resend | Action::Revoke => status == InvitationStatus::Pending,
            Action::Delete => matches!(
                status,
                InvitationStatus::Expired | InvitationStatus::Revoked
            ),
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Action::Resend => "invitation.resend",
            Action::Revoke => "invitation.revoke",
            Action::Delete => "invitation.delete",
        }
    }

    fn refusal_key(self, status: InvitationStatus) -> &'static str {
        match (self, status) {
            (Action::Delete, InvitationStatus::Pending) => "invitations.action.delete_pending",
            (Action::Delete, _) => "invitations.action.delete_accepted",
            (Action::Resend, _) => "invitations.action.resend_ended",
            (Action::Revoke, _) => "invitations.action.revoke_ended",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    back: String,
}

/// `POST /orgs/{org_id}/invitations/{invitation_id}/resend`
pub async fn resend(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, invitation_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    act(state, admin, ctx, &invitation_id, form, Action::Resend).await
}

/// `POST /orgs/{org_id}/invitations/{invitation_id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, invitation_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    act(state, admin, ctx, &invitation_id, form, Action::Revoke).await
}

/// `POST /orgs/{org_id}/invitations/{invitation_id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Ids((_, invitation_id)): Ids<(LogtoId, LogtoId)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    act(state, admin, ctx, &invitation_id, form, Action::Delete).await
}

/// Checks that the invitation is this organization's and that its status allows the action,
/// then does it; every attempt, refused or not, goes to the audit trail.
async fn act(
    state: AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    invitation_id: &str,
    form: ActionForm,
    action: Action,
) -> AppResult<Response> {
    let org_id = admin.org_id.clone();
    let invitation = state.logto.get_invitation(invitation_id).await?;
    // Another organization's invitation is "not found" to this admin.
    if invitation.organization_id != org_id {
        return Err(AppError::NotFound);
    }
    let t = ctx.t;
    let status = effective_status(&invitation, now_ms());
    let invitee = invitation.invitee.clone();
    let entry = NewEntry::new(action.audit_action(), ctx.actor(), ctx.origin())
        .target("invitation", invitation_id, Some(&invitee))
        .org(&org_id)
        .details(json!({ "invitee": invitee, "status": status.as_str() }));
    let named = |key: &str| t.f(key, &[("email", &invitee)]);

    if !action.allowed(status) {
        state
            .audit
            .record_or_log(entry.failed(&format!("invitation_{}", status_param(status))))
            .await;
        let message = t.f(
            action.refusal_key(status),
            &[("email", &invitee), ("status", &status_label(&t, status))],
        );
        return respond_action(&state, admin, ctx, &form.back, notice("error", message)).await;
    }

    let outcome: Result<Notice, LogtoError> = match action {
        Action::Resend => {
            let link = super::acceptance_link(&state, invitation_id);
            let delivery = if state.email_connector.should_try() {
                let org = state.logto.get_organization(&org_id).await?;
                let inviter_name = admin.user.user.display_name();
                send::deliver(
                    &state,
                    invitation_id,
                    &link,
                    (&org_id, &org.name),
                    (&admin.user.user.id, &inviter_name),
                    ctx.lang.code(),
                )
                .await
            } else {
                Delivery::NoConnector
            };
            match delivery {
                Delivery::Emailed => {
                    state.audit.record_or_log(entry.clone()).await;
                    Ok(notice("success", named("invitations.action.resent")))
                }
                Delivery::NoConnector => {
                    state
                        .audit
                        .record_or_log(entry.clone().failed("connector.not_found"))
                        .await;
                    Ok(notice(
                        "info",
                        t.f(
                            "invitations.action.resend_no_connector",
                            &[("email", &invitee), ("link", &link)],
                        ),
                    ))
                }
                Delivery::NotSent { reason, code } => {
                    state.audit.record_or_log(entry.clone().failed(&code)).await;
                    Ok(notice("error", t.t(reason)))
                }
            }
        }
        Action::Revoke => state
            .logto
            .set_invitation_status(invitation_id, InvitationStatus::Revoked, None)
            .await
            .map(|_| notice("success", named("invitations.action.revoked"))),
        Action::Delete => state
            .logto
            .delete_invitation(invitation_id)
            .await
            .map(|_| notice("success", named("invitations.action.deleted"))),
    };
    let message = match outcome {
        Ok(message) => {
            if action != Action::Resend {
                state.audit.record_or_log(entry).await;
            }
            message
        }
        Err(e) => {
            state
                .audit
                .record_or_log(entry.failed(&send::failure_code(&e)))
                .await;
            match (e.status(), action) {
                // Someone accepted or revoked it meanwhile.
                (Some(422), _) => notice("error", named("invitations.action.changed_meanwhile")),
                (Some(404), _) => notice("error", named("invitations.action.gone")),
                _ => return Err(AppError::Logto(e)),
            }
        }
    };
    respond_action(&state, admin, ctx, &form.back, message).await
}

fn notice(kind: &'static str, message: String) -> Notice {
    Notice { kind, message }
}

/// htmx: the refreshed table with the message in the alert region. Plain forms: back to the
/// list (with its filters) and the message on the next page.
async fn respond_action(
    state: &AppState,
    admin: OrgAdmin,
    ctx: PageCtx,
    back: &str,
    notice: Notice,
) -> AppResult<Response> {
    let path = list_path(&admin.org_id);
    let back = safe_return_to(Some(back));
    let back = if back == path || back.starts_with(&format!("{path}?")) {
        back
    } else {
        path
    };
    if ctx.is_htmx {
        let query: ListQuery = back
            .split_once('?')
            .and_then(|(_, q)| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let invitations = state
            .logto
            .list_invitations(&org_filter(&admin.org_id))
            .await?;
        let table = build_table(state, &ctx.t, &admin.org_id, &invitations, &query).await?;
        return vary_html(&TablePartial {
            ctx,
            table,
            notice: Some(notice),
        });
    }
    set_flash(&admin.user.session, notice.kind, notice.message).await?;
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_status() {
        use InvitationStatus::*;
        let allowed = |a: Action| {
            STATUSES
                .into_iter()
                .filter(|s| a.allowed(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Action::Resend), [Pending]);
        assert_eq!(allowed(Action::Revoke), [Pending]);
        assert_eq!(allowed(Action::Delete), [Expired, Revoked]);
    }
}
