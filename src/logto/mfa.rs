//! A person's two-step verification factors (`/api/users/{id}/mfa-verifications`, every
//! supported release). The portal makes TOTP secrets and backup codes itself
//! (`crate::security`) and hands them to Logto, so what a person confirmed is what Logto keeps.

use reqwest::Method;
use serde_json::json;

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{BackupCodes, MfaVerification, TotpEnrolment};
use super::secret::Secret;

const LIST: &str = "/api/users/{userId}/mfa-verifications";
const ONE: &str = "/api/users/{userId}/mfa-verifications/{verificationId}";

impl LogtoClient {
    pub async fn list_mfa_verifications(
        &self,
        user_id: &str,
    ) -> Result<Vec<MfaVerification>, LogtoError> {
        self.get_json(route(LIST, &[user_id]), &[]).await
    }

    /// Binds an authenticator app with `secret` (base32). Logto allows one: 422
    /// `user.totp_already_in_use` while another is bound (remove it first to replace it);
    /// 422 `user.totp_secret_invalid` for a secret that is not 16 to 32 base32 characters.
    pub async fn enrol_totp(
        &self,
        user_id: &str,
        secret: &Secret,
    ) -> Result<TotpEnrolment, LogtoError> {
        self.send_json(
            Method::POST,
            route(LIST, &[user_id]),
            &json!({"type": "Totp", "secret": secret}),
        )
        .await
    }

    /// Binds ten backup codes. Logto refuses them as the only factor (422
    /// `session.mfa.backup_code_can_not_be_alone`) and while unused ones are bound (422
    /// `user.backup_code_already_in_use`): to regenerate, remove the old set first.
    pub async fn create_backup_codes(
        &self,
        user_id: &str,
        codes: &[Secret],
    ) -> Result<BackupCodes, LogtoError> {
        self.send_json(
            Method::POST,
            route(LIST, &[user_id]),
            &json!({"type": "BackupCode", "codes": codes}),
        )
        .await
    }

    /// Removes one factor; 404 `entity.not_found` when the person has no such factor.
    pub async fn delete_mfa_verification(
        &self,
        user_id: &str,
        verification_id: &str,
    ) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route(ONE, &[user_id, verification_id]),
            None,
        )
        .await
    }

    /// Removes every factor (an operator's reset); returns how many were removed. A factor
    /// removed meanwhile (404) is not an error.
    pub async fn reset_mfa(&self, user_id: &str) -> Result<usize, LogtoError> {
        let mut removed = 0;
        for v in self.list_mfa_verifications(user_id).await? {
            match self.delete_mfa_verification(user_id, &v.id).await {
                Ok(()) => removed += 1,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}
