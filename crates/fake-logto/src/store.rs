//! The in-memory data of the fake Logto and the public [`FakeState`] handle.

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
    /// the app the user signed in to, and the grant it holds
    pub client_id: Option<String>,
    pub grant_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// (type, value) of the identifier the user signed in with
    pub identifier: Option<(String, String)>,
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
    pub fail_next: u32,
    pub fail_next_status: u16,
    pub failure_rate: f64,
    pub failure_rate_status: u16,
    pub token_failure: Option<u16>,
    pub retry_after: Option<u64>,
    pub tamper_next_id_token: bool,
}

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
    pub web_post_logout_redirect_uris: Vec<String>,
    /// when the configured apps were "created"
    pub apps_created_at: i64,
    /// Logto 1.37 shows each app's internal secret as `secret: "#internal:…"`
    pub internal_secrets: HashMap<String, String>,
    /// ids the next created entities take ([`FakeState::preset_next_ids`])
    pub preset_ids: RefCell<VecDeque<String>>,
    pub assets: HashMap<String, Asset>,
    pub requests: Vec<RecordedRequest>,
    pub token_requests: u64,
    pub email_connector: bool,
    pub sms_connector: bool,
    pub storage_configured: bool,
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

impl Store {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.base_url)
    }

    pub fn new_unique_id(&self, len: usize, exists: impl Fn(&str) -> bool) -> String {
        if let Some(id) = self.preset_ids.borrow_mut().pop_front() {
            return id;
        }
        loop {
            let id = gen_id(len);
            if !exists(&id) {
                return id;
            }
        }
    }

    // ----- users -----

    pub fn insert_user(&mut self, u: NewUser, created_at: i64) -> String {
        let id = self.new_unique_id(12, |id| self.users.contains_key(id));
        let seq = self.next_seq();
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                username: u.username,
                primary_email: u.primary_email,
                primary_phone: u.primary_phone,
                name: u.name,
                avatar: u.avatar,
                custom_data: obj(u.custom_data),
                identities: obj(u.identities),
                profile: obj(u.profile),
                password: u.password,
                application_id: None,
                last_sign_in_at: None,
                created_at,
                updated_at: created_at,
                is_suspended: false,
                password_expired: false,
                seq,
            },
        );
        id
    }

    pub fn user_json(&self, u: &User, has_password: bool) -> Value {
        let mut v = json!({
            "id": u.id,
            "username": u.username,
            "primaryEmail": u.primary_email,
            "primaryPhone": u.primary_phone,
            "name": u.name,
            "avatar": u.avatar,
            "customData": u.custom_data,
            "identities": u.identities,
            "lastSignInAt": u.last_sign_in_at,
            "createdAt": u.created_at,
            "updatedAt": u.updated_at,
            "profile": u.profile,
            "applicationId": u.application_id,
            "isSuspended": u.is_suspended,
        });
        if has_password {
            v["hasPassword"] = Value::Bool(u.password.is_some());
        }
        v
    }

    /// Users ordered `createdAt` desc (newest first).
    pub fn users_sorted(&self) -> Vec<&User> {
        let mut list: Vec<&User> = self.users.values().collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
        list
    }

    pub fn find_user_by_username(&self, username: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.username.as_deref() == Some(username))
    }

    pub fn find_user_by_email(&self, email: &str) -> Option<&User> {
        let e = email.to_lowercase();
        self.users
            .values()
            .find(|u| u.primary_email.as_deref().map(str::to_lowercase) == Some(e.clone()))
    }

    pub fn find_user_by_phone(&self, phone: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.primary_phone.as_deref() == Some(phone))
    }

    /// Remove a user and everything hanging off it (memberships, roles, invitations it sent or
    /// accepted, tokens and sessions).
    pub fn delete_user(&mut self, user_id: &str) -> bool {
        if self.users.remove(user_id).is_none() {
            return false;
        }
        self.user_roles.retain(|(u, _)| u != user_id);
        self.members.retain(|(_, u)| u != user_id);
        self.member_roles.retain(|(_, u, _)| u != user_id);
        self.invitations.retain(|_, i| {
            i.inviter_id.as_deref() != Some(user_id)
                && i.accepted_user_id.as_deref() != Some(user_id)
        });
        self.mfa.remove(user_id);
        self.access_tokens.retain(|(u, _), _| u != user_id);
        self.sign_out_user(user_id);
        true
    }

    /// Revoke the user's tokens and sessions (suspension, deletion).
    pub fn sign_out_user(&mut self, user_id: &str) {
        self.tokens.retain(|_, t| match &t.owner {
            TokenOwner::User { user_id: u, .. } => u != user_id,
            _ => true,
        });
        self.refresh_tokens.retain(|_, t| t.user_id != user_id);
        self.sessions.retain(|_, s| s.user_id != user_id);
        self.grants.retain(|_, g| g.user_id != user_id);
    }

    // ----- sessions and grants -----

    /// The user's grant for this app, created when missing.
    pub fn ensure_grant(&mut self, user_id: &str, client_id: &str, now: i64) -> String {
        if let Some(g) = self
            .grants
            .values_mut()
            .find(|g| g.user_id == user_id && g.client_id == client_id)
        {
            g.expires_at = now + SESSION_TTL_MS;
            return g.id.clone();
        }
        let id = self.new_unique_id(21, |id| self.grants.contains_key(id));
        self.grants.insert(
            id.clone(),
            Grant {
                id: id.clone(),
                user_id: user_id.to_string(),
                client_id: client_id.to_string(),
                created_at: now,
                expires_at: now + SESSION_TTL_MS,
            },
        );
        id
    }

    /// Revoke a grant and every token issued under it.
    pub fn revoke_grant(&mut self, grant_id: &str) -> bool {
        let Some(g) = self.grants.remove(grant_id) else {
            return false;
        };
        self.refresh_tokens
            .retain(|_, t| !(t.user_id == g.user_id && t.client_id == g.client_id));
        let codes = &self.auth_codes;
        self.tokens.retain(|_, t| match (&t.owner, &t.code) {
            (TokenOwner::User { user_id, .. }, Some(code)) => {
                !(user_id == &g.user_id
                    && codes
                        .get(code)
                        .is_some_and(|c| c.req.client_id == g.client_id))
            }
            _ => true,
        });
        true
    }

    /// A new sign-in session; returns its id (the `_session` cookie value).
    pub fn insert_session(&mut self, session: Session) -> String {
        let id = self.new_unique_id(21, |id| self.sessions.contains_key(id));
        self.sessions.insert(id.clone(), session);
        id
    }

    /// `GET /api/users/:id/sessions` entry (Logto 1.38+, oidc-provider's session payload).
    pub fn session_json(&self, id: &str, sess: &Session) -> Value {
        let secs = |ms: i64| ms / 1000;
        let mut authorizations = Map::new();
        if let Some(client) = &sess.client_id {
            let mut a = json!({"sid": sess.uid, "persistsLogout": true});
            if let Some(g) = &sess.grant_id {
                a["grantId"] = json!(g);
            }
            authorizations.insert(client.clone(), a);
        }
        let last_submission = sess.identifier.as_ref().map(|(kind, value)| {
            let mut context = Map::new();
            if let Some(ip) = &sess.ip {
                context.insert("ip".into(), json!(ip));
            }
            if let Some(ua) = &sess.user_agent {
                context.insert("userAgent".into(), json!(ua));
            }
            json!({
                "interactionEvent": "SignIn",
                "userId": sess.user_id,
                "verificationRecords": [{
                    "id": format!("{}-password", sess.uid),
                    "type": "Password",
                    "identifier": {"type": kind, "value": value},
                    "verified": true,
                }],
                "signInContext": context,
            })
        });
        json!({
            "payload": {
                "exp": secs(sess.expires_at),
                "iat": secs(sess.login_at),
                "jti": id,
                "uid": sess.uid,
                "kind": "Session",
                "loginTs": secs(sess.login_at),
                "accountId": sess.user_id,
                "authorizations": authorizations,
            },
            "lastSubmission": last_submission,
            "clientId": sess.client_id,
            "accountId": sess.user_id,
            "expiresAt": sess.expires_at,
        })
    }

    /// `GET /api/users/:id/grants` entry (Logto 1.38+).
    pub fn grant_json(&self, g: &Grant, app_name: &str) -> Value {
        json!({
            "id": g.id,
            "payload": {
                "exp": g.expires_at / 1000,
                "iat": g.created_at / 1000,
                "jti": g.id,
                "kind": "Grant",
                "clientId": g.client_id,
                "accountId": g.user_id,
            },
            "expiresAt": g.expires_at,
            "application": {"id": g.client_id, "name": app_name},
        })
    }

    // ----- roles -----

    pub fn role_json(&self, r: &Role) -> Value {
        json!({
            "tenantId": TENANT,
            "id": r.id,
            "name": r.name,
            "description": r.description,
            "type": r.kind,
            "isDefault": r.is_default,
        })
    }

    pub fn roles_sorted(&self) -> Vec<&Role> {
        let mut list: Vec<&Role> = self.roles.values().collect();
        list.sort_by_key(|r| r.seq);
        list
    }

    pub fn insert_role(&mut self, name: &str, description: &str, kind: &str) -> String {
        let id = self.new_unique_id(21, |id| self.roles.contains_key(id));
        let seq = self.next_seq();
        self.roles.insert(
            id.clone(),
            Role {
                id: id.clone(),
                name: name.to_string(),
                description: description.to_string(),
                kind: kind.to_string(),
                is_default: false,
                seq,
            },
        );
        id
    }

    pub fn user_role_names(&self, user_id: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .user_roles
            .iter()
            .filter(|(u, _)| u == user_id)
            .filter_map(|(_, r)| self.roles.get(r).map(|r| r.name.clone()))
            .collect();
        names.sort();
        names
    }

    // ----- organizations -----

    pub fn org_json(&self, o: &Organization) -> Value {
        json!({
            "tenantId": TENANT,
            "id": o.id,
            "name": o.name,
            "description": o.description,
            "customData": o.custom_data,
            "isMfaRequired": o.is_mfa_required,
            "color": o.color,
            "branding": o.branding,
            "customCss": o.custom_css,
            "createdAt": o.created_at,
        })
    }

    pub fn orgs_sorted(&self) -> Vec<&Organization> {
        let mut list: Vec<&Organization> = self.orgs.values().collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
        list
    }

    pub fn insert_org(&mut self, name: &str, description: Option<&str>, created_at: i64) -> String {
        let id = self.new_unique_id(12, |id| self.orgs.contains_key(id));
        let seq = self.next_seq();
        self.orgs.insert(
            id.clone(),
            Organization {
                id: id.clone(),
                name: name.to_string(),
                description: description.map(str::to_string),
                custom_data: json!({}),
                is_mfa_required: false,
                color: json!({}),
                branding: json!({}),
                custom_css: None,
                created_at,
                seq,
            },
        );
        id
    }

    pub fn delete_org(&mut self, org_id: &str) -> bool {
        if self.orgs.remove(org_id).is_none() {
            return false;
        }
        self.members.retain(|(o, _)| o != org_id);
        self.member_roles.retain(|(o, _, _)| o != org_id);
        self.invitations.retain(|_, i| i.organization_id != org_id);
        true
    }

    pub fn is_member(&self, org_id: &str, user_id: &str) -> bool {
        self.members
            .contains(&(org_id.to_string(), user_id.to_string()))
    }

    pub fn add_member(&mut self, org_id: &str, user_id: &str) {
        self.members
            .insert((org_id.to_string(), user_id.to_string()));
    }

    pub fn remove_member(&mut self, org_id: &str, user_id: &str) {
        self.members
            .remove(&(org_id.to_string(), user_id.to_string()));
        self.member_roles
            .retain(|(o, u, _)| !(o == org_id && u == user_id));
    }

    /// The member's organization roles as `{id, name}`, sorted by name.
    pub fn member_role_refs(&self, org_id: &str, user_id: &str) -> Vec<Value> {
        let mut roles: Vec<&OrgRole> = self
            .member_roles
            .iter()
            .filter(|(o, u, _)| o == org_id && u == user_id)
            .filter_map(|(_, _, r)| self.org_roles.get(r))
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        roles
            .into_iter()
            .map(|r| json!({"id": r.id, "name": r.name}))
            .collect()
    }

    pub fn member_role_ids(&self, org_id: &str, user_id: &str) -> Vec<String> {
        self.member_roles
            .iter()
            .filter(|(o, u, _)| o == org_id && u == user_id)
            .map(|(_, _, r)| r.clone())
            .collect()
    }

    pub fn user_org_ids(&self, user_id: &str) -> Vec<String> {
        self.orgs_sorted()
            .into_iter()
            .filter(|o| self.is_member(&o.id, user_id))
            .map(|o| o.id.clone())
            .collect()
    }

    // ----- organization roles and scopes -----

    pub fn org_role_json(&self, r: &OrgRole) -> Value {
        json!({
            "tenantId": TENANT,
            "id": r.id,
            "name": r.name,
            "description": r.description,
            "type": r.kind,
        })
    }

    pub fn org_scope_json(&self, s: &OrgScope) -> Value {
        json!({
            "tenantId": TENANT,
            "id": s.id,
            "name": s.name,
            "description": s.description,
        })
    }

    pub fn org_roles_sorted(&self) -> Vec<&OrgRole> {
        let mut list: Vec<&OrgRole> = self.org_roles.values().collect();
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        list
    }

    pub fn find_org_role_by_name(&self, name: &str) -> Option<&OrgRole> {
        self.org_roles.values().find(|r| r.name == name)
    }

    pub fn insert_org_role(&mut self, name: &str, description: Option<&str>, kind: &str) -> String {
        let id = self.new_unique_id(21, |id| self.org_roles.contains_key(id));
        self.org_roles.insert(
            id.clone(),
            OrgRole {
                id: id.clone(),
                name: name.to_string(),
                description: description.map(str::to_string),
                kind: kind.to_string(),
                scope_ids: BTreeSet::new(),
            },
        );
        id
    }

    // ----- invitations -----

    /// `Expired` is computed on read for pending invitations past `expiresAt`.
    pub fn invitation_status(&self, inv: &Invitation, now: i64) -> String {
        if inv.status == "Pending" && inv.expires_at < now {
            "Expired".to_string()
        } else {
            inv.status.clone()
        }
    }

    pub fn invitation_json(&self, inv: &Invitation, now: i64) -> Value {
        let mut roles: Vec<&OrgRole> = inv
            .role_ids
            .iter()
            .filter_map(|r| self.org_roles.get(r))
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        json!({
            "tenantId": TENANT,
            "id": inv.id,
            "inviterId": inv.inviter_id,
            "invitee": inv.invitee,
            "acceptedUserId": inv.accepted_user_id,
            "organizationId": inv.organization_id,
            "status": self.invitation_status(inv, now),
            "createdAt": inv.created_at,
            "updatedAt": inv.updated_at,
            "expiresAt": inv.expires_at,
            "organizationRoles": roles.iter().map(|r| json!({"id": r.id, "name": r.name})).collect::<Vec<_>>(),
        })
    }

    // ----- logs -----

    pub fn insert_log(&mut self, key: &str, mut payload: Value, created_at: i64) -> String {
        let id = self.new_unique_id(21, |id| self.logs.contains_key(id));
        let seq = self.next_seq();
        payload["key"] = Value::String(key.to_string());
        self.logs.insert(
            id.clone(),
            Log {
                id: id.clone(),
                key: key.to_string(),
                payload,
                created_at,
                seq,
            },
        );
        id
    }

    pub fn log_json(&self, l: &Log) -> Value {
        json!({
            "tenantId": TENANT,
            "id": l.id,
            "key": l.key,
            "payload": l.payload,
            "createdAt": l.created_at,
        })
    }

    // ----- outbound messages -----

    /// Message rate guard: at most [`MESSAGE_LIMIT`] sends per recipient per window.
    pub fn allow_message(&mut self, to: &str, now: i64) -> bool {
        let times = self.message_times.entry(to.to_string()).or_default();
        times.retain(|t| *t > now - MESSAGE_WINDOW_MS);
        if times.len() >= MESSAGE_LIMIT {
            return false;
        }
        times.push(now);
        true
    }
}

// ---------------------------------------------------------------------------------------
// FakeState

pub(crate) struct Shared {
    pub store: Mutex<Store>,
    pub config: FakeLogtoConfig,
    pub keys: Keys,
}

/// A cheap handle on the fake's state: seed data, observe what the portal did, inject faults.
#[derive(Clone)]
pub struct FakeState {
    pub(crate) shared: Arc<Shared>,
}

impl FakeState {
    pub(crate) fn new(config: FakeLogtoConfig) -> FakeState {
        let mut store = Store {
            apps_created_at: now_ms(),
            ..Store::default()
        };
        for app in [&config.m2m_app_id, &config.web_app_id] {
            store
                .internal_secrets
                .insert(app.clone(), format!("#internal:{}", gen_token(32)));
        }
        // every fake tenant has one social connector to link accounts with
        let github = gen_id(12);
        store.connectors.insert(
            github.clone(),
            SocialConnector {
                id: github,
                target: "github".into(),
                name: "GitHub".into(),
            },
        );
        FakeState {
            shared: Arc::new(Shared {
                store: Mutex::new(store),
                config,
                keys: Keys::generate(),
            }),
        }
    }

    /// The Logto release this fake imitates.
    pub fn version(&self) -> LogtoVersion {
        self.shared.config.version
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.shared
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn config(&self) -> &FakeLogtoConfig {
        &self.shared.config
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.shared.keys
    }

    // ----- seeding -----

    /// Insert a user directly (no validation). Returns its id.
    pub fn create_user(&self, u: NewUser) -> String {
        self.lock().insert_user(u, now_ms())
    }

    /// Insert a user with a given creation time (epoch ms).
    pub fn create_user_at(&self, u: NewUser, created_at_ms: i64) -> String {
        self.lock().insert_user(u, created_at_ms)
    }

    /// The user as `GET /api/users/:id` would answer.
    pub fn user_json(&self, user_id: &str) -> Option<Value> {
        let s = self.lock();
        s.users.get(user_id).map(|u| s.user_json(u, true))
    }

    /// The id of the organization with this name.
    pub fn find_org_id_by_name(&self, name: &str) -> Option<String> {
        self.lock()
            .orgs_sorted()
            .into_iter()
            .find(|o| o.name == name)
            .map(|o| o.id.clone())
    }

    /// The id of the user with this username (tests address seeded users by name).
    pub fn find_user_id_by_username(&self, username: &str) -> Option<String> {
        self.lock()
            .find_user_by_username(username)
            .map(|u| u.id.clone())
    }

    /// A global role of type `User`.
    pub fn create_role(&self, name: &str, description: &str) -> String {
        self.lock().insert_role(name, description, "User")
    }

    pub fn assign_role(&self, user_id: &str, role_id: &str) {
        self.lock()
            .user_roles
            .insert((user_id.to_string(), role_id.to_string()));
    }

    pub fn create_organization(&self, name: &str, description: Option<&str>) -> String {
        self.lock().insert_org(name, description, now_ms())
    }

    pub fn create_org_role(&self, name: &str, description: &str) -> String {
        self.lock().insert_org_role(name, Some(description), "User")
    }

    /// Make the user a member of the organization with the named organization roles.
    ///
    /// Panics if a role name does not exist (create it with [`FakeState::create_org_role`]).
    pub fn add_member(&self, org_id: &str, user_id: &str, role_names: &[&str]) {
        let mut s = self.lock();
        let role_ids: Vec<String> = role_names
            .iter()
            .map(|n| {
                s.find_org_role_by_name(n)
                    .unwrap_or_else(|| panic!("fake-logto: no organization role named {n:?}"))
                    .id
                    .clone()
            })
            .collect();
        s.add_member(org_id, user_id);
        for r in role_ids {
            s.member_roles
                .insert((org_id.to_string(), user_id.to_string(), r));
        }
    }

    /// Insert an invitation directly (roles by name; `status` one of Pending, Accepted,
    /// Revoked, Expired). Panics on an unknown role name.
    pub fn create_invitation(
        &self,
        org_id: &str,
        inviter_id: Option<&str>,
        invitee: &str,
        role_names: &[&str],
        expires_at_ms: i64,
        status: &str,
    ) -> String {
        let mut s = self.lock();
        let role_ids: Vec<String> = role_names
            .iter()
            .map(|n| {
                s.find_org_role_by_name(n)
                    .unwrap_or_else(|| panic!("fake-logto: no organization role named {n:?}"))
                    .id
                    .clone()
            })
            .collect();
        let id = s.new_unique_id(21, |id| s.invitations.contains_key(id));
        let seq = s.next_seq();
        let now = now_ms();
        s.invitations.insert(
            id.clone(),
            Invitation {
                id: id.clone(),
                inviter_id: inviter_id.map(str::to_string),
                invitee: invitee.to_string(),
                accepted_user_id: None,
                organization_id: org_id.to_string(),
                status: status.to_string(),
                created_at: now,
                updated_at: now,
                expires_at: expires_at_ms,
                role_ids,
                seq,
            },
        );
        id
    }

    /// Insert an audit log entry. `user_id` goes to `payload.userId` when given.
    pub fn add_log(
        &self,
        user_id: Option<&str>,
        key: &str,
        result: &str,
        ip: &str,
        user_agent: &str,
        created_at_ms: i64,
    ) -> String {
        let mut payload = json!({"result": result, "ip": ip, "userAgent": user_agent});
        if let Some(u) = user_id {
            payload["userId"] = Value::String(u.to_string());
        }
        self.lock().insert_log(key, payload, created_at_ms)
    }

    /// Demo data: see [`crate::seed`].
    pub fn seed_demo(&self) -> DemoSeed {
        crate::seed::seed_demo(self)
    }

    // ----- switches -----

    pub fn set_email_connector(&self, on: bool) {
        self.lock().email_connector = on;
    }

    pub fn set_sms_connector(&self, on: bool) {
        self.lock().sms_connector = on;
    }

    pub fn set_storage_configured(&self, on: bool) {
        self.lock().storage_configured = on;
    }

    // ----- observation -----

    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.lock().sent.clone()
    }

    /// The last verification code sent to this email or phone.
    pub fn last_verification_code(&self, email_or_phone: &str) -> Option<String> {
        self.lock()
            .sent
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::VerificationCode && m.to == email_or_phone)
            .and_then(|m| m.code.clone())
    }

    /// Number of `POST /oidc/token` requests with `grant_type=client_credentials`.
    pub fn token_requests(&self) -> u64 {
        self.lock().token_requests
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .cloned()
            .collect()
    }

    /// Every issued M2M access token becomes invalid (→ 401 `auth.unauthorized`).
    pub fn revoke_access_tokens(&self) {
        self.lock()
            .tokens
            .retain(|_, t| !matches!(t.owner, TokenOwner::M2m { .. }));
    }

    // ----- fault injection -----

    /// Added before every response.
    pub fn set_latency(&self, d: Duration) {
        self.lock().faults.latency = d;
    }

    /// The next `n` `/api/` requests answer `status` (with a Logto-like body).
    pub fn fail_next_api(&self, n: u32, status: u16) {
        let mut s = self.lock();
        s.faults.fail_next = n;
        s.faults.fail_next_status = status;
    }

    /// Random failures of `/api/` requests (`fraction` in 0.0..=1.0; 0.0 disables).
    pub fn set_api_failure_rate(&self, status: u16, fraction: f64) {
        let mut s = self.lock();
        s.faults.failure_rate = fraction.clamp(0.0, 1.0);
        s.faults.failure_rate_status = status;
    }

    /// `Some(status)`: `POST /oidc/token` fails with that status; `None` heals it.
    pub fn set_token_endpoint_failure(&self, status: Option<u16>) {
        self.lock().faults.token_failure = status;
    }

    /// `Retry-After` (seconds) on injected 429 answers; `None` (default) sends none.
    pub fn set_retry_after(&self, secs: Option<u64>) {
        self.lock().faults.retry_after = secs;
    }

    /// The next ID token issued carries a broken signature.
    pub fn tamper_next_id_token(&self) {
        self.lock().faults.tamper_next_id_token = true;
    }

    /// Every outstanding authorization code expires (exchange → 400 `invalid_grant`).
    pub fn expire_authorization_codes(&self) {
        for c in self.lock().auth_codes.values_mut() {
            c.expired = true;
        }
    }
}

/// Seeding with explicit ids, from Logto's own JSON bodies (to rebuild a recorded tenant).
impl FakeState {
    /// Insert (or replace) a user from a `GET /api/users/:id` body, keeping its `id`,
    /// timestamps and flags. `password` is what sign-in and `password/verify` accept; a body
    /// with `"hasPassword": true` and no password given gets an unguessable one.
    pub fn seed_user_json(&self, user: &Value, password: Option<&str>) -> String {
        let str_of = |k: &str| user[k].as_str().map(str::to_string);
        let obj = |k: &str| user[k].as_object().cloned().unwrap_or_default();
        let id = str_of("id").expect("fake-logto: seeded user without id");
        let now = now_ms();
        let password = password
            .map(str::to_string)
            .or_else(|| (user["hasPassword"] == Value::Bool(true)).then(|| gen_token(24)));
        let mut s = self.lock();
        let seq = s.next_seq();
        s.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                username: str_of("username"),
                primary_email: str_of("primaryEmail"),
                primary_phone: str_of("primaryPhone"),
                name: str_of("name"),
                avatar: str_of("avatar"),
                custom_data: obj("customData"),
                identities: obj("identities"),
                profile: obj("profile"),
                password,
                application_id: str_of("applicationId"),
                last_sign_in_at: user["lastSignInAt"].as_i64(),
                created_at: user["createdAt"].as_i64().unwrap_or(now),
                updated_at: user["updatedAt"].as_i64().unwrap_or(now),
                is_suspended: user["isSuspended"].as_bool().unwrap_or(false),
                password_expired: false,
                seq,
            },
        );
        id
    }

    /// Insert (or replace) a global role from a `GET /api/roles/:id` body.
    pub fn seed_role_json(&self, role: &Value) -> String {
        let id = role["id"]
            .as_str()
            .expect("fake-logto: seeded role without id")
            .to_string();
        let mut s = self.lock();
        let seq = s.next_seq();
        s.roles.insert(
            id.clone(),
            Role {
                id: id.clone(),
                name: role["name"].as_str().unwrap_or_default().to_string(),
                description: role["description"].as_str().unwrap_or_default().to_string(),
                kind: role["type"].as_str().unwrap_or("User").to_string(),
                is_default: role["isDefault"].as_bool().unwrap_or(false),
                seq,
            },
        );
        id
    }

    /// Insert (or replace) an organization from a `GET /api/organizations/:id` body.
    pub fn seed_organization_json(&self, org: &Value) -> String {
        let id = org["id"]
            .as_str()
            .expect("fake-logto: seeded organization without id")
            .to_string();
        let mut s = self.lock();
        let seq = s.next_seq();
        let or_empty = |v: &Value| if v.is_object() { v.clone() } else { json!({}) };
        s.orgs.insert(
            id.clone(),
            Organization {
                id: id.clone(),
                name: org["name"].as_str().unwrap_or_default().to_string(),
                description: org["description"].as_str().map(str::to_string),
                custom_data: or_empty(&org["customData"]),
                is_mfa_required: org["isMfaRequired"].as_bool().unwrap_or(false),
                color: or_empty(&org["color"]),
                branding: or_empty(&org["branding"]),
                custom_css: org["customCss"].as_str().map(str::to_string),
                created_at: org["createdAt"].as_i64().unwrap_or_else(now_ms),
                seq,
            },
        );
        id
    }

    /// Insert (or replace) an organization role from a `GET /api/organization-roles/:id` body.
    pub fn seed_org_role_json(&self, role: &Value) -> String {
        let id = role["id"]
            .as_str()
            .expect("fake-logto: seeded organization role without id")
            .to_string();
        let mut s = self.lock();
        let scope_ids = s
            .org_roles
            .get(&id)
            .map(|r| r.scope_ids.clone())
            .unwrap_or_default();
        s.org_roles.insert(
            id.clone(),
            OrgRole {
                id: id.clone(),
                name: role["name"].as_str().unwrap_or_default().to_string(),
                description: role["description"].as_str().map(str::to_string),
                kind: role["type"].as_str().unwrap_or("User").to_string(),
                scope_ids,
            },
        );
        id
    }

    /// Make the user a member of the organization holding exactly these organization role ids.
    pub fn seed_membership(&self, org_id: &str, user_id: &str, org_role_ids: &[&str]) {
        let mut s = self.lock();
        s.add_member(org_id, user_id);
        s.member_roles
            .retain(|(o, u, _)| !(o == org_id && u == user_id));
        for r in org_role_ids {
            s.member_roles
                .insert((org_id.to_string(), user_id.to_string(), r.to_string()));
        }
    }

    /// End a membership (with its roles), as if changed outside the Management API calls seen.
    pub fn remove_membership(&self, org_id: &str, user_id: &str) {
        self.lock().remove_member(org_id, user_id);
    }

    /// The member's organization role ids (sorted), `None` when not a member.
    pub fn member_role_ids(&self, org_id: &str, user_id: &str) -> Option<Vec<String>> {
        let s = self.lock();
        if !s.is_member(org_id, user_id) {
            return None;
        }
        let mut ids = s.member_role_ids(org_id, user_id);
        ids.sort();
        Some(ids)
    }

    /// Ids of the user's global roles (sorted).
    pub fn user_role_ids(&self, user_id: &str) -> Vec<String> {
        self.lock()
            .user_roles
            .iter()
            .filter(|(u, _)| u == user_id)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Take a global role away from the user.
    pub fn unassign_role(&self, user_id: &str, role_id: &str) {
        self.lock()
            .user_roles
            .remove(&(user_id.to_string(), role_id.to_string()));
    }

    /// Delete a user (with memberships, roles, sessions), as if deleted outside the calls seen.
    pub fn delete_user(&self, user_id: &str) -> bool {
        self.lock().delete_user(user_id)
    }

    /// Delete an organization (with its memberships and invitations).
    pub fn delete_organization(&self, org_id: &str) -> bool {
        self.lock().delete_org(org_id)
    }

    /// Ids of the organization's members (sorted).
    pub fn member_ids(&self, org_id: &str) -> Vec<String> {
        self.lock()
            .members
            .iter()
            .filter(|(o, _)| o == org_id)
            .map(|(_, u)| u.clone())
            .collect()
    }

    /// Insert (or replace) an audit log entry from a `GET /api/logs/:id` body.
    pub fn seed_log_json(&self, log: &Value) -> String {
        let id = log["id"]
            .as_str()
            .expect("fake-logto: seeded log without id")
            .to_string();
        let mut s = self.lock();
        let seq = s.next_seq();
        s.logs.insert(
            id.clone(),
            Log {
                id: id.clone(),
                key: log["key"].as_str().unwrap_or_default().to_string(),
                payload: log["payload"].clone(),
                created_at: log["createdAt"].as_i64().unwrap_or_else(now_ms),
                seq,
            },
        );
        id
    }

    /// The next entities created through the API (any kind) take these ids, in order — to
    /// replay recorded exchanges whose later requests name what an earlier one created.
    pub fn preset_next_ids(&self, ids: &[&str]) {
        self.lock()
            .preset_ids
            .borrow_mut()
            .extend(ids.iter().map(|i| i.to_string()));
    }

    /// Insert (or replace) an invitation from a `GET /api/organization-invitations/:id` body
    /// (`organizationRoles` by id; a stored `Pending` past `expiresAt` reads as `Expired`).
    pub fn seed_invitation_json(&self, inv: &Value) -> String {
        let id = inv["id"]
            .as_str()
            .expect("fake-logto: seeded invitation without id")
            .to_string();
        let str_of = |k: &str| inv[k].as_str().map(str::to_string);
        let now = now_ms();
        let status = match inv["status"].as_str() {
            Some("Expired") | None => "Pending".to_string(),
            Some(other) => other.to_string(),
        };
        let role_ids = inv["organizationRoles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut s = self.lock();
        let seq = s.next_seq();
        s.invitations.insert(
            id.clone(),
            Invitation {
                id: id.clone(),
                inviter_id: str_of("inviterId"),
                invitee: str_of("invitee").unwrap_or_default(),
                accepted_user_id: str_of("acceptedUserId"),
                organization_id: str_of("organizationId").unwrap_or_default(),
                status,
                created_at: inv["createdAt"].as_i64().unwrap_or(now),
                updated_at: inv["updatedAt"].as_i64().unwrap_or(now),
                expires_at: inv["expiresAt"].as_i64().unwrap_or(now),
                role_ids,
                seq,
            },
        );
        id
    }
}

/// Sessions, grants and the sign-in app's settings.
impl FakeState {
    /// The sign-in app's `oidcClientMetadata` (`GET /api/applications/:id`). While the redirect
    /// list is empty the fake's `/oidc/auth` accepts any http(s) `redirect_uri`; once set, only
    /// these.
    pub fn set_web_app_redirect_uris(
        &self,
        redirect_uris: &[&str],
        post_logout_redirect_uris: &[&str],
    ) {
        let mut s = self.lock();
        s.web_redirect_uris = redirect_uris.iter().map(|u| u.to_string()).collect();
        s.web_post_logout_redirect_uris = post_logout_redirect_uris
            .iter()
            .map(|u| u.to_string())
            .collect();
    }

    /// A sign-in session of the user (as if they had signed in to `seed.client_id`, default the
    /// web app), with the app's grant. Returns the session id. Listed by
    /// `GET /api/users/:id/sessions` from Logto 1.38.
    pub fn add_user_session(&self, user_id: &str, seed: SessionSeed) -> String {
        let client = seed
            .client_id
            .unwrap_or_else(|| self.config().web_app_id.clone());
        let now = now_ms();
        let login_at = seed.login_at_ms.unwrap_or(now);
        let mut s = self.lock();
        let identifier = s
            .users
            .get(user_id)
            .map(|u| match (&u.username, &u.primary_email) {
                (Some(name), _) => ("username".to_string(), name.clone()),
                (None, Some(email)) => ("email".to_string(), email.clone()),
                (None, None) => ("userId".to_string(), u.id.clone()),
            });
        let grant_id = s.ensure_grant(user_id, &client, now);
        s.insert_session(Session {
            user_id: user_id.to_string(),
            uid: gen_token(21),
            login_at,
            expires_at: login_at + SESSION_TTL_MS,
            client_id: Some(client),
            grant_id: Some(grant_id),
            ip: seed.ip,
            user_agent: seed.user_agent,
            identifier,
        })
    }

    /// A grant of the user for an app (created when missing); returns its id.
    pub fn add_user_grant(&self, user_id: &str, client_id: &str) -> String {
        self.lock().ensure_grant(user_id, client_id, now_ms())
    }

    /// Ids of the user's live sign-in sessions.
    pub fn user_session_ids(&self, user_id: &str) -> Vec<String> {
        let now = now_ms();
        let s = self.lock();
        let mut ids: Vec<String> = s
            .sessions
            .iter()
            .filter(|(_, x)| x.user_id == user_id && x.expires_at > now)
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Ids of the user's grants.
    pub fn user_grant_ids(&self, user_id: &str) -> Vec<String> {
        self.lock()
            .grants
            .values()
            .filter(|g| g.user_id == user_id)
            .map(|g| g.id.clone())
            .collect()
    }

    /// Whether the user's password is marked expired (Logto 1.41+); `None` for no such user.
    pub fn password_expired(&self, user_id: &str) -> Option<bool> {
        self.lock().users.get(user_id).map(|u| u.password_expired)
    }
}

impl FakeState {
    /// Make every stored verification code look `by` older (to test the 600 s expiry).
    pub fn age_verification_codes(&self, by: Duration) {
        for c in self.lock().codes.values_mut() {
            c.created_at -= by.as_millis() as i64;
        }
    }

    /// The URL the fake listens on (empty before `start`).
    pub fn base_url(&self) -> String {
        self.lock().base_url.clone()
    }
}
