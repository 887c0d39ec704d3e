//! The store's operations on users, sessions, grants and roles.

use super::*;

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
        self.users_sorted_where(|_| true)
    }

    /// The users `keep` accepts, ordered `createdAt` desc (only the matches are sorted).
    pub fn users_sorted_where(&self, keep: impl Fn(&User) -> bool) -> Vec<&User> {
        let mut list: Vec<&User> = self.users.values().filter(|u| keep(u)).collect();
        list.sort_unstable_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
        list
    }

    /// Every user id in list order, sorted again only after users were added or removed
    /// (`seq` moves with every insertion, the count with every deletion).
    pub fn user_order(&self) -> Arc<Vec<String>> {
        let key = (self.users.len(), self.seq);
        if let Some((at, ids)) = self.users_order.borrow().as_ref() {
            if *at == key {
                return ids.clone();
            }
        }
        let ids: Arc<Vec<String>> = Arc::new(
            self.users_sorted_where(|_| true)
                .into_iter()
                .map(|u| u.id.clone())
                .collect(),
        );
        *self.users_order.borrow_mut() = Some((key, ids.clone()));
        ids
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

    /// Whether oidc-provider puts `sid` in this app's ID tokens: only for an app with a
    /// back-channel logout URI that requires the session (`client.includeSid()`; Logto does
    /// not enable the `claims` request parameter).
    pub fn includes_sid(&self, client_id: &str) -> bool {
        self.web_backchannel_logout
            .as_ref()
            .is_some_and(|b| b.client_id == client_id && b.session_required)
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
        for (client, a) in &sess.authorizations {
            authorizations.insert(
                client.clone(),
                json!({"sid": a.sid, "grantId": a.grant_id, "persistsLogout": true}),
            );
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
}
