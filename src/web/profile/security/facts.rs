//! An account's security facts as Logto lists them, in words and without any action: the
//! two-step methods, the Logto sessions and the personal access token names. Two pages show
//! them: the person's own `/profile/security` (which adds its menus and forms) and the
//! operators' user page (`/users/{id}`, read-only).

use crate::logto::{MfaFactor, MfaVerification, PersonalAccessToken, UserSession};
use crate::web::context::PageCtx;
use crate::web::format::{Dates, Moment};

/// One two-step method: the authenticator app or a passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub id: String,
    pub name: String,
    pub added: Option<Moment>,
    pub last_used: Option<Moment>,
}

/// The backup codes: how many are left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backup {
    pub id: String,
    pub remaining: u32,
}

impl Backup {
    /// "3 unused codes left."
    pub fn left(&self, ctx: &PageCtx) -> String {
        ctx.t
            .count("security.backup.left", i64::from(self.remaining))
    }
}

/// A person's two-step methods, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Methods {
    pub totp: Option<Method>,
    pub backup: Option<Backup>,
    pub passkeys: Vec<Method>,
}

impl Methods {
    pub fn new(ctx: &PageCtx, dates: &Dates, factors: Vec<MfaVerification>) -> Methods {
        let mut methods = Methods::default();
        for f in factors {
            let method = |name: String| Method {
                id: f.id.clone(),
                name,
                added: f.created_at_ms().map(|ms| dates.moment(ms)),
                last_used: f.last_used_at_ms().map(|ms| dates.moment(ms)),
            };
            match f.factor {
                MfaFactor::Totp => methods.totp = Some(method(ctx.t.t("security.totp.name"))),
                MfaFactor::BackupCode => {
                    methods.backup = Some(Backup {
                        id: f.id.clone(),
                        remaining: f.remain_codes.unwrap_or(0),
                    });
                }
                MfaFactor::WebAuthn => {
                    let name = f
                        .name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .or_else(|| f.agent.clone())
                        .unwrap_or_else(|| ctx.t.t("security.passkeys.unnamed"));
                    methods.passkeys.push(method(name));
                }
                _ => {}
            }
        }
        methods
    }

    /// The person has no two-step method at all.
    pub fn is_empty(&self) -> bool {
        self.totp.is_none() && self.backup.is_none() && self.passkeys.is_empty()
    }
}

/// One Logto sign-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    /// "Chrome on macOS".
    pub device: String,
    pub ip: Option<String>,
    /// "Taipei, TW", when Logto recorded where the sign-in came from.
    pub place: Option<String>,
    pub signed_in: Option<Moment>,
}

pub fn sessions(ctx: &PageCtx, dates: &Dates, sessions: Vec<UserSession>) -> Vec<Session> {
    sessions
        .into_iter()
        .map(|s| {
            let context = s.context();
            let place = [context.city.as_deref(), context.country.as_deref()]
                .into_iter()
                .flatten()
                .filter(|p| !p.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Session {
                id: s.id().to_owned(),
                device: device(ctx, context.user_agent.as_deref()),
                ip: context.ip,
                place: Some(place).filter(|p| !p.is_empty()),
                signed_in: s.payload.login_ts.map(|secs| dates.moment(secs * 1000)),
            }
        })
        .collect()
}

/// One personal access token: its name and dates, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub name: String,
    pub created: Moment,
    pub expires: Option<Moment>,
    pub expired: bool,
}

pub fn tokens(dates: &Dates, tokens: Vec<PersonalAccessToken>) -> Vec<Token> {
    tokens
        .into_iter()
        .map(|t| Token {
            created: dates.moment(t.created_at),
            expires: t.expires_at.map(|ms| dates.moment(ms)),
            expired: t.expires_at.is_some_and(|ms| ms <= dates.now_ms),
            name: t.name,
        })
        .collect()
}

/// "Chrome on macOS" from a user agent; "Unknown browser" when there is none.
pub fn device(ctx: &PageCtx, user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|u| !u.trim().is_empty()) else {
        return ctx.t.t("security.sessions.unknown_device");
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("Mac OS X", "macOS"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => ctx.t.f(
            "security.sessions.browser_on",
            &[("browser", &b), ("os", &o)],
        ),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => o.to_owned(),
        (None, None) => ctx.t.t("security.sessions.unknown_device"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let ctx = PageCtx::for_tests();
        let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(device(&ctx, Some(mac)), "Chrome on macOS");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(&ctx, Some(iphone)), "Safari on iOS");
        assert_eq!(
            device(&ctx, None),
            ctx.t.t("security.sessions.unknown_device")
        );
    }

    #[test]
    fn methods_are_sorted_by_kind_and_passkeys_named() {
        let ctx = PageCtx::for_tests();
        let dates = Dates::new(ctx.t, 0);
        let factor = |id: &str, kind: &str, extra: serde_json::Value| {
            let mut v = serde_json::json!({
                "id": id, "type": kind, "createdAt": "2026-11-25T02:46:03.464Z"
            });
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::from_value::<MfaVerification>(v).unwrap()
        };
        let m = Methods::new(
            &ctx,
            &dates,
            vec![
                factor("t", "Totp", serde_json::json!({})),
                factor("b", "BackupCode", serde_json::json!({"remainCodes": 7})),
                factor("p1", "WebAuthn", serde_json::json!({"name": "Phone"})),
                factor(
                    "p2",
                    "WebAuthn",
                    serde_json::json!({"name": " ", "agent": "Safari"}),
                ),
            ],
        );
        assert!(m.totp.is_some() && !m.is_empty());
        assert_eq!(m.backup.as_ref().map(|b| b.remaining), Some(7));
        let names: Vec<&str> = m.passkeys.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Phone", "Safari"]);
        assert!(Methods::new(&ctx, &dates, vec![]).is_empty());
    }
}
