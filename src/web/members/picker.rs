//! The "add member" picker: finds people who are not members yet, by exact email address or
//! username for organization admins (see [`PickerScope`]), within an attempt limit.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Query;
use serde_json::json;

use crate::audit::NewEntry;
use crate::config::AdminUserSearch;
use crate::limits::{self, Reservation};
use crate::logto::{SearchField, UserQuery, UserSearch};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::htmx::html;
use crate::web::i18n::Tr;
use crate::web::AppState;

use super::members_path;
use super::params::{query_string, ViewQuery};
use super::refusal::{logto_message, with_status};

/// Candidates shown in the "add member" picker.
const CANDIDATES_SHOWN: u32 = 10;
/// Characters needed before the picker searches (2 fits two-character Chinese names).
const CANDIDATE_MIN_CHARS: usize = 2;

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
pub(super) struct Searcher<'a> {
    pub(super) state: &'a AppState,
    pub(super) ctx: &'a PageCtx,
    pub(super) admin: &'a OrgAdmin,
    pub(super) scope: PickerScope,
}

impl<'a> Searcher<'a> {
    pub(super) fn new(state: &'a AppState, ctx: &'a PageCtx, admin: &'a OrgAdmin) -> Self {
        Searcher {
            state,
            ctx,
            admin,
            scope: PickerScope::of(state, admin),
        }
    }

    pub(super) fn exact(&self) -> bool {
        self.scope == PickerScope::Exact
    }
}

/// The picker before a search: what to type.
pub(super) fn type_hint(t: &Tr, exact: bool) -> Candidates {
    Candidates {
        message: Some(t.t(if exact {
            "members.add_type_exact"
        } else {
            "members.add_type_more"
        })),
        ..Default::default()
    }
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

#[derive(Template)]
#[template(path = "members/_candidates.html")]
struct CandidatesFragment {
    cands: Candidates,
}

/// The people matching `q` who are not members yet; `selected` is the one already chosen.
pub(super) async fn search_candidates(who: &Searcher<'_>, q: &str, selected: &str) -> Candidates {
    let (state, t, org_id) = (who.state, &who.ctx.t, who.admin.org_id.as_str());
    let q: String = q.trim().chars().take(128).collect();
    let exact = who.exact();
    if q.chars().count() < CANDIDATE_MIN_CHARS {
        return Candidates {
            q,
            ..type_hint(t, exact)
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
                Some(t.count_with(
                    "members.add_more",
                    page.total as i64,
                    &[("shown", &items.len())],
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

/// `GET /orgs/{org_id}/members/candidates?q=`: only the picker's results (htmx); without
/// htmx, the add page.
pub(super) async fn candidates(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(query): Query<ViewQuery>,
) -> AppResult<Response> {
    let q = query.q;
    if !ctx.is_htmx {
        let target = format!(
            "{}/add?{}",
            members_path(&admin.org_id),
            query_string(&[("q".into(), q)])
        );
        return Ok(Redirect::to(&target).into_response());
    }
    let who = Searcher::new(&state, &ctx, &admin);
    let cands = search_candidates(&who, &q, "").await;
    let status = picker_status(&cands);
    Ok(with_status(html(&CandidatesFragment { cands })?, status))
}

/// 429 when the attempt limit refused, 502 when Logto failed, else 200.
pub(super) fn picker_status(cands: &Candidates) -> StatusCode {
    if cands.throttled {
        StatusCode::TOO_MANY_REQUESTS
    } else if cands.failed {
        StatusCode::BAD_GATEWAY
    } else {
        StatusCode::OK
    }
}
