//! Seeding with explicit ids, from Logto's own JSON bodies.

use super::*;

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
        s.clear_member_roles(org_id, user_id);
        s.grant_member_roles(org_id, user_id, org_role_ids.iter().map(|r| r.to_string()));
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

    /// Ids of the organization's members (sorted: Logto's member order).
    pub fn member_ids(&self, org_id: &str) -> Vec<String> {
        self.lock().member_ids(org_id).cloned().collect()
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

    /// Gives the sign-in app a back-channel logout URI (`backchannelLogoutUri`) and whether it
    /// requires the session (`backchannelLogoutSessionRequired`). With both, like Logto, the
    /// app's ID tokens carry the `sid` claim that `GET /api/users/:id/sessions` lists under
    /// `payload.authorizations[<app id>].sid`.
    pub fn set_web_app_backchannel_logout(&self, uri: Option<&str>, session_required: bool) {
        let client_id = self.config().web_app_id.clone();
        self.lock().web_backchannel_logout = uri.map(|u| BackchannelLogout {
            client_id,
            uri: u.to_string(),
            session_required,
        });
    }

    /// The `sid` claim the sign-in app's ID tokens from this session carry.
    pub fn session_sid(&self, session_id: &str) -> Option<String> {
        let web = self.config().web_app_id.clone();
        self.lock()
            .sessions
            .get(session_id)?
            .authorizations
            .get(&web)
            .map(|a| a.sid.clone())
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
        let authorizations =
            BTreeMap::from([(client.clone(), SessionAuthorization::new(grant_id))]);
        s.insert_session(Session {
            user_id: user_id.to_string(),
            uid: gen_token(21),
            login_at,
            expires_at: login_at + SESSION_TTL_MS,
            client_id: Some(client),
            authorizations,
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
