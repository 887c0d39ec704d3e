//! The user directory's search: what the address says, what the form shows, what Logto gets.
//!
//! The URL carries the whole view, so a bookmark or the back button reproduces it:
//! `q` (quick box), numbered conditions `f1`/`m1`/`v1`, `f2`/`m2`/`v2`, … (field, mode,
//! value), `joint=any` (default: match all), `cs=1` (case-sensitive), `org` (not in this
//! organization), `role` (without this global role), `page`, `page_size`. The form sends the
//! two filters as one choice, `exclude=org:{id}` or `exclude=role:{id}`: Logto takes only one
//! of them at a time.

use std::collections::BTreeMap;

mod fields;

pub use fields::{Field, Mode};

use crate::logto::{Joint, UserQuery, UserSearch};
use crate::web::pager::PageParams;

/// More rows than this are ignored; Logto has five searchable fields, so more is never useful
/// except for several exact values.
pub const MAX_CONDITIONS: usize = 10;

/// Condition numbers above this in a URL are ignored (bounds the work for odd URLs).
const MAX_INDEX: usize = 100;

/// One filled condition of the advanced panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: Field,
    pub mode: Mode,
    pub value: String,
    /// Message key of a problem with this condition.
    pub error: Option<&'static str>,
}

/// A row of the advanced panel as rendered (filled or blank).
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based; the suffix of `f`/`m`/`v`.
    pub index: usize,
    pub field: Field,
    pub mode: Mode,
    pub value: String,
    pub error: Option<&'static str>,
    /// Focus lands here after "add condition".
    pub autofocus: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchForm {
    /// Quick box: contains-search over every searchable field.
    pub q: String,
    pub conditions: Vec<Condition>,
    /// Empty rows to show below the filled ones ("add condition").
    pub blank_rows: usize,
    /// Match any condition (`joint=or`); the default is all (`joint=and`).
    pub match_any: bool,
    pub case_sensitive: bool,
    /// Only users who are not members of this organization.
    pub not_in_org: String,
    /// Only users without this global role.
    pub without_role: String,
    /// Logto refused the filters (they cannot be combined, or an id is malformed).
    pub filters_invalid: bool,
    pub page: u32,
    pub page_size: u32,
    /// "Add condition" or "remove condition" was pressed: the panel itself changes shape.
    pub reshape: bool,
    /// After "add condition", focus goes to the new row.
    pub focus_new_row: bool,
}

fn is_on(v: &str) -> bool {
    matches!(v, "1" | "true" | "on" | "yes")
}

impl SearchForm {
    /// Reads the query string (pairs in order, repeated keys allowed). Never fails: unknown
    /// keys are ignored, unknown fields drop their row, unknown modes mean "contains".
    pub fn parse(pairs: &[(String, String)]) -> SearchForm {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let paging = PageParams {
            page: Some(get("page")).filter(|s| !s.is_empty()),
            page_size: Some(get("page_size")).filter(|s| !s.is_empty()),
        };
        let add = is_on(&get("add"));
        let remove: Option<usize> = get("remove").parse().ok();

        // Rows by their number in the submitted form.
        let mut raw: BTreeMap<usize, (String, String, String)> = BTreeMap::new();
        for (k, v) in pairs {
            let mut chars = k.chars();
            let Some(kind) = chars.next().filter(|c| matches!(c, 'f' | 'm' | 'v')) else {
                continue;
            };
            let Ok(index) = chars.as_str().parse::<usize>() else {
                continue;
            };
            if index == 0 || index > MAX_INDEX || chars.as_str().starts_with('+') {
                continue;
            }
            let row = raw.entry(index).or_default();
            let slot = match kind {
                'f' => &mut row.0,
                'm' => &mut row.1,
                _ => &mut row.2,
            };
            if slot.is_empty() {
                slot.clone_from(v);
            }
        }
        if let Some(r) = remove {
            raw.remove(&r);
        }

        let mut conditions = Vec::new();
        let mut submitted_blanks = 0;
        for (field, mode, value) in raw.into_values() {
            let mode = Mode::parse(mode.trim()).unwrap_or(Mode::Contains);
            // Surrounding spaces are almost always accidental, except in a pattern.
            let value = if mode == Mode::Regex {
                value
            } else {
                value.trim().to_string()
            };
            if value.trim().is_empty() {
                submitted_blanks += 1;
                continue;
            }
            let Some(field) = Field::parse(field.trim()) else {
                continue;
            };
            conditions.push(Condition {
                field,
                mode,
                value,
                error: None,
            });
        }
        conditions.truncate(MAX_CONDITIONS);
        let reshape = add || remove.is_some();
        let mut blank_rows = if reshape { submitted_blanks } else { 0 };
        if add {
            blank_rows += 1;
        }
        let blank_rows = blank_rows.min(MAX_CONDITIONS - conditions.len());

        // One choice in the form: "org:{id}" or "role:{id}"; the address says `org` or `role`.
        let exclude = get("exclude");
        let (mut not_in_org, mut without_role) = (get("org"), get("role"));
        if let Some(id) = exclude.strip_prefix("org:") {
            not_in_org = id.trim().to_string();
        } else if let Some(id) = exclude.strip_prefix("role:") {
            without_role = id.trim().to_string();
        }

        SearchForm {
            q: get("q"),
            conditions,
            blank_rows,
            match_any: get("joint") == "any",
            case_sensitive: is_on(&get("cs")),
            not_in_org,
            without_role,
            filters_invalid: false,
            page: paging.page(),
            page_size: paging.page_size(),
            reshape,
            focus_new_row: add,
        }
    }

    /// Checks what Logto would refuse anyway, so the person learns which condition is wrong:
    /// Logto takes one condition per field, except several exact values (sent repeated).
    /// Returns `true` when the search can be sent.
    pub fn validate(&mut self) -> bool {
        // Logto refuses both filters at once; the form offers one, but an address may carry two.
        let mut ok = !self.both_filters();
        self.filters_invalid |= !ok;
        for i in 1..self.conditions.len() {
            let (before, rest) = self.conditions.split_at_mut(i);
            let c = &mut rest[0];
            let clash = before
                .iter()
                .any(|b| b.field == c.field && !(b.mode == Mode::Exact && c.mode == Mode::Exact));
            if clash {
                c.error = Some("users.search.one_per_field");
                ok = false;
            }
        }
        ok
    }

    /// "Not in organization" and "without role" together, which Logto cannot combine.
    pub fn both_filters(&self) -> bool {
        !self.not_in_org.is_empty() && !self.without_role.is_empty()
    }

    /// The value of the form's one "leave out" choice.
    pub fn exclude(&self) -> String {
        if !self.not_in_org.is_empty() {
            format!("org:{}", self.not_in_org)
        } else if !self.without_role.is_empty() {
            format!("role:{}", self.without_role)
        } else {
            String::new()
        }
    }

    pub fn has_errors(&self) -> bool {
        self.filters_invalid || self.conditions.iter().any(|c| c.error.is_some())
    }

    /// Marks the inputs Logto's 400 is about, as far as its reason tells.
    pub fn attribute_rejection(&mut self, reason: &str) {
        let lower = reason.to_ascii_lowercase();
        if lower.contains("regular expression") || lower.contains("regex") {
            for c in self.conditions.iter_mut().filter(|c| c.mode == Mode::Regex) {
                c.error = Some("users.search.rejected_here");
            }
        }
        if lower.contains("excluderoleid") || lower.contains("excludeorganizationid") {
            self.filters_invalid = true;
        }
    }

    /// The search as Logto's grammar: conditions through the shared builder, never by hand.
    pub fn to_query(&self) -> UserQuery {
        // `joint` only matters between two or more conditions; Logto's default is `or`.
        let count = usize::from(!self.q.is_empty()) + self.conditions.len();
        let joint = if self.match_any || count < 2 {
            Joint::Or
        } else {
            Joint::And
        };
        let mut search = UserSearch::new()
            .joint(joint)
            .case_sensitive(self.case_sensitive);
        if !self.q.is_empty() {
            search = search.contains(&self.q);
        }
        for c in &self.conditions {
            search = search.condition(Some(c.field.logto()), c.mode.logto(), &c.value);
        }
        UserQuery {
            page: self.page,
            page_size: self.page_size,
            search,
            exclude_organization_id: Some(self.not_in_org.clone()).filter(|s| !s.is_empty()),
            exclude_role_id: Some(self.without_role.clone()).filter(|s| !s.is_empty()),
        }
    }

    /// Whether anything narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.q.is_empty()
            || !self.conditions.is_empty()
            || !self.not_in_org.is_empty()
            || !self.without_role.is_empty()
    }

    /// Whether the advanced panel should start open.
    pub fn advanced_open(&self) -> bool {
        !self.conditions.is_empty()
            || self.blank_rows > 0
            || self.case_sensitive
            || self.match_any
            || !self.not_in_org.is_empty()
            || !self.without_role.is_empty()
    }

    /// The search in the URL, without paging; conditions renumbered from 1.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        if !self.q.is_empty() {
            p.push(("q".to_string(), self.q.clone()));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let n = i + 1;
            p.push((format!("f{n}"), c.field.param().to_string()));
            p.push((format!("m{n}"), c.mode.param().to_string()));
            p.push((format!("v{n}"), c.value.clone()));
        }
        if self.match_any {
            p.push(("joint".to_string(), "any".to_string()));
        }
        if self.case_sensitive {
            p.push(("cs".to_string(), "1".to_string()));
        }
        if !self.not_in_org.is_empty() {
            p.push(("org".to_string(), self.not_in_org.clone()));
        }
        if !self.without_role.is_empty() {
            p.push(("role".to_string(), self.without_role.clone()));
        }
        p
    }

    /// The address of this view (`path` plus search and non-default paging).
    pub fn url(&self, path: &str) -> String {
        let mut p = self.params();
        if self.page > 1 {
            p.push(("page".to_string(), self.page.to_string()));
        }
        if self.page_size != 20 {
            p.push(("page_size".to_string(), self.page_size.to_string()));
        }
        if p.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", crate::logto::encode_query(&p))
        }
    }

    /// Rows for the advanced panel: the filled conditions, then blank ones (at least one row).
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| Row {
                index: i + 1,
                field: c.field,
                mode: c.mode,
                value: c.value.clone(),
                error: c.error,
                autofocus: false,
            })
            .collect();
        let blanks = if rows.is_empty() {
            self.blank_rows.max(1)
        } else {
            self.blank_rows
        };
        for b in 0..blanks {
            rows.push(Row {
                index: rows.len() + 1,
                field: Field::Name,
                mode: Mode::Contains,
                value: String::new(),
                error: None,
                autofocus: self.focus_new_row && b + 1 == blanks,
            });
        }
        rows
    }

    pub fn can_add(&self) -> bool {
        self.conditions.len() + self.blank_rows < MAX_CONDITIONS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn form(q: &str) -> SearchForm {
        SearchForm::parse(&pairs(q))
    }

    #[test]
    fn quick_box_escapes_wildcards() {
        let f = form("q=50%25_off");
        assert_eq!(
            f.to_query().query_string(),
            "search=%2550%5C%25%5C_off%25&page=1&page_size=20"
        );
    }

    #[test]
    fn conditions_in_order_with_modes_and_defaults() {
        let mut f = form("f2=email&m2=exact&v2=A%40x.io&f1=name&m1=starts&v1=Al&joint=all");
        assert!(f.validate());
        // Match all is the default and is sent as `joint=and`.
        assert_eq!(
            f.to_query().query_string(),
            "search.name=Al%25&search.primaryEmail=A%40x.io&mode.primaryEmail=exact&joint=and&page=1&page_size=20"
        );
        assert_eq!(f.params()[0], ("f1".to_string(), "name".to_string()));
        assert_eq!(
            f.url("/users"),
            "/users?f1=name&m1=starts&v1=Al&f2=email&m2=exact&v2=A%40x.io"
        );
    }

    #[test]
    fn blank_and_unknown_rows_are_dropped() {
        let f = form("f1=name&m1=contains&v1=++&f2=password&v2=x&f3=id&m3=weird&v3=abc&f0=id&v0=z&f101=id&v101=y");
        assert_eq!(f.conditions.len(), 1);
        assert_eq!(f.conditions[0].field, Field::Id);
        assert_eq!(f.conditions[0].mode, Mode::Contains);
        assert_eq!(f.rows().len(), 1, "no blank rows unless asked for");
    }

    #[test]
    fn exact_values_repeat_but_other_duplicates_are_refused() {
        let mut f = form("f1=id&m1=exact&v1=a&f2=id&m2=exact&v2=b");
        assert!(f.validate());
        assert_eq!(
            f.to_query().query_string(),
            "search.id=a&search.id=b&mode.id=exact&joint=and&page=1&page_size=20"
        );
        let mut f = form("f1=name&v1=a&f2=name&m2=exact&v2=b");
        assert!(!f.validate());
        assert_eq!(f.conditions[1].error, Some("users.search.one_per_field"));
        assert!(f.conditions[0].error.is_none());
    }

    #[test]
    fn regex_is_verbatim_and_case_flag_is_global() {
        let f = form("f1=username&m1=regex&v1=+%5Ea.*z%24&cs=1&joint=any");
        assert_eq!(f.conditions[0].value, " ^a.*z$");
        assert_eq!(
            f.to_query().query_string(),
            "search.username=+%5Ea.*z%24&mode.username=posix&isCaseSensitive=true&page=1&page_size=20"
        );
    }

    #[test]
    fn filters_and_paging() {
        let f = form("org=o1&role=r1&page=3&page_size=50&q=");
        let q = f.to_query();
        assert_eq!(
            q.query_string(),
            "excludeOrganizationId=o1&excludeRoleId=r1&page=3&page_size=50"
        );
        assert_eq!(f.url("/users"), "/users?org=o1&role=r1&page=3&page_size=50");
        let f = form("page=0&page_size=1000");
        assert_eq!((f.page, f.page_size), (1, 20));
        assert_eq!(f.url("/users"), "/users");
    }

    #[test]
    fn add_and_remove_reshape_the_panel() {
        let f = form("f1=name&v1=a&add=1");
        assert!(f.reshape);
        let rows = f.rows();
        assert_eq!(rows.len(), 2);
        assert!(rows[1].autofocus && rows[1].value.is_empty());
        // A blank row the person already had stays when adding another.
        let f = form("f1=name&v1=a&f2=name&v2=&add=1");
        assert_eq!(f.rows().len(), 3);

        let f = form("f1=name&v1=a&f2=email&v2=b&f3=id&v3=c&remove=2");
        assert_eq!(
            f.conditions
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(
            f.url("/users"),
            "/users?f1=name&m1=contains&v1=a&f2=id&m2=contains&v2=c"
        );
        assert!(form("").rows().len() == 1);
    }

    #[test]
    fn at_most_ten_conditions() {
        let q: Vec<String> = (1..=12)
            .map(|i| format!("f{i}=id&m{i}=exact&v{i}=u{i}"))
            .collect();
        let f = form(&format!("{}&add=1", q.join("&")));
        assert_eq!(f.conditions.len(), MAX_CONDITIONS);
        assert_eq!(f.rows().len(), MAX_CONDITIONS);
        assert!(!f.can_add());
    }

    #[test]
    fn rejection_marks_regex_rows_and_filters() {
        let mut f = form("f1=name&v1=a&f2=username&m2=regex&v2=(");
        f.attribute_rejection("Input is invalid. Invalid regular expression.");
        assert!(f.conditions[0].error.is_none());
        assert_eq!(f.conditions[1].error, Some("users.search.rejected_here"));
        assert!(!f.filters_invalid);
        f.attribute_rejection("Parameter `excludeRoleId` and `excludeOrganizationId` cannot be used at the same time.");
        assert!(f.filters_invalid && f.has_errors());
    }

    #[test]
    fn one_filter_choice_and_both_are_refused_before_asking() {
        let f = form("exclude=org%3Ao1");
        assert_eq!((f.not_in_org.as_str(), f.without_role.as_str()), ("o1", ""));
        assert_eq!(f.url("/users"), "/users?org=o1");
        assert_eq!(f.exclude(), "org:o1");
        let f = form("exclude=role%3Ar1");
        assert_eq!(f.url("/users"), "/users?role=r1");
        assert_eq!(f.exclude(), "role:r1");
        assert_eq!(form("exclude=").exclude(), "");
        let mut f = form("org=o1&role=r1");
        assert!(!f.validate());
        assert!(f.filters_invalid && f.has_errors());
        let mut f = form("org=o1");
        assert!(f.validate() && !f.filters_invalid);
    }
}
