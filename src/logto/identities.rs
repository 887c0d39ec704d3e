//! Linking a social account: list the tenant's social connectors, ask one for its
//! authorization URI (the person goes there and comes back to the portal with a code), then
//! hand the code to Logto, which exchanges it and links the identity
//! (`POST /api/connectors/{id}/authorization-uri`, `POST /api/users/{id}/identities`; every
//! supported release). Unlinking is `LogtoClient::delete_identity`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{ConnectorType, Identity, SocialConnector};

/// Logto's answer when the social account already belongs to someone else.
pub const IDENTITY_IN_USE: &str = "user.identity_already_in_use";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationUri {
    redirect_to: String,
}

impl LogtoClient {
    /// The tenant's social connectors (email and SMS connectors left out).
    pub async fn list_social_connectors(&self) -> Result<Vec<SocialConnector>, LogtoError> {
        let all: Vec<SocialConnector> = self.get_json(route("/api/connectors", &[]), &[]).await?;
        Ok(all
            .into_iter()
            .filter(|c| c.kind == ConnectorType::Social)
            .collect())
    }

    /// The kinds of every connector the tenant has (email, SMS, social …): whether Logto can
    /// send codes by email or text message at all.
    pub async fn connector_kinds(&self) -> Result<Vec<ConnectorType>, LogtoError> {
        let all: Vec<SocialConnector> = self.get_json(route("/api/connectors", &[]), &[]).await?;
        Ok(all.into_iter().map(|c| c.kind).collect())
    }

    /// Where to send the person to sign in at the social provider; it comes back to
    /// `redirect_uri` with `code` and `state`. 404 for an unknown connector.
    pub async fn social_authorization_uri(
        &self,
        connector_id: &str,
        state: &str,
        redirect_uri: &str,
    ) -> Result<String, LogtoError> {
        let answer: AuthorizationUri = self
            .send_json(
                Method::POST,
                route(
                    "/api/connectors/{connectorId}/authorization-uri",
                    &[connector_id],
                ),
                &json!({"state": state, "redirectUri": redirect_uri}),
            )
            .await?;
        Ok(answer.redirect_to)
    }

    /// Links the identity the provider's answer (`connector_data`: the query it came back with,
    /// plus `redirectUri`) proves; returns every identity of the person. 422
    /// [`IDENTITY_IN_USE`] when another person has it; a 4xx `connector.*` when the code is
    /// refused.
    pub async fn link_identity(
        &self,
        user_id: &str,
        connector_id: &str,
        connector_data: &serde_json::Map<String, Value>,
    ) -> Result<BTreeMap<String, Identity>, LogtoError> {
        self.send_json(
            Method::POST,
            route("/api/users/{userId}/identities", &[user_id]),
            &json!({"connectorId": connector_id, "connectorData": connector_data}),
        )
        .await
    }
}
