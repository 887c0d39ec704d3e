//! `GET /api/users` query: Logto's search grammar (logto-api.md §3.3).
//!
//! `like` matches take the value verbatim (no implicit wildcards), so
//! "contains" is sent as `%term%` with the person's `%`, `_` and `\` escaped.
//! Empty values are never sent (Logto answers 400 "Search value cannot be empty").

use super::page::{clamp_page, clamp_page_size, DEFAULT_PAGE_SIZE};

/// The user fields Logto can search; anything else is a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchField {
    Id,
    PrimaryEmail,
    PrimaryPhone,
    Username,
    Name,
}

impl SearchField {
    pub const ALL: [SearchField; 5] = [
        SearchField::Id,
        SearchField::PrimaryEmail,
        SearchField::PrimaryPhone,
        SearchField::Username,
        SearchField::Name,
    ];

    /// The name used in `search.<field>` / `mode.<field>`.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchField::Id => "id",
            SearchField::PrimaryEmail => "primaryEmail",
            SearchField::PrimaryPhone => "primaryPhone",
            SearchField::Username => "username",
            SearchField::Name => "name",
        }
    }
}

/// How a value matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    /// Substring: sent as `like` with `%term%`, wildcards in the term escaped.
    Contains,
    /// Prefix: sent as `like` with `term%`, wildcards in the term escaped.
    StartsWith,
    /// Equality (case-insensitive unless `case_sensitive`); several values allowed.
    Exact,
    /// POSIX regular expression (`~*`, or `~` when case-sensitive), sent verbatim.
    Regex,
}

impl MatchMode {
    fn wire(self) -> &'static str {
        match self {
            MatchMode::Contains | MatchMode::StartsWith => "like",
            MatchMode::Exact => "exact",
            MatchMode::Regex => "posix",
        }
    }

    fn encode(self, value: &str) -> String {
        match self {
            MatchMode::Contains => format!("%{}%", escape_like(value)),
            MatchMode::StartsWith => format!("{}%", escape_like(value)),
            MatchMode::Exact | MatchMode::Regex => value.to_owned(),
        }
    }
}

/// How several conditions combine (`joint`); Logto's default is `Or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Joint {
    #[default]
    Or,
    And,
}

/// Escapes SQL `LIKE` wildcards with a backslash (PostgreSQL's default escape).
pub fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 4);
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    /// `None`: the bare `search` key, matched against all fields.
    field: Option<SearchField>,
    mode: MatchMode,
    values: Vec<String>,
}

/// Builder for the user search grammar. One condition per field (a later one
/// replaces an earlier one), except that `Exact` values on the same field
/// accumulate (`search.id=a&search.id=b`), the only repetition Logto accepts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserSearch {
    conditions: Vec<Condition>,
    joint: Joint,
    case_sensitive: bool,
}

impl UserSearch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Substring match against all searchable fields (`search=%term%`).
    pub fn contains(self, term: &str) -> Self {
        self.add(None, MatchMode::Contains, [term])
    }

    /// Prefix match against all searchable fields (`search=term%`).
    pub fn starts_with(self, term: &str) -> Self {
        self.add(None, MatchMode::StartsWith, [term])
    }

    pub fn field_contains(self, field: SearchField, term: &str) -> Self {
        self.add(Some(field), MatchMode::Contains, [term])
    }

    pub fn field_starts_with(self, field: SearchField, term: &str) -> Self {
        self.add(Some(field), MatchMode::StartsWith, [term])
    }

    pub fn field_exact(self, field: SearchField, value: &str) -> Self {
        self.add(Some(field), MatchMode::Exact, [value])
    }

    /// Field equals any of `values` (`search.<f>=a&search.<f>=b&mode.<f>=exact`).
    pub fn field_exact_any<I, S>(self, field: SearchField, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values: Vec<S> = values.into_iter().collect();
        self.add(
            Some(field),
            MatchMode::Exact,
            values.iter().map(|v| v.as_ref()),
        )
    }

    pub fn field_regex(self, field: SearchField, pattern: &str) -> Self {
        self.add(Some(field), MatchMode::Regex, [pattern])
    }

    /// Generic form of the helpers above; `field: None` searches all fields.
    pub fn condition(self, field: Option<SearchField>, mode: MatchMode, value: &str) -> Self {
        self.add(field, mode, [value])
    }

    pub fn joint(mut self, joint: Joint) -> Self {
        self.joint = joint;
        self
    }

    pub fn case_sensitive(mut self, yes: bool) -> Self {
        self.case_sensitive = yes;
        self
    }

    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    fn add<'a>(
        mut self,
        field: Option<SearchField>,
        mode: MatchMode,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
            .collect();
        if mode != MatchMode::Exact {
            values.truncate(1);
        }
        if values.is_empty() {
            return self;
        }
        match self.conditions.iter_mut().find(|c| c.field == field) {
            Some(c) if c.mode == MatchMode::Exact && mode == MatchMode::Exact => {
                for v in values {
                    if !c.values.contains(&v) {
                        c.values.push(v);
                    }
                }
            }
            Some(c) => {
                c.mode = mode;
                c.values = values;
            }
            None => self.conditions.push(Condition {
                field,
                mode,
                values,
            }),
        }
        self
    }

    /// The exact `(key, value)` pairs sent to Logto, in order: search values,
    /// modes, `isCaseSensitive`, `joint`.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for c in &self.conditions {
            let key = match c.field {
                None => "search".to_owned(),
                Some(f) => format!("search.{}", f.as_str()),
            };
            for v in &c.values {
                pairs.push((key.clone(), c.mode.encode(v)));
            }
        }
        // A global `mode` would also apply to fields without their own mode, so
        // once it is set every field states its mode explicitly.
        let global = self
            .conditions
            .iter()
            .find(|c| c.field.is_none())
            .map(|c| c.mode.wire())
            .filter(|m| *m != "like");
        if let Some(m) = global {
            pairs.push(("mode".to_owned(), m.to_owned()));
        }
        for c in &self.conditions {
            if let Some(f) = c.field {
                if c.mode.wire() != "like" || global.is_some() {
                    pairs.push((format!("mode.{}", f.as_str()), c.mode.wire().to_owned()));
                }
            }
        }
        if self.conditions.is_empty() {
            return pairs;
        }
        if self.case_sensitive {
            pairs.push(("isCaseSensitive".to_owned(), "true".to_owned()));
        }
        if self.joint == Joint::And {
            pairs.push(("joint".to_owned(), "and".to_owned()));
        }
        pairs
    }
}

/// Query of `GET /api/users`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserQuery {
    pub page: u32,
    pub page_size: u32,
    pub search: UserSearch,
    /// Users who are not members of this organization (an "add member" picker).
    pub exclude_organization_id: Option<String>,
    /// Users without this global role. Logto rejects it together with
    /// `exclude_organization_id` (400 `request.invalid_input`).
    pub exclude_role_id: Option<String>,
}

impl Default for UserQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            search: UserSearch::default(),
            exclude_organization_id: None,
            exclude_role_id: None,
        }
    }
}

impl UserQuery {
    /// The exact query pairs sent (page size clamped to 1..=100, empty ids dropped).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.search.query_pairs();
        push_opt(
            &mut pairs,
            "excludeOrganizationId",
            self.exclude_organization_id.as_deref(),
        );
        push_opt(&mut pairs, "excludeRoleId", self.exclude_role_id.as_deref());
        push_page(&mut pairs, self.page, self.page_size);
        pairs
    }

    /// The raw query string as it goes on the wire.
    pub fn query_string(&self) -> String {
        encode_query(&self.query_pairs())
    }
}

pub(crate) fn push_opt(pairs: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        pairs.push((key.to_owned(), v.to_owned()));
    }
}

pub(crate) fn push_page(pairs: &mut Vec<(String, String)>, page: u32, page_size: u32) {
    pairs.push(("page".to_owned(), clamp_page(page).to_string()));
    pairs.push((
        "page_size".to_owned(),
        clamp_page_size(page_size).to_string(),
    ));
}

/// `application/x-www-form-urlencoded` encoding, as Logto (koa) decodes it.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    // Serializing a slice of string pairs cannot fail.
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SearchField::*;

    fn qs(s: &UserSearch) -> String {
        encode_query(&s.query_pairs())
    }

    #[test]
    fn contains_all_fields() {
        assert_eq!(
            qs(&UserSearch::new().contains("alice")),
            "search=%25alice%25"
        );
    }

    #[test]
    fn escapes_like_wildcards_and_backslash() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
        assert_eq!(
            qs(&UserSearch::new().contains(r"50%_off\")),
            "search=%2550%5C%25%5C_off%5C%5C%25"
        );
        assert_eq!(
            qs(&UserSearch::new().field_starts_with(Username, "j_")),
            "search.username=j%5C_%25"
        );
    }

    #[test]
    fn exact_and_regex_are_verbatim() {
        assert_eq!(
            qs(&UserSearch::new().field_exact(PrimaryEmail, "a_b%@x.io")),
            "search.primaryEmail=a_b%25%40x.io&mode.primaryEmail=exact"
        );
        assert_eq!(
            qs(&UserSearch::new().field_regex(Username, "^a")),
            "search.username=%5Ea&mode.username=posix"
        );
    }

    #[test]
    fn repeated_values_only_for_exact() {
        let s = UserSearch::new()
            .field_exact(Id, "a")
            .field_exact_any(Id, ["b", "a", ""]);
        assert_eq!(qs(&s), "search.id=a&search.id=b&mode.id=exact");
        // A non-exact condition on the same field replaces, never repeats.
        let s = UserSearch::new()
            .field_contains(Name, "x")
            .field_contains(Name, "y");
        assert_eq!(qs(&s), "search.name=%25y%25");
        let s = UserSearch::new()
            .field_exact(Name, "x")
            .field_contains(Name, "y");
        assert_eq!(qs(&s), "search.name=%25y%25");
    }

    #[test]
    fn joint_and_case_sensitivity() {
        let s = UserSearch::new()
            .field_contains(Name, "smith")
            .field_starts_with(Username, "j")
            .joint(Joint::And)
            .case_sensitive(true);
        assert_eq!(
            qs(&s),
            "search.name=%25smith%25&search.username=j%25&isCaseSensitive=true&joint=and"
        );
        // Joint `or` is Logto's default and is not sent.
        assert_eq!(
            qs(&UserSearch::new().contains("a").joint(Joint::Or)),
            "search=%25a%25"
        );
    }

    #[test]
    fn global_mode_forces_explicit_field_modes() {
        let s = UserSearch::new()
            .condition(None, MatchMode::Exact, "bob")
            .field_contains(Name, "b");
        assert_eq!(
            qs(&s),
            "search=bob&search.name=%25b%25&mode=exact&mode.name=like"
        );
    }

    #[test]
    fn never_sends_empty_values() {
        let s = UserSearch::new()
            .contains("")
            .field_contains(Name, "   ")
            .field_exact_any(Id, ["", " "])
            .joint(Joint::And)
            .case_sensitive(true);
        assert!(s.is_empty());
        assert_eq!(qs(&s), "");
        let q = UserQuery {
            search: s,
            exclude_organization_id: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(q.query_string(), "page=1&page_size=20");
    }

    #[test]
    fn user_query_full() {
        let q = UserQuery {
            page: 0,
            page_size: 500,
            search: UserSearch::new().contains("a b"),
            exclude_organization_id: Some("org1".into()),
            exclude_role_id: None,
        };
        assert_eq!(
            q.query_string(),
            "search=%25a+b%25&excludeOrganizationId=org1&page=1&page_size=100"
        );
    }

    #[test]
    fn field_names() {
        let names: Vec<_> = SearchField::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            ["id", "primaryEmail", "primaryPhone", "username", "name"]
        );
    }
}
