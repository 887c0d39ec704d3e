//! Organization invitations and where verification codes go.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::RoleRef;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
