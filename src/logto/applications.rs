//! Applications, as far as the portal needs them: `check` confirms the sign-in app.

use serde::Deserialize;

use super::client::{route, LogtoClient};
use super::error::LogtoError;

/// A Logto application. Its secret is never read (1.37 still sends internal ones).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub name: String,
    /// `Traditional`, `SPA`, `Native`, `MachineToMachine`, `Protected`, `SAML`.
    #[serde(rename = "type")]
    pub app_type: String,
    #[serde(default)]
    pub oidc_client_metadata: OidcClientMetadata,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcClientMetadata {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
}

impl LogtoClient {
    /// 404 `entity.not_exists_with_id` for an unknown id.
    pub async fn get_application(&self, id: &str) -> Result<Application, LogtoError> {
        self.get_json(route("/api/applications/{id}", &[id]), &[])
            .await
    }
}
