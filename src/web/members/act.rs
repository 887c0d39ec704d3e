//! What the forms and changes on one member share: reading the member, the audit entry naming
//! them, the answer when they are gone, and leaving pages the person may no longer see.

use std::future::Future;

use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use crate::audit::NewEntry;
use crate::auth::session::ACCESS_KEY;
use crate::logto::OrgMember;
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::OrgAdmin;
use crate::web::htmx::html;
use crate::web::ids::{Ids, LogtoId};
use crate::web::AppState;
use axum_extra::extract::Query;

use super::params::ViewQuery;
use super::refusal::{rule, with_status, WORDING};
use super::{fetch_member, Notice, COLUMNS};

/// What the pages on one member's row ask for (`GET …/members/{user_id}[/roles|/remove]`):
/// who asks (an admin of the organization, or an operator), the member's id, and the member
/// list to return to (`?back=`, kept within this organization's list).
pub(super) struct MemberAt {
    pub(super) admin: OrgAdmin,
    pub(super) user_id: LogtoId,
    pub(super) back: String,
}

impl FromRequestParts<AppState> for MemberAt {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let admin = OrgAdmin::from_request_parts(parts, state).await?;
        let Ids((_, user_id)) = Ids::<(LogtoId, LogtoId)>::from_request_parts(parts, state).await?;
        let Query(query) = Query::<ViewQuery>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("query"))?;
        let back = query.back(&admin.org_id);
        Ok(MemberAt {
            admin,
            user_id,
            back,
        })
    }
}

/// The member a form shows, read alongside `also` (what else the form needs); someone who
/// is not a member is a 404.
pub(super) async fn member_for_form<T>(
    state: &AppState,
    at: &MemberAt,
    also: impl Future<Output = T>,
) -> AppResult<(OrgMember, T)> {
    let read = fetch_member(&state.logto, &at.admin.org_id, &at.user_id);
    let (member, also) = tokio::join!(read, also);
    Ok((member?.ok_or(AppError::NotFound)?, also))
}

/// The audit entry for `action` on one user of the organization.
pub(super) fn member_entry(
    ctx: &PageCtx,
    action: &str,
    org_id: &str,
    user_id: &str,
    label: Option<&str>,
) -> NewEntry {
    NewEntry::new(action, ctx.actor(), ctx.origin())
        .target("user", user_id, label)
        .org(org_id)
}

/// Takes the place of a member's row: after a removal, or when the member was already gone.
#[derive(askama::Template)]
#[template(path = "members/_removed_row.html")]
pub(super) struct RemovedRow {
    pub(super) user_id: String,
    pub(super) notice: Notice,
    pub(super) columns: u32,
}

impl RemovedRow {
    pub(super) fn new(user_id: &str, notice: Notice) -> Self {
        RemovedRow {
            user_id: user_id.to_string(),
            notice,
            columns: COLUMNS,
        }
    }
}

/// The person acted on someone who is no longer a member: the audit `entry` records the
/// refusal, and the answer says so in place of the row (htmx) or on the list (plain form).
pub(super) async fn member_gone(
    state: &AppState,
    admin: &OrgAdmin,
    ctx: &PageCtx,
    entry: NewEntry,
    back: &str,
) -> AppResult<Response> {
    let refusal = rule(&ctx.t, "not_member", "members.err.not_member");
    let user_id = entry.target_id.clone().unwrap_or_default();
    state
        .audit
        .record_or_log(entry.failed(&refusal.code()))
        .await;
    let message = refusal.message(&ctx.t, &WORDING);
    if ctx.is_htmx {
        let resp = html(&RemovedRow::new(&user_id, Notice::error(message)))?;
        Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY))
    } else {
        set_flash(&admin.user.session, "error", message).await?;
        Ok(Redirect::to(back).into_response())
    }
}

/// After the person took their own admin role or membership away: their access is re-read on
/// the next request, and they leave for the start page with `message`.
pub(super) async fn leave_after_losing_access(
    admin: &OrgAdmin,
    ctx: &PageCtx,
    message: String,
) -> AppResult<Response> {
    let mut access = admin.user.access.clone();
    access.checked_at = 0;
    admin.user.session.insert(ACCESS_KEY, &access).await?;
    set_flash(&admin.user.session, "info", message).await?;
    Ok(leave_to(ctx, "/"))
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
