//! Users, their passwords, identities, global roles and organizations.

use futures::Stream;
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{NewUser, Role, User, UserOrganization, UserPatch};
use super::page::Page;
use super::search::{escape_like, UserQuery};
use super::stream::pages;

impl LogtoClient {
    /// `GET /api/users` with search, exclusions and paging (newest first).
    pub async fn list_users(&self, q: &UserQuery) -> Result<Page<User>, LogtoError> {
        self.get_page_with(route("/api/users", &[]), q.query_pairs())
            .await
    }

    /// Every user matching `q`, 100 per request, through the throttle (CSV export).
    /// `q.page`/`q.page_size` are ignored.
    pub fn users_stream(
        &self,
        q: UserQuery,
    ) -> impl Stream<Item = Result<User, LogtoError>> + Send + 'static {
        let client = self.clone();
        pages(move |page, page_size| {
            let client = client.clone();
            let q = UserQuery {
                page,
                page_size,
                ..q.clone()
            };
            async move { client.list_users(&q).await }
        })
    }

    pub async fn get_user(&self, id: &str) -> Result<User, LogtoError> {
        self.get_json(route("/api/users/{userId}", &[id]), &[])
            .await
    }

    /// `POST /api/users`; 422 `user.*_already_in_use` on conflicts.
    pub async fn create_user(&self, new: &NewUser) -> Result<User, LogtoError> {
        self.send_json(Method::POST, route("/api/users", &[]), new)
            .await
    }

    /// `PATCH /api/users/:id` with the fields set in `patch`. An empty patch
    /// (which Logto answers with 422) just returns the current user.
    pub async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User, LogtoError> {
        if patch.is_empty() {
            return self.get_user(id).await;
        }
        self.send_json(Method::PATCH, route("/api/users/{userId}", &[id]), patch)
            .await
    }

    /// `PATCH /api/users/:id/profile`: shallow merge; returns the whole profile.
    pub async fn update_user_profile(
        &self,
        id: &str,
        profile: &Map<String, Value>,
    ) -> Result<Value, LogtoError> {
        self.send_json(
            Method::PATCH,
            route("/api/users/{userId}/profile", &[id]),
            &json!({ "profile": profile }),
        )
        .await
    }

    pub async fn get_custom_data(&self, id: &str) -> Result<Value, LogtoError> {
        self.get_json(route("/api/users/{userId}/custom-data", &[id]), &[])
            .await
    }

    /// `PATCH /api/users/:id/custom-data`: shallow merge of top-level keys;
    /// returns the whole resulting custom data.
    pub async fn update_custom_data(
        &self,
        id: &str,
        data: &Map<String, Value>,
    ) -> Result<Value, LogtoError> {
        self.send_json(
            Method::PATCH,
            route("/api/users/{userId}/custom-data", &[id]),
            &json!({ "customData": data }),
        )
        .await
    }

    /// Admin password change: Logto applies no password policy here.
    pub async fn set_password(&self, id: &str, password: &str) -> Result<User, LogtoError> {
        self.send_json(
            Method::PATCH,
            route("/api/users/{userId}/password", &[id]),
            &json!({ "password": password }),
        )
        .await
    }

    /// `true` for the right password; `false` for a wrong one or none set.
    pub async fn verify_password(&self, id: &str, password: &str) -> Result<bool, LogtoError> {
        match self
            .send_unit(
                Method::POST,
                route("/api/users/{userId}/password/verify", &[id]),
                Some(&json!({ "password": password })),
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.code() == Some("session.invalid_credentials") => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn has_password(&self, id: &str) -> Result<bool, LogtoError> {
        let v: Value = self
            .get_json(route("/api/users/{userId}/has-password", &[id]), &[])
            .await?;
        v.get("hasPassword")
            .and_then(Value::as_bool)
            .ok_or_else(|| LogtoError::Decode("has-password: no `hasPassword`".into()))
    }

    /// Suspending also revokes the user's tokens and sessions at Logto.
    pub async fn set_suspended(&self, id: &str, suspended: bool) -> Result<User, LogtoError> {
        self.send_json(
            Method::PATCH,
            route("/api/users/{userId}/is-suspended", &[id]),
            &json!({ "isSuspended": suspended }),
        )
        .await
    }

    /// Marks the user's password expired (Logto 1.41+): they must choose a new one at their
    /// next sign-in. 400 `sign_in_experiences.password_expiration_not_enabled` while the
    /// tenant's password policy has expiry turned off.
    pub async fn set_password_expired(&self, id: &str, expired: bool) -> Result<(), LogtoError> {
        let _: User = self
            .send_json(
                Method::PATCH,
                route("/api/users/{userId}/password/expiration", &[id]),
                &json!({ "isExpired": expired }),
            )
            .await?;
        Ok(())
    }

    /// Deletes the user (cascades memberships and their invitations).
    pub async fn delete_user(&self, id: &str) -> Result<(), LogtoError> {
        let result = self
            .send_unit::<()>(Method::DELETE, route("/api/users/{userId}", &[id]), None)
            .await;
        self.user_deletion_done(id, result.is_ok());
        result
    }

    /// Unlinks a social identity; 404 `user.identity_not_exist` if absent.
    pub async fn delete_identity(&self, id: &str, target: &str) -> Result<User, LogtoError> {
        let resp = self
            .call(
                Method::DELETE,
                route("/api/users/{userId}/identities/{target}", &[id, target]),
                &[],
                None,
            )
            .await?;
        super::client::decode("DELETE /api/users/{userId}/identities/{target}", &resp.body)
    }

    /// The user's organizations with the user's roles in each.
    pub async fn user_organizations(&self, id: &str) -> Result<Vec<UserOrganization>, LogtoError> {
        self.get_json(route("/api/users/{userId}/organizations", &[id]), &[])
            .await
    }

    /// All global roles of the user (every page).
    pub async fn user_roles(&self, id: &str) -> Result<Vec<Role>, LogtoError> {
        self.get_all("/api/users/{userId}/roles", &[id], Vec::new())
            .await
    }

    /// Adds global roles (already held ones are ignored by Logto).
    pub async fn assign_user_roles(&self, id: &str, role_ids: &[String]) -> Result<(), LogtoError> {
        if role_ids.is_empty() {
            return Ok(());
        }
        self.send_unit(
            Method::POST,
            route("/api/users/{userId}/roles", &[id]),
            Some(&json!({ "roleIds": role_ids })),
        )
        .await
    }

    pub async fn remove_user_role(&self, id: &str, role_id: &str) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route("/api/users/{userId}/roles/{roleId}", &[id, role_id]),
            None,
        )
        .await
    }

    /// Global roles of type `User` (machine-to-machine roles cannot be given to
    /// users), optionally filtered by a substring of id, name or description.
    pub async fn list_roles(
        &self,
        page: u32,
        page_size: u32,
        search: Option<&str>,
    ) -> Result<Page<Role>, LogtoError> {
        self.get_page(
            route("/api/roles", &[]),
            roles_query(search),
            page,
            page_size,
        )
        .await
    }

    /// The global role named exactly `name`, if any.
    pub async fn find_role_by_name(&self, name: &str) -> Result<Option<Role>, LogtoError> {
        let roles: Vec<Role> = self
            .get_all("/api/roles", &[], roles_query(Some(name)))
            .await?;
        Ok(roles.into_iter().find(|r| r.name == name))
    }
}

fn roles_query(search: Option<&str>) -> Vec<(String, String)> {
    let mut q = vec![("type".to_owned(), "User".to_owned())];
    if let Some(s) = search.filter(|s| !s.trim().is_empty()) {
        q.push(("search".to_owned(), format!("%{}%", escape_like(s))));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logto::search::encode_query;

    #[test]
    fn roles_query_escapes() {
        assert_eq!(encode_query(&roles_query(None)), "type=User");
        assert_eq!(encode_query(&roles_query(Some(" "))), "type=User");
        assert_eq!(
            encode_query(&roles_query(Some("a_b"))),
            "type=User&search=%25a%5C_b%25"
        );
    }
}
