//! Account security: two-step verification factors, personal access tokens and social
//! connectors (Logto 1.37.1 and 1.42.0 answer the same shapes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::logto::secret::Secret;

/// `type` of an MFA verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum MfaFactor {
    Totp,
    BackupCode,
    WebAuthn,
    EmailVerificationCode,
    PhoneVerificationCode,
    /// A factor a newer Logto added.
    #[serde(other)]
    Other,
}

/// An item of `GET /api/users/:id/mfa-verifications`; secrets and codes are never listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaVerification {
    pub id: String,
    /// ISO 8601 (`2026-11-25T02:46:03.464Z`), unlike the rest of the API.
    pub created_at: String,
    #[serde(default)]
    pub last_used_at: Option<String>,
    #[serde(rename = "type")]
    pub factor: MfaFactor,
    /// Passkeys: the browser they were made in, and the name given.
    #[serde(default)]
    pub agent: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Backup codes: how many are unused.
    #[serde(default)]
    pub remain_codes: Option<u32>,
}

impl MfaVerification {
    /// `created_at` as epoch milliseconds (`None` if Logto sent something unreadable).
    pub fn created_at_ms(&self) -> Option<i64> {
        iso_to_ms(&self.created_at)
    }

    pub fn last_used_at_ms(&self) -> Option<i64> {
        self.last_used_at.as_deref().and_then(iso_to_ms)
    }
}

fn iso_to_ms(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// What `POST …/mfa-verifications {type: "Totp", secret}` answers. Logto's `secretQrCode` is a
/// `data:` URL, which the portal's CSP does not allow: the portal draws its own.
#[derive(Debug, Clone, Deserialize)]
pub struct TotpEnrolment {
    pub secret: Secret,
}

/// What `POST …/mfa-verifications {type: "BackupCode", codes}` answers.
#[derive(Debug, Clone, Deserialize)]
pub struct BackupCodes {
    pub codes: Vec<Secret>,
}

/// An item of `GET /api/users/:id/personal-access-tokens`. Logto lists each token's value too;
/// the portal does not read it (a value is shown once, when created).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalAccessToken {
    pub name: String,
    pub created_at: i64,
    /// `None`: never expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A token just created: the one time its value is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccessToken {
    pub name: String,
    pub value: Secret,
    pub created_at: i64,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum ConnectorType {
    Email,
    Sms,
    Social,
    #[serde(other)]
    Other,
}

/// An item of `GET /api/connectors` (the fields the portal uses).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocialConnector {
    pub id: String,
    /// The key of the identity in `User::identities` (`github`, `google` …).
    pub target: String,
    #[serde(rename = "type")]
    pub kind: ConnectorType,
    /// The name per language tag (`en`, `zh-TW` …).
    #[serde(default)]
    pub name: BTreeMap<String, String>,
}

impl SocialConnector {
    /// The name in `lang`, else English, else the target.
    pub fn display_name(&self, lang: &str) -> &str {
        self.name
            .get(lang)
            .or_else(|| self.name.get("en"))
            .map_or(self.target.as_str(), String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_verifications_as_logto_lists_them() {
        let list: Vec<MfaVerification> = serde_json::from_str(r#"[
            {"id":"a","createdAt":"2026-11-25T02:46:03.464Z","type":"Totp"},
            {"id":"b","createdAt":"2026-11-25T02:46:03.464Z","type":"BackupCode","remainCodes":7},
            {"id":"c","createdAt":"2026-11-25T02:46:03.464Z","lastUsedAt":"2026-11-26T00:00:00.000Z","type":"WebAuthn","agent":"Safari","name":"iPhone"},
            {"id":"d","createdAt":"x","type":"SomethingNew"}]"#).unwrap();
        assert_eq!(list[0].factor, MfaFactor::Totp);
        assert_eq!(list[0].created_at_ms(), Some(1_795_574_763_464));
        assert_eq!(list[1].remain_codes, Some(7));
        assert_eq!(list[2].name.as_deref(), Some("iPhone"));
        assert_eq!(list[2].last_used_at_ms(), Some(1_795_651_200_000));
        assert_eq!(list[3].factor, MfaFactor::Other);
        assert_eq!(list[3].created_at_ms(), None);
    }

    #[test]
    fn token_values_are_secret_and_not_listed() {
        let created: NewAccessToken = serde_json::from_str(r#"{"tenantId":"default","userId":"u","name":"ci","value":"pat_abc","createdAt":1,"expiresAt":null}"#).unwrap();
        assert_eq!(created.value.expose(), "pat_abc");
        assert!(!format!("{created:?}").contains("pat_abc"));
        let listed: PersonalAccessToken = serde_json::from_str(r#"{"tenantId":"default","userId":"u","name":"ci","value":"pat_abc","createdAt":1,"expiresAt":5}"#).unwrap();
        assert_eq!(listed.expires_at, Some(5));
        assert!(!format!("{listed:?}").contains("pat_abc"));
    }

    #[test]
    fn connector_names_fall_back_to_english_then_target() {
        let c: SocialConnector = serde_json::from_str(r#"{"id":"x","target":"github","type":"Social","name":{"en":"GitHub","zh-TW":"GitHub 帳號"}}"#).unwrap();
        assert_eq!(c.display_name("zh-TW"), "GitHub 帳號");
        assert_eq!(c.display_name("fr"), "GitHub");
        let bare: SocialConnector =
            serde_json::from_str(r#"{"id":"y","target":"google","type":"Social"}"#).unwrap();
        assert_eq!(bare.display_name("en"), "google");
        assert_eq!(bare.kind, ConnectorType::Social);
    }
}
