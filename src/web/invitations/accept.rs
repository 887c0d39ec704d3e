//! `POST /invitations/{id}/accept`: the acceptance.
//!
//! "Accept" from an anonymous visitor (a CSRF-checked form) remembers the intent in the
//! session and sends the person to sign in or register with the invited address; back on the
//! landing page, signed in, the remembered intent completes the acceptance without a second
//! click. Only the person signed in with the invited address may accept.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

use super::landing::{destination, fetch, fetch_for_visitor, render, unknown, Visit};
use super::present::{effective_status, ended_code};
use crate::audit::NewEntry;
use crate::auth::access::load_access;
use crate::auth::session::ACCESS_KEY;
use crate::logto::{Invitation, InvitationStatus, LogtoError, SearchField, UserQuery, UserSearch};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// Session key of an acceptance started before signing in.
const INTENT_KEY: &str = "invitation_accept";
/// A sign-in (or registration) must come back within this time to complete the acceptance.
const INTENT_TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AcceptIntent {
    invitation_id: String,
    at: i64,
}

/// Takes the remembered acceptance for this invitation, if recent.
pub(super) async fn take_intent(
    session: &Session,
    invitation_id: &str,
    now: i64,
) -> AppResult<bool> {
    let Some(intent) = session.get::<AcceptIntent>(INTENT_KEY).await? else {
        return Ok(false);
    };
    if intent.invitation_id != invitation_id {
        return Ok(false);
    }
    session.remove::<AcceptIntent>(INTENT_KEY).await?;
    Ok(now - intent.at <= INTENT_TTL_MS)
}

/// `POST /invitations/{invitation_id}/accept`
pub async fn accept(v: Visit) -> AppResult<Response> {
    let (state, session, ctx) = (&v.state, &v.session, v.ctx);
    let Some(invitation) = fetch_for_visitor(state, &ctx, &v.id).await? else {
        state
            .audit
            .record_or_log(
                NewEntry::new("invitation.accept", ctx.actor(), ctx.origin())
                    .target("invitation", &v.id, None)
                    .failed("entity.not_found"),
            )
            .await;
        return unknown(ctx, &v.id);
    };
    match &v.user {
        Some(user) => accept_as(state, session, ctx, user, invitation).await,
        None if effective_status(&invitation, state.clock.now_ms())
            != InvitationStatus::Pending =>
        {
            let entry = accept_entry(&ctx, &invitation);
            refuse_ended(state, session, ctx, &invitation, entry).await
        }
        None => start_sign_in(state, session, &invitation).await,
    }
}

fn accept_entry(ctx: &PageCtx, invitation: &Invitation) -> NewEntry {
    NewEntry::new("invitation.accept", ctx.actor(), ctx.origin())
        .target("invitation", &invitation.id, Some(&invitation.invitee))
        .org(&invitation.organization_id)
        .details(json!({
            "invitee": invitation.invitee,
            "roles": invitation
                .organization_roles
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
        }))
}

async fn refuse_ended(
    state: &AppState,
    session: &Session,
    ctx: PageCtx,
    invitation: &Invitation,
    entry: NewEntry,
) -> AppResult<Response> {
    let status = effective_status(invitation, state.clock.now_ms());
    state
        .audit
        .record_or_log(entry.failed(ended_code(status)))
        .await;
    render(state, session, ctx, invitation, StatusCode::CONFLICT, None).await
}

/// Remembers the acceptance and sends the person to Logto: to register when the invited
/// address has no account yet, else to sign in; with the address filled in either way.
async fn start_sign_in(
    state: &AppState,
    session: &Session,
    invitation: &Invitation,
) -> AppResult<Response> {
    session
        .insert(
            INTENT_KEY,
            AcceptIntent {
                invitation_id: invitation.id.clone(),
                at: state.clock.now_ms(),
            },
        )
        .await?;
    let lookup = UserQuery {
        page: 1,
        page_size: 1,
        search: UserSearch::new().field_exact(SearchField::PrimaryEmail, &invitation.invitee),
        ..Default::default()
    };
    let first_screen = match state.logto.list_users(&lookup).await {
        Ok(page) if page.total == 0 => "register",
        Ok(_) => "signIn",
        Err(e) => {
            // Only a hint for Logto's first screen: the sign-in page offers both anyway.
            tracing::warn!(error = %e, "invitation: account lookup failed");
            "signIn"
        }
    };
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let target = format!(
        "/sign-in?return_to={}&login_hint={}&first_screen={first_screen}",
        enc(&format!("/invitations/{}", invitation.id)),
        enc(&invitation.invitee),
    );
    Ok(Redirect::to(&target).into_response())
}

/// Records the failed acceptance and ends the request with Logto's error.
async fn logto_failed(state: &AppState, entry: NewEntry, e: LogtoError) -> AppError {
    state
        .audit
        .record_or_log(entry.failed(&e.failure_code()))
        .await;
    AppError::Logto(e)
}

/// Accepts for the signed-in person if their primary email (as Logto has it now) is the
/// invited address, then refreshes their access so the new organization shows at once.
pub(super) async fn accept_as(
    state: &AppState,
    session: &Session,
    ctx: PageCtx,
    user: &CurrentUser,
    invitation: Invitation,
) -> AppResult<Response> {
    let entry = accept_entry(&ctx, &invitation);
    if effective_status(&invitation, state.clock.now_ms()) != InvitationStatus::Pending {
        return refuse_ended(state, session, ctx, &invitation, entry).await;
    }
    let me = match state.logto.get_user(user.id()).await {
        Ok(me) => me,
        Err(e) if e.is_not_found() => {
            session.flush().await?;
            return Err(AppError::NotSignedIn {
                return_to: format!("/invitations/{}", invitation.id),
            });
        }
        Err(e) => return Err(logto_failed(state, entry, e).await),
    };
    let my_email = me.primary_email.clone().unwrap_or_default();
    if !my_email.eq_ignore_ascii_case(&invitation.invitee) {
        state
            .audit
            .record_or_log(entry.failed("email_mismatch"))
            .await;
        return render(
            state,
            session,
            ctx,
            &invitation,
            StatusCode::FORBIDDEN,
            Some(my_email),
        )
        .await;
    }
    match state
        .logto
        .set_invitation_status(&invitation.id, InvitationStatus::Accepted, Some(&me.id))
        .await
    {
        Ok(_) => {
            state.audit.record_or_log(entry).await;
        }
        Err(e) if e.status() == Some(422) => {
            // Revoked, expired or accepted between the page and the click.
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            let current = fetch(state, &invitation.id).await?.unwrap_or(invitation);
            return render(state, session, ctx, &current, StatusCode::CONFLICT, None).await;
        }
        Err(e) => return Err(logto_failed(state, entry, e).await),
    }
    let org_id = invitation.organization_id.clone();
    let mut target = "/profile".to_string();
    match load_access(&state.access_sources(), &me.id).await {
        Ok(Some((_, access))) => {
            target = destination(&access, &org_id);
            session.insert(ACCESS_KEY, &access).await?;
        }
        // The membership exists; the periodic access check will pick it up.
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "invitation accepted; access refresh failed"),
    }
    let org_name = match state.logto.get_organization(&org_id).await {
        Ok(org) => org.name,
        Err(e) => {
            tracing::warn!(error = %e, "invitation accepted; organization name unavailable");
            String::new()
        }
    };
    let message = if org_name.is_empty() {
        ctx.t.t("invitations.landing.joined_unnamed")
    } else {
        ctx.t.f("invitations.landing.joined", &[("org", &org_name)])
    };
    set_flash(session, "success", message).await?;
    Ok(Redirect::to(&target).into_response())
}
