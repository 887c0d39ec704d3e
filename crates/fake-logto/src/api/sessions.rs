//! User sessions and grants (Logto 1.38+) and password expiry (Logto 1.41+):
//! `/api/users/:id/sessions/**`, `/api/users/:id/grants/**`, `/api/users/:id/password/expiration`.
//! Before those releases the paths are not declared, and the version guard answers 404.

use crate::http::*;
use crate::store::{now_ms, FakeState, Store};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

/// Koa's answer for a route the release does not have (the version guard answers first;
/// this keeps each handler honest on its own).
fn absent_before(st: &FakeState, minor: u32) -> Option<Response> {
    (!st.version().at_least(minor)).then(|| text(StatusCode::NOT_FOUND, "Not Found"))
}

fn user_exists(s: &Store, id: &str) -> Result<(), ApiError> {
    if s.users.contains_key(id) {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

fn session_not_found() -> ApiError {
    ApiError::new(404, "oidc.session_not_found", "Session not found.")
}

fn app_name(st: &FakeState, client_id: &str) -> String {
    let cfg = st.config();
    if client_id == cfg.web_app_id {
        crate::api::applications::WEB_APP_NAME.to_string()
    } else if client_id == cfg.m2m_app_id {
        crate::api::applications::M2M_APP_NAME.to_string()
    } else {
        client_id.to_string()
    }
}

pub async fn list(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    if let Some(r) = absent_before(&st, 38) {
        return Ok(r);
    }
    let s = st.lock();
    user_exists(&s, &id)?;
    let now = now_ms();
    let mut live: Vec<(&String, _)> = s
        .sessions
        .iter()
        .filter(|(_, x)| x.user_id == id && x.expires_at > now)
        .collect();
    live.sort_by(|a, b| b.1.login_at.cmp(&a.1.login_at).then(a.0.cmp(b.0)));
    let sessions: Vec<Value> = live
        .into_iter()
        .map(|(sid, x)| s.session_json(sid, x))
        .collect();
    Ok(ok(&json!({ "sessions": sessions })))
}

pub async fn get_one(
    State(st): State<FakeState>,
    Path((id, session_id)): Path<(String, String)>,
) -> ApiResult {
    if let Some(r) = absent_before(&st, 38) {
        return Ok(r);
    }
    let s = st.lock();
    user_exists(&s, &id)?;
    match s.sessions.get(&session_id) {
        Some(x) if x.user_id == id && x.expires_at > now_ms() => {
            Ok(ok(&s.session_json(&session_id, x)))
        }
        _ => Err(session_not_found()),
    }
}

/// `?revokeGrantsTarget=all|firstParty` also revokes the grants the session holds (every app of
/// the fake is first-party, so both revoke them).
pub async fn delete(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path((id, session_id)): Path<(String, String)>,
) -> ApiResult {
    if let Some(r) = absent_before(&st, 38) {
        return Ok(r);
    }
    let target = ctx.get("revokeGrantsTarget").map(str::to_string);
    if let Some(t) = &target {
        if t != "all" && t != "firstParty" {
            return Err(guard_error(
                "query",
                vec![Issue::invalid_enum(
                    &["revokeGrantsTarget"],
                    t,
                    &["all", "firstParty"],
                )],
            ));
        }
    }
    let mut s = st.lock();
    user_exists(&s, &id)?;
    let owned = s
        .sessions
        .get(&session_id)
        .is_some_and(|x| x.user_id == id && x.expires_at > now_ms());
    if !owned {
        return Err(session_not_found());
    }
    let Some(session) = s.sessions.remove(&session_id) else {
        return Err(session_not_found());
    };
    if target.is_some() {
        for a in session.authorizations.values() {
            s.revoke_grant(&a.grant_id);
        }
    }
    Ok(no_content())
}

pub async fn list_grants(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    if let Some(r) = absent_before(&st, 38) {
        return Ok(r);
    }
    let app_type = ctx.get("appType").map(str::to_string);
    if let Some(t) = &app_type {
        if t != "firstParty" && t != "thirdParty" {
            return Err(guard_error(
                "query",
                vec![Issue::invalid_enum(
                    &["appType"],
                    t,
                    &["firstParty", "thirdParty"],
                )],
            ));
        }
    }
    let now = now_ms();
    let grants: Vec<_> = {
        let s = st.lock();
        user_exists(&s, &id)?;
        s.grants
            .values()
            .filter(|g| g.user_id == id && g.expires_at > now)
            // the fake's apps are all first-party
            .filter(|_| app_type.as_deref() != Some("thirdParty"))
            .cloned()
            .collect()
    };
    let s = st.lock();
    let list: Vec<Value> = grants
        .iter()
        .map(|g| s.grant_json(g, &app_name(&st, &g.client_id)))
        .collect();
    Ok(ok(&json!({ "grants": list })))
}

pub async fn delete_grant(
    State(st): State<FakeState>,
    Path((id, grant_id)): Path<(String, String)>,
) -> ApiResult {
    if let Some(r) = absent_before(&st, 38) {
        return Ok(r);
    }
    let mut s = st.lock();
    user_exists(&s, &id)?;
    if s.grants.get(&grant_id).is_none_or(|g| g.user_id != id) {
        return Err(ApiError::new(
            404,
            "oidc.grant_not_found",
            "Grant not found.",
        ));
    }
    s.revoke_grant(&grant_id);
    Ok(no_content())
}

/// `PATCH /api/users/:id/password/expiration` `{isExpired}` → the user (Logto 1.41+). The flag
/// is not part of user bodies in 1.42's OpenAPI; tests read it with
/// [`FakeState::password_expired`]. Expiring answers 400
/// `sign_in_experiences.password_expiration_not_enabled` unless the policy is on
/// ([`FakeState::set_password_expiration_policy`]), after the 404 for an unknown user (Logto's
/// `routes/admin-user/basics.ts`).
pub async fn set_password_expiration(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    if let Some(r) = absent_before(&st, 41) {
        return Ok(r);
    }
    let m = body_object(&body)?;
    let expired = f_bool(m, &["isExpired"])?
        .ok_or_else(|| body_error(Issue::invalid_type(&["isExpired"], "boolean", "undefined")))?;
    let mut s = st.lock();
    if !s.users.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    // As Logto: expiring needs the sign-in experience's password expiry turned on.
    if expired && !s.password_expiration_policy {
        return Err(ApiError::new(
            400,
            "sign_in_experiences.password_expiration_not_enabled",
            "Password expiration is not enabled.",
        ));
    }
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    u.password_expired = expired;
    u.updated_at = now_ms().max(u.updated_at + 1);
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}
