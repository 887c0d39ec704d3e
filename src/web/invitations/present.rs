//! How invitations read on a page: their status, times (relative and absolute) and the
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

/// "in 7 days", "3 hours ago", "just now", rounded to the nearest unit (unlike
/// [`crate::web::format::relative`], which truncates: an invitation made a second ago for
/// 7 days must read "in 7 days", not "in 6 days"), with singular forms.
pub fn relative_time(t: &Tr, now_ms: i64, at_ms: i64) -> String {
    let diff_secs = (at_ms - now_ms) / 1000;
    let future = diff_secs > 0;
    let secs = diff_secs.unsigned_abs();
    if secs < 45 {
        return t.t("invitations.time.now");
    }
    let rounded = |unit: u64| ((secs + unit / 2) / unit).max(1);
    let (n, unit) = if secs < 45 * 60 {
        (rounded(60), "minutes")
    } else if secs < 22 * 3600 {
        (rounded(3600), "hours")
    } else {
        (rounded(86_400), "days")
    };
    let number = if n == 1 { "one" } else { "other" };
    let direction = if future { "in" } else { "ago" };
    t.f(
        &format!("invitations.time.{unit}_{direction}_{number}"),
        &[("n", &n)],
    )
}

/// A point in time as the page shows it: relative text, absolute text and machine form.
#[derive(Debug, Clone)]
pub struct When {
    pub relative: String,
    pub absolute: String,
    pub iso: String,
}

impl When {
    pub fn new(t: &Tr, now_ms: i64, at_ms: i64) -> Self {
        When {
            relative: relative_time(t, now_ms, at_ms),
            absolute: crate::web::format::datetime(at_ms),
            iso: crate::web::format::iso(at_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

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

    #[test]
    fn relative_times_round_to_the_nearest_unit() {
        let t = Tr::new(Lang::En);
        let now = 100 * DAY;
        // A 7-day invitation seen a few seconds after creation still reads "in 7 days".
        assert_eq!(relative_time(&t, now, now + 7 * DAY - 5_000), "in 7 days");
        assert_eq!(
            relative_time(&t, now, now - 2 * DAY + 3_600_000),
            "2 days ago"
        );
        assert_eq!(relative_time(&t, now, now - DAY - 3_600_000), "1 day ago");
        assert_eq!(relative_time(&t, now, now - 21 * 3_600_000), "21 hours ago");
        assert_eq!(relative_time(&t, now, now - 3 * 3_600_000), "3 hours ago");
        assert_eq!(relative_time(&t, now, now + 60_000), "in 1 minute");
        assert_eq!(relative_time(&t, now, now - 10_000), "just now");
        let zh = Tr::new(Lang::ZhTw);
        assert_eq!(relative_time(&zh, now, now + 3 * DAY), "3 天後");
    }
}
