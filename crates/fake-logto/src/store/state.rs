//! `FakeState`: the cheap handle tests and the server use on the one store.

use super::*;

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
    /// The internal secret Logto 1.37 still answers in an application's `secret` field.
    pub fn internal_secret(&self, app_id: &str) -> Option<String> {
        self.lock().internal_secrets.get(app_id).cloned()
    }

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
    /// Every global role as `(name, users holding it)`, in Logto's list order.
    pub fn role_counts(&self) -> Vec<(String, usize)> {
        let s = self.lock();
        s.roles_sorted()
            .into_iter()
            .map(|r| {
                let users = s.user_roles.iter().filter(|(_, id)| *id == r.id).count();
                (r.name.clone(), users)
            })
            .collect()
    }

    pub fn create_role(&self, name: &str, description: &str) -> String {
        self.lock().insert_role(name, description, "User")
    }

    /// Creates the organization scope `name` (once) and grants it to the organization role.
    pub fn grant_org_scope(&self, role_id: &str, name: &str) {
        let mut s = self.lock();
        let id = match s.org_scopes.values().find(|sc| sc.name == name) {
            Some(sc) => sc.id.clone(),
            None => {
                let id = s.new_unique_id(21, |id| s.org_scopes.contains_key(id));
                let scope = crate::store::OrgScope {
                    id: id.clone(),
                    name: name.to_string(),
                    description: None,
                };
                s.org_scopes.insert(id.clone(), scope);
                id
            }
        };
        if let Some(r) = s.org_roles.get_mut(role_id) {
            r.scope_ids.insert(id);
        }
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
        let role_ids = org_role_ids(&s, role_names);
        s.add_member(org_id, user_id);
        s.grant_member_roles(org_id, user_id, role_ids);
    }

    /// Replace the member's organization roles with the named ones (as a change made in
    /// Logto Console would). Panics on an unknown role name.
    pub fn set_member_roles(&self, org_id: &str, user_id: &str, role_names: &[&str]) {
        let mut s = self.lock();
        let role_ids = org_role_ids(&s, role_names);
        s.clear_member_roles(org_id, user_id);
        s.grant_member_roles(org_id, user_id, role_ids);
    }

    /// The names of the member's organization roles, sorted.
    pub fn member_role_names(&self, org_id: &str, user_id: &str) -> Vec<String> {
        let s = self.lock();
        let mut names: Vec<String> = s
            .member_role_ids(org_id, user_id)
            .iter()
            .filter_map(|r| s.org_roles.get(r).map(|r| r.name.clone()))
            .collect();
        names.sort();
        names
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

    /// Turns the sign-in experience's password expiry on or off (Logto 1.41+).
    pub fn set_password_expiration_policy(&self, on: bool) {
        self.lock().password_expiration_policy = on;
    }

    pub fn set_storage_configured(&self, on: bool) {
        self.lock().storage_configured = on;
    }

    // ----- observation -----

    /// `(id, invitee, status)` of every invitation of an organization, oldest first.
    pub fn invitations_of(&self, org_id: &str) -> Vec<(String, String, String)> {
        let s = self.lock();
        let mut found: Vec<_> = s
            .invitations
            .values()
            .filter(|i| i.organization_id == org_id)
            .map(|i| (i.seq, i.id.clone(), i.invitee.clone(), i.status.clone()))
            .collect();
        found.sort();
        found
            .into_iter()
            .map(|(_, id, invitee, status)| (id, invitee, status))
            .collect()
    }

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
    /// Delays every answer by `d` after the request was handled (see `Faults::answer_latency`).
    pub fn set_answer_latency(&self, d: Duration) {
        self.lock().faults.answer_latency = d;
    }

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

/// The ids of the named organization roles; panics on an unknown name (create it with
/// [`FakeState::create_org_role`]).
fn org_role_ids(s: &Store, role_names: &[&str]) -> Vec<String> {
    role_names
        .iter()
        .map(|n| {
            s.find_org_role_by_name(n)
                .unwrap_or_else(|| panic!("fake-logto: no organization role named {n:?}"))
                .id
                .clone()
        })
        .collect()
}
