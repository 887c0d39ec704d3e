//! Email or phone: what differs between the two, from Logto's field names to how an address
//! is typed, stored and shown.

use serde::{Deserialize, Serialize};

use crate::logto::{CodeTarget, SearchField, User, UserPatch};
use crate::web::profile::Section;

const MAX_EMAIL: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn id(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
        }
    }

    pub(super) fn section(self) -> Section {
        match self {
            ContactKind::Email => Section::Email,
            ContactKind::Phone => Section::Phone,
        }
    }

    pub(super) fn action(self) -> &'static str {
        match self {
            ContactKind::Email => "profile.email_change",
            ContactKind::Phone => "profile.phone_change",
        }
    }

    /// Logto's field name, for the audit trail.
    pub(super) fn field(self) -> &'static str {
        match self {
            ContactKind::Email => "primaryEmail",
            ContactKind::Phone => "primaryPhone",
        }
    }

    pub(super) fn current(self, user: &User) -> Option<&str> {
        match self {
            ContactKind::Email => user.primary_email.as_deref(),
            ContactKind::Phone => user.primary_phone.as_deref(),
        }
        .filter(|s| !s.is_empty())
    }

    pub(super) fn target(self, address: &str) -> CodeTarget {
        match self {
            ContactKind::Email => CodeTarget::Email(address.to_string()),
            ContactKind::Phone => CodeTarget::Phone(address.to_string()),
        }
    }

    pub(super) fn search_field(self) -> SearchField {
        match self {
            ContactKind::Email => SearchField::PrimaryEmail,
            ContactKind::Phone => SearchField::PrimaryPhone,
        }
    }

    pub(super) fn patch(self, value: Option<String>) -> UserPatch {
        match self {
            ContactKind::Email => UserPatch {
                primary_email: Some(value),
                ..Default::default()
            },
            ContactKind::Phone => UserPatch {
                primary_phone: Some(value),
                ..Default::default()
            },
        }
    }

    /// Logto's `*_already_in_use` code for this kind.
    pub(super) fn in_use_code(self) -> &'static str {
        match self {
            ContactKind::Email => "user.email_already_in_use",
            ContactKind::Phone => "user.phone_already_in_use",
        }
    }

    /// What the person typed, as Logto stores it; `Err` is the message key.
    pub fn normalize(self, input: &str) -> Result<String, &'static str> {
        let s = input.trim();
        match self {
            ContactKind::Email => {
                // Logto's rule `^\S+@\S+\.\S+$`, with one `@`.
                let ok = s.len() <= MAX_EMAIL
                    && !s.chars().any(char::is_whitespace)
                    && s.matches('@').count() == 1
                    && s.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty()
                            && domain
                                .split_once('.')
                                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                            && !domain.ends_with('.')
                    });
                if ok {
                    Ok(s.to_string())
                } else {
                    Err("profile.contact.email_invalid")
                }
            }
            ContactKind::Phone => {
                // Logto wants digits only, country code first, no `+`.
                let digits: String = s
                    .trim_start_matches('+')
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
                    .collect();
                if (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
                    Ok(digits)
                } else {
                    Err("profile.contact.phone_invalid")
                }
            }
        }
    }

    /// How an address reads on the page.
    pub fn display(self, stored: &str) -> String {
        match self {
            ContactKind::Email => stored.to_string(),
            ContactKind::Phone => format!("+{stored}"),
        }
    }

    pub(super) fn same(self, a: &str, b: &str) -> bool {
        match self {
            ContactKind::Email => a.eq_ignore_ascii_case(b),
            ContactKind::Phone => a == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_addresses() {
        let e = ContactKind::Email;
        assert_eq!(e.normalize(" a.b@x.io ").unwrap(), "a.b@x.io");
        for bad in ["a@b", "a b@x.io", "@x.io", "a@@x.io", "a@x.", ""] {
            assert!(e.normalize(bad).is_err(), "{bad}");
        }
        let p = ContactKind::Phone;
        assert_eq!(p.normalize("+886 912-345 678").unwrap(), "886912345678");
        assert_eq!(p.display("886912345678"), "+886912345678");
        for bad in ["12345", "+1 (555) abc", "1234567890123456"] {
            assert!(p.normalize(bad).is_err(), "{bad}");
        }
        assert!(e.same("A@X.io", "a@x.IO"));
    }
}
