//! The addresses waiting for their codes, kept in the session.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::ContactKind;
use crate::web::error::AppResult;

/// Session key of the addresses waiting for their codes.
const PENDING_KEY: &str = "profile_pending_contact";
/// A change nobody finished is forgotten after this long (Logto's codes last 10 minutes).
const PENDING_TTL_MS: i64 = 30 * 60_000;

/// An address waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub address: String,
    pub sent_at: i64,
    pub sends: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PendingContacts {
    email: Option<Pending>,
    phone: Option<Pending>,
}

impl PendingContacts {
    /// The changes still waiting at `now` (epoch ms, from the state's clock).
    pub async fn load(session: &Session, now: i64) -> AppResult<Self> {
        let mut p: PendingContacts = session.get(PENDING_KEY).await?.unwrap_or_default();
        for slot in [&mut p.email, &mut p.phone] {
            if slot
                .as_ref()
                .is_some_and(|x| now - x.sent_at > PENDING_TTL_MS)
            {
                *slot = None;
            }
        }
        Ok(p)
    }

    pub fn get(&self, kind: ContactKind) -> Option<&Pending> {
        match kind {
            ContactKind::Email => self.email.as_ref(),
            ContactKind::Phone => self.phone.as_ref(),
        }
    }

    pub(super) fn set(&mut self, kind: ContactKind, value: Option<Pending>) {
        match kind {
            ContactKind::Email => self.email = value,
            ContactKind::Phone => self.phone = value,
        }
    }

    pub(super) async fn save(&self, session: &Session) -> AppResult<()> {
        session.insert(PENDING_KEY, self).await?;
        Ok(())
    }
}
