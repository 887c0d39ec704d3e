//! The in-memory data of the fake Logto and the public [`FakeState`] handle.

use crate::jwt::Keys;
use crate::FakeLogtoConfig;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
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
    pub assets: HashMap<String, Asset>,
    pub requests: Vec<RecordedRequest>,
    pub token_requests: u64,
    pub email_connector: bool,
    pub sms_connector: bool,
    pub storage_configured: bool,
    pub faults: Faults,
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
        FakeState {
            shared: Arc::new(Shared {
                store: Mutex::new(Store::default()),
                config,
                keys: Keys::generate(),
            }),
        }
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
