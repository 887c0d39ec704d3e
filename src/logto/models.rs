//! Typed Logto entities. Timestamps are epoch milliseconds, as Logto sends them.
//! Unknown fields are ignored so newer Logto versions stay readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::secret::Secret;

/// `UserProfileResponse` (logto-api.md §3.1).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default = "empty_object")]
    pub custom_data: Value,
    #[serde(default)]
    pub identities: BTreeMap<String, Identity>,
    #[serde(default)]
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(default)]
    pub profile: UserProfile,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub is_suspended: bool,
    /// Present on `/api/users*`, absent on organization member lists.
    #[serde(default)]
    pub has_password: Option<bool>,
}

impl User {
    /// Best human label: name, username, email, phone, then id.
    pub fn display_name(&self) -> &str {
        [
            &self.name,
            &self.username,
            &self.primary_email,
            &self.primary_phone,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|s| !s.is_empty())
        .unwrap_or(&self.id)
    }
}

/// A social identity, keyed by connector target in `User::identities`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// OIDC standard claims kept in `profile`; all optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Body of `POST /api/users`; every field optional, `None` is not sent.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<String>,
    /// Digits only, no `+` (Logto's regex `^\d+$`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<UserProfile>,
}

/// Body of `PATCH /api/users/:id`: `None` = not sent, `Some(None)` = `null`.
/// `customData` and `profile` are left out on purpose: this route replaces them
/// wholesale; use the merge routes (`update_custom_data`, `update_user_profile`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Option<String>>,
}

impl UserPatch {
    /// Logto answers 422 `entity.invalid_input` to an empty PATCH body.
    pub fn is_empty(&self) -> bool {
        self == &UserPatch::default()
    }
}

/// `{id, name}` as embedded in members, user organizations and invitations.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum RoleType {
    #[default]
    User,
    MachineToMachine,
    /// A type this client does not know yet.
    #[serde(other)]
    Other,
}

/// A global (tenant) RBAC role.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
    #[serde(default)]
    pub is_default: bool,
}

/// An organization role (template shared by all organizations).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "empty_object")]
    pub custom_data: Value,
    #[serde(default)]
    pub is_mfa_required: bool,
    pub created_at: i64,
    /// Only with `showFeatured=true`.
    #[serde(default)]
    pub users_count: Option<u64>,
    /// Only with `showFeatured=true` (at most 3).
    #[serde(default)]
    pub featured_users: Option<Vec<FeaturedUser>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct FeaturedUser {
    pub id: String,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// An item of `GET /api/users/:id/organizations`: the organization plus the
/// user's roles in it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOrganization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "empty_object")]
    pub custom_data: Value,
    #[serde(default)]
    pub is_mfa_required: bool,
    pub created_at: i64,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

/// An item of `GET /api/organizations/:id/users`: the user's fields plus their
/// roles in that organization (sorted by name). Logto sends no `hasPassword` here.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgMember {
    pub id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default = "empty_object")]
    pub custom_data: Value,
    #[serde(default)]
    pub identities: BTreeMap<String, Identity>,
    #[serde(default)]
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(default)]
    pub profile: UserProfile,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub is_suspended: bool,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

impl OrgMember {
    /// The member as a `User` (with `has_password` unknown).
    pub fn to_user(&self) -> User {
        User {
            id: self.id.clone(),
            username: self.username.clone(),
            primary_email: self.primary_email.clone(),
            primary_phone: self.primary_phone.clone(),
            name: self.name.clone(),
            avatar: self.avatar.clone(),
            custom_data: self.custom_data.clone(),
            identities: self.identities.clone(),
            last_sign_in_at: self.last_sign_in_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            profile: self.profile.clone(),
            application_id: self.application_id.clone(),
            is_suspended: self.is_suspended,
            has_password: None,
        }
    }

    /// Best human label: name, username, email, phone, then id.
    pub fn display_name(&self) -> &str {
        [
            &self.name,
            &self.username,
            &self.primary_email,
            &self.primary_phone,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|s| !s.is_empty())
        .unwrap_or(&self.id)
    }

    pub fn has_role(&self, role_name: &str) -> bool {
        self.organization_roles.iter().any(|r| r.name == role_name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    /// Computed by Logto on read when a pending invitation is past `expiresAt`.
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Pending",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Revoked => "Revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    #[serde(default)]
    pub inviter_id: Option<String>,
    pub invitee: String,
    #[serde(default)]
    pub accepted_user_id: Option<String>,
    pub organization_id: String,
    pub status: InvitationStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

/// Body of `POST /api/organization-invitations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inviter_id: Option<String>,
    pub invitee: String,
    pub organization_id: String,
    /// Epoch ms, must be in the future.
    pub expires_at: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_role_ids: Vec<String>,
    /// `None` is sent as `false` (no email). With a payload Logto emails the
    /// invitee and rolls the invitation back when no email connector exists (501).
    #[serde(serialize_with = "payload_or_false")]
    pub message_payload: Option<Value>,
}

fn payload_or_false<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => v.serialize(s),
        None => s.serialize_bool(false),
    }
}

/// Filters of `GET /api/organization-invitations` (Logto does not paginate it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvitationFilter {
    pub organization_id: Option<String>,
    pub inviter_id: Option<String>,
    /// Case-insensitive exact email.
    pub invitee: Option<String>,
}

/// Where a verification code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeTarget {
    Email(String),
    /// Digits only, no `+` (Logto rejects E.164 with `+`).
    Phone(String),
}

impl CodeTarget {
    pub(crate) fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self {
            CodeTarget::Email(e) => m.insert("email".into(), Value::String(e.clone())),
            CodeTarget::Phone(p) => m.insert("phone".into(), Value::String(p.clone())),
        };
        m
    }
}

/// An audit log entry (sign-in flows; Management API changes are not logged).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub id: String,
    pub key: String,
    #[serde(default = "empty_object")]
    pub payload: Value,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogResult {
    Success,
    Error,
}

impl Log {
    fn payload_str(&self, key: &str) -> Option<&str> {
        self.payload.get(key).and_then(Value::as_str)
    }

    pub fn ip(&self) -> Option<&str> {
        self.payload_str("ip")
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.payload_str("userAgent")
    }

    pub fn user_id(&self) -> Option<&str> {
        self.payload_str("userId")
    }

    pub fn application_id(&self) -> Option<&str> {
        self.payload_str("applicationId")
    }

    pub fn result(&self) -> Option<LogResult> {
        match self.payload_str("result")? {
            "Success" => Some(LogResult::Success),
            "Error" => Some(LogResult::Error),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.result() == Some(LogResult::Error)
    }

    /// The Logto error code of a failed step, e.g. `session.invalid_credentials`.
    pub fn error_code(&self) -> Option<&str> {
        match self.payload.get("error")? {
            Value::Object(o) => o.get("code").and_then(Value::as_str),
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The identifier typed in a sign-in attempt (failed attempts carry no user id).
    pub fn identifier(&self) -> Option<&str> {
        let p = &self.payload;
        [
            "/params/identifier",
            "/params/identifier/value",
            "/payload/identifier/value",
        ]
        .iter()
        .find_map(|ptr| p.pointer(ptr).and_then(Value::as_str))
    }
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_from_real_answer() {
        let u: User = serde_json::from_str(r#"{"id":"z3kbxp6w5a84","username":"alice","primaryEmail":"Alice@Example.com","primaryPhone":null,"name":"Alice A","avatar":null,"customData":{},"identities":{"github":{"userId":"42","details":{"x":1}}},"lastSignInAt":null,"createdAt":1795574763464,"updatedAt":1795574763464,"profile":{"givenName":"Bob","address":{"country":"NL"}},"applicationId":null,"isSuspended":false,"hasPassword":true,"cimdClientId":null}"#).unwrap();
        assert_eq!(u.primary_email.as_deref(), Some("Alice@Example.com"));
        assert_eq!(u.created_at, 1795574763464);
        assert_eq!(u.identities["github"].user_id, "42");
        assert_eq!(u.profile.given_name.as_deref(), Some("Bob"));
        assert_eq!(u.profile.address.unwrap().country.as_deref(), Some("NL"));
        assert_eq!(u.has_password, Some(true));
    }

    #[test]
    fn member_without_has_password() {
        let m: OrgMember = serde_json::from_str(r#"{"id":"e77tieo45nss","username":"carol","primaryEmail":"carol@corp.test","primaryPhone":null,"name":"Carol C","avatar":null,"customData":{},"identities":{},"lastSignInAt":null,"createdAt":1795574763513,"updatedAt":1795574763513,"profile":{},"applicationId":null,"isSuspended":false,"organizationRoles":[{"id":"0xey","name":"member"}]}"#).unwrap();
        assert_eq!(m.username.as_deref(), Some("carol"));
        assert_eq!(m.to_user().has_password, None);
        assert!(m.has_role("member"));
        assert_eq!(m.display_name(), "Carol C");
    }

    #[test]
    fn organization_with_featured() {
        let o: UserOrganization = serde_json::from_str(r#"{"tenantId":"default","id":"jz","name":"RL","description":"d","customData":{"k2":2},"isMfaRequired":true,"color":{},"branding":{},"customCss":null,"createdAt":1795595888337,"usersCount":3,"featuredUsers":[{"id":"6r","avatar":null,"name":"RL Dave"}],"organizationRoles":[{"id":"ia","name":"admin"}]}"#).unwrap();
        assert_eq!(o.organization_roles.len(), 1);
        assert!(o.is_mfa_required);
        assert_eq!(o.name, "RL");
        let org: Organization = serde_json::from_str(r#"{"tenantId":"default","id":"jz","name":"RL","description":null,"customData":{},"createdAt":1,"usersCount":3,"featuredUsers":[{"id":"6r","avatar":null,"name":"RL Dave"}]}"#).unwrap();
        assert_eq!(org.users_count, Some(3));
        assert_eq!(
            org.featured_users.unwrap()[0].name.as_deref(),
            Some("RL Dave")
        );
    }

    #[test]
    fn patch_null_vs_absent() {
        let p = UserPatch {
            name: Some(Some("Bob".into())),
            primary_email: Some(None),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"primaryEmail":null,"name":"Bob"}"#
        );
        assert!(UserPatch::default().is_empty());
    }

    #[test]
    fn new_user_password_sent_but_not_debugged() {
        let n = NewUser {
            username: Some("a".into()),
            password: Some(Secret::new("pw")),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"username":"a","password":"pw"}"#
        );
        assert!(!format!("{n:?}").contains("pw\""));
    }

    #[test]
    fn invitation_payload_false_when_absent() {
        let mut i = NewInvitation {
            inviter_id: None,
            invitee: "a@x.io".into(),
            organization_id: "o".into(),
            expires_at: 5,
            organization_role_ids: vec!["r".into()],
            message_payload: None,
        };
        assert_eq!(
            serde_json::to_string(&i).unwrap(),
            r#"{"invitee":"a@x.io","organizationId":"o","expiresAt":5,"organizationRoleIds":["r"],"messagePayload":false}"#
        );
        i.message_payload = Some(serde_json::json!({"link":"https://p/x"}));
        assert!(serde_json::to_string(&i)
            .unwrap()
            .ends_with(r#""messagePayload":{"link":"https://p/x"}}"#));
    }

    #[test]
    fn log_helpers() {
        let l: Log = serde_json::from_str(r#"{"tenantId":"default","id":"kq","key":"Interaction.SignIn.Verification.Password.Submit","payload":{"key":"k","result":"Error","error":{"code":"session.invalid_credentials","message":"m"},"ip":"127.0.0.1","userAgent":"ua","payload":{"identifier":{"type":"username","value":"rl_alice"}}},"createdAt":1795595886892}"#).unwrap();
        assert_eq!(l.ip(), Some("127.0.0.1"));
        assert_eq!(l.user_agent(), Some("ua"));
        assert_eq!(l.result(), Some(LogResult::Error));
        assert_eq!(l.error_code(), Some("session.invalid_credentials"));
        assert_eq!(l.identifier(), Some("rl_alice"));
        assert_eq!(l.user_id(), None);
    }

    #[test]
    fn role_tolerates_unknown_type() {
        let r: Role = serde_json::from_str(
            r#"{"id":"r","name":"n","description":"d","type":"Future","isDefault":false,"usersCount":0}"#,
        )
        .unwrap();
        assert_eq!(r.r#type, RoleType::Other);
    }
}
