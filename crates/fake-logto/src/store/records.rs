//! The records the fake keeps, shaped as Logto stores them.

use super::*;

// ---------------------------------------------------------------------------------------
// Entities

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub name: Option<String>,
    pub avatar: Option<String>,
    pub custom_data: Map<String, Value>,
    pub identities: Map<String, Value>,
    pub profile: Map<String, Value>,
    pub password: Option<String>,
    pub application_id: Option<String>,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub is_suspended: bool,
    /// `PATCH /api/users/:id/password/expiration` (Logto 1.41+); not part of user bodies.
    pub password_expired: bool,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub is_default: bool,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub custom_data: Value,
    pub is_mfa_required: bool,
    pub color: Value,
    pub branding: Value,
    pub custom_css: Option<String>,
    pub created_at: i64,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: String,
    pub scope_ids: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct OrgScope {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: String,
    pub inviter_id: Option<String>,
    pub invitee: String,
    pub accepted_user_id: Option<String>,
    pub organization_id: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    pub role_ids: Vec<String>,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct Log {
    pub id: String,
    pub key: String,
    pub payload: Value,
    pub created_at: i64,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct VerificationCode {
    pub code: String,
    pub created_at: i64,
    pub tries: u32,
}

#[derive(Debug, Clone)]
pub enum TokenOwner {
    /// client_credentials token; `all` = whether the token carries scope `all`
    M2m { all: bool },
    /// opaque user access token from the code flow
    User {
        user_id: String,
        scopes: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub owner: TokenOwner,
    pub expires_at: i64,
    /// the authorization code this token came from (revoked when the code is replayed)
    pub code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: String,
    pub login_hint: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub req: AuthRequest,
    pub user_id: String,
    /// The `sid` claim of the ID token this code gives (the session's per-app sid), for apps
    /// oidc-provider includes it for (`Store::includes_sid`).
    pub sid: Option<String>,
    pub created_at: i64,
    pub used: bool,
    pub expired: bool,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub user_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub code: Option<String>,
}

/// An OIDC sign-in session (the `_session` cookie value is its id, `payload.jti`).
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub uid: String,
    pub login_at: i64,
    pub expires_at: i64,
    /// the app the user signed in to
    pub client_id: Option<String>,
    /// oidc-provider's `authorizations`: per app signed in through this session, the `sid`
    /// its ID tokens carry (a random id of its own, not `uid` or `jti`) and its grant
    pub authorizations: BTreeMap<String, SessionAuthorization>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// (type, value) of the identifier the user signed in with
    pub identifier: Option<(String, String)>,
}

/// An app's `backchannelLogoutUri` and `backchannelLogoutSessionRequired`.
#[derive(Debug, Clone)]
pub struct BackchannelLogout {
    pub client_id: String,
    pub uri: String,
    pub session_required: bool,
}

/// One app's entry in a session's `authorizations`.
#[derive(Debug, Clone)]
pub struct SessionAuthorization {
    pub sid: String,
    pub grant_id: String,
}

impl SessionAuthorization {
    pub fn new(grant_id: String) -> Self {
        SessionAuthorization {
            sid: gen_token(21),
            grant_id,
        }
    }
}

/// What a test adds with [`FakeState::add_user_session`].
#[derive(Debug, Clone, Default)]
pub struct SessionSeed {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// the app signed in to (default: the web app)
    pub client_id: Option<String>,
    pub login_at_ms: Option<i64>,
}

/// An OIDC grant: the consent a user gave an app (refresh tokens hang off it).
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct Asset {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub latency: Duration,
    /// Added after the request was handled, before the answer goes out: the change is made
    /// while the caller still waits (a caller that dies meanwhile never learns of it).
    pub answer_latency: Duration,
    pub fail_next: u32,
    pub fail_next_status: u16,
    pub failure_rate: f64,
    pub failure_rate_status: u16,
    pub token_failure: Option<u16>,
    pub retry_after: Option<u64>,
    pub tamper_next_id_token: bool,
}
