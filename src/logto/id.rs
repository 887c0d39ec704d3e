//! Ids of Logto entities (users, organizations, roles, invitations …) as they may appear in a
//! Management API path.
//!
//! Logto generates ids from `[0-9a-z]` (users and organizations 12 characters, roles and
//! invitations 21, as recorded from Logto 1.37.1); seeded and imported entities may carry
//! other lengths, upper case, `-` or `_` (e.g. `default`, `machine-to-machine_a1`). A
//! [`LogtoId`] accepts exactly that alphabet, 1 to 64 characters: never `.`, `/`, `%` or
//! anything else that could change the meaning of a path sent with the M2M token.

use std::{fmt, ops::Deref};

use serde::{Deserialize, Deserializer, Serialize};

/// Longer than any id Logto makes (21), short enough to refuse junk early.
const MAX_LEN: usize = 64;

/// A string that is safe as one Logto path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct LogtoId(String);

/// Not a Logto id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Logto id")]
pub struct InvalidId;

impl LogtoId {
    pub fn parse(candidate: &str) -> Result<LogtoId, InvalidId> {
        if is_valid(candidate) {
            Ok(LogtoId(candidate.to_string()))
        } else {
            Err(InvalidId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `candidate` could be a Logto id.
pub fn is_valid(candidate: &str) -> bool {
    !candidate.is_empty()
        && candidate.len() <= MAX_LEN
        && candidate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl std::str::FromStr for LogtoId {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, InvalidId> {
        LogtoId::parse(s)
    }
}

impl Deref for LogtoId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for LogtoId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogtoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for LogtoId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for LogtoId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<LogtoId> for String {
    fn eq(&self, other: &LogtoId) -> bool {
        *self == other.0
    }
}

impl<'de> Deserialize<'de> for LogtoId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        LogtoId::parse(&s).map_err(|_| serde::de::Error::custom("not a Logto id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_logto_ids_only() {
        for good in [
            "3u7d023v5q44",          // user, 12
            "bsoh9ombeqecyco7ywymd", // invitation, 21
            "default",
            "machine-to-machine_a1",
            "ABC123",
            "a",
        ] {
            assert_eq!(LogtoId::parse(good).unwrap().as_str(), good, "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../users",
            "..%2F..%2Fusers",
            "a/b",
            "a.b",
            "a b",
            "a%2e",
            "a?b",
            "a#b",
            "é",
            "a\0",
            &"a".repeat(65),
        ] {
            assert_eq!(LogtoId::parse(bad), Err(InvalidId), "{bad:?}");
        }
    }

    #[test]
    fn deserializes_through_the_parser() {
        let ok: LogtoId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(ok, *"abc");
        assert!(serde_json::from_str::<LogtoId>("\"..\"").is_err());
    }
}
