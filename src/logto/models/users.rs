//! Users: the user body, its profile and identities, and the bodies that create or change one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::empty_object;
use crate::logto::secret::Secret;

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
        display_name_of(
            &self.id,
            [
                &self.name,
                &self.username,
                &self.primary_email,
                &self.primary_phone,
            ],
        )
    }
}

/// The first non-empty of `labels`, else `id`.
pub(super) fn display_name_of<'a>(id: &'a str, labels: [&'a Option<String>; 4]) -> &'a str {
    labels
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|s| !s.is_empty())
        .unwrap_or(id)
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
}
