//! Organizations, members, member roles and organization roles.

use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::json;

use super::capabilities::Feature;
use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::member_index::Applied;
use super::models::{OrgMember, OrgRole, Organization};
use super::page::{Page, DEFAULT_PAGE_SIZE};
use super::search::{encode_query, escape_like, push_opt, push_page};
use super::search::{SearchField, UserQuery, UserSearch};
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
    /// Only members holding this organization role. Sent to Logto only where it declares
    /// the parameter (1.41 on); [`LogtoClient::list_org_members_by_role`] and
    /// [`LogtoClient::org_members_stream`] filter in the portal otherwise.
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

/// How many members the portal reads, at most, to filter an organization by role itself
/// (Logto before 1.41 has no server-side role filter): 20 calls of 100.
pub const ROLE_SCAN_LIMIT: u64 = 2_000;

/// A page of members holding a role.
#[derive(Debug, Clone)]
pub struct RolePage {
    pub page: Page<OrgMember>,
    /// False when the portal filtered itself and stopped at `members_read` members:
    /// `page.total` then counts only the members read.
    pub complete: bool,
    /// How many members the portal reads at most to filter itself: its member index's limit
    /// ([`super::INDEX_LIMIT`] by default), [`ROLE_SCAN_LIMIT`] when a search narrows the list.
    pub members_read: u64,
}

/// People holding any of some roles, as far as they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleHolders {
    /// Distinct user ids, at most the number asked for.
    pub user_ids: Vec<String>,
    /// True when every holder is in `user_ids` or `user_ids` reached the number asked for.
    pub conclusive: bool,
}

fn holds(member: &OrgMember, role_id: &str) -> bool {
    member.organization_roles.iter().any(|r| r.id == role_id)
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

    /// Does this Logto filter members by role itself?
    fn filters_members_by_role(&self) -> bool {
        self.capabilities().has(Feature::MemberRoleFilter)
    }

    /// One page of the members matching `q`, holding `q.organization_role_id` when set.
    /// Where Logto cannot filter by role (before 1.41), or answers with someone who does not
    /// hold the role, the portal reads the members (up to [`ROLE_SCAN_LIMIT`]) and filters.
    pub async fn list_org_members_by_role(
        &self,
        org_id: &str,
        q: &MemberQuery,
    ) -> Result<RolePage, LogtoError> {
        let Some(role_id) = q.organization_role_id.clone() else {
            let page = self.list_org_members(org_id, q).await?;
            return Ok(RolePage {
                page,
                complete: true,
                members_read: 0,
            });
        };
        if self.filters_members_by_role() {
            let page = self.list_org_members(org_id, q).await?;
            if page.items.iter().all(|m| holds(m, &role_id)) {
                return Ok(RolePage {
                    page,
                    complete: true,
                    members_read: 0,
                });
            }
            tracing::warn!(
                org_id,
                "Logto declares organizationRoleId but ignored it; filtering in the portal"
            );
        }
        if q.q.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return self.role_page_from_index(org_id, &role_id, q).await;
        }
        let without_role = MemberQuery {
            organization_role_id: None,
            ..q.clone()
        };
        let mut read = 0u64;
        let mut matched = Vec::new();
        let mut members = std::pin::pin!(self.member_pages(org_id, without_role));
        let mut complete = true;
        while let Some(m) = members.try_next().await? {
            if read == ROLE_SCAN_LIMIT {
                complete = false;
                break;
            }
            read += 1;
            if holds(&m, &role_id) {
                matched.push(m);
            }
        }
        let page_size = super::page::clamp_page_size(q.page_size);
        let page_no = q.page.max(1);
        let total = matched.len() as u64;
        let start = (u64::from(page_no - 1) * u64::from(page_size)).min(total) as usize;
        let items: Vec<OrgMember> = matched
            .into_iter()
            .skip(start)
            .take(page_size as usize)
            .collect();
        Ok(RolePage {
            page: Page {
                items,
                total,
                page: page_no,
                page_size,
                links: Vec::new(),
            },
            complete,
            members_read: ROLE_SCAN_LIMIT,
        })
    }

    /// A page of the role's holders from the member index (no search): the holders on the
    /// page are read by id in one call, with the roles the index knows.
    async fn role_page_from_index(
        &self,
        org_id: &str,
        role_id: &str,
        q: &MemberQuery,
    ) -> Result<RolePage, LogtoError> {
        let index = self.member_role_index(org_id, false).await?;
        let wanted = [role_id.to_owned()];
        let page_size = super::page::clamp_page_size(q.page_size);
        let page_no = q.page.max(1);
        let holders: Vec<&str> = index.holders(&wanted).collect();
        let total = holders.len() as u64;
        let start = (u64::from(page_no - 1) * u64::from(page_size)).min(total) as usize;
        let on_page: Vec<&str> = holders
            .into_iter()
            .skip(start)
            .take(page_size as usize)
            .collect();
        let mut items = Vec::with_capacity(on_page.len());
        if !on_page.is_empty() {
            let found = self
                .list_users(&UserQuery {
                    page: 1,
                    page_size,
                    search: UserSearch::new().field_exact_any(SearchField::Id, &on_page),
                    ..UserQuery::default()
                })
                .await?;
            let mut users: std::collections::HashMap<String, super::models::User> =
                found.items.into_iter().map(|u| (u.id.clone(), u)).collect();
            // In member order; someone deleted since the index was read is left out.
            for id in on_page {
                if let (Some(user), Some(roles)) = (users.remove(id), index.roles_of(id)) {
                    items.push(OrgMember::from_user(user, roles));
                }
            }
        }
        Ok(RolePage {
            page: Page {
                items,
                total,
                page: page_no,
                page_size,
                links: Vec::new(),
            },
            complete: index.complete,
            members_read: self.inner.member_indexes.limit(),
        })
    }

    /// [`LogtoClient::org_role_holders`] where Logto cannot filter by role: the member index
    /// names the candidates, each confirmed with a fresh read of their roles (one call each);
    /// when too few are confirmed, the index is read again once before answering.
    async fn role_holders_from_index(
        &self,
        org_id: &str,
        role_ids: &[String],
        wanted: usize,
    ) -> Result<RoleHolders, LogtoError> {
        let mut read_again = false;
        loop {
            let index = self.member_role_index(org_id, read_again).await?;
            let mut found = Vec::new();
            for candidate in index.holders(role_ids) {
                let held = match self.member_roles(org_id, candidate).await {
                    Ok(held) => held,
                    // No longer a member: Logto answers 422 `organization.require_membership`.
                    Err(e) if matches!(e.status(), Some(404 | 422)) => Vec::new(),
                    Err(e) => return Err(e),
                };
                if held.iter().any(|r| role_ids.contains(&r.id)) {
                    found.push(candidate.to_owned());
                    if found.len() >= wanted {
                        break;
                    }
                }
            }
            if found.len() >= wanted || read_again {
                let conclusive = found.len() >= wanted || index.complete;
                return Ok(RoleHolders {
                    user_ids: found,
                    conclusive,
                });
            }
            // Holders may have been added outside the portal since the index was read.
            read_again = true;
        }
    }

    /// Up to `wanted` distinct members holding any of `role_ids` (the last-admin guard asks
    /// for 2). Each answer is checked against the members' own roles, so a Logto that ignores
    /// the role filter can never make it look as if someone holds a role they do not hold.
    /// Before 1.41 the candidates come from the member index and each is confirmed fresh.
    pub async fn org_role_holders(
        &self,
        org_id: &str,
        role_ids: &[String],
        wanted: usize,
    ) -> Result<RoleHolders, LogtoError> {
        let mut found: Vec<String> = Vec::new();
        let add = |m: &OrgMember, found: &mut Vec<String>| {
            if role_ids.iter().any(|r| holds(m, r)) && !found.contains(&m.id) {
                found.push(m.id.clone());
            }
        };
        if self.filters_members_by_role() {
            let mut conclusive = true;
            let mut honoured = true;
            for role_id in role_ids {
                let page = self
                    .list_org_members(
                        org_id,
                        &MemberQuery {
                            organization_role_id: Some(role_id.clone()),
                            page: 1,
                            page_size: u32::try_from(wanted).unwrap_or(u32::MAX),
                            q: None,
                        },
                    )
                    .await?;
                honoured &= page.items.iter().all(|m| holds(m, role_id));
                for m in &page.items {
                    add(m, &mut found);
                }
                conclusive &= page.total <= page.items.len() as u64;
            }
            if honoured {
                let conclusive = conclusive || found.len() >= wanted;
                found.truncate(wanted);
                return Ok(RoleHolders {
                    user_ids: found,
                    conclusive,
                });
            }
            tracing::warn!(
                org_id,
                "Logto declares organizationRoleId but ignored it; counting in the portal"
            );
        }
        self.role_holders_from_index(org_id, role_ids, wanted).await
    }

    /// Every member matching `q` (CSV export); `q.page`/`q.page_size` are ignored. A role
    /// filter is applied by Logto where it can, and always checked here as well.
    pub fn org_members_stream(
        &self,
        org_id: &str,
        q: MemberQuery,
    ) -> impl Stream<Item = Result<OrgMember, LogtoError>> + Send + 'static {
        let role_id = q.organization_role_id.clone();
        let q = MemberQuery {
            organization_role_id: role_id.clone().filter(|_| self.filters_members_by_role()),
            ..q
        };
        self.member_pages(org_id, q).try_filter(move |m| {
            let keep = role_id.as_deref().is_none_or(|r| holds(m, r));
            futures::future::ready(keep)
        })
    }

    /// Pages 1, 2, … of `GET /api/organizations/{id}/users` as one stream.
    fn member_pages(
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
        .boxed()
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
        let result = self
            .send_unit(
                Method::POST,
                route("/api/organizations/{id}/users", &[org_id]),
                Some(&json!({ "userIds": user_ids })),
            )
            .await;
        self.member_change_result(org_id, result, || Applied::Joined(user_ids.to_vec()))
    }

    /// Removes a member and their roles there; 404 if not a member.
    pub async fn remove_org_member(&self, org_id: &str, user_id: &str) -> Result<(), LogtoError> {
        let result = self
            .send_unit::<()>(
                Method::DELETE,
                route("/api/organizations/{id}/users/{userId}", &[org_id, user_id]),
                None,
            )
            .await;
        self.member_change_result(org_id, result, || Applied::Left(user_id.to_owned()))
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
        let result = self
            .send_member_roles(Method::PUT, org_id, user_id, role_ids)
            .await;
        self.member_change_result(org_id, result, || {
            Applied::RolesSet(user_id.to_owned(), role_ids.to_vec())
        })
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
        let result = self
            .send_member_roles(Method::POST, org_id, user_id, role_ids)
            .await;
        self.member_change_result(org_id, result, || {
            Applied::RolesAdded(user_id.to_owned(), role_ids.to_vec())
        })
    }

    /// `PUT` (replace) or `POST` (add) a member's organization roles.
    async fn send_member_roles(
        &self,
        method: Method,
        org_id: &str,
        user_id: &str,
        role_ids: &[String],
    ) -> Result<(), LogtoError> {
        self.send_unit(
            method,
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
        let result = self
            .send_unit::<()>(
                Method::DELETE,
                route(
                    "/api/organizations/{id}/users/{userId}/roles/{organizationRoleId}",
                    &[org_id, user_id, role_id],
                ),
                None,
            )
            .await;
        self.member_change_result(org_id, result, || {
            Applied::RoleRemoved(user_id.to_owned(), role_id.to_owned())
        })
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
