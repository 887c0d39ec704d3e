//! Logto's search grammar (core/utils/search.ts): `search`, `search.<field>`, `mode`,
//! `mode.<field>`, `joint`/`jointMode`, `isCaseSensitive`, with SQL `LIKE`/`ILIKE`, `=`,
//! `SIMILAR TO` and POSIX regex semantics evaluated in memory.

use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Exact,
    Like,
    SimilarTo,
    Posix,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        match s {
            "exact" => Some(Mode::Exact),
            "like" => Some(Mode::Like),
            "similar_to" => Some(Mode::SimilarTo),
            "posix" => Some(Mode::Posix),
            _ => None,
        }
    }
}

const MODES: &str = "exact, like, similar_to, posix";

#[derive(Debug, Clone)]
struct Item {
    mode: Mode,
    field: Option<String>,
    values: Vec<String>,
}

/// A compiled condition on one or more fields.
#[derive(Debug)]
enum Cond {
    Exact {
        values: Vec<String>,
        lower: bool,
    },
    Pattern(Regex),
    /// Case-insensitive `%text%` with an ASCII `text` (the directory's quick search): a
    /// byte search, as the regex is slow over 100,000 rows; the regex for other values.
    Contains {
        needle: Vec<u8>,
        regex: Regex,
    },
}

/// `%text%` where `text` is ASCII without wildcards or escapes: its lowercase bytes.
fn plain_contains(pattern: &str) -> Option<Vec<u8>> {
    let inner = pattern.strip_prefix('%')?.strip_suffix('%')?;
    let plain = !inner.is_empty() && inner.is_ascii() && !inner.contains(['%', '_', '\\']);
    plain.then(|| inner.to_ascii_lowercase().into_bytes())
}

fn contains_ascii_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|w| w[0].to_ascii_lowercase() == needle[0] && w.eq_ignore_ascii_case(needle))
}

#[derive(Debug)]
struct Compiled {
    fields: Vec<String>,
    cond: Cond,
}

/// A parsed, validated search; `matches` evaluates a row.
#[derive(Debug)]
pub struct Search {
    conds: Vec<Compiled>,
    and: bool,
}

fn nested_error(key: &str) -> String {
    let rest: Vec<&str> = key.split('.').skip(1).collect();
    format!(
        "Unsupported nested search field path `{}` detected. Only the first level field is supported.",
        rest.join(".")
    )
}

/// `search.foo` → `Some("foo")`, `search` → `None`; nested paths are an error.
fn search_field(key: &str) -> Result<Option<String>, String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.len() > 2 {
        return Err(nested_error(key));
    }
    Ok(parts.get(1).map(|s| s.to_string()))
}

/// snake-case like the `snake-case` npm package for the identifiers Logto accepts.
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if prev_lower || (prev_upper && next_lower) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if *c == '-' || *c == ' ' {
            out.push('_');
        } else {
            out.push(*c);
        }
    }
    out
}

/// SQL LIKE pattern → anchored regex (`%` any run, `_` one char, `\` escapes).
pub fn like_to_regex(pattern: &str) -> String {
    let mut out = String::from("^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str(&regex::escape("\\")),
            },
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push('$');
    out
}

/// SQL `SIMILAR TO` pattern → anchored regex (PostgreSQL's `similar_escape`): `%` and `_`
/// are wildcards, `.` `^` `$` are literal, `| * + ? {m,n} ( ) [...]` keep their regex meaning.
pub fn similar_to_regex(pattern: &str) -> String {
    let mut out = String::from("^(?:");
    let mut chars = pattern.chars().peekable();
    let mut in_bracket = false;
    while let Some(c) = chars.next() {
        if in_bracket {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
            if c == ']' {
                in_bracket = false;
            }
            continue;
        }
        match c {
            '\\' => match chars.next() {
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str("\\\\"),
            },
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '[' => {
                in_bracket = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '|' | '*' | '+' | '?' | '{' | '}' | '(' | ')' | ',' => out.push(c),
            d if d.is_ascii_digit() => out.push(d),
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push_str(")$");
    out
}

fn build_regex(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .dot_matches_new_line(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| "Invalid regular expression.".to_string())
}

fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "y")
}

/// Parse and validate the search parameters (`pairs` in query order) for `fields`
/// (snake_case column names). Errors are the reasons Logto puts after "Input is invalid. ".
pub fn parse(pairs: &[(String, String)], fields: &[&str]) -> Result<Search, String> {
    let first = |k: &str| {
        pairs
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.as_str())
    };
    let joint = first("joint").or_else(|| first("jointMode")).unwrap_or("");
    let and = match joint {
        "" | "or" => false,
        "and" => true,
        other => {
            return Err(format!(
                "Search joint mode `{other}` is not valid, expect one of or, and."
            ))
        }
    };
    let case_sensitive = is_true(first("isCaseSensitive").unwrap_or("false"));

    let mut modes: Vec<(Option<String>, Mode)> = Vec::new();
    let mut values: Vec<(Option<String>, Vec<String>)> = Vec::new();
    for (key, value) in pairs {
        if key.starts_with("mode") {
            let field = search_field(key)?;
            let mode = Mode::parse(value).ok_or_else(|| match &field {
                Some(f) => format!(
                    "Search match mode `{value}` for field `{f}` is not valid, expect one of {MODES}."
                ),
                None => format!("Search match mode `{value}` is not valid, expect one of {MODES}."),
            })?;
            if let Some(e) = modes.iter_mut().find(|(f, _)| *f == field) {
                e.1 = mode;
            } else {
                modes.push((field, mode));
            }
            continue;
        }
        if key.starts_with("search") {
            let field = search_field(key)?;
            if let Some(e) = values.iter_mut().find(|(f, _)| *f == field) {
                e.1.push(value.clone());
            } else {
                values.push((field, vec![value.clone()]));
            }
        }
    }
    let mode_for = |field: &Option<String>| {
        modes
            .iter()
            .find(|(f, _)| f == field)
            .or_else(|| modes.iter().find(|(f, _)| f.is_none()))
            .map(|(_, m)| *m)
            .unwrap_or(Mode::Like)
    };
    let mut items = Vec::new();
    for (field, vals) in values {
        let mode = mode_for(&field);
        if mode == Mode::Exact {
            if vals.iter().any(|v| v.is_empty()) {
                return Err("Search value cannot be empty.".into());
            }
        } else {
            if vals.len() != 1 {
                return Err(
                    "Only one search value is allowed when search mode is not `exact`.".into(),
                );
            }
            if vals[0].is_empty() {
                return Err("Search value cannot be empty.".into());
            }
        }
        items.push(Item {
            mode,
            field,
            values: vals,
        });
    }

    let mut conds = Vec::new();
    for item in items {
        let field = item.field.as_deref().map(snake_case);
        if let Some(f) = &field {
            if !fields.contains(&f.as_str()) {
                return Err(format!(
                    "Search field `{f}` is not valid, expect one of {}.",
                    fields.join(", ")
                ));
            }
        }
        let target: Vec<String> = match &field {
            Some(f) => vec![f.clone()],
            None => fields.iter().map(|f| f.to_string()).collect(),
        };
        let cond = match item.mode {
            Mode::Exact => Cond::Exact {
                lower: !case_sensitive,
                values: if case_sensitive {
                    item.values
                } else {
                    item.values.iter().map(|v| v.to_lowercase()).collect()
                },
            },
            Mode::Like => {
                let regex = build_regex(&like_to_regex(&item.values[0]), !case_sensitive)?;
                match plain_contains(&item.values[0]).filter(|_| !case_sensitive) {
                    Some(needle) => Cond::Contains { needle, regex },
                    None => Cond::Pattern(regex),
                }
            }
            Mode::SimilarTo => {
                if !case_sensitive {
                    return Err("Cannot use case-insensitive match for `similar to`.".into());
                }
                Cond::Pattern(build_regex(&similar_to_regex(&item.values[0]), false)?)
            }
            Mode::Posix => Cond::Pattern(build_regex(&item.values[0], !case_sensitive)?),
        };
        conds.push(Compiled {
            fields: target,
            cond,
        });
    }
    Ok(Search { conds, and })
}

impl Search {
    /// The ids asked for when the whole search is `search.id=…&mode.id=exact` (a database
    /// answers that from its primary key, not by reading every row).
    pub fn only_exact_ids(&self) -> Option<&[String]> {
        match self.conds.as_slice() {
            [Compiled {
                fields,
                cond: Cond::Exact { values, .. },
            }] if fields.len() == 1 && fields[0] == "id" => Some(values),
            _ => None,
        }
    }

    /// No condition: every row matches.
    pub fn is_empty(&self) -> bool {
        self.conds.is_empty()
    }

    /// Evaluate against a row; `get` answers a column's value (`None` = SQL NULL).
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        if self.conds.is_empty() {
            return true;
        }
        let eval = |c: &Compiled| {
            c.fields.iter().any(|f| match get(f) {
                None => false,
                Some(v) => match &c.cond {
                    Cond::Exact { values, lower } => {
                        if *lower && v.is_ascii() {
                            values.iter().any(|x| x.eq_ignore_ascii_case(v))
                        } else if *lower {
                            let lv = v.to_lowercase();
                            values.contains(&lv)
                        } else {
                            values.iter().any(|x| x == v)
                        }
                    }
                    Cond::Pattern(re) => re.is_match(v),
                    Cond::Contains { needle, regex } => {
                        if v.is_ascii() {
                            contains_ascii_ci(v.as_bytes(), needle)
                        } else {
                            regex.is_match(v)
                        }
                    }
                },
            })
        };
        if self.and {
            self.conds.iter().all(eval)
        } else {
            self.conds.iter().any(eval)
        }
    }
}

/// `ILIKE '%q%'` as used by the organization routes' `q` (`%`/`_` in `q` are NOT escaped).
pub fn ilike_contains(q: &str) -> Option<Regex> {
    build_regex(&like_to_regex(&format!("%{q}%")), true).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const F: &[&str] = &["id", "primary_email", "primary_phone", "username", "name"];

    #[test]
    fn like_semantics() {
        let re = Regex::new(&like_to_regex("a\\%b_c%")).unwrap();
        assert!(re.is_match("a%bXcanything"));
        assert!(!re.is_match("aXbXc"));
        assert!(!Regex::new(&like_to_regex("alice"))
            .unwrap()
            .is_match("xalice"));
    }

    #[test]
    fn plain_contains_matches_like_the_pattern() {
        let s = parse(&p(&[("search", "%NaKa%")]), F).unwrap();
        let row = |name: &'static str| move |f: &str| (f == "name").then_some(name);
        assert!(s.matches(row("Aiko Nakamura")));
        assert!(s.matches(row("nakA")));
        assert!(!s.matches(row("Nak amura")));
        assert!(
            s.matches(row("Ünal Nakamura")),
            "non-ASCII rows go through the regex"
        );
        // Wildcards inside keep the regex.
        let s = parse(&p(&[("search", "%a_c%")]), F).unwrap();
        assert!(s.matches(row("xaBcx")));
        assert_eq!(plain_contains("%a\\%b%"), None);
        assert_eq!(plain_contains("%ab%"), Some(b"ab".to_vec()));
    }

    #[test]
    fn similar_to_semantics() {
        let re = Regex::new(&similar_to_regex("(a|b)%.c")).unwrap();
        assert!(re.is_match("bxyz.c"));
        assert!(!re.is_match("bxyzXc"));
        let re = Regex::new(&similar_to_regex("[a-c]_+")).unwrap();
        assert!(re.is_match("bxx"));
        assert!(!re.is_match("dxx"));
    }

    #[test]
    fn errors() {
        let e = parse(&p(&[("search.foo", "x")]), F).unwrap_err();
        assert!(e.contains("Search field `foo` is not valid"), "{e}");
        let e = parse(&p(&[("search.a.b", "x")]), F).unwrap_err();
        assert!(e.contains("nested"), "{e}");
        let e = parse(&p(&[("search", "")]), F).unwrap_err();
        assert_eq!(e, "Search value cannot be empty.");
        let e = parse(&p(&[("search.name", "x"), ("mode.name", "similar_to")]), F).unwrap_err();
        assert!(e.contains("similar to"), "{e}");
        assert!(parse(
            &p(&[
                ("search.name", "x"),
                ("mode.name", "similar_to"),
                ("isCaseSensitive", "true")
            ]),
            F
        )
        .is_ok());
        let e = parse(&p(&[("search.name", "("), ("mode.name", "posix")]), F).unwrap_err();
        assert!(e.contains("regular expression"), "{e}");
        let e = parse(&p(&[("mode", "nope"), ("search", "x")]), F).unwrap_err();
        assert_eq!(
            e,
            "Search match mode `nope` is not valid, expect one of exact, like, similar_to, posix."
        );
    }

    #[test]
    fn camel_and_snake_fields() {
        assert_eq!(snake_case("primaryEmail"), "primary_email");
        assert_eq!(snake_case("primary_email"), "primary_email");
        let s = parse(
            &p(&[
                ("search.primaryEmail", "A@X.IO"),
                ("mode.primaryEmail", "exact"),
            ]),
            F,
        )
        .unwrap();
        assert!(s.matches(|f| if f == "primary_email" {
            Some("a@x.io")
        } else {
            None
        }));
    }
}
