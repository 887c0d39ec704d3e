//! The searchable fields and the ways to match them: their words in the URL, their labels,
//! and their names in Logto's search grammar.

use crate::logto::{MatchMode, SearchField};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Email,
    Phone,
    Username,
    Name,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::Username,
        Field::Email,
        Field::Phone,
        Field::Id,
    ];

    /// The value in the URL and the form.
    pub fn param(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Username => "username",
            Field::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.param() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Field::Id => "users.field.id",
            Field::Email => "users.field.email",
            Field::Phone => "users.field.phone",
            Field::Username => "users.field.username",
            Field::Name => "users.field.name",
        }
    }

    pub(super) fn logto(self) -> SearchField {
        match self {
            Field::Id => SearchField::Id,
            Field::Email => SearchField::PrimaryEmail,
            Field::Phone => SearchField::PrimaryPhone,
            Field::Username => SearchField::Username,
            Field::Name => SearchField::Name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Contains,
    StartsWith,
    Exact,
    Regex,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Contains, Mode::StartsWith, Mode::Exact, Mode::Regex];

    pub fn param(self) -> &'static str {
        match self {
            Mode::Contains => "contains",
            Mode::StartsWith => "starts",
            Mode::Exact => "exact",
            Mode::Regex => "regex",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.param() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Mode::Contains => "users.mode.contains",
            Mode::StartsWith => "users.mode.starts",
            Mode::Exact => "users.mode.exact",
            Mode::Regex => "users.mode.regex",
        }
    }

    pub(super) fn logto(self) -> MatchMode {
        match self {
            Mode::Contains => MatchMode::Contains,
            Mode::StartsWith => MatchMode::StartsWith,
            Mode::Exact => MatchMode::Exact,
            Mode::Regex => MatchMode::Regex,
        }
    }
}
