//! A person's Logto sign-in sessions (Logto 1.38 on; older releases do not declare the
//! endpoints and the client refuses the call with `LogtoError::Unsupported`).

use std::collections::HashMap;

use reqwest::Method;
use serde::Deserialize;

use super::client::{route, LogtoClient};
use super::error::LogtoError;

/// One sign-in session of a person, as `GET /api/users/{id}/sessions` lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSession {
    pub payload: SessionPayload,
    #[serde(default)]
    pub client_id: Option<String>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// The sign-in that made the session: where from and with which browser.
    #[serde(default)]
    pub last_submission: Option<LastSubmission>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastSubmission {
    #[serde(default)]
    pub sign_in_context: SignInContext,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInContext {
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Where the sign-in came from, when Logto's host tells it (e.g. behind Cloudflare).
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
}

/// An app the person allowed to act for them (`GET /api/users/{id}/grants`, 1.38 on).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserGrant {
    pub id: String,
    /// Epoch milliseconds.
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub application: Option<GrantApplication>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GrantApplication {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct GrantList {
    grants: Vec<UserGrant>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionPayload {
    /// The session id the other endpoints take.
    pub jti: String,
    /// Epoch seconds of the sign-in.
    #[serde(default)]
    pub login_ts: Option<i64>,
    /// The apps signed in through this session, by client id (oidc-provider's
    /// `authorizations`).
    #[serde(default)]
    pub authorizations: HashMap<String, SessionAuthorization>,
}

/// What the session holds for one app.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAuthorization {
    /// The `sid` claim of the ID tokens this app got from the session (when Logto puts one
    /// in them: apps with a back-channel logout URI that require the session).
    #[serde(default)]
    pub sid: Option<String>,
}

impl UserSession {
    pub fn id(&self) -> &str {
        &self.payload.jti
    }

    /// Whether this is the session the app `client_id` got an ID token with `sid` from.
    pub fn is_session_of(&self, client_id: &str, sid: &str) -> bool {
        self.payload
            .authorizations
            .get(client_id)
            .and_then(|a| a.sid.as_deref())
            .is_some_and(|s| !s.is_empty() && s == sid)
    }

    /// The sign-in's context (IP, user agent), when Logto recorded it.
    pub fn context(&self) -> SignInContext {
        self.last_submission
            .as_ref()
            .map(|l| l.sign_in_context.clone())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct SessionList {
    sessions: Vec<UserSession>,
}

impl LogtoClient {
    pub async fn list_user_sessions(&self, user_id: &str) -> Result<Vec<UserSession>, LogtoError> {
        let list: SessionList = self
            .get_json(route("/api/users/{userId}/sessions", &[user_id]), &[])
            .await?;
        Ok(list.sessions)
    }

    /// Ends one session and revokes the grants it holds (the apps' refresh tokens).
    pub async fn revoke_user_session(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<(), LogtoError> {
        self.call(
            Method::DELETE,
            route(
                "/api/users/{userId}/sessions/{sessionId}",
                &[user_id, session_id],
            ),
            &[("revokeGrantsTarget".to_owned(), "all".to_owned())],
            None,
        )
        .await
        .map(|_| ())
    }

    /// Ends every Logto session of the person; returns how many were ended. A session that
    /// ended meanwhile (404) is not an error.
    pub async fn revoke_all_user_sessions(&self, user_id: &str) -> Result<usize, LogtoError> {
        self.revoke_user_sessions_except(user_id, |_| false).await
    }

    /// Ends every Logto session of the person for which `keep` is false; returns how many
    /// were ended. A session that ended meanwhile (404) is not an error.
    pub async fn revoke_user_sessions_except(
        &self,
        user_id: &str,
        keep: impl Fn(&UserSession) -> bool,
    ) -> Result<usize, LogtoError> {
        let mut ended = 0;
        for s in self.list_user_sessions(user_id).await? {
            if keep(&s) {
                continue;
            }
            match self.revoke_user_session(user_id, s.id()).await {
                Ok(()) => ended += 1,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }
}

impl LogtoClient {
    pub async fn list_user_grants(&self, user_id: &str) -> Result<Vec<UserGrant>, LogtoError> {
        let list: GrantList = self
            .get_json(route("/api/users/{userId}/grants", &[user_id]), &[])
            .await?;
        Ok(list.grants)
    }

    /// Revokes an app's grant (its refresh tokens stop working); 404
    /// `oidc.grant_not_found` when there is none by that id for this person.
    pub async fn revoke_user_grant(&self, user_id: &str, grant_id: &str) -> Result<(), LogtoError> {
        self.call(
            Method::DELETE,
            route("/api/users/{userId}/grants/{grantId}", &[user_id, grant_id]),
            &[],
            None,
        )
        .await
        .map(|_| ())
    }
}
