//! Custom profile fields, defined by the deployer in a TOML file (`PORTAL_PROFILE_FIELDS`) and
//! stored in the user's `customData`. Only keys defined here are ever written; everything else
//! in `customData` belongs to other applications and is left alone.
//!
//! ```toml
//! [[field]]
//! key = "employee_id"
//! label = { en = "Employee ID", zh-TW = "員工編號" }   # or a plain string
//! type = "text"                # text | number | date | select | checkbox
//! required = true
//! pattern = "E[0-9]{5}"        # text only; the whole value must match
//! editable = false             # shown read-only (default: true)
//! help = "As printed on your badge"
//!
//! [[field]]
//! key = "department"
//! label = "Department"
//! type = "select"
//! options = ["sales", { value = "eng", label = { en = "Engineering", zh-TW = "工程" } }]
//!
//! # The same shape, for organizations: kept in the organization's `customData` and edited
//! # by operators on the organization's settings page.
//! [[organization_field]]
//! key = "contract_tier"
//! label = { en = "Contract tier", zh-TW = "合約等級" }
//! type = "select"
//! options = ["basic", "enterprise"]
//! ```

use std::{collections::HashMap, path::Path};

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::lang::Lang;

/// Longest text value accepted unless the field sets `max_length`.
const DEFAULT_MAX_LENGTH: usize = 256;
const MAX_KEY_LENGTH: usize = 64;

/// A text shown to people: one string, or one per language (`en`, `zh-TW`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Label {
    Plain(String),
    Localized(HashMap<String, String>),
}

impl Label {
    pub fn get(&self, lang: Lang) -> String {
        match self {
            Label::Plain(s) => s.clone(),
            Label::Localized(m) => m
                .get(lang.code())
                .or_else(|| m.get("en"))
                .or_else(|| m.values().next())
                .cloned()
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Select,
    Checkbox,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawOption {
    Value(String),
    Labelled { value: String, label: Option<Label> },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    key: String,
    label: Option<Label>,
    #[serde(rename = "type")]
    kind: FieldKind,
    #[serde(default)]
    required: bool,
    #[serde(default = "yes")]
    editable: bool,
    pattern: Option<String>,
    #[serde(default)]
    options: Vec<RawOption>,
    min: Option<f64>,
    max: Option<f64>,
    max_length: Option<usize>,
    help: Option<Label>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    field: Vec<RawField>,
    #[serde(default)]
    organization_field: Vec<RawField>,
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    label: Option<Label>,
}

impl SelectOption {
    pub fn label(&self, lang: Lang) -> String {
        self.label
            .as_ref()
            .map(|l| l.get(lang))
            .unwrap_or_else(|| self.value.clone())
    }
}

/// One deployer-defined field.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub key: String,
    label: Option<Label>,
    help: Option<Label>,
    pub kind: FieldKind,
    pub required: bool,
    pub editable: bool,
    pattern: Option<Regex>,
    pub options: Vec<SelectOption>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_length: usize,
}

/// Why a submitted value is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Required,
    Pattern,
    NotANumber,
    BelowMin(f64),
    AboveMax(f64),
    NotADate,
    UnknownOption,
    TooLong(usize),
}

impl FieldDef {
    pub fn label(&self, lang: Lang) -> String {
        self.label
            .as_ref()
            .map(|l| l.get(lang))
            .unwrap_or_else(|| self.key.clone())
    }

    pub fn help(&self, lang: Lang) -> Option<String> {
        self.help
            .as_ref()
            .map(|h| h.get(lang))
            .filter(|h| !h.is_empty())
    }

    /// The stored value as a form shows it.
    pub fn form_value(&self, stored: Option<&Value>) -> String {
        match stored {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => other.to_string(),
        }
    }

    pub fn is_checked(&self, stored: Option<&Value>) -> bool {
        match stored {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.as_str(), "true" | "on" | "yes" | "1"),
            _ => false,
        }
    }

    /// The stored value as the read-only view shows it (option labels, yes/no left to the caller).
    pub fn display_value(&self, stored: Option<&Value>, lang: Lang) -> String {
        let raw = self.form_value(stored);
        if self.kind == FieldKind::Select {
            if let Some(o) = self.options.iter().find(|o| o.value == raw) {
                return o.label(lang);
            }
        }
        raw
    }

    /// Turns the submitted text (`None`: checkbox not ticked / field absent) into the JSON
    /// value to store; `Value::Null` clears an optional field.
    pub fn parse(&self, submitted: Option<&str>) -> Result<Value, Problem> {
        let text = submitted.map(str::trim).unwrap_or("");
        if self.kind == FieldKind::Checkbox {
            let on = !text.is_empty();
            if self.required && !on {
                return Err(Problem::Required);
            }
            return Ok(Value::Bool(on));
        }
        if text.is_empty() {
            return if self.required {
                Err(Problem::Required)
            } else {
                Ok(Value::Null)
            };
        }
        if text.chars().count() > self.max_length {
            return Err(Problem::TooLong(self.max_length));
        }
        match self.kind {
            FieldKind::Text => {
                if let Some(re) = &self.pattern {
                    if !re.is_match(text) {
                        return Err(Problem::Pattern);
                    }
                }
                Ok(Value::String(text.to_string()))
            }
            FieldKind::Number => {
                let n: f64 = text.parse().map_err(|_| Problem::NotANumber)?;
                if !n.is_finite() {
                    return Err(Problem::NotANumber);
                }
                if let Some(min) = self.min.filter(|m| n < *m) {
                    return Err(Problem::BelowMin(min));
                }
                if let Some(max) = self.max.filter(|m| n > *m) {
                    return Err(Problem::AboveMax(max));
                }
                // Whole numbers are stored as integers, so other readers see `3`, not `3.0`.
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    Ok(Value::from(n as i64))
                } else {
                    Ok(serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .ok_or(Problem::NotANumber)?)
                }
            }
            FieldKind::Date => {
                if is_iso_date(text) {
                    Ok(Value::String(text.to_string()))
                } else {
                    Err(Problem::NotADate)
                }
            }
            FieldKind::Select => {
                if self.options.iter().any(|o| o.value == text) {
                    Ok(Value::String(text.to_string()))
                } else {
                    Err(Problem::UnknownOption)
                }
            }
            FieldKind::Checkbox => unreachable!("handled above"),
        }
    }

    /// HTML `type` of the input.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Select => "select",
            FieldKind::Checkbox => "checkbox",
        }
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse().ok())
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Every custom field, in file order. Empty when `PORTAL_PROFILE_FIELDS` is unset.
#[derive(Debug, Clone, Default)]
pub struct CustomFields {
    /// `[[field]]`: people's, in the user's `customData`.
    pub fields: Vec<FieldDef>,
    /// `[[organization_field]]`: organizations', in the organization's `customData`.
    pub organization: Vec<FieldDef>,
}

/// The `[[field]]` or `[[organization_field]]` tables (`section`) of the file, checked.
fn parse_fields(raw: Vec<RawField>, section: &str) -> Result<Vec<FieldDef>, String> {
    let mut fields: Vec<FieldDef> = Vec::with_capacity(raw.len());
    for f in raw {
        let key = f.key.trim().to_string();
        let key_ok = !key.is_empty()
            && key.len() <= MAX_KEY_LENGTH
            && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !key_ok {
            return Err(format!(
                "{section} key {key:?} must start with a letter or _ and use only letters, digits, _ and - (at most {MAX_KEY_LENGTH})"
            ));
        }
        if fields.iter().any(|d| d.key == key) {
            return Err(format!("{section} key {key:?} is defined twice"));
        }
        if f.pattern.is_some() && f.kind != FieldKind::Text {
            return Err(format!(
                "field {key:?}: pattern is only for type = \"text\""
            ));
        }
        if !f.options.is_empty() && f.kind != FieldKind::Select {
            return Err(format!(
                "field {key:?}: options are only for type = \"select\""
            ));
        }
        if (f.min.is_some() || f.max.is_some()) && f.kind != FieldKind::Number {
            return Err(format!(
                "field {key:?}: min and max are only for type = \"number\""
            ));
        }
        if f.kind == FieldKind::Select && f.options.is_empty() {
            return Err(format!("field {key:?}: a select needs options"));
        }
        let pattern = match &f.pattern {
            Some(p) => Some(
                // Anchored like the HTML `pattern` attribute: the whole value must match.
                Regex::new(&format!("^(?:{p})$")).map_err(|e| {
                    format!(
                        "field {key:?}: pattern is not a valid regular expression: {}",
                        e.to_string().lines().last().unwrap_or_default()
                    )
                })?,
            ),
            None => None,
        };
        let options = f
            .options
            .into_iter()
            .map(|o| match o {
                RawOption::Value(value) => SelectOption { value, label: None },
                RawOption::Labelled { value, label } => SelectOption { value, label },
            })
            .collect();
        fields.push(FieldDef {
            key,
            label: f.label,
            help: f.help,
            kind: f.kind,
            required: f.required,
            editable: f.editable,
            pattern,
            options,
            min: f.min,
            max: f.max,
            max_length: f.max_length.unwrap_or(DEFAULT_MAX_LENGTH).max(1),
        });
    }
    Ok(fields)
}

impl CustomFields {
    /// Reads and checks the file; the error is one line for the person starting the portal.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("in {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            e.message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string()
        })?;
        Ok(CustomFields {
            fields: parse_fields(raw.field, "field")?,
            organization: parse_fields(raw.organization_field, "organization_field")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn editable(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| f.editable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = r#"
[[field]]
key = "employee_id"
label = { en = "Employee ID", zh-TW = "員工編號" }
type = "text"
required = true
pattern = "E[0-9]{5}"

[[field]]
key = "department"
label = "Department"
type = "select"
options = ["sales", { value = "eng", label = { en = "Engineering", zh-TW = "工程" } }]
editable = false

[[field]]
key = "shoe_size"
type = "number"
min = 30
max = 50

[[field]]
key = "start_date"
type = "date"

[[field]]
key = "newsletter"
type = "checkbox"
"#;

    #[test]
    fn parses_and_validates() {
        let c = CustomFields::parse(SAMPLE).unwrap();
        assert_eq!(c.fields.len(), 5);
        assert_eq!(c.editable().count(), 4);
        let id = &c.fields[0];
        assert_eq!(id.label(Lang::ZhTw), "員工編號");
        assert_eq!(id.parse(Some("E12345")), Ok(json!("E12345")));
        assert_eq!(id.parse(Some("xE12345")), Err(Problem::Pattern));
        assert_eq!(id.parse(Some(" ")), Err(Problem::Required));
        let dept = &c.fields[1];
        assert_eq!(
            dept.display_value(Some(&json!("eng")), Lang::En),
            "Engineering"
        );
        assert_eq!(dept.parse(Some("hr")), Err(Problem::UnknownOption));
        let size = &c.fields[2];
        assert_eq!(size.label(Lang::En), "shoe_size");
        assert_eq!(size.parse(Some("42")), Ok(json!(42)));
        assert_eq!(size.parse(Some("42.5")), Ok(json!(42.5)));
        assert_eq!(size.parse(Some("29")), Err(Problem::BelowMin(30.0)));
        assert_eq!(size.parse(Some("NaN")), Err(Problem::NotANumber));
        assert_eq!(size.parse(None), Ok(Value::Null));
        let date = &c.fields[3];
        assert_eq!(date.parse(Some("2024-02-29")), Ok(json!("2024-02-29")));
        assert_eq!(date.parse(Some("2023-02-29")), Err(Problem::NotADate));
        let news = &c.fields[4];
        assert_eq!(news.parse(Some("on")), Ok(json!(true)));
        assert_eq!(news.parse(None), Ok(json!(false)));
    }

    #[test]
    fn refuses_bad_definitions() {
        for (bad, what) in [
            ("[[field]]\nkey = \"a b\"\ntype = \"text\"", "must start"),
            (
                "[[field]]\nkey = \"a\"\ntype = \"text\"\n[[field]]\nkey = \"a\"\ntype = \"date\"",
                "twice",
            ),
            ("[[field]]\nkey = \"a\"\ntype = \"select\"", "needs options"),
            (
                "[[field]]\nkey = \"a\"\ntype = \"date\"\npattern = \"x\"",
                "only for",
            ),
            (
                "[[field]]\nkey = \"a\"\ntype = \"text\"\npattern = \"(\"",
                "not a valid",
            ),
            (
                "[[field]]\nkey = \"a\"\ntype = \"colour\"",
                "unknown variant",
            ),
            (
                "[[field]]\nkey = \"a\"\ntype = \"text\"\nlabl = \"x\"",
                "unknown field",
            ),
        ] {
            let e = CustomFields::parse(bad).unwrap_err();
            assert!(e.contains(what), "{bad}: {e}");
        }
        assert!(CustomFields::parse("").unwrap().is_empty());
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("2000-02-29"));
        assert!(!is_iso_date("1900-02-29"));
        assert!(!is_iso_date("2024-13-01"));
        assert!(!is_iso_date("2024-1-01"));
        assert!(!is_iso_date("２０２４-01-01"));
    }

    #[test]
    fn organization_fields_share_the_shape_and_the_checks() {
        let both = CustomFields::parse(
            r#"
[[field]]
key = "employee_id"
type = "text"

[[organization_field]]
key = "contract_tier"
label = { en = "Contract tier", zh-TW = "合約等級" }
type = "select"
options = ["basic", "enterprise"]

[[organization_field]]
key = "employee_id"
type = "number"
"#,
        )
        .unwrap();
        assert_eq!(both.fields.len(), 1);
        let keys: Vec<&str> = both.organization.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["contract_tier", "employee_id"]);
        assert_eq!(both.organization[0].label(Lang::ZhTw), "合約等級");
        let twice = CustomFields::parse(
            "[[organization_field]]\nkey = \"a\"\ntype = \"text\"\n[[organization_field]]\nkey = \"a\"\ntype = \"text\"\n",
        )
        .unwrap_err();
        assert!(
            twice.contains("organization_field key \"a\" is defined twice"),
            "{twice}"
        );
    }
}
