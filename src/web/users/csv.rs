//! CSV of users for spreadsheets: RFC 4180 quoting, and cells that a spreadsheet would run as
//! a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'`.

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

/// One cell, neutralized and quoted as needed.
pub fn cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// The first line, after a byte-order mark so spreadsheet programs read UTF-8 names right.
pub fn header() -> String {
    format!("\u{feff}{}", line(HEADER))
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
    fn neutralizes_formulas_and_quotes() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("mid=dle"), "mid=dle");
        assert_eq!(cell(""), "");
    }

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
            "u1,ann,'=cmd|' /C calc'!A0,a@x.io,,1970-01-01T00:00:00Z,,true,true\r\n"
        );
        assert!(header().starts_with("\u{feff}id,username,name,"));
    }
}
