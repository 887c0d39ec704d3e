//! The organization's invitations table: filtered, searched and paged in the portal (Logto
//! returns the whole list), shown by the list page after a search, an invitation or a row
//! action.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

use super::act::Action;
use crate::logto::{
    Invitation, InvitationFilter, InvitationStatus, LogtoError, SearchField, UserQuery, UserSearch,
};
use crate::web::format::{Dates, Moment};
use crate::web::i18n::Tr;
use crate::web::invitations::present::{
    effective_status, parse_status_param, status_badge, status_label, status_param, STATUSES,
};
use crate::web::pager::{PageParams, Pager};
use crate::web::parts::MenuItem;
use crate::web::AppState;

/// The region the filters and the pager fill (its content: the `partial` block).
const TABLE_TARGET: &str = "#invitations-table";
/// The view inside it, which a row action replaces whole (`outerHTML`).
pub(super) const VIEW_TARGET: &str = "#invitations-view";

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
    /// The row's "⋯" menu: what the status allows (empty for accepted invitations).
    pub menu: Vec<MenuItem>,
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
    pub rows: Vec<RowView>,
    pub pager: Pager,
    pub status_options: Vec<StatusOption>,
    pub all_count: usize,
    /// Pending invitations of the organization, whatever the filters (the tab's count).
    pub pending: usize,
    pub q: String,
    /// This view's URL (filters and page), for reloading and for returning after an action.
    pub self_url: String,
    pub list_path: String,
    /// What the last action on this table came to, shown above it.
    pub notice: Option<Notice>,
}

impl TableView {
    pub fn status_is_all(&self) -> bool {
        !self.status_options.iter().any(|o| o.selected)
    }
}

/// A message shown above the table, next to the rows an action changed.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub message: String,
}

impl Notice {
    pub fn new(kind: &'static str, message: String) -> Notice {
        Notice { kind, message }
    }
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

/// The list's filters and page, from the address (`axum_extra`'s `Query`). A key repeated in
/// a bookmark edited by hand counts with its last value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "last")]
    pub status: String,
    #[serde(default, deserialize_with = "last")]
    pub q: String,
    #[serde(default, deserialize_with = "last_if_any")]
    pub page: Option<String>,
    #[serde(default, deserialize_with = "last_if_any")]
    pub page_size: Option<String>,
}

fn last<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Vec::<String>::deserialize(d)?.pop().unwrap_or_default())
}

fn last_if_any<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Vec::<String>::deserialize(d)?.pop())
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
                menu: Action::ALL
                    .into_iter()
                    .filter(|a| a.allowed(s))
                    .map(|a| a.menu_item(t, org_id, &inv.id, &self_url))
                    .collect(),
            }
        })
        .collect();
    Ok(TableView {
        rows,
        pager,
        status_options,
        all_count: matching_search.len(),
        pending: invitations
            .iter()
            .filter(|i| effective_status(i, now) == InvitationStatus::Pending)
            .count(),
        q: query.q.trim().to_string(),
        self_url,
        list_path: path,
        notice: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_counts_with_its_last_value() {
        let uri: axum::http::Uri = "/x?status=pending&status=expired&q=&q=late&page=2"
            .parse()
            .unwrap();
        let axum_extra::extract::Query(q) =
            axum_extra::extract::Query::<ListQuery>::try_from_uri(&uri).unwrap();
        assert_eq!((q.status.as_str(), q.q.as_str()), ("expired", "late"));
        assert_eq!((q.page.as_deref(), q.page_size), (Some("2"), None));
    }
}
