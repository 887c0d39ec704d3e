//! Organization invitations and verification codes (both may send messages).

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{route, LogtoClient};
use super::error::LogtoError;
use super::models::{CodeTarget, Invitation, InvitationFilter, InvitationStatus, NewInvitation};
use super::search::push_opt;

impl LogtoClient {
    /// Invitations matching the filter, newest first. Logto does not paginate this list.
    pub async fn list_invitations(
        &self,
        f: &InvitationFilter,
    ) -> Result<Vec<Invitation>, LogtoError> {
        let mut q = Vec::new();
        push_opt(&mut q, "organizationId", f.organization_id.as_deref());
        push_opt(&mut q, "inviterId", f.inviter_id.as_deref());
        push_opt(&mut q, "invitee", f.invitee.as_deref());
        self.get_json(route("/api/organization-invitations", &[]), &q)
            .await
    }

    pub async fn get_invitation(&self, id: &str) -> Result<Invitation, LogtoError> {
        self.get_json(route("/api/organization-invitations/{id}", &[id]), &[])
            .await
    }

    /// Creates an invitation. 422 `entity.unique_integrity_violation` when a
    /// pending one exists for the same invitee and organization; with a
    /// message payload, 501 `connector.not_found` when Logto has no email connector.
    pub async fn create_invitation(&self, new: &NewInvitation) -> Result<Invitation, LogtoError> {
        self.send_json(
            Method::POST,
            route("/api/organization-invitations", &[]),
            new,
        )
        .await
    }

    /// (Re)sends the invitation email with `payload` (e.g. `{"link": ...}`).
    pub async fn send_invitation_message(
        &self,
        id: &str,
        payload: &Value,
    ) -> Result<(), LogtoError> {
        self.send_unit(
            Method::POST,
            route("/api/organization-invitations/{id}/message", &[id]),
            Some(payload),
        )
        .await
    }

    /// `Accepted` (needs the accepting user, whose email must match; adds the
    /// membership and roles) or `Revoked`. Other statuses are refused by Logto.
    pub async fn set_invitation_status(
        &self,
        id: &str,
        status: InvitationStatus,
        accepted_user_id: Option<&str>,
    ) -> Result<Invitation, LogtoError> {
        let mut body = json!({ "status": status.as_str() });
        if let Some(u) = accepted_user_id {
            body["acceptedUserId"] = Value::String(u.to_owned());
        }
        let result: Result<Invitation, LogtoError> = self
            .send_json(
                Method::PUT,
                route("/api/organization-invitations/{id}/status", &[id]),
                &body,
            )
            .await;
        match &result {
            // Accepting adds the member with the invitation's roles: read them again.
            Ok(invitation) if status == InvitationStatus::Accepted => {
                self.member_change_done(&invitation.organization_id, None);
            }
            Ok(_) => {}
            // Unclear whether someone joined, and where: every index is read again.
            Err(_) if status == InvitationStatus::Accepted => {
                self.memberships_unclear();
            }
            Err(_) => {}
        }
        result
    }

    pub async fn delete_invitation(&self, id: &str) -> Result<(), LogtoError> {
        self.send_unit::<()>(
            Method::DELETE,
            route("/api/organization-invitations/{id}", &[id]),
            None,
        )
        .await
    }

    /// Sends a one-time code (not bound to a user), e.g. to prove a new email.
    /// 501 `connector.not_found` without a connector; 429
    /// `request.message_rate_limited` after 10 sends to one address in 10 min.
    pub async fn send_verification_code(&self, to: &CodeTarget) -> Result<(), LogtoError> {
        self.send_unit(
            Method::POST,
            route("/api/verification-codes", &[]),
            Some(&to.json()),
        )
        .await
    }

    /// Checks (and consumes) a code; wrong codes are 400 `verification_code.*`.
    pub async fn verify_code(&self, to: &CodeTarget, code: &str) -> Result<(), LogtoError> {
        let mut body = to.json();
        body.insert("verificationCode".into(), Value::String(code.to_owned()));
        self.send_unit(
            Method::POST,
            route("/api/verification-codes/verify", &[]),
            Some(&body),
        )
        .await
    }
}
