//! The tenant at a glance, read-only (operators' `/tenant`): applications, global roles with
//! how many users and applications hold each, API resources and organization roles with their
//! scopes, every connector and the enterprise SSO connectors. Each type keeps only the fields
//! the page shows: an application's `secret` and a connector's or SSO connector's `config`
//! (client secrets) are never deserialized, so no secret is held beyond the HTTP body (every
//! supported release).

use serde::Deserialize;

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{RoleType, SocialConnector};
use super::page::Page;

/// An item of `GET /api/applications`: deliberately without `secret` (1.37 still sends it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    pub id: String,
    pub name: String,
    /// `Traditional`, `SPA`, `Native`, `MachineToMachine`, `Protected`, `SAML`.
    #[serde(rename = "type")]
    pub app_type: String,
    /// Epoch milliseconds.
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// An item of `GET /api/roles`, with the counts Logto adds to every role list answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleSummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
    #[serde(default)]
    pub users_count: Option<u64>,
    #[serde(default)]
    pub applications_count: Option<u64>,
}

/// A scope in an organization role's answer: its name is what the page shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScopeName {
    pub name: String,
}

/// The API resource of a resource scope in an organization role's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceName {
    pub name: String,
}

/// A resource scope in an organization role's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceScopeName {
    pub name: String,
    pub resource: ResourceName,
}

/// An item of `GET /api/organization-roles`, with the scopes Logto includes (every release).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgRoleSummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub r#type: RoleType,
    #[serde(default)]
    pub scopes: Vec<ScopeName>,
    #[serde(default)]
    pub resource_scopes: Vec<ResourceScopeName>,
}

/// An item of `GET /api/resources?includeScopes=true`: an API and the scopes it defines.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiResource {
    pub id: String,
    pub name: String,
    pub indicator: String,
    #[serde(default)]
    pub scopes: Vec<ScopeName>,
}

/// An item of `GET /api/sso-connectors` (`SsoConnectorWithProviderConfig`): deliberately
/// without `config` (client secrets) and `providerConfig` (what Logto read from the identity
/// provider).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoConnectorSummary {
    pub id: String,
    pub connector_name: String,
    /// `OIDC`, `SAML`, `AzureAD`, `AzureAdOidc`, `GoogleWorkspace`, `Okta`.
    pub provider_name: String,
    /// The provider's display name as Logto words it (`Microsoft Entra ID (SAML)`).
    #[serde(default)]
    pub name: Option<String>,
    /// Email domains whose people sign in through this connector.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Whether the profile is copied from the identity provider at every sign-in.
    #[serde(default)]
    pub sync_profile: bool,
}

impl LogtoClient {
    /// One page of the tenant's applications, newest first.
    pub async fn list_applications(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<AppSummary>, LogtoError> {
        self.get_page(route("/api/applications", &[]), Vec::new(), page, page_size)
            .await
    }

    /// One page of the global roles, users' and machine-to-machine alike.
    pub async fn list_all_roles(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<RoleSummary>, LogtoError> {
        self.get_page(route("/api/roles", &[]), Vec::new(), page, page_size)
            .await
    }

    /// One page of the organization roles (the templates every organization shares).
    pub async fn list_org_roles_with_scopes(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<OrgRoleSummary>, LogtoError> {
        self.get_page(
            route("/api/organization-roles", &[]),
            Vec::new(),
            page,
            page_size,
        )
        .await
    }

    /// One page of the API resources with their scopes (one call: `includeScopes`).
    pub async fn list_resources(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<ApiResource>, LogtoError> {
        let query = vec![("includeScopes".to_owned(), "true".to_owned())];
        self.get_page(route("/api/resources", &[]), query, page, page_size)
            .await
    }

    /// One page of the enterprise SSO connectors (in Logto's order: none is declared, the
    /// table's); `config` is never read.
    pub async fn list_sso_connectors(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<SsoConnectorSummary>, LogtoError> {
        self.get_page(
            route("/api/sso-connectors", &[]),
            Vec::new(),
            page,
            page_size,
        )
        .await
    }

    /// Every connector (Logto does not page this list); `config` is never read.
    pub async fn list_connectors(&self) -> Result<Vec<SocialConnector>, LogtoError> {
        self.get_json(route("/api/connectors", &[]), &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_is_read() {
        let apps: Vec<AppSummary> = serde_json::from_str(
            r#"[{"id":"a","name":"Web","type":"Traditional","secret":"s3cret","createdAt":5}]"#,
        )
        .unwrap();
        assert_eq!(apps[0].created_at, Some(5));
        assert!(!format!("{apps:?}").contains("s3cret"));
        let roles: Vec<RoleSummary> = serde_json::from_str(
            r#"[{"id":"r","name":"Ops","type":"MachineToMachine","usersCount":0,"applicationsCount":2}]"#,
        )
        .unwrap();
        assert_eq!(roles[0].r#type, RoleType::MachineToMachine);
        assert_eq!(roles[0].applications_count, Some(2));
        let sso: Vec<SsoConnectorSummary> = serde_json::from_str(
            r#"[{"id":"s","providerName":"Okta","connectorName":"Acme","domains":["acme.com"],
                "config":{"clientSecret":"s3cret"},"syncProfile":true,"name":"Okta",
                "providerConfig":{"clientSecret":"s3cret"}}]"#,
        )
        .unwrap();
        assert!(sso[0].sync_profile);
        assert!(!format!("{sso:?}").contains("s3cret"));
    }
}
