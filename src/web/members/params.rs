//! What the member pages read from query strings and forms (`axum_extra`'s `Query` and
//! `Form`): the table's filters and paging, the chosen roles, and the member list a form
//! returns to. A key given twice (a bookmark edited by hand) keeps its last value.

use serde::{Deserialize, Deserializer};

use crate::auth::session::safe_return_to;
use crate::logto::MemberQuery;
use crate::web::pager::PageParams;

use super::members_path;

/// The last value of a key that may repeat, trimmed; "" when absent. For
/// `#[serde(default, deserialize_with = "last")]` on a `String` field.
pub(crate) fn last<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let all = Vec::<String>::deserialize(d)?;
    Ok(all
        .into_iter()
        .last()
        .map(|v| v.trim().to_string())
        .unwrap_or_default())
}

/// Every value of a repeated key (a group of checkboxes), trimmed, blanks and repeats dropped.
fn distinct<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let mut out: Vec<String> = Vec::new();
    for v in Vec::<String>::deserialize(d)? {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

/// The query of the member list, its export and the member forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ViewQuery {
    #[serde(deserialize_with = "last")]
    pub(super) q: String,
    #[serde(deserialize_with = "last")]
    pub(super) role: String,
    #[serde(deserialize_with = "last")]
    pub(super) page: String,
    #[serde(deserialize_with = "last")]
    pub(super) page_size: String,
    /// The member list a form returns to.
    #[serde(deserialize_with = "last")]
    pub(super) back: String,
    /// "1": close the add panel.
    #[serde(deserialize_with = "last")]
    pub(super) close: String,
}

impl ViewQuery {
    /// The member list named by `back`, kept within this organization's list.
    pub(super) fn back(&self, org_id: &str) -> String {
        safe_back(org_id, &self.back)
    }

    pub(super) fn view(&self) -> ViewParams {
        let paging = PageParams {
            page: Some(self.page.clone()).filter(|s| !s.is_empty()),
            page_size: Some(self.page_size.clone()).filter(|s| !s.is_empty()),
        };
        ViewParams {
            q: self.q.chars().take(200).collect(),
            role: self.role.clone(),
            page: paging.page(),
            page_size: paging.page_size(),
        }
    }
}

/// A posted member form: the add form (person, search, roles) and the role form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MemberForm {
    #[serde(deserialize_with = "last")]
    pub(super) user_id: String,
    #[serde(deserialize_with = "last")]
    pub(super) q: String,
    #[serde(deserialize_with = "distinct")]
    pub(super) role_ids: Vec<String>,
    #[serde(deserialize_with = "last")]
    back: String,
}

impl MemberForm {
    pub(super) fn back(&self, org_id: &str) -> String {
        safe_back(org_id, &self.back)
    }
}

/// Where a plain form goes back to: the member list the person came from, never elsewhere.
pub(super) fn safe_back(org_id: &str, candidate: &str) -> String {
    let list = members_path(org_id);
    let back = safe_return_to(Some(candidate));
    if back == list || back.starts_with(&format!("{list}?")) {
        back
    } else {
        list
    }
}

/// The view's filters and paging.
pub(super) struct ViewParams {
    pub(super) q: String,
    pub(super) role: String,
    pub(super) page: u32,
    pub(super) page_size: u32,
}

impl ViewParams {
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

    fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> T {
        let uri: axum::http::Uri = format!("/x?{raw}").parse().unwrap();
        axum_extra::extract::Query::<T>::try_from_uri(&uri)
            .unwrap()
            .0
    }

    fn query(raw: &str) -> ViewQuery {
        parse(raw)
    }

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
    fn forms_keep_repeated_values_and_the_last_single_one() {
        let f: MemberForm = parse("role_ids=a&role_ids=b&role_ids=a&q=+x+&q=y");
        assert_eq!(f.role_ids, vec!["a", "b"]);
        assert_eq!(f.q, "y");
        assert_eq!(f.user_id, "");
        let one: MemberForm = parse("role_ids=a");
        assert_eq!(one.role_ids, vec!["a"]);
    }

    #[test]
    fn view_params_forgive_bad_input() {
        let p = query("page=abc&page_size=7&q=%25x&role=r1&unknown=1").view();
        assert_eq!((p.page, p.page_size), (1, 20));
        assert_eq!(p.member_query().q.as_deref(), Some("%x"));
        assert_eq!(p.member_query().organization_role_id.as_deref(), Some("r1"));
        let p = query("page=2&page=3").view();
        assert_eq!(p.page, 3);
    }
}
