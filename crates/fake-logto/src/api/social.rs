//! Social connectors and linking a social identity: `GET /api/connectors[/:id]`,
//! `POST /api/connectors/:connectorId/authorization-uri`, `POST /api/users/:userId/identities`
//! (core/routes/connector/*.ts, admin-user/social.ts), and the fake social provider itself at
//! `GET /social/:connectorId/authorize`, which signs the next profile in at once and redirects
//! back with a code (what GitHub does after the person agrees).

use crate::http::*;
use crate::security::{issue_social_code, SOCIAL_CODE_TTL_MS};
use crate::store::{now_ms, FakeState, Store};
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The API key in the email connector's `config`: a secret no portal page may show.
pub const EMAIL_CONNECTOR_API_KEY: &str = "fake-email-api-key-do-not-show";

/// Every connector the tenant has: the social ones, then the simulated email and SMS ones.
fn connectors(s: &Store) -> Vec<Value> {
    let mut list: Vec<Value> = s
        .connectors
        .values()
        .map(|c| s.connector_json(&c.id, "Social", &c.target, &c.name))
        .collect();
    if s.email_connector {
        let mut email = s.connector_json("fake-email", "Email", "email", "Email");
        // Logto answers a connector's `config` whole, secrets included
        email["config"] = json!({"provider": "fake", "apiKey": EMAIL_CONNECTOR_API_KEY});
        list.push(email);
    }
    if s.sms_connector {
        list.push(s.connector_json("fake-sms", "Sms", "sms", "SMS"));
    }
    list
}

pub async fn list_connectors(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let s = st.lock();
    let target = ctx.get("target");
    let list: Vec<Value> = connectors(&s)
        .into_iter()
        .filter(|c| target.is_none_or(|t| c["target"] == t))
        .collect();
    Ok(ok(&Value::Array(list)))
}

fn connector_not_found(id: &str) -> ApiError {
    ApiError::not_found().with_data(json!({"id": id}))
}

pub async fn get_connector(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    connectors(&s)
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .map(|c| ok(&c))
        .ok_or_else(|| connector_not_found(&id))
}

/// `{state, redirectUri}` → `{redirectTo}` on the fake's own origin.
pub async fn authorization_uri(
    State(st): State<FakeState>,
    Path(connector_id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let state = f_str_req(m, &["state"])?;
    let redirect_uri = f_str_req(m, &["redirectUri"])?;
    if state.is_empty() || redirect_uri.is_empty() {
        return Err(ApiError::new(
            400,
            "session.insufficient_info",
            "Insufficient sign-in info.",
        ));
    }
    let s = st.lock();
    let known = s.connectors.contains_key(&connector_id);
    let other_kind = connectors(&s)
        .iter()
        .any(|c| c["id"] == connector_id.as_str());
    if !known && other_kind {
        return Err(ApiError::new(
            400,
            "connector.unexpected_type",
            "The connector's type is unexpected.",
        ));
    }
    if !known {
        return Err(connector_not_found(&connector_id));
    }
    let mut url = url::Url::parse(&format!("{}/social/{connector_id}/authorize", s.base_url))
        .map_err(|_| ApiError::internal())?;
    url.query_pairs_mut()
        .append_pair("state", &state)
        .append_pair("redirect_uri", &redirect_uri);
    Ok(ok(&json!({ "redirectTo": url.as_str() })))
}

/// The fake social provider: redirects to `redirect_uri?code=…&state=…` at once.
pub async fn social_authorize(
    State(st): State<FakeState>,
    Path(connector_id): Path<String>,
    ctx: Ctx,
) -> Response {
    let (Some(state), Some(redirect_uri)) = (ctx.get("state"), ctx.get("redirect_uri")) else {
        return text(
            StatusCode::BAD_REQUEST,
            "state and redirect_uri are required",
        );
    };
    let Ok(mut back) = url::Url::parse(redirect_uri) else {
        return text(StatusCode::BAD_REQUEST, "redirect_uri is not a URL");
    };
    let mut s = st.lock();
    if !s.connectors.contains_key(&connector_id) {
        return text(StatusCode::NOT_FOUND, "Not Found");
    }
    let code = issue_social_code(&mut s, &connector_id, redirect_uri);
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state);
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(back.as_str()) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// Whether another user than `except` holds the identity `social_id` at `target`.
pub fn identity_taken(s: &Store, target: &str, social_id: &str, except: &str) -> bool {
    s.users.values().any(|u| {
        u.id != except
            && u.identities
                .get(target)
                .and_then(|i| i.get("userId"))
                .and_then(Value::as_str)
                == Some(social_id)
    })
}

pub fn identity_in_use() -> ApiError {
    ApiError::new(
        422,
        "user.identity_already_in_use",
        "The social account has been associated with an existing account.",
    )
}

/// `{connectorId, connectorData: {code, state, redirectUri}}` → the user's identities.
pub async fn link_identity(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let connector_id = f_str_req(m, &["connectorId"])?;
    let data = f_obj(m, &["connectorData"])?.ok_or_else(|| {
        body_error(Issue::invalid_type(
            &["connectorData"],
            "object",
            "undefined",
        ))
    })?;
    let mut s = st.lock();
    let Some(connector) = s.connectors.get(&connector_id).cloned() else {
        return Err(
            if connectors(&s)
                .iter()
                .any(|c| c["id"] == connector_id.as_str())
            {
                ApiError::new(
                    422,
                    "session.invalid_connector_id",
                    &format!("Unable to find available connector with id {connector_id}."),
                )
            } else {
                connector_not_found(&connector_id)
            },
        );
    };
    if !s.users.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let code = data.get("code").and_then(Value::as_str).unwrap_or_default();
    let redirect_uri = data.get("redirectUri").and_then(Value::as_str);
    let now = now_ms();
    // A code is exchanged once, with the connector and redirect URI it was issued for.
    let grant = s.social_codes.remove(code).filter(|c| {
        c.connector_id == connector_id
            && redirect_uri.is_none_or(|r| r == c.redirect_uri)
            && c.created_at + SOCIAL_CODE_TTL_MS > now
    });
    let Some(grant) = grant else {
        return Err(ApiError::new(
            401,
            "connector.social_auth_code_invalid",
            "Unable to get access token, please check authorization code.",
        ));
    };
    if identity_taken(&s, &connector.target, &grant.profile.id, &id) {
        return Err(identity_in_use());
    }
    let details = json!({
        "id": grant.profile.id,
        "name": grant.profile.name,
        "email": grant.profile.email,
        "avatar": null,
        "rawData": {"id": grant.profile.id, "login": grant.profile.id},
    });
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    u.identities.insert(
        connector.target.clone(),
        json!({"userId": grant.profile.id, "details": details}),
    );
    u.updated_at = now.max(u.updated_at + 1);
    Ok(ok(&Value::Object(u.identities.clone())))
}
