//! `GET /api/sso-connectors` (core/routes/sso-connector/index.ts, the same in 1.37.1 and
//! 1.42.0): enterprise SSO connectors, pagination optional (`Total-Number` only when `page` or
//! `page_size` is sent). Each stored row is answered as `SsoConnectorWithProviderConfig`: the
//! row itself, `config` (client secrets included) and all, plus the provider's `name` (English,
//! the portal sends no `Accept-Language`), `providerType` and logos. `providerConfig` is left
//! out: Logto fetches it from the identity provider and drops it when that fails, as it does
//! for the fake's made-up issuers.

use crate::http::*;
use crate::store::{gen_id, now_ms, FakeState, TENANT};
use axum::extract::State;
use serde_json::{json, Value};

/// The client secret in every seeded OIDC connector's `config`, for tests that check it never
/// reaches a page.
pub const SSO_CONNECTOR_CLIENT_SECRET: &str = "sso-client-secret-never-shown";

/// Logto's logos are large inline SVGs; the fake answers a small one of the same kind.
const LOGO: &str =
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=";

/// `providerName` → the factory's English `name` and its `providerType` (core/src/sso/*).
fn provider(provider_name: &str) -> Option<(&'static str, &'static str)> {
    Some(match provider_name {
        "OIDC" => ("OIDC", "oidc"),
        "SAML" => ("SAML", "saml"),
        "AzureAD" => ("Microsoft Entra ID (SAML)", "saml"),
        "AzureAdOidc" => ("Microsoft Entra ID (OIDC)", "oidc"),
        "GoogleWorkspace" => ("Google Workspace", "oidc"),
        "Okta" => ("Okta", "oidc"),
        _ => return None,
    })
}

fn with_provider_details(row: &Value) -> Option<Value> {
    let (name, provider_type) = provider(row["providerName"].as_str().unwrap_or_default())?;
    let mut v = row.clone();
    v["name"] = json!(name);
    v["providerType"] = json!(provider_type);
    v["providerLogo"] = json!(LOGO);
    v["providerLogoDark"] = json!(LOGO);
    Some(v)
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let items = st
        .lock()
        .sso_connectors
        .iter()
        .filter_map(with_provider_details)
        .collect();
    Ok(paged(&ctx, page, items))
}

impl FakeState {
    /// Adds an enterprise SSO connector (`providerName` one of Logto's: `OIDC`, `SAML`,
    /// `AzureAD`, `AzureAdOidc`, `GoogleWorkspace`, `Okta`) with a plausible `config` (OIDC
    /// ones hold [`SSO_CONNECTOR_CLIENT_SECRET`]); returns its id.
    ///
    /// # Panics
    /// For a provider Logto does not have.
    pub fn add_sso_connector(
        &self,
        provider_name: &str,
        connector_name: &str,
        domains: &[&str],
        sync_profile: bool,
    ) -> String {
        let (_, provider_type) = provider(provider_name)
            .unwrap_or_else(|| panic!("Logto has no SSO provider {provider_name:?}"));
        let host = format!("{}.idp.test", gen_id(6));
        let config = if provider_type == "oidc" {
            json!({
                "clientId": format!("portal-{}", gen_id(8)),
                "clientSecret": SSO_CONNECTOR_CLIENT_SECRET,
                "issuer": format!("https://{host}"),
                "scope": "openid profile email",
            })
        } else {
            json!({ "metadataUrl": format!("https://{host}/saml/metadata") })
        };
        let id = gen_id(12);
        self.lock().sso_connectors.push(json!({
            "tenantId": TENANT,
            "id": id,
            "providerName": provider_name,
            "connectorName": connector_name,
            "config": config,
            "domains": domains,
            "branding": {},
            "syncProfile": sync_profile,
            "enableTokenStorage": false,
            "createdAt": now_ms(),
        }));
        id
    }

    /// Binds an SSO connector to an organization's just-in-time provisioning.
    pub fn bind_sso_to_organization(&self, org_id: &str, connector_id: &str) {
        self.lock()
            .jit_sso
            .insert((org_id.to_string(), connector_id.to_string()));
    }

    /// The SSO connectors' `connectorName`s, in the order `GET /api/sso-connectors` answers.
    pub fn sso_connector_names(&self) -> Vec<String> {
        self.lock()
            .sso_connectors
            .iter()
            .filter_map(|c| c["connectorName"].as_str().map(str::to_string))
            .collect()
    }

    /// Imitates a Logto whose Management API lacks this path template (e.g.
    /// `/api/sso-connectors`): its OpenAPI document leaves it out and requests get 404.
    pub fn withdraw_path(&self, template: &str) {
        self.lock().withdrawn_paths.push(template.to_string());
    }
}
