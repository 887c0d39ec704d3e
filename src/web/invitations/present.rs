//! How invitations read on a page: their status and the
//! invitee's address masked for people who may not see it whole.

use crate::logto::{Invitation, InvitationStatus};
use crate::web::i18n::Tr;

/// Logto reports `Expired` on read, but a row fetched a moment before `expiresAt` would still
/// say `Pending`: the portal decides from `expiresAt` itself so the page never offers to act on
/// an invitation that has run out.
pub fn effective_status(inv: &Invitation, now_ms: i64) -> InvitationStatus {
    if inv.status == InvitationStatus::Pending && inv.expires_at <= now_ms {
        InvitationStatus::Expired
    } else {
        inv.status
    }
}

/// The value used in the `status` filter of the list URL.
pub fn status_param(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Expired => "expired",
        InvitationStatus::Revoked => "revoked",
    }
}

/// The audit code of an action refused because the invitation has ended (or not yet).
pub fn ended_code(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "invitation_pending",
        InvitationStatus::Accepted => "invitation_accepted",
        InvitationStatus::Expired => "invitation_expired",
        InvitationStatus::Revoked => "invitation_revoked",
    }
}

pub fn parse_status_param(value: &str) -> Option<InvitationStatus> {
    STATUSES
        .into_iter()
        .find(|s| status_param(*s) == value.trim().to_ascii_lowercase())
}

pub const STATUSES: [InvitationStatus; 4] = [
    InvitationStatus::Pending,
    InvitationStatus::Accepted,
    InvitationStatus::Expired,
    InvitationStatus::Revoked,
];

pub fn status_label(t: &Tr, status: InvitationStatus) -> String {
    t.t(match status {
        InvitationStatus::Pending => "invitations.status.pending",
        InvitationStatus::Accepted => "invitations.status.accepted",
        InvitationStatus::Expired => "invitations.status.expired",
        InvitationStatus::Revoked => "invitations.status.revoked",
    })
}

/// The badge class of a status.
pub fn status_badge(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "badge badge-warn",
        InvitationStatus::Accepted => "badge badge-ok",
        InvitationStatus::Expired => "badge",
        InvitationStatus::Revoked => "badge badge-danger",
    }
}

/// `alice@example.com` → `a***@example.com`: enough for the invitee to recognise their
/// address, not enough for someone who only guessed a link.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn invitation(status: InvitationStatus, expires_at: i64) -> Invitation {
        Invitation {
            id: "i".into(),
            inviter_id: None,
            invitee: "a@b.io".into(),
            accepted_user_id: None,
            organization_id: "o".into(),
            status,
            created_at: 0,
            updated_at: 0,
            expires_at,
            organization_roles: vec![],
        }
    }

    #[test]
    fn pending_past_expiry_is_expired() {
        let now = 10 * DAY;
        assert_eq!(
            effective_status(&invitation(InvitationStatus::Pending, now - 1), now),
            InvitationStatus::Expired
        );
        assert_eq!(
            effective_status(&invitation(InvitationStatus::Pending, now + DAY), now),
            InvitationStatus::Pending
        );
        // Ended statuses stay what they are.
        assert_eq!(
            effective_status(&invitation(InvitationStatus::Revoked, now - DAY), now),
            InvitationStatus::Revoked
        );
        assert_eq!(
            effective_status(&invitation(InvitationStatus::Accepted, now - DAY), now),
            InvitationStatus::Accepted
        );
    }

    #[test]
    fn status_params_round_trip() {
        for s in STATUSES {
            assert_eq!(parse_status_param(status_param(s)), Some(s));
            assert_eq!(ended_code(s), format!("invitation_{}", status_param(s)));
        }
        assert_eq!(
            parse_status_param(" Pending "),
            Some(InvitationStatus::Pending)
        );
        assert_eq!(parse_status_param("all"), None);
    }

    #[test]
    fn masks_the_local_part() {
        assert_eq!(mask_email("alice@example.com"), "a***@example.com");
        assert_eq!(mask_email("é@x.io"), "é***@x.io");
        assert_eq!(mask_email("nonsense"), "***");
    }
}
