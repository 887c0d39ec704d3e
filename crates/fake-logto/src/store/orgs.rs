//! The store's operations on organizations, their roles, invitations, logs and messages.

use super::*;

impl Store {
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
        self.jit_domains.retain(|(o, _)| o != org_id);
        self.jit_roles.retain(|(o, _)| o != org_id);
        self.jit_sso.retain(|(o, _)| o != org_id);
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
        self.clear_member_roles(org_id, user_id);
    }

    /// Takes every organization role of the member away (the range only, not a scan).
    pub fn clear_member_roles(&mut self, org_id: &str, user_id: &str) {
        let held = self.member_role_ids(org_id, user_id);
        for r in held {
            self.member_roles
                .remove(&(org_id.to_string(), user_id.to_string(), r));
        }
    }

    /// Gives the member these organization roles (ones already held stay).
    pub fn grant_member_roles(
        &mut self,
        org_id: &str,
        user_id: &str,
        role_ids: impl IntoIterator<Item = String>,
    ) {
        for r in role_ids {
            self.member_roles
                .insert((org_id.to_string(), user_id.to_string(), r));
        }
    }

    /// The organization's member ids, ascending (a range of the ordered set: an organization
    /// of 10,000 members among many is read without walking every membership).
    pub fn member_ids<'a>(&'a self, org_id: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.members
            .range((org_id.to_string(), String::new())..)
            .take_while(move |(o, _)| o == org_id)
            .map(|(_, u)| u)
    }

    /// The member's organization role ids (a range of the ordered set, not a scan).
    fn member_role_id_refs<'a>(
        &'a self,
        org_id: &'a str,
        user_id: &'a str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.member_roles
            .range((org_id.to_string(), user_id.to_string(), String::new())..)
            .take_while(move |(o, u, _)| o == org_id && u == user_id)
            .map(|(_, _, r)| r)
    }

    /// The member's organization roles as `{id, name}`, sorted by name.
    pub fn member_role_refs(&self, org_id: &str, user_id: &str) -> Vec<Value> {
        let mut roles: Vec<&OrgRole> = self
            .member_role_id_refs(org_id, user_id)
            .filter_map(|r| self.org_roles.get(r))
            .collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        roles
            .into_iter()
            .map(|r| json!({"id": r.id, "name": r.name}))
            .collect()
    }

    pub fn member_role_ids(&self, org_id: &str, user_id: &str) -> Vec<String> {
        self.member_role_id_refs(org_id, user_id).cloned().collect()
    }

    /// Whether the member holds the organization role.
    pub fn member_holds(&self, org_id: &str, user_id: &str, role_id: &str) -> bool {
        self.member_roles
            .contains(&(org_id.to_string(), user_id.to_string(), role_id.to_string()))
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
