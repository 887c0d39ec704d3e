//! The in-memory data of the fake Logto and the public [`FakeState`] handle.
//! Split by subject: records.rs (what is stored), users.rs and orgs.rs (the store's operations),
//! state.rs (the `FakeState` handle), seed_json.rs (seeding from Logto's own JSON).

mod orgs;
mod records;
mod seed_json;
mod state;
mod users;

pub use records::*;
pub use state::FakeState;

use crate::jwt::Keys;
use crate::security::{
    MfaVerification, PersonalAccessToken, SocialCode, SocialConnector, SocialProfile,
};
use crate::{FakeLogtoConfig, LogtoVersion};
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const TENANT: &str = "default";
/// Verification codes and invitation mails: at most this many per recipient per window.
pub const MESSAGE_LIMIT: usize = 10;
pub const MESSAGE_WINDOW_MS: i64 = 600_000;
pub const CODE_TTL_MS: i64 = 600_000;
pub const CODE_MAX_TRIES: u32 = 10;
pub const AUTH_CODE_TTL_MS: i64 = 60_000;
pub const USER_TOKEN_TTL_SECS: i64 = 3600;
/// oidc-provider's default lifetime of a sign-in session and of a grant (14 days).
pub const SESSION_TTL_MS: i64 = 14 * 86_400_000;

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A lowercase `[0-9a-z]` id like Logto's.
pub fn gen_id(len: usize) -> String {
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// An opaque token (URL-safe characters).
pub fn gen_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Public value types

/// A user to seed with [`FakeState::create_user`]. JSON fields left `Null` become `{}`.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub avatar: Option<String>,
    pub custom_data: Value,
    pub profile: Value,
    pub identities: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    VerificationCode,
    OrganizationInvitation,
}

/// A message the fake "sent" through its (simulated) email or SMS connector.
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub kind: MessageKind,
    pub to: String,
    pub payload: Value,
    pub code: Option<String>,
    pub at_ms: i64,
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// raw, undecoded query string (empty when none)
    pub query: String,
    pub body: String,
    pub at_ms: i64,
}

/// What [`FakeState::seed_demo`] created.
#[derive(Debug, Clone)]
pub struct DemoSeed {
    pub operator_username: String,
    pub admin_username: String,
    pub member_username: String,
    pub password: String,
    pub org_ids: Vec<String>,
}

/// User ids in list order, and the (user count, seq) they were sorted at.
pub type UsersOrder = ((usize, u64), Arc<Vec<String>>);

/// Everything the fake knows. Guarded by one mutex; never held across an `.await`.
#[derive(Debug, Default)]
pub struct Store {
    pub base_url: String,
    pub seq: u64,
    pub users: BTreeMap<String, User>,
    pub roles: BTreeMap<String, Role>,
    /// (user id, role id)
    pub user_roles: BTreeSet<(String, String)>,
    pub orgs: BTreeMap<String, Organization>,
    pub org_roles: BTreeMap<String, OrgRole>,
    pub org_scopes: BTreeMap<String, OrgScope>,
    /// (org id, user id)
    pub members: BTreeSet<(String, String)>,
    /// (org id, user id, org role id)
    pub member_roles: BTreeSet<(String, String, String)>,
    pub invitations: BTreeMap<String, Invitation>,
    /// Just-in-time provisioning: (org id, email domain), in insertion order per org
    pub jit_domains: Vec<(String, String)>,
    /// (org id, org role id): the roles JIT members get
    pub jit_roles: BTreeSet<(String, String)>,
    /// enterprise SSO connectors as stored rows (`SsoConnector`), in creation order: Logto's
    /// query declares no order, and the table answers in insertion order
    pub sso_connectors: Vec<Value>,
    /// (org id, SSO connector id)
    pub jit_sso: BTreeSet<(String, String)>,
    pub logs: BTreeMap<String, Log>,
    pub codes: HashMap<String, VerificationCode>,
    pub message_times: HashMap<String, Vec<i64>>,
    pub sent: Vec<SentMessage>,
    pub tokens: HashMap<String, AccessToken>,
    pub auth_requests: HashMap<String, AuthRequest>,
    pub auth_codes: HashMap<String, AuthCode>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub sessions: HashMap<String, Session>,
    pub grants: BTreeMap<String, Grant>,
    /// `oidcClientMetadata` of the sign-in (Traditional) app; empty = any http(s) URI accepted
    pub web_redirect_uris: Vec<String>,
    /// Management API path templates this fake no longer declares (its OpenAPI document
    /// leaves them out and they answer 404), to imitate a Logto without them
    pub withdrawn_paths: Vec<String>,
    pub web_post_logout_redirect_uris: Vec<String>,
    /// the sign-in app's back-channel logout settings: with a URI and the session required,
    /// its ID tokens carry `sid`
    pub web_backchannel_logout: Option<BackchannelLogout>,
    /// when the configured apps were "created"
    pub apps_created_at: i64,
    /// Logto 1.37 shows each app's internal secret as `secret: "#internal:…"`
    pub internal_secrets: HashMap<String, String>,
    /// user ids in Logto's list order (createdAt desc) and the (user count, seq) they were
    /// sorted at: an unfiltered user list of 100,000 is sliced, not sorted, per request
    pub users_order: RefCell<Option<UsersOrder>>,
    /// ids the next created entities take ([`FakeState::preset_next_ids`])
    pub preset_ids: RefCell<VecDeque<String>>,
    pub assets: HashMap<String, Asset>,
    pub requests: Vec<RecordedRequest>,
    pub token_requests: u64,
    pub email_connector: bool,
    pub sms_connector: bool,
    pub storage_configured: bool,
    /// The sign-in experience's `passwordExpiration.enabled` (off by default, as in Logto).
    pub password_expiration_policy: bool,
    pub faults: Faults,
    /// MFA verifications by user id
    pub mfa: BTreeMap<String, Vec<MfaVerification>>,
    /// personal access tokens by (user id, name)
    pub access_tokens: BTreeMap<(String, String), PersonalAccessToken>,
    /// social connectors by id
    pub connectors: BTreeMap<String, SocialConnector>,
    /// codes of the fake social provider, by code
    pub social_codes: HashMap<String, SocialCode>,
    /// who the next visit of the fake social provider signs in as
    pub next_social_profile: Option<SocialProfile>,
    /// sign-ins waiting for their second step: interaction → (user id, identifier)
    pub mfa_pending: HashMap<String, (String, (String, String))>,
}
