//! The OIDC side: `/oidc/token` (client_credentials, authorization_code, refresh_token),
//! discovery, JWKS, a plain-HTML sign-in / register page, userinfo and end-session.

use crate::api::users::{EMAIL_RE, USERNAME_RE};
use crate::http::{html, json as json_response};
use crate::jwt::{at_hash, pkce_s256};
use crate::store::{
    gen_token, now_ms, AccessToken, AuthCode, AuthRequest, FakeState, NewUser, RefreshToken,
    Session, Store, TokenOwner, User, AUTH_CODE_TTL_MS, SESSION_TTL_MS, USER_TOKEN_TTL_SECS,
};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE, USER_AGENT,
    WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::convert::Infallible;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "_fake_logto_session";

pub fn router() -> Router<FakeState> {
    Router::new()
        .route("/oidc/token", post(token))
        .route("/oidc/.well-known/openid-configuration", get(discovery))
        .route("/oidc/jwks", get(jwks))
        .route("/oidc/auth", get(authorize))
        .route("/oidc/auth/submit", post(submit))
        .route("/oidc/auth/mfa", post(crate::oidc_mfa::submit))
        .route("/oidc/auth/register", get(register_page).post(register))
        .route("/oidc/me", get(userinfo).post(userinfo))
        .route("/oidc/session/end", get(end_session))
}

/// The peer address and user agent, for audit logs.
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "127.0.0.1".into());
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(Client { ip, user_agent })
    }
}

// ---------------------------------------------------------------------------------------
// token endpoint

fn oidc_error(status: u16, error: &str, description: &str) -> Response {
    let message = match error {
        "invalid_request" => "Request is invalid.".to_string(),
        "invalid_grant" => "Grant request is invalid.".to_string(),
        "invalid_target" => "Invalid resource indicator.".to_string(),
        "invalid_token" => "Invalid token provided.".to_string(),
        "unsupported_grant_type" => "Unsupported `grant_type` requested.".to_string(),
        other => format!("An OIDC error occurred: oidc.{other}."),
    };
    let mut body = json!({
        "code": format!("oidc.{error}"),
        "message": message,
        "error": error,
        "error_description": description,
    });
    if error == "invalid_grant" {
        body["error_uri"] = json!("https://openid.sh/debug/invalid_grant");
    }
    let mut r = json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &body,
    );
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn token_ok(v: &Value) -> Response {
    let mut r = json_response(StatusCode::OK, v);
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Form (or JSON) parameters of a token request, in order.
fn token_params(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.contains("json") {
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
            return m
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect();
        }
        return Vec::new();
    }
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(p: &'a [(String, String)], key: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A canned failure of the token endpoint (`set_token_endpoint_failure`).
pub fn injected_failure(status: u16) -> Response {
    crate::server::failure_response(status, None)
}

enum ClientKind {
    M2m,
    Web,
}

pub async fn token(State(st): State<FakeState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = token_params(&headers, &body);
    let grant = param(&params, "grant_type").map(str::to_string);
    let failure = {
        let mut s = st.lock();
        if grant.as_deref() == Some("client_credentials") {
            s.token_requests += 1;
        }
        s.faults.token_failure
    };
    if let Some(status) = failure {
        return injected_failure(status);
    }
    if body.contains(&0) {
        return oidc_error(
            400,
            "invalid_request",
            "request body must not contain NUL bytes",
        );
    }

    // client authentication: Basic header or form credentials, never both
    let cfg = st.config().clone();
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::to_string);
    let form_id = param(&params, "client_id").map(str::to_string);
    let form_secret = param(&params, "client_secret").map(str::to_string);
    let (client_id, secret, used_basic) = if let Some(b) = basic {
        if form_secret.is_some() {
            return oidc_error(
                400,
                "invalid_request",
                "client authentication must only be provided using one mechanism",
            );
        }
        let decoded = STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return oidc_error(
                400,
                "invalid_request",
                "invalid authorization header value format",
            );
        };
        let dec = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        let (id, secret) = (dec(id), dec(secret));
        if form_id.as_deref().is_some_and(|f| f != id) {
            return oidc_error(
                400,
                "invalid_request",
                "mismatch in body and authorization client ids",
            );
        }
        (id, Some(secret), true)
    } else if let Some(id) = form_id {
        (id, form_secret, false)
    } else {
        return oidc_error(
            400,
            "invalid_request",
            "no client authentication mechanism provided",
        );
    };
    let (kind, expected) = if client_id == cfg.m2m_app_id {
        (ClientKind::M2m, cfg.m2m_app_secret.clone())
    } else if client_id == cfg.web_app_id {
        (ClientKind::Web, cfg.web_app_secret.clone())
    } else {
        return oidc_error(
            400,
            "invalid_client",
            &format!("invalid client {client_id}"),
        );
    };
    if secret.as_deref() != Some(expected.as_str()) {
        let mut r = oidc_error(401, "invalid_client", "client authentication failed");
        if used_basic {
            let issuer = st.lock().issuer();
            let v = format!(
                "Basic realm=\"{issuer}\", error=\"invalid_client\", error_description=\"client authentication failed\""
            );
            if let Ok(hv) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(WWW_AUTHENTICATE, hv);
            }
        }
        return r;
    }
    let Some(grant) = grant else {
        return oidc_error(
            400,
            "invalid_request",
            "missing required parameter 'grant_type'",
        );
    };
    match (grant.as_str(), kind) {
        ("client_credentials", ClientKind::M2m) => client_credentials(&st, &params),
        ("authorization_code", ClientKind::Web) => authorization_code(&st, &params, &client_id),
        ("refresh_token", ClientKind::Web) => refresh(&st, &params, &client_id),
        ("client_credentials" | "authorization_code" | "refresh_token", _) => oidc_error(
            400,
            "unauthorized_client",
            "requested grant type is not allowed for this client",
        ),
        _ => oidc_error(
            400,
            "unsupported_grant_type",
            "unsupported grant_type requested",
        ),
    }
}

fn client_credentials(st: &FakeState, params: &[(String, String)]) -> Response {
    let cfg = st.config();
    let resources: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "resource")
        .flat_map(|(_, v)| v.split(','))
        .filter(|v| !v.is_empty())
        .collect();
    if resources.is_empty() {
        return oidc_error(
            400,
            "invalid_target",
            "both `resource` and `organization_id` are not provided",
        );
    }
    if resources.len() > 1 {
        return oidc_error(
            400,
            "invalid_target",
            "only a single resource indicator value is supported for this grant type",
        );
    }
    if resources[0] != cfg.resource {
        return oidc_error(
            400,
            "invalid_target",
            "resource indicator is missing, or unknown",
        );
    }
    let all = param(params, "scope").is_some_and(|s| s.split_whitespace().any(|x| x == "all"));
    let token = gen_token(48);
    let ttl = cfg.access_token_ttl_secs;
    st.lock().tokens.insert(
        token.clone(),
        AccessToken {
            owner: TokenOwner::M2m { all },
            expires_at: now_ms() + (ttl as i64) * 1000,
            code: None,
        },
    );
    let mut body = json!({"access_token": token, "expires_in": ttl, "token_type": "Bearer"});
    if all {
        body["scope"] = json!("all");
    }
    token_ok(&body)
}

/// Claims about `u` released for `scopes` (ID token and userinfo).
pub fn user_claims(s: &Store, u: &User, scopes: &[String]) -> Map<String, Value> {
    let has = |x: &str| scopes.iter().any(|s| s == x);
    let mut c = Map::new();
    c.insert("sub".into(), json!(u.id));
    if has("profile") {
        c.insert("name".into(), json!(u.name));
        for (from, to) in [
            ("familyName", "family_name"),
            ("givenName", "given_name"),
            ("middleName", "middle_name"),
            ("nickname", "nickname"),
            ("preferredUsername", "preferred_username"),
            ("profile", "profile"),
            ("website", "website"),
            ("gender", "gender"),
            ("birthdate", "birthdate"),
            ("zoneinfo", "zoneinfo"),
            ("locale", "locale"),
        ] {
            if let Some(v) = u.profile.get(from) {
                c.insert(to.into(), v.clone());
            }
        }
        c.insert("picture".into(), json!(u.avatar));
        c.insert("updated_at".into(), json!(u.updated_at));
        c.insert("username".into(), json!(u.username));
        c.insert("created_at".into(), json!(u.created_at));
    }
    if has("email") {
        c.insert("email".into(), json!(u.primary_email));
        c.insert("email_verified".into(), json!(u.primary_email.is_some()));
    }
    if has("phone") {
        c.insert("phone_number".into(), json!(u.primary_phone));
        c.insert(
            "phone_number_verified".into(),
            json!(u.primary_phone.is_some()),
        );
    }
    if has("custom_data") {
        c.insert("custom_data".into(), Value::Object(u.custom_data.clone()));
    }
    if has("urn:logto:scope:organizations") {
        c.insert("organizations".into(), json!(s.user_org_ids(&u.id)));
    }
    if has("urn:logto:scope:organization_roles") {
        let mut list = Vec::new();
        for org in s.user_org_ids(&u.id) {
            for r in s.member_role_refs(&org, &u.id) {
                if let Some(n) = r["name"].as_str() {
                    list.push(format!("{org}:{n}"));
                }
            }
        }
        c.insert("organization_roles".into(), json!(list));
    }
    if has("roles") {
        c.insert("roles".into(), json!(s.user_role_names(&u.id)));
    }
    c
}

/// What a token request grants to a user.
struct Grant<'a> {
    user_id: &'a str,
    client_id: &'a str,
    scopes: &'a [String],
    nonce: Option<&'a str>,
    code: Option<&'a str>,
    refresh: Option<String>,
}

/// Issue an access token (+ ID token, + refresh token when granted) for a user; `None` when the
/// user is gone or suspended.
fn issue_user_tokens(st: &FakeState, s: &mut Store, g: Grant<'_>) -> Option<Value> {
    let Grant {
        user_id,
        client_id,
        scopes,
        nonce,
        code,
        refresh,
    } = g;
    let u = s.users.get(user_id).cloned()?;
    if u.is_suspended {
        return None;
    }
    let now = now_ms();
    let access = gen_token(43);
    s.tokens.insert(
        access.clone(),
        AccessToken {
            owner: TokenOwner::User {
                user_id: user_id.to_string(),
                scopes: scopes.to_vec(),
            },
            expires_at: now + USER_TOKEN_TTL_SECS * 1000,
            code: code.map(str::to_string),
        },
    );
    let mut claims = user_claims(s, &u, scopes);
    let iat = now / 1000;
    claims.insert("iss".into(), json!(s.issuer()));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("iat".into(), json!(iat));
    claims.insert("exp".into(), json!(iat + 3600));
    claims.insert("at_hash".into(), json!(at_hash(&access)));
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    let tamper = std::mem::take(&mut s.faults.tamper_next_id_token);
    let id_token = st.keys().sign(&Value::Object(claims), tamper);
    let granted: Vec<&String> = scopes
        .iter()
        .filter(|x| *x != "offline_access" || refresh.is_some())
        .collect();
    let mut body = json!({
        "access_token": access,
        "expires_in": USER_TOKEN_TTL_SECS,
        "id_token": id_token,
        "scope": granted.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
        "token_type": "Bearer",
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    Some(body)
}

fn authorization_code(st: &FakeState, params: &[(String, String)], client_id: &str) -> Response {
    let Some(code) = param(params, "code").map(str::to_string) else {
        return oidc_error(400, "invalid_request", "missing required parameter 'code'");
    };
    let mut s = st.lock();
    let Some(rec) = s.auth_codes.get(&code).cloned() else {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    };
    if rec.used {
        // replay: revoke everything this code issued
        s.tokens
            .retain(|_, t| t.code.as_deref() != Some(code.as_str()));
        s.refresh_tokens
            .retain(|_, t| t.code.as_deref() != Some(code.as_str()));
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    let expired = rec.expired || rec.created_at + AUTH_CODE_TTL_MS < now_ms();
    let redirect_ok = param(params, "redirect_uri") == Some(rec.req.redirect_uri.as_str());
    let pkce_ok =
        param(params, "code_verifier").is_some_and(|v| pkce_s256(v) == rec.req.code_challenge);
    if expired || rec.req.client_id != client_id || !redirect_ok || !pkce_ok {
        if let Some(c) = s.auth_codes.get_mut(&code) {
            c.used = true;
        }
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    if let Some(c) = s.auth_codes.get_mut(&code) {
        c.used = true;
    }
    let scopes: Vec<String> = rec
        .req
        .scope
        .split_whitespace()
        .map(str::to_string)
        .collect();
    // Like Logto: offline_access is granted only with prompt=consent.
    let offline = scopes.iter().any(|x| x == "offline_access")
        && rec.req.prompt.split_whitespace().any(|p| p == "consent");
    let refresh = offline.then(|| gen_token(43));
    if let Some(r) = &refresh {
        s.refresh_tokens.insert(
            r.clone(),
            RefreshToken {
                user_id: rec.user_id.clone(),
                client_id: client_id.to_string(),
                scopes: scopes.clone(),
                code: Some(code.clone()),
            },
        );
    }
    let grant = Grant {
        user_id: &rec.user_id,
        client_id,
        scopes: &scopes,
        nonce: rec.req.nonce.as_deref(),
        code: Some(&code),
        refresh,
    };
    match issue_user_tokens(st, &mut s, grant) {
        Some(body) => token_ok(&body),
        None => oidc_error(400, "invalid_grant", "grant request is invalid"),
    }
}

fn refresh(st: &FakeState, params: &[(String, String)], client_id: &str) -> Response {
    let Some(token) = param(params, "refresh_token").map(str::to_string) else {
        return oidc_error(
            400,
            "invalid_request",
            "missing required parameter 'refresh_token'",
        );
    };
    if param(params, "resource").is_some() {
        return oidc_error(
            400,
            "invalid_target",
            "resource indicator is missing, or unknown",
        );
    }
    let mut s = st.lock();
    let Some(rec) = s.refresh_tokens.get(&token).cloned() else {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    };
    if rec.client_id != client_id {
        return oidc_error(400, "invalid_grant", "grant request is invalid");
    }
    let grant = Grant {
        user_id: &rec.user_id,
        client_id,
        scopes: &rec.scopes,
        nonce: None,
        code: rec.code.as_deref(),
        refresh: Some(token),
    };
    match issue_user_tokens(st, &mut s, grant) {
        Some(body) => token_ok(&body),
        None => oidc_error(400, "invalid_grant", "grant request is invalid"),
    }
}

// ---------------------------------------------------------------------------------------
// discovery, JWKS, userinfo

pub async fn discovery(State(st): State<FakeState>) -> Response {
    let base = st.lock().base_url.clone();
    let iss = format!("{base}/oidc");
    json_response(
        StatusCode::OK,
        &json!({
            "authorization_endpoint": format!("{iss}/auth"),
            "claims_parameter_supported": false,
            "claims_supported": ["sub", "name", "family_name", "given_name", "middle_name", "nickname",
                "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo",
                "locale", "updated_at", "username", "created_at", "email", "email_verified", "phone_number",
                "phone_number_verified", "address", "custom_data", "identities", "sso_identities", "roles",
                "organizations", "organization_data", "organization_roles", "sid", "auth_time", "iss"],
            "code_challenge_methods_supported": ["S256"],
            "end_session_endpoint": format!("{iss}/session/end"),
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "issuer": iss,
            "jwks_uri": format!("{iss}/jwks"),
            "authorization_response_iss_parameter_supported": true,
            "response_modes_supported": ["query"],
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "offline_access", "profile", "email", "phone", "address",
                "custom_data", "identities", "roles", "urn:logto:scope:organizations",
                "urn:logto:scope:organization_roles", "urn:logto:scope:sessions"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_jwt",
                "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["HS256", "RS256", "PS256", "ES256", "ES384", "EdDSA"],
            "token_endpoint": format!("{iss}/token"),
            "id_token_signing_alg_values_supported": ["ES384"],
            "pushed_authorization_request_endpoint": format!("{iss}/request"),
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{iss}/me"),
            "claim_types_supported": ["normal"],
        }),
    )
}

pub async fn jwks(State(st): State<FakeState>) -> Response {
    json_response(StatusCode::OK, &st.keys().jwks())
}

fn invalid_token() -> Response {
    let mut r = oidc_error(401, "invalid_token", "invalid token provided");
    r.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer realm=\"oidc\", error=\"invalid_token\", error_description=\"invalid token provided\"",
        ),
    );
    r
}

pub async fn userinfo(State(st): State<FakeState>, headers: HeaderMap) -> Response {
    let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
    else {
        return invalid_token();
    };
    let s = st.lock();
    let Some(t) = s.tokens.get(token.trim()) else {
        return invalid_token();
    };
    if t.expires_at <= now_ms() {
        return invalid_token();
    }
    let TokenOwner::User {
        user_id, scopes, ..
    } = &t.owner
    else {
        return invalid_token();
    };
    let Some(u) = s.users.get(user_id) else {
        return invalid_token();
    };
    let claims = user_claims(&s, u, scopes);
    token_ok(&Value::Object(claims))
}

// ---------------------------------------------------------------------------------------
// sign-in pages

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}\
label{{display:block;margin-top:.8rem}}input{{width:100%;padding:.4rem;box-sizing:border-box}}\
button{{margin-top:1rem;padding:.5rem 1rem}}.error{{color:#b00020}}</style></head>\
<body><p><strong>Fake Logto</strong></p><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    )
}

pub(crate) fn error_page(status: u16, error: &str, description: &str) -> Response {
    html(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        page(
            "Oops! An error occurred",
            &format!(
                "<p class=\"error\" id=\"error\">{}</p><p id=\"error-description\">{}</p>",
                esc(error),
                esc(description)
            ),
        ),
    )
}

fn sign_in_form(interaction: &str, identifier: &str, error: Option<&str>) -> Response {
    let err = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{err}<form method=\"post\" action=\"/oidc/auth/submit\">\
<input type=\"hidden\" name=\"interaction\" value=\"{i}\">\
<label for=\"identifier\">Username or email</label>\
<input id=\"identifier\" name=\"identifier\" type=\"text\" autocomplete=\"username\" value=\"{id}\" required>\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\" id=\"sign-in\">Sign in</button></form>\
<p><a id=\"create-account\" href=\"/oidc/auth/register?interaction={i}\">Create account</a></p>",
        i = esc(interaction),
        id = esc(identifier)
    );
    html(StatusCode::OK, page("Sign in", &body))
}

fn register_form(interaction: &str, email: &str, username: &str, error: Option<&str>) -> Response {
    let err = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{err}<form method=\"post\" action=\"/oidc/auth/register\">\
<input type=\"hidden\" name=\"interaction\" value=\"{i}\">\
<label for=\"email\">Email</label>\
<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{e}\" required>\
<label for=\"username\">Username</label>\
<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" value=\"{u}\">\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\
<button type=\"submit\" id=\"register\">Create account</button></form>\
<p><a id=\"go-sign-in\" href=\"/oidc/auth/register?interaction={i}&amp;screen=sign_in\">Sign in instead</a></p>",
        i = esc(interaction),
        e = esc(email),
        u = esc(username)
    );
    html(StatusCode::OK, page("Create account", &body))
}

fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

fn session_user(s: &Store, headers: &HeaderMap) -> Option<(String, String)> {
    let cookies = headers.get_all(COOKIE);
    for c in cookies {
        let Ok(c) = c.to_str() else { continue };
        for part in c.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                if k == SESSION_COOKIE {
                    if let Some(sess) = s.sessions.get(v).filter(|x| x.expires_at > now_ms()) {
                        if s.users.get(&sess.user_id).is_some_and(|u| !u.is_suspended) {
                            return Some((v.to_string(), sess.user_id.clone()));
                        }
                    }
                }
            }
        }
    }
    None
}

/// Store a code for the signed-in user and redirect back to the client.
fn redirect_with_code(
    s: &mut Store,
    req: AuthRequest,
    user_id: &str,
    set_cookie: Option<String>,
) -> Response {
    let code = gen_token(43);
    let now = now_ms();
    let mut url = match url::Url::parse(&req.redirect_uri) {
        Ok(u) => u,
        Err(_) => return error_page(400, "invalid_redirect_uri", "redirect_uri is invalid"),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &req.state {
            q.append_pair("state", state);
        }
        q.append_pair("iss", &s.issuer());
    }
    s.auth_codes.insert(
        code,
        AuthCode {
            req,
            user_id: user_id.to_string(),
            created_at: now,
            used: false,
            expired: false,
        },
    );
    let mut r = (StatusCode::SEE_OTHER, "").into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        r.headers_mut().insert(LOCATION, v);
    }
    if let Some(c) = set_cookie {
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().insert(SET_COOKIE, v);
        }
    }
    r
}

pub async fn authorize(
    State(st): State<FakeState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let p = query_pairs(uri.query());
    let get = |k: &str| param(&p, k).map(str::to_string);
    let cfg = st.config();
    let Some(client_id) = get("client_id") else {
        return error_page(
            400,
            "invalid_request",
            "missing required parameter 'client_id'",
        );
    };
    if client_id != cfg.web_app_id {
        return error_page(400, "invalid_client", "client is invalid");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            400,
            "invalid_request",
            "missing required parameter 'redirect_uri'",
        );
    };
    let registered = st.lock().web_redirect_uris.clone();
    let valid_redirect = url::Url::parse(&redirect_uri)
        .is_ok_and(|u| (u.scheme() == "http" || u.scheme() == "https") && u.has_host())
        && (registered.is_empty() || registered.contains(&redirect_uri));
    if !valid_redirect {
        return error_page(
            400,
            "invalid_redirect_uri",
            "redirect_uri did not match any of the client's registered redirect_uris",
        );
    }
    if get("response_type").as_deref() != Some("code") {
        return error_page(
            400,
            "unsupported_response_type",
            "unsupported response_type requested",
        );
    }
    let scope = get("scope").unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return error_page(400, "invalid_scope", "openid scope must be requested");
    }
    let Some(code_challenge) = get("code_challenge") else {
        return error_page(
            400,
            "invalid_request",
            "Authorization Server policy requires PKCE to be used for this request",
        );
    };
    if get("code_challenge_method").as_deref() != Some("S256") {
        return error_page(
            400,
            "invalid_request",
            "plain code_challenge_method fallback disabled, code_challenge_method must be provided",
        );
    }
    let prompt = get("prompt").unwrap_or_default();
    let req = AuthRequest {
        client_id,
        redirect_uri,
        scope,
        state: get("state"),
        nonce: get("nonce"),
        code_challenge,
        prompt: prompt.clone(),
        login_hint: get("login_hint"),
    };
    let mut s = st.lock();
    let force_login = prompt.split_whitespace().any(|p| p == "login");
    if !force_login {
        if let Some((_, user_id)) = session_user(&s, &headers) {
            s.ensure_grant(&user_id, &req.client_id, now_ms());
            return redirect_with_code(&mut s, req, &user_id, None);
        }
    }
    let interaction = gen_token(21);
    let hint = req.login_hint.clone().unwrap_or_default();
    s.auth_requests.insert(interaction.clone(), req);
    drop(s);
    if get("first_screen").as_deref() == Some("register") {
        let email = if hint.contains('@') {
            hint
        } else {
            String::new()
        };
        register_form(&interaction, &email, "", None)
    } else {
        sign_in_form(&interaction, &hint, None)
    }
}

pub(crate) fn form_map(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn session_cookie(sid: &str) -> String {
    format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax")
}

pub(crate) fn log_payload(client: &Client, app: &str) -> Value {
    json!({"ip": client.ip, "userAgent": client.user_agent, "applicationId": app})
}

/// Start a session for the user (with the app's grant) and send them back with a code.
fn finish_sign_in(
    s: &mut Store,
    interaction: &str,
    user_id: &str,
    client: &Client,
    identifier: (String, String),
) -> Response {
    let Some(req) = s.auth_requests.remove(interaction) else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let now = now_ms();
    if let Some(u) = s.users.get_mut(user_id) {
        u.last_sign_in_at = Some(now);
        if u.application_id.is_none() {
            u.application_id = Some(req.client_id.clone());
        }
        u.updated_at = now.max(u.updated_at + 1);
    }
    let grant_id = s.ensure_grant(user_id, &req.client_id, now);
    let sid = s.insert_session(Session {
        user_id: user_id.to_string(),
        uid: gen_token(21),
        login_at: now,
        expires_at: now + SESSION_TTL_MS,
        client_id: Some(req.client_id.clone()),
        grant_id: Some(grant_id),
        ip: Some(client.ip.clone()),
        user_agent: Some(client.user_agent.clone()),
        identifier: Some(identifier),
    });
    redirect_with_code(s, req, user_id, Some(session_cookie(&sid)))
}

pub async fn submit(State(st): State<FakeState>, client: Client, body: Bytes) -> Response {
    let f = form_map(&body);
    let get = |k: &str| {
        f.iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let interaction = get("interaction");
    let identifier = get("identifier").trim().to_string();
    let password = get("password");
    let mut s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction).cloned() else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let app = req.client_id.clone();
    let id_type = if identifier.contains('@') {
        "email"
    } else {
        "username"
    };
    let user = if identifier.contains('@') {
        s.find_user_by_email(&identifier).cloned()
    } else {
        s.find_user_by_username(&identifier)
            .or_else(|| s.find_user_by_phone(&identifier))
            .cloned()
    };
    let identifier_json = json!({"type": id_type, "value": identifier});
    let now = now_ms();
    let verified = user
        .as_ref()
        .filter(|u| u.password.is_some() && u.password.as_deref() == Some(password.as_str()));
    let Some(u) = verified else {
        let mut payload = log_payload(&client, &app);
        payload["result"] = json!("Error");
        payload["error"] = json!({"code": "session.invalid_credentials", "message": "Incorrect account or password. Please check your input."});
        payload["params"] = json!({"identifier": identifier_json});
        payload["payload"] = json!({"password": "******", "identifier": identifier_json});
        s.insert_log(
            "Interaction.SignIn.Verification.Password.Submit",
            payload,
            now,
        );
        drop(s);
        return sign_in_form(
            &interaction,
            &identifier,
            Some("Incorrect account or password. Please check your input."),
        );
    };
    let user_id = u.id.clone();
    let mut payload = log_payload(&client, &app);
    payload["result"] = json!("Success");
    payload["payload"] = json!({"password": "******", "identifier": identifier_json});
    s.insert_log(
        "Interaction.SignIn.Verification.Password.Submit",
        payload,
        now,
    );
    if u.is_suspended {
        let mut payload = log_payload(&client, &app);
        payload["result"] = json!("Error");
        payload["userId"] = json!(user_id);
        payload["error"] =
            json!({"code": "user.suspended", "message": "This account has been suspended."});
        s.insert_log("Interaction.SignIn.Submit", payload, now);
        drop(s);
        return sign_in_form(
            &interaction,
            &identifier,
            Some("This account has been suspended."),
        );
    }
    let identifier = (id_type.to_string(), identifier);
    if s.totp_secret(&user_id).is_some() {
        // the second step: an authenticator code or a backup code (crate::oidc_mfa)
        s.mfa_pending
            .insert(interaction.clone(), (user_id, identifier));
        drop(s);
        return crate::oidc_mfa::form(&interaction, None);
    }
    complete_sign_in(&mut s, &interaction, &user_id, &client, identifier)
}

/// Log the successful sign-in, start the session and send the person back with a code.
pub(crate) fn complete_sign_in(
    s: &mut Store,
    interaction: &str,
    user_id: &str,
    client: &Client,
    identifier: (String, String),
) -> Response {
    let app = s
        .auth_requests
        .get(interaction)
        .map(|r| r.client_id.clone())
        .unwrap_or_default();
    let identifier_json = json!({"type": identifier.0, "value": identifier.1});
    let mut payload = log_payload(client, &app);
    payload["result"] = json!("Success");
    payload["userId"] = json!(user_id);
    payload["interaction"] = json!({"userId": user_id, "interactionEvent": "SignIn", "verificationRecords": [{"type": "Password", "verified": true, "identifier": identifier_json}]});
    s.insert_log("Interaction.SignIn.Submit", payload, now_ms());
    finish_sign_in(s, interaction, user_id, client, identifier)
}

pub async fn register_page(State(st): State<FakeState>, uri: axum::http::Uri) -> Response {
    let p = query_pairs(uri.query());
    let interaction = param(&p, "interaction").unwrap_or("").to_string();
    let s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction) else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let hint = req.login_hint.clone().unwrap_or_default();
    drop(s);
    if param(&p, "screen") == Some("sign_in") {
        return sign_in_form(&interaction, &hint, None);
    }
    let email = if hint.contains('@') {
        hint
    } else {
        String::new()
    };
    register_form(&interaction, &email, "", None)
}

pub async fn register(State(st): State<FakeState>, client: Client, body: Bytes) -> Response {
    let f = form_map(&body);
    let get = |k: &str| {
        f.iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let interaction = get("interaction");
    let email = get("email");
    let username = get("username");
    let password = f
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut s = st.lock();
    let Some(req) = s.auth_requests.get(&interaction).cloned() else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let fail = |msg: &str| register_form(&interaction, &email, &username, Some(msg));
    if !EMAIL_RE.is_match(&email) {
        return fail("Invalid email address.");
    }
    if !username.is_empty() && !USERNAME_RE.is_match(&username) {
        return fail("Username must start with a letter or underscore and contain only letters, digits and underscores.");
    }
    if password.is_empty() {
        return fail("Password is required.");
    }
    if s.find_user_by_email(&email).is_some() {
        return fail("The email address has been registered.");
    }
    if !username.is_empty() && s.find_user_by_username(&username).is_some() {
        return fail("The username has been registered.");
    }
    let now = now_ms();
    let user_id = s.insert_user(
        NewUser {
            username: (!username.is_empty()).then(|| username.clone()),
            primary_email: Some(email.clone()),
            password: Some(password),
            ..Default::default()
        },
        now,
    );
    let mut payload = log_payload(&client, &req.client_id);
    payload["result"] = json!("Success");
    payload["userId"] = json!(user_id);
    payload["interaction"] = json!({"userId": user_id, "interactionEvent": "Register"});
    s.insert_log("Interaction.Register.Submit", payload, now);
    finish_sign_in(
        &mut s,
        &interaction,
        &user_id,
        &client,
        ("email".to_string(), email.clone()),
    )
}

pub async fn end_session(
    State(st): State<FakeState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let p = query_pairs(uri.query());
    let mut s = st.lock();
    if let Some((sid, _)) = session_user(&s, &headers) {
        s.sessions.remove(&sid);
    }
    drop(s);
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut r = match param(&p, "post_logout_redirect_uri").and_then(|u| url::Url::parse(u).ok()) {
        Some(mut url) => {
            if let Some(state) = param(&p, "state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            let mut r = (StatusCode::SEE_OTHER, "").into_response();
            if let Ok(v) = HeaderValue::from_str(url.as_str()) {
                r.headers_mut().insert(LOCATION, v);
            }
            r
        }
        None => html(
            StatusCode::OK,
            page(
                "Signed out",
                "<p id=\"signed-out\">You have been signed out.</p>",
            ),
        ),
    };
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}
