//! Which Logto release the fake imitates, and that release's Management API description.

use serde_json::Value;
use std::sync::OnceLock;

/// The real Logto 1.37.1 `management.openapi.json` (as served by a fresh 1.37.1 tenant).
const OPENAPI_1_37: &str = include_str!("../openapi/logto-1.37.1.json");
/// Generated from `@logto/api@1.42.0` by `scripts/openapi-from-dts.py` (paths and parameters).
const OPENAPI_1_42: &str = include_str!("../openapi/logto-1.42.0.json");

/// A Logto 1.x release the fake can imitate. Behaviours gate on the minor number
/// ([`LogtoVersion::at_least`]); only releases whose OpenAPI document ships with the crate are
/// accepted (1.37 and 1.42), so every answer the fake gives is backed by that document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogtoVersion {
    minor: u32,
    patch: u32,
}

impl LogtoVersion {
    /// Logto 1.37.1: the release the recordings in `../shared` come from.
    pub const V1_37: LogtoVersion = LogtoVersion {
        minor: 37,
        patch: 1,
    };
    /// Logto 1.42.0: the newest release (sessions, grants, `{userIds}`, time windows on logs,
    /// the members' role filter, password expiry, hidden internal secrets).
    pub const V1_42: LogtoVersion = LogtoVersion {
        minor: 42,
        patch: 0,
    };
    /// Every release the fake imitates.
    pub const SUPPORTED: [LogtoVersion; 2] = [Self::V1_37, Self::V1_42];
    /// The environment variable [`LogtoVersion::from_env`] reads.
    pub const ENV: &'static str = "FAKE_LOGTO_VERSION";

    /// `"1.37"`, `"1.37.1"`, `"1.42"`, `"1.42.0"` (a patch number is accepted and kept for display;
    /// behaviour depends on the minor number only).
    pub fn parse(s: &str) -> Result<LogtoVersion, String> {
        let s = s.trim();
        let parts: Vec<&str> = s.trim_start_matches('v').split('.').collect();
        let bad = || {
            format!(
                "unsupported Logto version {s:?}: the fake imitates {}",
                Self::SUPPORTED
                    .iter()
                    .map(|v| format!("{} ({v})", v.short()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let (major, minor, patch) = match parts.as_slice() {
            [a, b] => (a.parse::<u32>(), b.parse::<u32>(), Ok(u32::MAX)),
            [a, b, c] => (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>()),
            _ => return Err(bad()),
        };
        let (Ok(1), Ok(minor), Ok(patch)) = (major, minor, patch) else {
            return Err(bad());
        };
        let known = Self::SUPPORTED
            .into_iter()
            .find(|v| v.minor == minor)
            .ok_or_else(bad)?;
        Ok(LogtoVersion {
            minor,
            patch: if patch == u32::MAX {
                known.patch
            } else {
                patch
            },
        })
    }

    /// `FAKE_LOGTO_VERSION`, or 1.42 when it is unset or empty.
    ///
    /// # Panics
    /// On a value that names no supported release, so a mistyped version never silently tests
    /// the wrong Logto.
    pub fn from_env() -> LogtoVersion {
        match std::env::var(Self::ENV) {
            Ok(v) if !v.trim().is_empty() => LogtoVersion::parse(&v)
                .unwrap_or_else(|e| panic!("fake-logto: {}={v:?}: {e}", Self::ENV)),
            _ => Self::V1_42,
        }
    }

    /// The minor release number (37 for 1.37.1).
    pub fn minor(self) -> u32 {
        self.minor
    }

    /// Whether this release is 1.`minor` or newer (`version.at_least(41)`).
    pub fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }

    /// `"1.37"`.
    pub fn short(self) -> String {
        format!("1.{}", self.minor)
    }

    /// The Management API description this release serves at
    /// `/api/.well-known/management.openapi.json`.
    pub fn openapi_text(self) -> &'static str {
        if self.at_least(42) {
            OPENAPI_1_42
        } else {
            OPENAPI_1_37
        }
    }

    /// [`LogtoVersion::openapi_text`], parsed once.
    pub fn openapi(self) -> &'static Value {
        static V37: OnceLock<Value> = OnceLock::new();
        static V42: OnceLock<Value> = OnceLock::new();
        let cell = if self.at_least(42) { &V42 } else { &V37 };
        cell.get_or_init(|| serde_json::from_str(self.openapi_text()).expect("bundled OpenAPI"))
    }

    /// The document's path templates, split into segments (`{x}` = any one segment).
    pub(crate) fn declared_paths(self) -> &'static [Vec<String>] {
        static V37: OnceLock<Vec<Vec<String>>> = OnceLock::new();
        static V42: OnceLock<Vec<Vec<String>>> = OnceLock::new();
        let cell = if self.at_least(42) { &V42 } else { &V37 };
        cell.get_or_init(|| {
            self.openapi()["paths"]
                .as_object()
                .map(|paths| {
                    paths
                        .keys()
                        .map(|p| p.split('/').map(str::to_string).collect())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Whether the release's document declares a path template matching this request path.
    pub fn declares_path(self, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        self.declared_paths()
            .iter()
            .any(|template| segments_match(template, &segments))
    }
}

fn segments_match<T: AsRef<str>>(template: &[T], segments: &[&str]) -> bool {
    template.len() == segments.len()
        && template.iter().zip(segments).all(|(t, s)| {
            let t = t.as_ref();
            if t.starts_with('{') && t.ends_with('}') {
                !s.is_empty()
            } else {
                t == *s
            }
        })
}

/// Whether a request path matches an OpenAPI path template (`{x}` = any one segment).
pub(crate) fn template_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let segments: Vec<&str> = path.split('/').collect();
    segments_match(&template, &segments)
}

impl Default for LogtoVersion {
    /// [`LogtoVersion::from_env`].
    fn default() -> Self {
        LogtoVersion::from_env()
    }
}

impl std::fmt::Display for LogtoVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}.{}", self.minor, self.patch)
    }
}

impl std::str::FromStr for LogtoVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LogtoVersion::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_spellings() {
        for (s, v) in [
            ("1.37", LogtoVersion::V1_37),
            ("1.37.1", LogtoVersion::V1_37),
            ("1.42", LogtoVersion::V1_42),
            ("1.42.0", LogtoVersion::V1_42),
            (" v1.42.0 ", LogtoVersion::V1_42),
        ] {
            assert_eq!(LogtoVersion::parse(s), Ok(v), "{s}");
        }
        assert_eq!(
            LogtoVersion::parse("1.37.0").map(|v| v.to_string()),
            Ok("1.37.0".into())
        );
        for bad in ["", "1", "1.40", "2.37", "1.42.x", "latest"] {
            let e = LogtoVersion::parse(bad).unwrap_err();
            assert!(e.contains("1.37") && e.contains("1.42"), "{bad}: {e}");
        }
    }

    #[test]
    fn gates_on_the_minor_number() {
        assert!(LogtoVersion::V1_37.at_least(37) && !LogtoVersion::V1_37.at_least(38));
        assert!(LogtoVersion::V1_42.at_least(41) && !LogtoVersion::V1_42.at_least(43));
    }

    #[test]
    fn each_release_declares_its_own_paths() {
        let sessions = "/api/users/abc/sessions";
        assert!(!LogtoVersion::V1_37.declares_path(sessions));
        assert!(LogtoVersion::V1_42.declares_path(sessions));
        for v in LogtoVersion::SUPPORTED {
            assert!(v.declares_path("/api/organizations/o1/users"));
            assert!(v.declares_path("/api/.well-known/management.openapi.json"));
            assert!(!v.declares_path("/api/nonexistent-route"));
            assert!(!v.declares_path("/api/users//roles"));
            assert_eq!(v.openapi()["info"]["version"], "Cloud");
        }
    }
}
