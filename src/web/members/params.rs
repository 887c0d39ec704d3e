//! What the member pages read from query strings and forms: the table's filters and paging,
//! and the member list a form returns to.

use crate::auth::session::safe_return_to;
use crate::logto::MemberQuery;
use crate::web::pager::PageParams;

use super::members_path;

/// Query or form pairs; a repeated key keeps every value (multi-selects), lookups take the last.
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn parse(bytes: &[u8]) -> Self {
        Fields(
            url::form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub(super) fn query(raw: Option<&str>) -> Self {
        Self::parse(raw.unwrap_or("").as_bytes())
    }

    pub(super) fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    pub(super) fn all(&self, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, v) in self.0.iter().filter(|(k, _)| k == key) {
            let v = v.trim();
            if !v.is_empty() && !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
        out
    }

    /// The member list named by the `back` field, kept within this organization's list.
    pub(super) fn back(&self, org_id: &str) -> String {
        safe_back(org_id, &self.get("back"))
    }
}

/// Where a plain form goes back to: the member list the person came from, never elsewhere.
fn safe_back(org_id: &str, candidate: &str) -> String {
    let list = members_path(org_id);
    let back = safe_return_to(Some(candidate));
    if back == list || back.starts_with(&format!("{list}?")) {
        back
    } else {
        list
    }
}

/// The view's filters from the query string.
pub(super) struct ViewParams {
    pub(super) q: String,
    pub(super) role: String,
    pub(super) page: u32,
    pub(super) page_size: u32,
}

impl ViewParams {
    pub(super) fn parse(raw: Option<&str>) -> Self {
        let f = Fields::query(raw);
        let paging = PageParams {
            page: Some(f.get("page")).filter(|s| !s.is_empty()),
            page_size: Some(f.get("page_size")).filter(|s| !s.is_empty()),
        };
        ViewParams {
            q: f.get("q").chars().take(200).collect(),
            role: f.get("role"),
            page: paging.page(),
            page_size: paging.page_size(),
        }
    }

    pub(super) fn filter_pairs(&self) -> Vec<(String, String)> {
        vec![
            ("q".into(), self.q.clone()),
            ("role".into(), self.role.clone()),
        ]
    }

    pub(super) fn member_query(&self) -> MemberQuery {
        MemberQuery {
            page: self.page,
            page_size: self.page_size,
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            organization_role_id: Some(self.role.clone()).filter(|r| !r.is_empty()),
        }
    }
}

/// The pairs with a value, as a query string.
pub(super) fn query_string(pairs: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_the_member_list() {
        assert_eq!(
            safe_back("o1", "/orgs/o1/members?q=a&page=2"),
            "/orgs/o1/members?q=a&page=2"
        );
        assert_eq!(safe_back("o1", "/orgs/o2/members"), "/orgs/o1/members");
        assert_eq!(
            safe_back("o1", "https://evil.test/orgs/o1/members"),
            "/orgs/o1/members"
        );
        assert_eq!(safe_back("o1", "/orgs/o1/membersx"), "/orgs/o1/members");
        assert_eq!(safe_back("o1", ""), "/orgs/o1/members");
    }

    #[test]
    fn fields_keep_repeated_values() {
        let f = Fields::parse(b"role_ids=a&role_ids=b&role_ids=a&q=+x+&q=y");
        assert_eq!(f.all("role_ids"), vec!["a", "b"]);
        assert_eq!(f.get("q"), "y");
        assert_eq!(f.get("missing"), "");
    }

    #[test]
    fn view_params_forgive_bad_input() {
        let p = ViewParams::parse(Some("page=abc&page_size=7&q=%25x&role=r1"));
        assert_eq!((p.page, p.page_size), (1, 20));
        assert_eq!(p.member_query().q.as_deref(), Some("%x"));
        assert_eq!(p.member_query().organization_role_id.as_deref(), Some("r1"));
    }
}
