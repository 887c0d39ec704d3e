//! Organizations themselves (create, change, delete) and their just-in-time provisioning:
//! verified email domains, the default roles JIT members get, and the enterprise SSO
//! connectors bound to the organization (core/routes/organization/index.ts, jit/*).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{OrgRole, Organization};

/// `POST /api/organizations`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOrganization {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `PATCH /api/organizations/{id}`: only the fields set are sent. `customData` and
/// `branding` replace the stored objects, so callers send the whole object (keys the portal
/// does not manage included).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Some(None)` clears the description (`null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_mfa_required: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branding: Option<Map<String, Value>>,
}

impl OrganizationPatch {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.custom_data.is_none()
            && self.is_mfa_required.is_none()
            && self.branding.is_none()
    }
}

/// One row of `GET /api/organizations/{id}/jit/email-domains`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitEmailDomain {
    pub email_domain: String,
}

/// An enterprise SSO connector bound to an organization (its config is never read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoConnector {
    pub id: String,
    #[serde(default)]
    pub connector_name: String,
    #[serde(default)]
    pub provider_name: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

impl LogtoClient {
    /// 201 with the organization; 400 when the name is empty or too long.
    pub async fn create_organization(
        &self,
        new: &NewOrganization,
    ) -> Result<Organization, LogtoError> {
        self.send_json(Method::POST, route("/api/organizations", &[]), new)
            .await
    }

    pub async fn update_organization(
        &self,
        id: &str,
        patch: &OrganizationPatch,
    ) -> Result<Organization, LogtoError> {
        self.send_json(
            Method::PATCH,
            route("/api/organizations/{id}", &[id]),
            patch,
        )
        .await
    }

    /// Deletes the organization with its memberships, roles there and invitations; the
    /// people keep their accounts. 404 when it does not exist.
    pub async fn delete_organization(&self, id: &str) -> Result<(), LogtoError> {
        let result = self
            .send_unit::<()>(
                Method::DELETE,
                route("/api/organizations/{id}", &[id]),
                None,
            )
            .await;
        self.member_change_done(id, None);
        result
    }

    /// Every verified email domain of the organization (Logto does not check that it exists).
    pub async fn jit_email_domains(&self, org_id: &str) -> Result<Vec<String>, LogtoError> {
        let rows: Vec<JitEmailDomain> = self
            .get_all(
                "/api/organizations/{id}/jit/email-domains",
                &[org_id],
                Vec::new(),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.email_domain).collect())
    }

    /// 201; 422 `entity.unique_integrity_violation` when the domain is already there. Logto
    /// checks nothing else about the text: the portal validates the domain first.
    pub async fn add_jit_email_domain(&self, org_id: &str, domain: &str) -> Result<(), LogtoError> {
        self.send_unit(
            Method::POST,
            route("/api/organizations/{id}/jit/email-domains", &[org_id]),
            Some(&json!({ "emailDomain": domain })),
        )
        .await
    }

    /// 204; 404 when the organization has no such domain.
    pub async fn remove_jit_email_domain(
        &self,
        org_id: &str,
        domain: &str,
    ) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route(
                "/api/organizations/{id}/jit/email-domains/{emailDomain}",
                &[org_id, domain],
            ),
            None,
        )
        .await
    }

    /// The organization roles JIT members get; 404 for an unknown organization.
    pub async fn jit_roles(&self, org_id: &str) -> Result<Vec<OrgRole>, LogtoError> {
        self.get_all("/api/organizations/{id}/jit/roles", &[org_id], Vec::new())
            .await
    }

    /// Replaces the default roles (an empty list removes them all); 422 for an unknown role.
    pub async fn set_jit_roles(&self, org_id: &str, role_ids: &[String]) -> Result<(), LogtoError> {
        self.send_unit(
            Method::PUT,
            route("/api/organizations/{id}/jit/roles", &[org_id]),
            Some(&json!({ "organizationRoleIds": role_ids })),
        )
        .await
    }

    /// Enterprise SSO connectors whose sign-ins join the organization; 404 for an unknown
    /// organization.
    pub async fn jit_sso_connectors(&self, org_id: &str) -> Result<Vec<SsoConnector>, LogtoError> {
        self.get_all(
            "/api/organizations/{id}/jit/sso-connectors",
            &[org_id],
            Vec::new(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_sends_only_what_is_set() {
        let p = OrganizationPatch {
            description: Some(None),
            is_mfa_required: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({ "description": null, "isMfaRequired": true })
        );
        assert!(OrganizationPatch::default().is_empty());
        assert!(!p.is_empty());
    }
}
