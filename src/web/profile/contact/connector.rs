//! Whether Logto can send codes of a kind, from the tenant's connectors
//! ([`crate::cache::TenantConnectors`]): the section says at once when a change is impossible,
//! before asking anything.

use super::ContactKind;
use crate::cache::Invalidation;
use crate::logto::ConnectorType;
use crate::web::AppState;

fn connector_type(kind: ContactKind) -> ConnectorType {
    match kind {
        ContactKind::Email => ConnectorType::Email,
        ContactKind::Phone => ConnectorType::Sms,
    }
}

/// What a code sent (or refused with 501: no connector) taught about the tenant; a refusal
/// makes every replica list the connectors again.
pub(super) async fn remember_connector(state: &AppState, kind: ContactKind, missing: bool) {
    state.connectors.record(connector_type(kind), !missing);
    if missing {
        state.cache_bus.publish(Invalidation::Connectors).await;
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
        let kinds = state.connectors.kinds(&state.logto).await;
        let can = |kind| {
            state
                .connectors
                .decide(kinds.as_deref(), connector_type(kind))
                .is_possible()
        };
        CodeChannels {
            email: can(ContactKind::Email),
            phone: can(ContactKind::Phone),
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
