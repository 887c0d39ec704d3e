//! The organization's invitations table: filtered, searched and paged in the portal (Logto
//! returns the whole list), shared by the list page, the invite results and the row actions.

use std::collections::HashMap;

use askama::Template;
use axum::{
    http::{header, HeaderValue},
    response::Response,
};
use serde::Deserialize;

use super::act::Action;
use crate::logto::{
    Invitation, InvitationFilter, InvitationStatus, LogtoError, SearchField, UserQuery, UserSearch,
};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::format::{Dates, Moment};
use crate::web::htmx::html;
use crate::web::i18n::Tr;
use crate::web::invitations::present::{
    effective_status, parse_status_param, status_badge, status_label, status_param, STATUSES,
};
use crate::web::pager::{PageParams, Pager};
use crate::web::AppState;

/// The element the table partial fills.
const TABLE_TARGET: &str = "#invitations-table";

/// A row of the invitations table.
#[derive(Debug, Clone)]
pub struct RowView {
    pub id: String,
    pub invitee: String,
    pub status_label: String,
    pub badge: &'static str,
    pub roles: String,
    pub inviter: String,
    pub created: Moment,
    pub expires: Moment,
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
#[template(path = "invitations/_table.html")]
struct TablePartial {
    ctx: PageCtx,
    table: TableView,
    notice: Option<Notice>,
}

pub(super) fn org_filter(org_id: &str) -> InvitationFilter {
    InvitationFilter {
        organization_id: Some(org_id.to_string()),
        ..Default::default()
    }
}

pub(super) fn list_path(org_id: &str) -> String {
    format!("/orgs/{org_id}/invitations")
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
pub(super) async fn build_table(
    state: &AppState,
    t: &Tr,
    org_id: &str,
    invitations: &[Invitation],
    query: &ListQuery,
) -> Result<TableView, LogtoError> {
    let now = state.clock.now_ms();
    let dates = Dates::new(*t, now);
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
                created: dates.moment(inv.created_at),
                expires: dates.moment(inv.expires_at),
                is_pending: s == InvitationStatus::Pending,
                link: crate::web::invitations::acceptance_link(state, &inv.id),
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

/// Rendered with `Vary: HX-Request`: the same URL serves the page and the htmx fragment.
pub(super) fn vary_html<T: Template>(template: &T) -> AppResult<Response> {
    let mut resp = html(template)?;
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(resp)
}

/// The table alone, for htmx, with a message for the alert region next to it.
pub(super) async fn table_partial(
    state: &AppState,
    ctx: PageCtx,
    org_id: &str,
    query: &ListQuery,
    notice: Option<Notice>,
) -> AppResult<Response> {
    let invitations = state.logto.list_invitations(&org_filter(org_id)).await?;
    let table = build_table(state, &ctx.t, org_id, &invitations, query).await?;
    vary_html(&TablePartial { ctx, table, notice })
}
