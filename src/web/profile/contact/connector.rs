//! Whether Logto can send codes of a kind. The tenant's connectors are listed when the page is
//! drawn (so the section says at once when a change is impossible, before asking anything);
//! a 501 to a code (no email/SMS connector) is remembered for ten minutes per process, for a
//! Logto that does not list its connectors.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

use super::ContactKind;
use crate::logto::{ConnectorType, Feature};
use crate::web::AppState;

/// How long a 501 (no connector) is believed before the portal tries again.
const MISSING_CONNECTOR_MS: i64 = 10 * 60_000;

/// Logto endpoint + kind → when a 501 was last seen.
static MISSING_CONNECTOR: LazyLock<Mutex<HashMap<(String, ContactKind), i64>>> =
    LazyLock::new(Default::default);

fn connector_key(state: &AppState, kind: ContactKind) -> (String, ContactKind) {
    (state.config.logto_endpoint.to_string(), kind)
}

pub(super) fn connector_missing(state: &AppState, kind: ContactKind) -> bool {
    let seen = MISSING_CONNECTOR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&connector_key(state, kind))
        .copied();
    seen.is_some_and(|at| state.clock.now_ms() - at < MISSING_CONNECTOR_MS)
}

pub(super) fn remember_connector(state: &AppState, kind: ContactKind, missing: bool) {
    let mut memo = MISSING_CONNECTOR.lock().unwrap_or_else(|p| p.into_inner());
    if missing {
        memo.insert(connector_key(state, kind), state.clock.now_ms());
    } else {
        memo.remove(&connector_key(state, kind));
    }
}

/// Whether codes can go out by email and by text message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeChannels {
    pub email: bool,
    pub phone: bool,
}

impl CodeChannels {
    /// From the tenant's connectors; when they cannot be listed, both are assumed possible
    /// (the first code then tells).
    pub async fn load(state: &AppState) -> CodeChannels {
        let listed = if state.logto.capabilities().has(Feature::Connectors) {
            state.logto.connector_kinds().await.ok()
        } else {
            None
        };
        let has = |kind: ContactKind, ty: ConnectorType| {
            !connector_missing(state, kind)
                && listed.as_ref().is_none_or(|kinds| kinds.contains(&ty))
        };
        CodeChannels {
            email: has(ContactKind::Email, ConnectorType::Email),
            phone: has(ContactKind::Phone, ConnectorType::Sms),
        }
    }

    /// [`Self::load`] when `needed`; otherwise nothing is asked and both are assumed (for
    /// answers that do not draw the email or phone section).
    pub async fn load_if(state: &AppState, needed: bool) -> CodeChannels {
        if needed {
            Self::load(state).await
        } else {
            CodeChannels {
                email: true,
                phone: true,
            }
        }
    }

    pub fn can_send(self, kind: ContactKind) -> bool {
        match kind {
            ContactKind::Email => self.email,
            ContactKind::Phone => self.phone,
        }
    }
}
