//! A person's personal access tokens (`/api/users/{id}/personal-access-tokens`, every
//! supported release). Tokens are named per person; the client uses the body-based rename and
//! delete, so a name never has to be encoded into a path.

use reqwest::Method;
use serde_json::json;

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{NewAccessToken, PersonalAccessToken};

const TOKENS: &str = "/api/users/{userId}/personal-access-tokens";
const DELETE: &str = "/api/users/{userId}/personal-access-tokens/delete";

impl LogtoClient {
    pub async fn list_access_tokens(
        &self,
        user_id: &str,
    ) -> Result<Vec<PersonalAccessToken>, LogtoError> {
        self.get_json(route(TOKENS, &[user_id]), &[]).await
    }

    /// Creates a token (`expires_at` epoch ms, `None` = never). 422
    /// `user.personal_access_token_name_exists` for a name in use; 400 `request.invalid_input`
    /// for an expiry in the past. The answer is the only time the value can be read.
    pub async fn create_access_token(
        &self,
        user_id: &str,
        name: &str,
        expires_at: Option<i64>,
    ) -> Result<NewAccessToken, LogtoError> {
        self.send_json(
            Method::POST,
            route(TOKENS, &[user_id]),
            &json!({"name": name, "expiresAt": expires_at}),
        )
        .await
    }

    /// Renames a token; 404 `entity.not_exists` when there is none by `current`, 422
    /// `user.personal_access_token_name_exists` when `new_name` is taken.
    pub async fn rename_access_token(
        &self,
        user_id: &str,
        current: &str,
        new_name: &str,
    ) -> Result<PersonalAccessToken, LogtoError> {
        self.send_json(
            Method::PATCH,
            route(TOKENS, &[user_id]),
            &json!({"currentName": current, "name": new_name}),
        )
        .await
    }

    /// Deletes a token; 404 `entity.not_found` when there is none by that name.
    pub async fn delete_access_token(&self, user_id: &str, name: &str) -> Result<(), LogtoError> {
        self.send_unit(
            Method::POST,
            route(DELETE, &[user_id]),
            Some(&json!({ "name": name })),
        )
        .await
    }
}
