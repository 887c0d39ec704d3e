//! The operators' user directory: Logto's paginated user list with its search grammar,
//! a CSV export, and one page per user with the actions operators take on accounts.
//! Every route is operator-only.

mod actions;
mod csv;
mod detail;
pub mod export_job;
pub mod search;
mod security;

use askama::Template;

use crate::web::format::{Dates, Moment};
use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use axum_extra::extract::Query;
use futures::StreamExt;
use serde_json::json;

use crate::audit::NewEntry;
use crate::logto::{LogtoError, OrgQuery, Page, User, UserQuery};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::Htmx;
use crate::web::extract::Operator;
use crate::web::pager::Pager;
use crate::web::AppState;

use search::SearchForm;

const LIST_PATH: &str = "/users";
/// Organizations and roles offered as filter choices; with more, the filter takes an id.
const CHOICES_LIMIT: u32 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST_PATH, get(list))
        .route("/users/export.csv", get(export_csv))
        .route("/users/exports", post(export_job::create))
        .route("/users/exports/{job_id}", get(export_job::show))
        .route(
            "/users/exports/{job_id}/download",
            get(export_job::download),
        )
        .route("/users/{user_id}", get(detail::show))
        .route(
            "/users/{user_id}/suspend",
            get(actions::confirm_suspend).post(actions::suspend),
        )
        .route(
            "/users/{user_id}/unsuspend",
            get(actions::confirm_unsuspend).post(actions::unsuspend),
        )
        .route(
            "/users/{user_id}/delete",
            get(actions::confirm_delete).post(actions::delete),
        )
        .route("/users/{user_id}/orgs", post(actions::org_add))
        .route(
            "/users/{user_id}/orgs/{org_id}/remove",
            get(actions::confirm_org_remove).post(actions::org_remove),
        )
        .route("/users/{user_id}/roles", post(actions::role_assign))
        .route(
            "/users/{user_id}/roles/{role_id}/remove",
            get(actions::confirm_role_remove).post(actions::role_remove),
        )
        .route(
            "/users/{user_id}/password-expire",
            get(actions::confirm_password_expire).post(actions::password_expire),
        )
        .route(
            "/users/{user_id}/mfa-reset",
            get(actions::confirm_mfa_reset).post(actions::mfa_reset),
        )
        .route("/users/{user_id}/sessions/end", post(actions::end_session))
        .route(
            "/users/{user_id}/sessions/end-all",
            post(actions::end_all_sessions),
        )
}

// ---------------------------------------------------------------------------------------
// Shared formatting

/// RFC 3339 in UTC, seconds precision (Logto sends epoch milliseconds), for exports.
pub(crate) fn iso_time(ms: i64) -> String {
    crate::web::format::iso(ms)
}

/// Two letters standing in for a missing avatar: the first letters of the first two words,
/// or the first two letters of a single word ("Alice Lovelace" → AL, "mia" → MI).
pub(crate) fn initials(label: &str) -> String {
    let mut parts = label
        .split(|c: char| c.is_whitespace() || c == '.' || c == '_' || c == '@')
        .filter(|p| !p.is_empty());
    let first = parts.next().unwrap_or_default();
    // Two letters, uppercased (one may become several); one allocation, drawn on every row.
    let mut out = String::with_capacity(8);
    let mut push = |c: char| out.extend(c.to_uppercase());
    match parts.next().and_then(|p| p.chars().next()) {
        Some(second) => {
            first.chars().take(1).for_each(&mut push);
            push(second);
        }
        None => first.chars().take(2).for_each(&mut push),
    }
    out
}

/// Logto ids are short `[0-9a-z]` strings; anything else in a path is not a user of ours.
pub(crate) fn plausible_id(id: &str) -> bool {
    crate::logto::LogtoId::parse(id).is_ok()
}

pub use crate::cache::{Choice, DirectoryChoices};

// ---------------------------------------------------------------------------------------
// The list

/// A user in the table.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub href: String,
    pub avatar: Option<String>,
    pub initials: String,
    pub label: String,
    pub username: String,
    pub email: String,
    pub phone: String,
    pub created: Moment,
    pub last_sign_in: Option<Moment>,
    pub suspended: bool,
}

impl UserRow {
    fn new(u: &User, dates: &Dates) -> UserRow {
        UserRow {
            href: format!("/users/{}", u.id),
            avatar: crate::avatars::avatar_src(&u.id, u.avatar.as_deref()),
            initials: initials(u.display_name()),
            label: u.display_name().to_string(),
            username: u.username.clone().unwrap_or_default(),
            email: u.primary_email.clone().unwrap_or_default(),
            phone: u.primary_phone.clone().unwrap_or_default(),
            created: dates.moment(u.created_at),
            last_sign_in: u.last_sign_in_at.map(|ms| dates.moment(ms)),
            suspended: u.is_suspended,
        }
    }
}

/// Everything the list templates show.
pub struct UsersView {
    pub form: SearchForm,
    pub choices: DirectoryChoices,
    pub users: Vec<UserRow>,
    pub pager: Option<Pager>,
    /// Problems with the search, in words, shown beside the search panel.
    pub messages: Vec<String>,
    /// The search could not run: the table area shows no (stale) rows.
    pub blocked: bool,
    /// The page asked for lies beyond the last one: a link back to the last page.
    pub beyond_end: Option<String>,
    /// Announced after each update ("1–20 of 66").
    pub status: String,
    pub export_href: String,
}

impl UsersView {
    /// The one "leave out" choice: organizations and roles as groups of one select, so only
    /// one can be chosen (Logto takes one at a time). A kind with too many to list is left
    /// out here and gets a box for its id instead.
    pub fn exclude_groups(&self, ctx: &PageCtx) -> Vec<ExcludeGroup> {
        let group = |label: &str, kind: &str, list: &[Choice], chosen: &str| {
            let mut options: Vec<ExcludeOption> = list
                .iter()
                .map(|c| ExcludeOption {
                    value: format!("{kind}:{}", c.id),
                    name: c.name.clone(),
                    selected: c.id == chosen,
                })
                .collect();
            if !chosen.is_empty() && !list.iter().any(|c| c.id == chosen) {
                // An id from the address that is not listed stays visible.
                options.insert(
                    0,
                    ExcludeOption {
                        value: format!("{kind}:{chosen}"),
                        name: chosen.to_string(),
                        selected: true,
                    },
                );
            }
            ExcludeGroup {
                label: ctx.t.t(label),
                options,
            }
        };
        let form = &self.form;
        // With both in the address, the organization is the one shown as chosen.
        let role_chosen = if form.both_filters() {
            ""
        } else {
            form.without_role.as_str()
        };
        let mut groups = Vec::new();
        if let Some(orgs) = &self.choices.orgs {
            groups.push(group(
                "users.filters.not_in_org",
                "org",
                orgs,
                &form.not_in_org,
            ));
        }
        if let Some(roles) = &self.choices.roles {
            groups.push(group(
                "users.filters.without_role",
                "role",
                roles,
                role_chosen,
            ));
        }
        groups
    }

    /// "Condition 2": the legend of a row of the advanced panel.
    pub fn condition_label(&self, ctx: &PageCtx, n: &usize) -> String {
        ctx.t.f("users.search.condition_n", &[("n", n)])
    }
}

/// A group of the "leave out" select: "Not in organization" or "Without global role".
pub struct ExcludeGroup {
    pub label: String,
    pub options: Vec<ExcludeOption>,
}

pub struct ExcludeOption {
    /// `org:{id}` or `role:{id}`.
    pub value: String,
    pub name: String,
    pub selected: bool,
}

/// The directory: htmx gets the results (`partial`, live search and paging, with the status
/// and messages out of band) or, after "add/remove condition", the search `panel` whole.
#[derive(Template)]
#[template(path = "users/list.html", blocks = ["panel", "partial"])]
struct UsersPage {
    ctx: PageCtx,
    view: UsersView,
    /// The results alone: the status and messages travel out of band.
    oob: bool,
}
crate::page_template!(UsersPage);

/// What the person reads when Logto refused the search (never Logto's own text).
fn rejection_message_key(form: &SearchForm) -> &'static str {
    if form
        .conditions
        .iter()
        .any(|c| c.error == Some("users.search.rejected_here"))
    {
        "users.search.rejected_pattern"
    } else if form.filters_invalid {
        "users.filters.one_at_a_time"
    } else {
        "users.search.rejected"
    }
}

/// Logto's reason for refusing a search, without its generic prefix (for the log and for
/// marking the inputs it is about; never shown).
fn rejection_reason(e: &LogtoError) -> Option<String> {
    match e {
        LogtoError::Api {
            status: 400,
            code: Some(code),
            message,
            ..
        } if code == "request.invalid_input" => Some(
            message
                .strip_prefix("Input is invalid.")
                .unwrap_or(message)
                .trim()
                .to_string(),
        ),
        _ => None,
    }
}

async fn filter_choices(state: &AppState) -> Result<DirectoryChoices, LogtoError> {
    let org_query = OrgQuery {
        page: 1,
        page_size: CHOICES_LIMIT,
        ..Default::default()
    };
    let (orgs, roles) = tokio::join!(
        state.logto.list_organizations(&org_query),
        state.logto.list_roles(1, CHOICES_LIMIT, None),
    );
    let (orgs, roles) = (orgs?, roles?);
    let complete = |total: u64, n: usize| total <= n as u64;
    let mut org_choices: Vec<Choice> = orgs
        .items
        .iter()
        .map(|o| Choice {
            id: o.id.clone(),
            name: o.name.clone(),
        })
        .collect();
    org_choices.sort_by_key(|c| c.name.to_lowercase());
    Ok(DirectoryChoices {
        orgs: complete(orgs.total, orgs.items.len()).then_some(org_choices),
        roles: complete(roles.total, roles.items.len()).then(|| {
            roles
                .items
                .iter()
                .map(|r| Choice {
                    id: r.id.clone(),
                    name: r.name.clone(),
                })
                .collect()
        }),
    })
}

/// Runs the search (unless the form is invalid) and builds the view.
async fn build_view(
    state: &AppState,
    ctx: &PageCtx,
    mut form: SearchForm,
    with_choices: bool,
) -> AppResult<UsersView> {
    let valid = form.validate();
    let query = form.to_query();
    let (result, choices) = tokio::join!(
        async {
            if valid {
                Some(state.logto.list_users(&query).await)
            } else {
                None
            }
        },
        async {
            if with_choices {
                state
                    .directory_choices
                    .get_or_load(filter_choices(state))
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        }
    );
    let choices = choices?.unwrap_or_default();

    let mut messages = Vec::new();
    let page: Option<Page<User>> = match result {
        None => None,
        Some(Ok(page)) => Some(page),
        Some(Err(e)) => match rejection_reason(&e) {
            Some(reason) => {
                // Logto's words go to the log; the person reads which input to correct.
                tracing::info!(error = %e, "Logto refused a user search");
                form.attribute_rejection(&reason);
                messages.push(ctx.t.t(rejection_message_key(&form)));
                None
            }
            None => return Err(e.into()),
        },
    };
    for (i, c) in form.conditions.iter().enumerate() {
        if let Some(key) = c.error.filter(|k| *k != "users.search.rejected_here") {
            messages.push(ctx.t.f(
                "users.search.condition_problem",
                &[
                    ("n", &(i + 1)),
                    ("field", &ctx.t.t(c.field.label_key())),
                    ("problem", &ctx.t.t(key)),
                ],
            ));
        }
    }

    let export_href = export_href(&form);
    let view = match page {
        None => UsersView {
            status: ctx.t.t("users.results.blocked_status"),
            form,
            choices,
            users: Vec::new(),
            pager: None,
            messages,
            blocked: true,
            beyond_end: None,
            export_href,
        },
        Some(page) => {
            let pager = Pager::new(
                LIST_PATH,
                form.page,
                form.page_size,
                page.total,
                form.params(),
                "#users-results",
            );
            let beyond_end =
                (page.items.is_empty() && page.total > 0).then(|| pager.href(pager.last_page()));
            let status = if page.items.is_empty() {
                ctx.t
                    .f("users.results.none_status", &[("total", &page.total)])
            } else {
                ctx.t.count_with(
                    "users.results.status",
                    page.total as i64,
                    &[
                        ("from", &page.first_item_index()),
                        ("to", &page.last_item_index()),
                    ],
                )
            };
            let dates = ctx.dates(&state.clock);
            UsersView {
                users: page.items.iter().map(|u| UserRow::new(u, &dates)).collect(),
                pager: (!page.items.is_empty()).then_some(pager),
                form,
                choices,
                messages,
                blocked: false,
                beyond_end,
                status,
                export_href,
            }
        }
    };
    Ok(view)
}

/// The export covers every page: its link carries the search but not the paging.
fn export_href(form: &SearchForm) -> String {
    let params = form.params();
    if params.is_empty() {
        "/users/export.csv".to_string()
    } else {
        format!("/users/export.csv?{}", crate::logto::encode_query(&params))
    }
}

fn with_status(mut resp: Response, blocked: bool) -> Response {
    if blocked {
        // The search was refused; the form is shown again with the reason.
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /users`: the page; for htmx the results alone (live search, paging) or, after
/// "add/remove condition", the whole search panel with its results.
async fn list(
    Operator(_op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = SearchForm::parse(&pairs);
    let reshape = form.reshape;
    let htmx = ctx.htmx();
    let push_url = form.url(LIST_PATH);
    let view = build_view(&state, &ctx, form, !htmx.fragment || reshape).await?;
    let blocked = view.blocked;
    let page = UsersPage {
        ctx,
        view,
        oob: htmx.fragment && !reshape,
    };
    // The address bar shows the view, so reload, bookmarks and back reproduce it.
    let resp = if htmx.fragment && reshape {
        htmx.region_at(&page.as_panel(), &push_url)?
    } else {
        htmx.page_at(&page, &push_url)?
    };
    Ok(with_status(resp, blocked))
}

/// The directory saying why the search cannot run (422), in place of a download.
async fn refused_export(state: &AppState, ctx: PageCtx, form: SearchForm) -> AppResult<Response> {
    let view = build_view(state, &ctx, form, true).await?;
    let page = UsersPage {
        ctx,
        view,
        oob: false,
    };
    Ok(with_status(Htmx::default().page(&page)?, true))
}

/// `GET /users/export.csv`: every user matching the search, streamed page by page (100 per
/// request, through the client's outgoing throttle), as CSV.
async fn export_csv(
    Operator(_op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut form = SearchForm::parse(&pairs);
    if !form.validate() {
        return refused_export(&state, ctx, form).await;
    }
    let query = form.to_query();
    // One row first, for `Total-Number`: a directory too large to stream within one
    // request is prepared in the background instead.
    let probe = UserQuery {
        page: 1,
        page_size: 1,
        ..query.clone()
    };
    match state.logto.list_users(&probe).await {
        Err(e) if rejection_reason(&e).is_some() => {
            return refused_export(&state, ctx, form).await;
        }
        Err(e) => return Err(e.into()),
        Ok(found) if found.total > state.config.export_inline_max => {
            return export_job::offer(ctx, &form, found.total);
        }
        Ok(_) => {}
    }
    let mut users = Box::pin(state.logto.users_stream(query));
    // The first page decides between a download and a page explaining the refusal.
    let first = match users.next().await {
        Some(Err(e)) if rejection_reason(&e).is_some() => {
            return refused_export(&state, ctx, form).await;
        }
        Some(Err(e)) => return Err(e.into()),
        Some(Ok(u)) => Some(u),
        None => None,
    };
    state
        .audit
        .record_or_log(
            NewEntry::new("user.export", ctx.actor(), ctx.origin())
                .details(json!({ "search": form.url(LIST_PATH) })),
        )
        .await;

    let header_line =
        futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from(csv::header())) });
    let rows = futures::stream::iter(first.map(Ok))
        .chain(users)
        .ready_chunks(100)
        .map(|chunk| {
            let mut out = String::new();
            for item in chunk {
                match item {
                    Ok(u) => out.push_str(&csv::row(&u)),
                    Err(e) => {
                        // Headers are gone: breaking the body makes the download fail visibly
                        // instead of ending as a silently shorter file.
                        tracing::warn!(error = %e, "user export interrupted by Logto");
                        return Err(std::io::Error::other("Logto failed during the export"));
                    }
                }
            }
            Ok(Bytes::from(out))
        });
    let body = Body::from_stream(header_line.chain(rows));
    let filename = format!(
        "users-{}.csv",
        crate::web::format::format_utc(
            state.clock.now_ms(),
            time::macros::format_description!("[year][month][day]-[hour][minute]")
        )
    );
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_initials() {
        assert_eq!(iso_time(1_795_574_763_464), "2026-11-25T02:46:03Z");
        assert_eq!(initials("Alice Lovelace"), "AL");
        assert_eq!(initials("bob_smith"), "BS");
        assert_eq!(initials("z"), "Z");
        assert_eq!(initials("mia"), "MI");
        assert_eq!(initials("olivia.operator@portal.test"), "OO");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn avatars_and_ids() {
        assert!(plausible_id("z3kbxp6w5a84"));
        assert!(!plausible_id(".."));
        assert!(!plausible_id(""));
    }

    #[test]
    fn export_link_drops_paging() {
        let pairs = vec![
            ("q".to_string(), "a b".to_string()),
            ("page".to_string(), "2".to_string()),
        ];
        assert_eq!(
            export_href(&SearchForm::parse(&pairs)),
            "/users/export.csv?q=a+b"
        );
        assert_eq!(export_href(&SearchForm::parse(&[])), "/users/export.csv");
    }
}
