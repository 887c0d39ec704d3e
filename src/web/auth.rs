//! Sign-in, callback, sign-out and signed-out pages. The OIDC work itself (URLs, token
//! exchange, ID-token checks) is in [`crate::auth::oidc`]; these handlers keep the session.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::access::load_access;
use crate::auth::oidc::{self, SignInRequest, MAX_PENDING, PENDING_TTL_MS};
use crate::auth::session::{
    Device, PendingSignIn, SessionUser, ACCESS_KEY, DEVICE_KEY, ID_TOKEN_KEY, LOGTO_SID_KEY,
    PENDING_KEY, TOUCHED_KEY, USER_KEY,
};
use crate::web::context::{renew_csrf_token, PageCtx};
use crate::web::error::{AppError, AppResult};
use crate::web::htmx::html;
use crate::web::AppState;

/// `GET /sign-in`: redirect to Logto's authorization endpoint.
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<SignInRequest>,
) -> AppResult<Response> {
    let (url, new_pending) = oidc::authorization_url(&state.oidc, &state.config, &state.clock, &q)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "sign-in: discovery failed");
            AppError::Logto(crate::logto::LogtoError::Unavailable(
                "OIDC discovery failed".into(),
            ))
        })?;
    let mut pending: Vec<PendingSignIn> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let now = state.clock.now_ms();
    pending.retain(|p| now - p.created_at < PENDING_TTL_MS);
    if pending.len() >= MAX_PENDING {
        pending.remove(0);
    }
    pending.push(new_pending);
    session.insert(PENDING_KEY, &pending).await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/callback_failed.html")]
struct CallbackFailed {
    ctx: PageCtx,
    retry_href: String,
    reason_key: &'static str,
}

fn callback_failed(ctx: PageCtx, return_to: &str, reason_key: &'static str) -> Response {
    let page = CallbackFailed {
        retry_href: format!(
            "/sign-in?return_to={}",
            percent_encoding::utf8_percent_encode(return_to, percent_encoding::NON_ALPHANUMERIC)
        ),
        ctx,
        reason_key,
    };
    (
        StatusCode::BAD_REQUEST,
        Html(page.render().unwrap_or_default()),
    )
        .into_response()
}

/// `GET /callback`: exchange the code, verify the ID token, start a fresh session.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    ctx: PageCtx,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let mut pending: Vec<PendingSignIn> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let found = q
        .state
        .as_deref()
        .and_then(|s| pending.iter().position(|p| p.state == s));
    // Whatever happens next, this state is used up (a replayed callback finds nothing).
    let Some(index) = found else {
        tracing::info!("sign-in callback with unknown or reused state");
        return Ok(callback_failed(ctx, "/", "auth.callback_failed"));
    };
    let entry = pending.remove(index);
    session.insert(PENDING_KEY, &pending).await?;
    if state.clock.now_ms() - entry.created_at > PENDING_TTL_MS {
        return Ok(callback_failed(
            ctx,
            &entry.return_to,
            "auth.callback_failed",
        ));
    }
    if q.error.is_some() {
        return Ok(callback_failed(ctx, &entry.return_to, "auth.denied"));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return Ok(callback_failed(
            ctx,
            &entry.return_to,
            "auth.callback_failed",
        ));
    };
    let verified = match oidc::exchange_and_verify(&state.oidc, &state.config, &entry, code).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in callback failed");
            state
                .audit
                .record_or_log(
                    NewEntry::new("auth.sign_in", ctx.actor(), ctx.origin())
                        .failed("callback_invalid"),
                )
                .await;
            return Ok(callback_failed(
                ctx,
                &entry.return_to,
                "auth.callback_failed",
            ));
        }
    };
    let Some((user, access)) = load_access(&state.access_sources(), &verified.subject)
        .await
        .map_err(AppError::Logto)?
    else {
        return Ok(callback_failed(ctx, "/", "auth.suspended"));
    };
    // A new session id at sign-in: nothing from before sign-in carries a usable id.
    session.cycle_id().await?;
    session.remove::<Vec<PendingSignIn>>(PENDING_KEY).await?;
    let session_user = SessionUser {
        id: user.id.clone(),
        name: user.name.clone(),
        username: user.username.clone(),
        email: user.primary_email.clone(),
        avatar: user.avatar.clone(),
        signed_in_at: state.clock.now_ms(),
    };
    session.insert(USER_KEY, &session_user).await?;
    session.insert(ACCESS_KEY, &access).await?;
    session.insert(ID_TOKEN_KEY, &verified.id_token).await?;
    if let Some(sid) = &verified.sid {
        session.insert(LOGTO_SID_KEY, sid).await?;
    }
    let origin = ctx.origin();
    let device = Device {
        user_agent: origin.user_agent,
        ip: origin.ip,
    };
    session.insert(DEVICE_KEY, &device).await?;
    session.insert(TOUCHED_KEY, state.clock.now_ms()).await?;
    // A new token too: one planted before sign-in (or from an earlier sign-in) is worthless.
    renew_csrf_token(&session).await?;
    let actor = crate::audit::Actor {
        id: Some(session_user.id.clone()),
        name: Some(session_user.display_name()),
        email: session_user.email.clone(),
    };
    state
        .audit
        .record_or_log(
            NewEntry::new("auth.sign_in", actor.clone(), ctx.origin()).target(
                "user",
                &session_user.id,
                Some(&session_user.display_name()),
            ),
        )
        .await;
    if entry.fresh_login {
        // Credentials asked anew (`prompt=login`): a proof of identity, like the password.
        crate::web::profile::proof::mark_proven(&session, state.clock.now_ms()).await?;
        state
            .audit
            .record_or_log(
                NewEntry::new("security.reauthenticate", actor, ctx.origin())
                    .target("user", &session_user.id, Some(&session_user.display_name()))
                    .details(serde_json::json!({ "method": "sign_in" })),
            )
            .await;
    }
    Ok(Redirect::to(&entry.return_to).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(rename = "_csrf")]
    pub _csrf: Option<String>,
}

/// `POST /sign-out`: end the portal session (for every tab) and the Logto session.
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    ctx: PageCtx,
    Form(_form): Form<SignOutForm>,
) -> AppResult<Response> {
    let id_token: Option<String> = session.get(ID_TOKEN_KEY).await?;
    if ctx.user.is_some() {
        state
            .audit
            .record_or_log(NewEntry::new("auth.sign_out", ctx.actor(), ctx.origin()))
            .await;
    }
    session.flush().await?;
    let signed_out = format!("{}/signed-out", state.config.public_base());
    let target =
        oidc::end_session_url(&state.oidc, &state.config, id_token.as_deref(), signed_out).await;
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "auth/signed_out.html")]
struct SignedOutPage {
    ctx: PageCtx,
}

/// `GET /signed-out`: where Logto sends the person back after ending its session.
pub async fn signed_out(ctx: PageCtx) -> AppResult<Response> {
    html(&SignedOutPage { ctx })
}
