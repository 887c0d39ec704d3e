//! The portal's password policy. Logto's admin route `PATCH /api/users/:id/password` applies
//! none, so the portal checks every new password itself: a minimum length and number of
//! character classes (`PORTAL_PASSWORD_MIN_LENGTH`, `PORTAL_PASSWORD_MIN_CLASSES`), not the
//! person's own username or email, and not a common password from the list compiled into the
//! binary (`src/common_passwords.txt`).

use std::{collections::HashSet, sync::LazyLock};

use crate::config::Config;

/// Logto stores at most 256 characters (its `password` guard).
pub const MAX_LENGTH: usize = 256;

/// Shorter personal values (e.g. a two-letter username) would refuse too many passwords.
const MIN_PERSONAL_LEN: usize = 3;

/// A stripped-down common password shorter than this is not compared (e.g. "abc" in "abc!Xyz…").
const MIN_CORE_LEN: usize = 4;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// One rule a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    TooShort,
    TooLong,
    TooFewClasses,
    /// Equals or contains the person's username or email.
    ContainsPersonalInfo,
    /// In the common-password list (also after removing leading/trailing digits and symbols).
    Common,
}

impl Violation {
    /// A stable name for message keys and the audit trail.
    pub fn code(self) -> &'static str {
        match self {
            Violation::TooShort => "too_short",
            Violation::TooLong => "too_long",
            Violation::TooFewClasses => "too_few_classes",
            Violation::ContainsPersonalInfo => "personal_info",
            Violation::Common => "common",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// Of lowercase, uppercase, digits and symbols (anything else); at most 4.
    pub min_classes: usize,
}

impl PasswordPolicy {
    pub fn new(min_length: usize, min_classes: usize) -> Self {
        PasswordPolicy {
            min_length: min_length.clamp(1, MAX_LENGTH),
            min_classes: min_classes.min(4),
        }
    }

    pub fn from_config(config: &Config) -> Self {
        Self::new(config.password_min_length, config.password_min_classes)
    }

    /// Every rule `password` breaks (empty when it is acceptable). `personal` holds the
    /// person's username and email; `None`s and short values are skipped.
    pub fn check(&self, password: &str, personal: &[Option<&str>]) -> Vec<Violation> {
        let mut out = Vec::new();
        let len = password.chars().count();
        if len < self.min_length {
            out.push(Violation::TooShort);
        }
        if len > MAX_LENGTH {
            out.push(Violation::TooLong);
        }
        if character_classes(password) < self.min_classes {
            out.push(Violation::TooFewClasses);
        }
        if contains_personal_info(password, personal) {
            out.push(Violation::ContainsPersonalInfo);
        }
        if is_common(password) {
            out.push(Violation::Common);
        }
        out
    }
}

/// How many of lowercase, uppercase, digits and symbols the password uses.
pub fn character_classes(password: &str) -> usize {
    let (mut lower, mut upper, mut digit, mut other) = (false, false, false, false);
    for c in password.chars() {
        if c.is_lowercase() {
            lower = true;
        } else if c.is_uppercase() {
            upper = true;
        } else if c.is_ascii_digit() {
            digit = true;
        } else {
            other = true;
        }
    }
    [lower, upper, digit, other]
        .into_iter()
        .filter(|b| *b)
        .count()
}

/// The password equals or contains the username, the email, or the email's local part.
fn contains_personal_info(password: &str, personal: &[Option<&str>]) -> bool {
    let pw = password.to_lowercase();
    personal
        .iter()
        .flatten()
        .flat_map(|v| {
            let v = v.trim().to_lowercase();
            let local = v.split_once('@').map(|(l, _)| l.to_string());
            std::iter::once(v).chain(local)
        })
        .filter(|v| v.chars().count() >= MIN_PERSONAL_LEN)
        .any(|v| pw.contains(&v))
}

/// In the list as typed (case-insensitive), or once leading and trailing digits and symbols
/// are removed ("Monkey2024!" is "monkey").
pub fn is_common(password: &str) -> bool {
    let lower = password.trim().to_lowercase();
    if COMMON.contains(&lower) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    core.chars().count() >= MIN_CORE_LEN && COMMON.contains(core)
}

/// Number of entries in the compiled-in list (for the page's explanation and tests).
pub fn common_list_len() -> usize {
    COMMON.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::new(10, 3)
    }

    #[test]
    fn list_is_large_and_clean() {
        assert!(common_list_len() > 2000, "{}", common_list_len());
        assert!(!COMMON.iter().any(|p| p.starts_with('#') || p.trim() != p));
    }

    #[test]
    fn accepts_a_good_password() {
        assert!(policy()
            .check(
                "Violet-Harbor-93",
                &[Some("alice"), Some("alice@example.com")]
            )
            .is_empty());
    }

    #[test]
    fn length_and_classes() {
        assert_eq!(policy().check("Ab1!", &[]), vec![Violation::TooShort]);
        assert_eq!(
            policy().check("abcdefghxyzq", &[]),
            vec![Violation::TooFewClasses]
        );
        let long = "aB3!".repeat(65);
        assert_eq!(policy().check(&long, &[]), vec![Violation::TooLong]);
        assert_eq!(character_classes("aB3!"), 4);
        assert_eq!(character_classes("密碼密碼"), 1);
        // Zero classes required and length 1 accepts almost anything not common.
        assert!(PasswordPolicy::new(1, 0).check("zq", &[]).is_empty());
        assert_eq!(PasswordPolicy::new(8, 9).min_classes, 4);
    }

    #[test]
    fn personal_information() {
        let v = policy().check("XyzAlice_Rocks9", &[Some("alice"), None]);
        assert_eq!(v, vec![Violation::ContainsPersonalInfo]);
        let v = policy().check("Bob.Smith#2026x", &[None, Some("bob.smith@corp.test")]);
        assert_eq!(v, vec![Violation::ContainsPersonalInfo]);
        // Two-letter usernames are not held against the password.
        assert!(policy().check("Violet-Harbor-93", &[Some("vi")]).is_empty());
    }

    #[test]
    fn common_passwords() {
        for pw in [
            "Password123!",
            "qwertyuiop",
            "Monkey2024!",
            "1234567890",
            "P@ssw0rd",
            "iloveyou",
        ] {
            assert!(is_common(pw), "{pw}");
        }
        for pw in [
            "Violet-Harbor-93",
            "Tr0ub4dor&3x",
            "correct horse battery staple",
        ] {
            assert!(!is_common(pw), "{pw}");
        }
        assert!(policy()
            .check("Qwertyuiop123!", &[])
            .contains(&Violation::Common));
    }
}
