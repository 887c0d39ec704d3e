//! The OIDC side: `/oidc/token` (client_credentials, authorization_code, refresh_token),
//! discovery, JWKS, a plain-HTML sign-in / register page, userinfo and end-session.
//! Split by endpoint: token.rs, discovery.rs (discovery, JWKS, userinfo), sign_in.rs
//! (the sign-in and register pages, end-session).

mod discovery;
mod sign_in;
mod token;

pub use discovery::*;
pub use sign_in::*;
pub use token::*;

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
