//! Account security data of the fake: MFA verifications (TOTP, backup codes, passkeys),
//! personal access tokens, social connectors and the codes of the fake social provider.
//! Shapes follow Logto 1.37.1 / 1.42.0 (`packages/core/src/routes/admin-user/
//! mfa-verifications.ts`, `personal-access-token.ts`, `social.ts`,
//! `routes/connector/authorization-uri.ts`; unchanged between the two releases).

use crate::store::{gen_id, gen_token, now_ms, FakeState, Store};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::{json, Value};
use sha1::Sha1;

/// Logto generates 10 backup codes of 10 lowercase hex digits (`backup-code-validation.ts`).
pub const BACKUP_CODE_COUNT: usize = 10;
/// RFC 6238 defaults, as otplib's `authenticator` uses them.
const TOTP_STEP_MS: i64 = 30_000;
/// How long a code of the fake social provider can be exchanged.
pub const SOCIAL_CODE_TTL_MS: i64 = 600_000;

/// One MFA factor bound to a user (`users.mfa_verifications` in Logto).
#[derive(Debug, Clone)]
pub struct MfaVerification {
    pub id: String,
    pub created_at: i64,
    pub factor: MfaFactor,
}

#[derive(Debug, Clone)]
pub enum MfaFactor {
    Totp {
        secret: String,
    },
    /// (code, used at)
    BackupCode {
        codes: Vec<(String, Option<i64>)>,
    },
    WebAuthn {
        name: Option<String>,
        agent: String,
        last_used_at: Option<i64>,
    },
}

impl MfaFactor {
    pub fn type_name(&self) -> &'static str {
        match self {
            MfaFactor::Totp { .. } => "Totp",
            MfaFactor::BackupCode { .. } => "BackupCode",
            MfaFactor::WebAuthn { .. } => "WebAuthn",
        }
    }
}

/// A personal access token (`personal_access_tokens`, primary key (user id, name)).
#[derive(Debug, Clone)]
pub struct PersonalAccessToken {
    pub name: String,
    pub value: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// A social connector of the tenant (the fake's is a GitHub-like provider of its own).
#[derive(Debug, Clone)]
pub struct SocialConnector {
    pub id: String,
    pub target: String,
    pub name: String,
}

/// Who signs in at the fake social provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialProfile {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A code the fake social provider handed out, exchanged by `POST /api/users/:id/identities`.
#[derive(Debug, Clone)]
pub struct SocialCode {
    pub connector_id: String,
    pub redirect_uri: String,
    pub profile: SocialProfile,
    pub created_at: i64,
}

fn iso(ms: i64) -> String {
    // Logto stores MFA dates as `new Date().toISOString()`.
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The 6-digit TOTP code of `secret` (base32) for time step `step` (RFC 6238, HMAC-SHA-1).
pub fn totp_code(secret: &str, step: i64) -> Option<String> {
    let cleaned: String = secret
        .trim_end_matches('=')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let key = data_encoding::BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    Some(format!("{:06}", bin % 1_000_000))
}

/// Whether `code` is the TOTP of `secret` at `now_ms`, one step either side (otplib's
/// `window: 1`, as Logto sets it).
pub fn totp_matches(secret: &str, code: &str, now_ms: i64) -> bool {
    let step = now_ms.div_euclid(TOTP_STEP_MS);
    let code = code.trim();
    code.len() == 6 && (-1..=1).any(|d| totp_code(secret, step + d).as_deref() == Some(code))
}

/// 20 random bytes in base32 (otplib's `generateSecret(20)`): 32 characters.
pub fn generate_totp_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// Logto's `validateTotpSecret`: 16 to 32 characters of (padded) base32.
pub fn valid_totp_secret(secret: &str) -> bool {
    let re = regex::Regex::new(
        "^(?:[2-7A-Z]{8})*(?:[2-7A-Z]{2}={6}|[2-7A-Z]{4}={4}|[2-7A-Z]{5}={3}|[2-7A-Z]{7}=)?$",
    )
    .expect("static pattern");
    (16..=32).contains(&secret.len()) && re.is_match(secret)
}

pub fn generate_backup_codes() -> Vec<String> {
    const HEX: &[u8] = b"0123456789abcdef";
    let mut rng = rand::thread_rng();
    (0..BACKUP_CODE_COUNT)
        .map(|_| (0..10).map(|_| HEX[rng.gen_range(0..16)] as char).collect())
        .collect()
}

/// Logto's `validateBackupCodes`: exactly 10 codes of 10 hex digits.
pub fn valid_backup_codes(codes: &[String]) -> bool {
    codes.len() == BACKUP_CODE_COUNT
        && codes
            .iter()
            .all(|c| c.len() == 10 && c.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `data:` URL of the QR code of `text`, as Logto's `secretQrCode` (an SVG here, a PNG at
/// Logto; both are images of the same key URI).
pub fn qr_data_url(text: &str) -> String {
    use base64::Engine;
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|q| q.render::<qrcode::render::svg::Color>().build())
        .unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

impl Store {
    /// `GET /api/users/:id/mfa-verifications` entry (`transpileUserMfaVerifications`).
    pub fn mfa_json(&self, v: &MfaVerification) -> Value {
        let mut out =
            json!({"id": v.id, "createdAt": iso(v.created_at), "type": v.factor.type_name()});
        match &v.factor {
            MfaFactor::Totp { .. } => {}
            MfaFactor::BackupCode { codes } => {
                out["remainCodes"] = json!(codes.iter().filter(|(_, used)| used.is_none()).count());
            }
            MfaFactor::WebAuthn {
                name,
                agent,
                last_used_at,
            } => {
                out["agent"] = json!(agent);
                if let Some(n) = name {
                    out["name"] = json!(n);
                }
                if let Some(t) = last_used_at {
                    out["lastUsedAt"] = json!(iso(*t));
                }
            }
        }
        out
    }

    pub fn add_mfa(&mut self, user_id: &str, factor: MfaFactor, now: i64) -> String {
        let id = gen_id(21);
        self.mfa
            .entry(user_id.to_string())
            .or_default()
            .push(MfaVerification {
                id: id.clone(),
                created_at: now,
                factor,
            });
        id
    }

    pub fn totp_secret(&self, user_id: &str) -> Option<String> {
        self.mfa.get(user_id)?.iter().find_map(|v| match &v.factor {
            MfaFactor::Totp { secret } => Some(secret.clone()),
            _ => None,
        })
    }

    /// Marks an unused backup code of the user as used; whether there was one.
    pub fn use_backup_code(&mut self, user_id: &str, code: &str, now: i64) -> bool {
        let code = code.trim().to_ascii_lowercase();
        let Some(list) = self.mfa.get_mut(user_id) else {
            return false;
        };
        for v in list.iter_mut() {
            if let MfaFactor::BackupCode { codes } = &mut v.factor {
                if let Some(entry) = codes
                    .iter_mut()
                    .find(|(c, used)| used.is_none() && *c == code)
                {
                    entry.1 = Some(now);
                    return true;
                }
            }
        }
        false
    }

    /// `PersonalAccessTokens.guard`: the value is part of every answer, lists included.
    pub fn pat_json(&self, user_id: &str, t: &PersonalAccessToken) -> Value {
        json!({
            "tenantId": crate::store::TENANT,
            "userId": user_id,
            "name": t.name,
            "value": t.value,
            "createdAt": t.created_at,
            "expiresAt": t.expires_at,
        })
    }

    /// `GET /api/connectors` entry (`ConnectorResponse`), social connectors and the simulated
    /// email and SMS connectors.
    pub fn connector_json(&self, id: &str, kind: &str, target: &str, name: &str) -> Value {
        json!({
            "id": id,
            "syncProfile": false,
            "enableTokenStorage": false,
            "config": {},
            "metadata": {"target": target, "name": {"en": name}, "logo": "", "logoDark": null},
            "connectorId": format!("fake-{target}"),
            "target": target,
            "name": {"en": name},
            "description": {"en": format!("{name} (fake Logto)")},
            "logo": "",
            "logoDark": null,
            "readme": "",
            "platform": if kind == "Social" { json!("Universal") } else { Value::Null },
            "type": kind,
            "isStandard": false,
            "isDemo": false,
        })
    }
}

/// MFA factors, access tokens and social sign-in, for tests.
impl FakeState {
    /// Binds a TOTP factor with this base32 secret; returns the verification id.
    pub fn add_totp(&self, user_id: &str, secret: &str) -> String {
        self.lock().add_mfa(
            user_id,
            MfaFactor::Totp {
                secret: secret.to_string(),
            },
            now_ms(),
        )
    }

    /// Binds backup codes; returns the verification id.
    pub fn add_backup_codes(&self, user_id: &str, codes: &[&str]) -> String {
        let codes = codes.iter().map(|c| (c.to_string(), None)).collect();
        self.lock()
            .add_mfa(user_id, MfaFactor::BackupCode { codes }, now_ms())
    }

    /// A passkey (WebAuthn factor) as if bound at sign-in; returns the verification id.
    pub fn add_passkey(&self, user_id: &str, name: Option<&str>, agent: &str) -> String {
        self.add_passkey_at(user_id, name, agent, now_ms())
    }

    /// [`Self::add_passkey`], registered at `created_at` (ms since the epoch).
    pub fn add_passkey_at(
        &self,
        user_id: &str,
        name: Option<&str>,
        agent: &str,
        created_at: i64,
    ) -> String {
        self.lock().add_mfa(
            user_id,
            MfaFactor::WebAuthn {
                name: name.map(str::to_string),
                agent: agent.to_string(),
                last_used_at: None,
            },
            created_at,
        )
    }

    /// The user's MFA verifications as `GET /api/users/:id/mfa-verifications` lists them.
    pub fn mfa_verifications(&self, user_id: &str) -> Vec<Value> {
        let s = self.lock();
        s.mfa
            .get(user_id)
            .map(|list| list.iter().map(|v| s.mfa_json(v)).collect())
            .unwrap_or_default()
    }

    /// The user's TOTP secret, if one is bound.
    pub fn totp_secret(&self, user_id: &str) -> Option<String> {
        self.lock().totp_secret(user_id)
    }

    /// A personal access token of the user; returns its value.
    pub fn add_personal_access_token(
        &self,
        user_id: &str,
        name: &str,
        expires_at: Option<i64>,
    ) -> String {
        let value = format!("pat_{}", gen_token(32));
        self.lock().access_tokens.insert(
            (user_id.to_string(), name.to_string()),
            PersonalAccessToken {
                name: name.to_string(),
                value: value.clone(),
                created_at: now_ms(),
                expires_at,
            },
        );
        value
    }

    /// Names of the user's personal access tokens.
    pub fn personal_access_token_names(&self, user_id: &str) -> Vec<String> {
        self.lock()
            .access_tokens
            .range((user_id.to_string(), String::new())..)
            .take_while(|((u, _), _)| u == user_id)
            .map(|((_, name), _)| name.clone())
            .collect()
    }

    /// Adds a social connector; returns its id.
    pub fn add_social_connector(&self, target: &str, name: &str) -> String {
        let id = gen_id(12);
        self.lock().connectors.insert(
            id.clone(),
            SocialConnector {
                id: id.clone(),
                target: target.to_string(),
                name: name.to_string(),
            },
        );
        id
    }

    /// The id of the seeded GitHub connector (target `github`).
    pub fn social_connector_id(&self) -> String {
        self.lock()
            .connectors
            .values()
            .find(|c| c.target == "github")
            .map(|c| c.id.clone())
            .unwrap_or_default()
    }

    /// Who the next visit of the fake social provider signs in as (default: a new person each
    /// time).
    pub fn set_next_social_profile(&self, id: &str, name: Option<&str>, email: Option<&str>) {
        self.lock().next_social_profile = Some(SocialProfile {
            id: id.to_string(),
            name: name.map(str::to_string),
            email: email.map(str::to_string),
        });
    }
}

/// The fake social provider's "sign-in": a code for the next profile, bound to the connector
/// and the redirect URI it will be exchanged with.
pub fn issue_social_code(s: &mut Store, connector_id: &str, redirect_uri: &str) -> String {
    let profile = s.next_social_profile.take().unwrap_or_else(|| {
        let n = gen_id(8);
        SocialProfile {
            id: format!("gh-{n}"),
            name: Some(format!("Social {n}")),
            email: Some(format!("social-{n}@example.com")),
        }
    });
    let code = gen_token(32);
    let now = now_ms();
    s.social_codes
        .retain(|_, c| c.created_at + SOCIAL_CODE_TTL_MS > now);
    s.social_codes.insert(
        code.clone(),
        SocialCode {
            connector_id: connector_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            profile,
            created_at: now,
        },
    );
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B: key "12345678901234567890", 8 digits; the 6 low digits here.
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp_code(&secret, t / 30).as_deref(), Some(code), "t={t}");
        }
        assert!(totp_matches(&secret, "287082", 59_000));
        assert!(totp_matches(&secret, "287082", 89_000), "one step late");
        assert!(!totp_matches(&secret, "287082", 120_000), "two steps late");
    }

    #[test]
    fn secrets_and_codes_have_logtos_format() {
        let s = generate_totp_secret();
        assert_eq!(s.len(), 32);
        assert!(valid_totp_secret(&s));
        assert!(!valid_totp_secret("short"));
        assert!(!valid_totp_secret("abcdefghabcdefgh"), "lowercase");
        let codes = generate_backup_codes();
        assert!(valid_backup_codes(&codes));
        assert!(!valid_backup_codes(&codes[1..]));
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_795_574_763_464), "2026-11-25T02:46:03.464Z");
    }
}
