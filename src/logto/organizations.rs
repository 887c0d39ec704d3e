//! Organizations, members, member roles and organization roles.

use futures::Stream;
use reqwest::Method;
use serde_json::json;

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{OrgMember, OrgRole, Organization};
use super::page::{Page, DEFAULT_PAGE_SIZE};
use super::search::{encode_query, escape_like, push_opt, push_page};
use super::stream::pages;

/// Query of `GET /api/organizations`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgQuery {
    pub page: u32,
    pub page_size: u32,
    /// Substring of id or name.
    pub q: Option<String>,
    /// Adds `usersCount` and up to 3 `featuredUsers`.
    pub show_featured: bool,
}

impl Default for OrgQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            q: None,
            show_featured: false,
        }
    }
}

impl OrgQuery {
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        push_opt(&mut pairs, "q", q_value(self.q.as_deref()).as_deref());
        if self.show_featured {
            pairs.push(("showFeatured".to_owned(), "true".to_owned()));
        }
        push_page(&mut pairs, self.page, self.page_size);
        pairs
    }

    pub fn query_string(&self) -> String {
        encode_query(&self.query_pairs())
    }
}

/// Query of `GET /api/organizations/:id/users`.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberQuery {
    pub page: u32,
    pub page_size: u32,
    /// Substring of user id, email, phone, username or name.
    pub q: Option<String>,
    /// Only members holding this organization role (Logto 1.42; older versions ignore it).
    pub organization_role_id: Option<String>,
}

impl Default for MemberQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            q: None,
            organization_role_id: None,
        }
    }
}

impl MemberQuery {
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        push_opt(&mut pairs, "q", q_value(self.q.as_deref()).as_deref());
        push_opt(
            &mut pairs,
            "organizationRoleId",
            self.organization_role_id.as_deref(),
        );
        push_page(&mut pairs, self.page, self.page_size);
        pairs
    }

    pub fn query_string(&self) -> String {
        encode_query(&self.query_pairs())
    }
}

/// Logto wraps `q` as `%q%` for ILIKE without escaping, so the person's own
/// `%`, `_` and `\` are escaped here to be matched literally.
fn q_value(q: Option<&str>) -> Option<String> {
    q.filter(|q| !q.trim().is_empty()).map(escape_like)
}

impl LogtoClient {
    pub async fn list_organizations(&self, q: &OrgQuery) -> Result<Page<Organization>, LogtoError> {
        self.get_page_with(route("/api/organizations", &[]), q.query_pairs())
            .await
    }

    pub async fn get_organization(&self, id: &str) -> Result<Organization, LogtoError> {
        self.get_json(route("/api/organizations/{id}", &[id]), &[])
            .await
    }

    /// Members ordered by user id, each with their organization roles. An
    /// unknown organization gives an empty page (Logto does not check).
    pub async fn list_org_members(
        &self,
        org_id: &str,
        q: &MemberQuery,
    ) -> Result<Page<OrgMember>, LogtoError> {
        self.get_page_with(
            route("/api/organizations/{id}/users", &[org_id]),
            q.query_pairs(),
        )
        .await
    }

    /// Every member matching `q` (CSV export); `q.page`/`q.page_size` are ignored.
    pub fn org_members_stream(
        &self,
        org_id: &str,
        q: MemberQuery,
    ) -> impl Stream<Item = Result<OrgMember, LogtoError>> + Send + 'static {
        let client = self.clone();
        let org_id = org_id.to_owned();
        pages(move |page, page_size| {
            let client = client.clone();
            let org_id = org_id.clone();
            let q = MemberQuery {
                page,
                page_size,
                ..q.clone()
            };
            async move { client.list_org_members(&org_id, &q).await }
        })
    }

    /// Adds members (existing ones are ignored); 422
    /// `entity.relation_foreign_key_not_found` for an unknown user or org.
    pub async fn add_org_members(
        &self,
        org_id: &str,
        user_ids: &[String],
    ) -> Result<(), LogtoError> {
        if user_ids.is_empty() {
            return Ok(());
        }
        self.send_unit(
            Method::POST,
            route("/api/organizations/{id}/users", &[org_id]),
            Some(&json!({ "userIds": user_ids })),
        )
        .await
    }

    /// Removes a member and their roles there; 404 if not a member.
    pub async fn remove_org_member(&self, org_id: &str, user_id: &str) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route("/api/organizations/{id}/users/{userId}", &[org_id, user_id]),
            None,
        )
        .await
    }

    /// The member's organization roles; 422 `organization.require_membership`
    /// for a non-member.
    pub async fn member_roles(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> Result<Vec<OrgRole>, LogtoError> {
        self.get_all(
            "/api/organizations/{id}/users/{userId}/roles",
            &[org_id, user_id],
            Vec::new(),
        )
        .await
    }

    /// Replaces the member's organization roles (an empty list removes all).
    pub async fn set_member_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> Result<(), LogtoError> {
        self.send_unit(
            Method::PUT,
            route(
                "/api/organizations/{id}/users/{userId}/roles",
                &[org_id, user_id],
            ),
            Some(&json!({ "organizationRoleIds": role_ids })),
        )
        .await
    }

    /// Adds organization roles to a member (duplicates ignored).
    pub async fn add_member_roles(
        &self,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> Result<(), LogtoError> {
        if role_ids.is_empty() {
            return Ok(());
        }
        self.send_unit(
            Method::POST,
            route(
                "/api/organizations/{id}/users/{userId}/roles",
                &[org_id, user_id],
            ),
            Some(&json!({ "organizationRoleIds": role_ids })),
        )
        .await
    }

    pub async fn remove_member_role(
        &self,
        org_id: &str,
        user_id: &str,
        role_id: &str,
    ) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route(
                "/api/organizations/{id}/users/{userId}/roles/{organizationRoleId}",
                &[org_id, user_id, role_id],
            ),
            None,
        )
        .await
    }

    /// All organization roles (the template shared by every organization), by name.
    pub async fn list_org_roles(&self) -> Result<Vec<OrgRole>, LogtoError> {
        self.get_all("/api/organization-roles", &[], Vec::new())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_query_string() {
        let q = OrgQuery {
            page: 2,
            page_size: 1000,
            q: Some("RL Org".into()),
            show_featured: true,
        };
        assert_eq!(
            q.query_string(),
            "q=RL+Org&showFeatured=true&page=2&page_size=100"
        );
        assert_eq!(OrgQuery::default().query_string(), "page=1&page_size=20");
    }

    #[test]
    fn member_query_escapes_and_drops_empty() {
        let q = MemberQuery {
            q: Some("50%_x".into()),
            organization_role_id: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(q.query_string(), "q=50%5C%25%5C_x&page=1&page_size=20");
        let q = MemberQuery {
            q: Some("  ".into()),
            organization_role_id: Some("r1".into()),
            page: 3,
            page_size: 0,
        };
        assert_eq!(q.query_string(), "organizationRoleId=r1&page=3&page_size=1");
    }
}
