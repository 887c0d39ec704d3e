//! Roles, organizations, their members and a user's organizations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{empty_object, User};

/// `{id, name}` as embedded in members, user organizations and invitations.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum RoleType {
    #[default]
    User,
    MachineToMachine,
    /// A type this client does not know yet.
    #[serde(other)]
    Other,
}

/// A global (tenant) RBAC role.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
    #[serde(default)]
    pub is_default: bool,
}

/// An organization role (template shared by all organizations).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "empty_object")]
    pub custom_data: Value,
    #[serde(default)]
    pub is_mfa_required: bool,
    /// `logoUrl`, `darkLogoUrl`, `favicon`, `darkFavicon` (all optional URLs).
    #[serde(default = "empty_object")]
    pub branding: Value,
    pub created_at: i64,
    /// Only with `showFeatured=true`.
    #[serde(default)]
    pub users_count: Option<u64>,
    /// Only with `showFeatured=true` (at most 3).
    #[serde(default)]
    pub featured_users: Option<Vec<FeaturedUser>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct FeaturedUser {
    pub id: String,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// An item of `GET /api/users/:id/organizations`: the organization plus the
/// user's roles in it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOrganization {
    #[serde(flatten)]
    pub organization: Organization,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

/// Reads as the organization it is (`org.id`, `org.name`).
impl std::ops::Deref for UserOrganization {
    type Target = Organization;

    fn deref(&self) -> &Organization {
        &self.organization
    }
}

/// An item of `GET /api/organizations/:id/users`: the user's fields the portal shows or exports,
/// plus their roles in that organization (sorted by name). The rest of the user (custom data,
/// identities, profile) is skipped while reading: a member page reads 20 of these per view,
/// and building those values was a fifth of its instructions. Logto sends no `hasPassword`
/// here.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgMember {
    pub id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    #[serde(default)]
    pub is_suspended: bool,
    #[serde(default)]
    pub organization_roles: Vec<RoleRef>,
}

impl OrgMember {
    /// A member from the user directory's record and the roles the member index holds for
    /// them: a role's holders on a Logto before 1.41 are read by id from `/api/users`, which
    /// knows nothing of organization roles.
    pub fn from_user(user: User, organization_roles: Vec<RoleRef>) -> Self {
        OrgMember {
            id: user.id,
            username: user.username,
            primary_email: user.primary_email,
            primary_phone: user.primary_phone,
            name: user.name,
            avatar: user.avatar,
            last_sign_in_at: user.last_sign_in_at,
            created_at: user.created_at,
            is_suspended: user.is_suspended,
            organization_roles,
        }
    }

    /// Best human label, as [`User::display_name`]: name, username, email, phone, then id.
    pub fn display_name(&self) -> &str {
        super::users::display_name_of(
            &self.id,
            [
                &self.name,
                &self.username,
                &self.primary_email,
                &self.primary_phone,
            ],
        )
    }

    pub fn has_role(&self, role_name: &str) -> bool {
        self.organization_roles.iter().any(|r| r.name == role_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_without_has_password() {
        let m: OrgMember = serde_json::from_str(r#"{"id":"e77tieo45nss","username":"carol","primaryEmail":"carol@corp.test","primaryPhone":null,"name":"Carol C","avatar":null,"customData":{},"identities":{},"lastSignInAt":null,"createdAt":1795574763513,"updatedAt":1795574763513,"profile":{},"applicationId":null,"isSuspended":false,"organizationRoles":[{"id":"0xey","name":"member"}]}"#).unwrap();
        assert_eq!(m.username.as_deref(), Some("carol"));
        assert!(m.has_role("member"));
        assert_eq!(m.display_name(), "Carol C");
    }

    #[test]
    fn organization_with_featured() {
        let o: UserOrganization = serde_json::from_str(r#"{"tenantId":"default","id":"jz","name":"RL","description":"d","customData":{"k2":2},"isMfaRequired":true,"color":{},"branding":{},"customCss":null,"createdAt":1795595888337,"usersCount":3,"featuredUsers":[{"id":"6r","avatar":null,"name":"RL Dave"}],"organizationRoles":[{"id":"ia","name":"admin"}]}"#).unwrap();
        assert_eq!(o.organization_roles.len(), 1);
        assert!(o.is_mfa_required);
        assert_eq!(o.name, "RL");
        let org: Organization = serde_json::from_str(r#"{"tenantId":"default","id":"jz","name":"RL","description":null,"customData":{},"createdAt":1,"usersCount":3,"featuredUsers":[{"id":"6r","avatar":null,"name":"RL Dave"}]}"#).unwrap();
        assert_eq!(org.users_count, Some(3));
        assert_eq!(
            org.featured_users.unwrap()[0].name.as_deref(),
            Some("RL Dave")
        );
    }

    #[test]
    fn role_tolerates_unknown_type() {
        let r: Role = serde_json::from_str(
            r#"{"id":"r","name":"n","description":"d","type":"Future","isDefault":false,"usersCount":0}"#,
        )
        .unwrap();
        assert_eq!(r.r#type, RoleType::Other);
    }
}
