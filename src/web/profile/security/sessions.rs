//! Signed-in devices (Logto's sessions) and authorized apps (grants), Logto 1.38 on: listed,
//! each ended or revoked after a confirmation in place. On older releases the page says which
//! release brings them instead ([`super::View::missing`]).

use axum::{response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::facts;
use super::view::{enc, BODY};
use super::{Act, Part};
use crate::auth::revocation::{end_other_logto_sessions, LogtoSessionRef};
use crate::auth::session::LOGTO_SID_KEY;
use crate::logto::{UserGrant, UserSession};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::format::{Dates, Moment};
use crate::web::parts::MenuItem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    /// "Chrome on macOS".
    pub device: String,
    pub ip: Option<String>,
    /// "Taipei, TW", when Logto recorded where the sign-in came from.
    pub place: Option<String>,
    pub signed_in: Option<Moment>,
    /// This browser's session ("This device"): signing out is the way to end it.
    pub current: bool,
    pub menu: Vec<MenuItem>,
}

/// The Logto session this browser signed in with, when the portal knows it (the `sid` claim
/// of its ID token, kept in the portal session at sign-in; see [`crate::auth::oidc`]).
pub async fn this_device(me: &CurrentUser) -> Option<String> {
    me.session
        .get::<String>(LOGTO_SID_KEY)
        .await
        .ok()
        .flatten()
        .filter(|s| !s.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub id: String,
    pub app: String,
    pub menu: Vec<MenuItem>,
}

fn ending(ctx: &PageCtx, label: &str, kind: &str, id: &str) -> Vec<MenuItem> {
    vec![MenuItem::link(
        ctx.t.t(label),
        format!("/profile/security?confirm={kind}&id={}", enc(id)),
    )
    .swapping(BODY)
    .danger()]
}

/// Logto's sessions of the person, this browser's first (marked when `this_device` names it:
/// the portal's app id and the `sid` it got at sign-in).
pub fn session_rows(
    ctx: &PageCtx,
    dates: &Dates,
    sessions: Vec<UserSession>,
    this_device: Option<LogtoSessionRef<'_>>,
) -> Vec<SessionRow> {
    let current: Vec<bool> = sessions
        .iter()
        .map(|s| this_device.is_some_and(|k| s.is_session_of(k.client_id, k.sid)))
        .collect();
    let mut rows: Vec<SessionRow> = facts::sessions(ctx, dates, sessions)
        .into_iter()
        .zip(current)
        .map(|(s, current)| SessionRow {
            menu: if current {
                Vec::new()
            } else {
                ending(ctx, "security.sessions.end_menu", "session", &s.id)
            },
            id: s.id,
            device: s.device,
            ip: s.ip,
            place: s.place,
            signed_in: s.signed_in,
            current,
        })
        .collect();
    rows.sort_by_key(|r| !r.current);
    rows
}

pub fn grant_rows(ctx: &PageCtx, grants: Vec<UserGrant>) -> Vec<GrantRow> {
    grants
        .into_iter()
        .map(|g| {
            let app = g
                .application
                .as_ref()
                .and_then(|a| a.name.clone().or_else(|| Some(a.id.clone())))
                .unwrap_or_else(|| ctx.t.t("security.grants.unknown_app"));
            GrantRow {
                menu: ending(ctx, "security.grants.revoke_menu", "grant", &g.id),
                id: g.id,
                app,
            }
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct IdForm {
    #[serde(default)]
    pub(super) id: String,
}

/// `POST /profile/security/sessions/end`: signs one device out (and revokes the grants the
/// session holds).
pub async fn end(act: Act, Form(form): Form<IdForm>) -> AppResult<Response> {
    let audit = act
        .entry("security.session_end")
        .details(json!({"sessionId": form.id, "kind": "logto"}));
    let ended = act
        .state
        .logto
        .revoke_user_session(&act.user.id, &form.id)
        .await;
    if let Err(e) = ended {
        return act.refused(audit, Part::Sessions, e).await;
    }
    act.record(audit).await;
    let msg = act.ctx.t.t("security.sessions.ended");
    act.done(Part::Sessions, msg).await
}

/// `POST /profile/security/grants/revoke`.
pub async fn revoke(act: Act, Form(form): Form<IdForm>) -> AppResult<Response> {
    let grants = act.state.logto.list_user_grants(&act.user.id).await?;
    let app = grant_rows(&act.ctx, grants)
        .into_iter()
        .find(|g| g.id == form.id)
        .map(|g| g.app);
    let audit = act
        .entry("security.grant_revoke")
        .details(json!({"grantId": form.id, "application": app}));
    let revoked = act
        .state
        .logto
        .revoke_user_grant(&act.user.id, &form.id)
        .await;
    if let Err(e) = revoked {
        return act.refused(audit, Part::Grants, e).await;
    }
    act.record(audit).await;
    let msg = act.ctx.t.f(
        "security.grants.revoked",
        &[("app", &app.unwrap_or_default())],
    );
    act.done(Part::Grants, msg).await
}

/// `POST /profile/security/sessions/end-others`: every Logto session of the person but this
/// browser's (when the portal knows which one it is; else all of them; 1.38 on) and every
/// portal session but this one.
pub async fn end_others(act: Act) -> AppResult<Response> {
    let sid = this_device(&act.me).await;
    let keep = sid.as_deref().map(|sid| LogtoSessionRef {
        client_id: &act.state.config.app_id,
        sid,
    });
    let logto_ended = match end_other_logto_sessions(&act.state.logto, &act.user.id, keep).await {
        Ok(n) => n,
        Err(e) => {
            let audit = act.entry("security.sessions_end_others");
            return act.refused(audit, Part::Sessions, e).await;
        }
    };
    let keep = act
        .me
        .session
        .id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let portal_ended = act
        .state
        .sessions
        .delete_other_sessions_of(&act.user.id, &keep, act.state.clock.now_ms())
        .await
        .map_err(anyhow::Error::from)?;
    let audit = act.entry("security.sessions_end_others").details(json!({
        "logtoSessionsEnded": logto_ended,
        "sessionsEnded": portal_ended,
    }));
    act.record(audit).await;
    let msg = act.ctx.t.t("security.sessions.others_ended");
    act.done(Part::Sessions, msg).await
}
