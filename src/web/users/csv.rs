//! CSV of users for spreadsheets, written by [`crate::web::csv`] (every cell quoted, formulas
//! neutralized).

use crate::logto::User;

/// Column names: stable English identifiers, so scripts can rely on them in any language.
pub const HEADER: [&str; 9] = [
    "id",
    "username",
    "name",
    "primary_email",
    "primary_phone",
    "created_at",
    "last_sign_in_at",
    "is_suspended",
    "has_password",
];

use crate::web::csv::{header_line, line, BOM};

/// The first line, after a byte-order mark so spreadsheet programs read UTF-8 names right.
pub fn header() -> String {
    format!("{BOM}{}", header_line(&HEADER))
}

pub fn row(u: &User) -> String {
    let created = super::iso_time(u.created_at);
    let last = u.last_sign_in_at.map(super::iso_time).unwrap_or_default();
    let has_password = match u.has_password {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    line([
        u.id.as_str(),
        u.username.as_deref().unwrap_or(""),
        u.name.as_deref().unwrap_or(""),
        u.primary_email.as_deref().unwrap_or(""),
        u.primary_phone.as_deref().unwrap_or(""),
        created.as_str(),
        last.as_str(),
        if u.is_suspended { "true" } else { "false" },
        has_password,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_shape() {
        let u: User = serde_json::from_value(serde_json::json!({
            "id": "u1", "username": "ann", "name": "=cmd|' /C calc'!A0", "primaryEmail": "a@x.io",
            "primaryPhone": null, "createdAt": 0, "lastSignInAt": null, "isSuspended": true,
            "hasPassword": true
        }))
        .unwrap();
        assert_eq!(
            row(&u),
            "\"u1\",\"ann\",\"'=cmd|' /C calc'!A0\",\"a@x.io\",\"\",\"1970-01-01T00:00:00Z\",\"\",\"true\",\"true\"\r\n"
        );
        assert!(header().starts_with("\u{feff}id,username,name,"));
    }
}
