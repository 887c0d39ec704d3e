//! Signed-in devices (Logto's sessions) and authorized apps (grants), Logto 1.38 on: listed,
//! each ended or revoked after a confirmation in place. On older releases the page says which
//! release brings them instead ([`super::View::missing`]).

use axum::{response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::facts;
use super::view::{enc, BODY};
use super::{Act, Part};
use crate::logto::{UserGrant, UserSession};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::format::{Dates, Moment};
use crate::web::parts::MenuItem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    /// "Chrome on macOS".
    pub device: String,
    pub ip: Option<String>,
    pub signed_in: Option<Moment>,
    pub menu: Vec<MenuItem>,
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

pub fn session_rows(ctx: &PageCtx, dates: &Dates, sessions: Vec<UserSession>) -> Vec<SessionRow> {
    facts::sessions(ctx, dates, sessions)
        .into_iter()
        .map(|s| SessionRow {
            menu: ending(ctx, "security.sessions.end_menu", "session", &s.id),
            id: s.id,
            device: s.device,
            ip: s.ip,
            signed_in: s.signed_in,
        })
        .collect()
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
    id: String,
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

/// `POST /profile/security/sessions/end-others`: every Logto session of the person (Logto does
/// not say which one is this browser's, so all of them; 1.38 on) and every portal session but
/// this one.
pub async fn end_others(act: Act) -> AppResult<Response> {
    let logto_ended = if act
        .state
        .logto
        .capabilities()
        .has(crate::logto::Feature::UserSessions)
    {
        match act.state.logto.revoke_all_user_sessions(&act.user.id).await {
            Ok(n) => n,
            Err(e) => {
                let audit = act.entry("security.sessions_end_others");
                return act.refused(audit, Part::Sessions, e).await;
            }
        }
    } else {
        0
    };
    let keep = act
        .me
        .session
        .id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let portal_ended = act
        .state
        .db
        .delete_other_sessions_of(&act.user.id, &keep)
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
