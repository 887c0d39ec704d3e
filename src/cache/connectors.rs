//! What the portal knows about the tenant's email and SMS connectors, before anyone tries to
//! send: `GET /api/connectors` (kept for [`TenantConnectors::LIST_TTL`], so a connector added in
//! the Console shows within a minute) says whether codes and invitation emails can go out, and
//! pages say so up front. When this Logto cannot list its connectors, a 501 to a send
//! (`connector.not_found`) is believed for [`TenantConnectors::RECHECK_AFTER`] instead.

use std::{collections::HashMap, sync::Mutex, time::Duration};

// tokio's clock: tests pause and advance it instead of sleeping.
use tokio::time::Instant;

use super::Ttl;
use crate::logto::{ConnectorType, Feature, LogtoClient};

/// Whether messages of one kind can be sent, as far as the portal knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// The tenant has a connector of the kind (or the portal cannot tell and nothing refused).
    Possible,
    /// The tenant's list has no connector of the kind, or a send was refused with 501 lately.
    Impossible,
}

impl Sending {
    pub fn is_possible(self) -> bool {
        self == Sending::Possible
    }
}

/// Per process; each replica lists the connectors itself, and a refusal makes every replica
/// list them again ([`super::CacheBus`]).
pub struct TenantConnectors {
    listed: Ttl<Vec<ConnectorType>>,
    /// Kind → when a send was last refused with 501.
    refused: Mutex<HashMap<ConnectorType, Instant>>,
}

impl Default for TenantConnectors {
    fn default() -> Self {
        TenantConnectors {
            listed: Ttl::new(Self::LIST_TTL),
            refused: Mutex::new(HashMap::new()),
        }
    }
}

impl TenantConnectors {
    pub const LIST_TTL: Duration = Duration::from_secs(60);
    pub const RECHECK_AFTER: Duration = Duration::from_secs(600);

    /// The kinds of connector the tenant has; `None` when this Logto does not list them or
    /// the list could not be read (failures are not kept).
    pub async fn kinds(&self, logto: &LogtoClient) -> Option<Vec<ConnectorType>> {
        if !logto.capabilities().has(Feature::Connectors) {
            return None;
        }
        match self.listed.get_or_load(logto.connector_kinds()).await {
            Ok(kinds) => Some(kinds),
            Err(e) => {
                tracing::debug!(error = %e, "connectors not listed; relying on send answers");
                None
            }
        }
    }

    /// Whether messages of `kind` (email or SMS) can be sent: the tenant's list decides when
    /// there is one, otherwise a recent 501 says no.
    pub async fn sending(&self, logto: &LogtoClient, kind: ConnectorType) -> Sending {
        let kinds = self.kinds(logto).await;
        self.decide(kinds.as_deref(), kind)
    }

    /// [`Self::sending`] from a list already read with [`Self::kinds`].
    pub fn decide(&self, kinds: Option<&[ConnectorType]>, kind: ConnectorType) -> Sending {
        match kinds {
            Some(kinds) if kinds.contains(&kind) => Sending::Possible,
            Some(_) => Sending::Impossible,
            None if self.refused_lately(kind) => Sending::Impossible,
            None => Sending::Possible,
        }
    }

    fn refused_lately(&self, kind: ConnectorType) -> bool {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&kind)
            .is_some_and(|at| at.elapsed() < Self::RECHECK_AFTER)
    }

    /// Forgets the list (after a change elsewhere; the next page reads it again).
    pub fn forget(&self) {
        self.listed.clear();
    }

    /// What a send taught: `sent` false for a 501 (no connector). A refusal also drops the
    /// list, so the next page reads it again.
    pub fn record(&self, kind: ConnectorType, sent: bool) {
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        if sent {
            refused.remove(&kind);
        } else {
            refused.insert(kind, Instant::now());
            self.listed.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_refused_send_is_believed_only_for_a_while() {
        let c = TenantConnectors::default();
        assert!(!c.refused_lately(ConnectorType::Email));
        c.record(ConnectorType::Email, false);
        assert!(c.refused_lately(ConnectorType::Email));
        assert!(!c.refused_lately(ConnectorType::Sms), "per kind");
        tokio::time::advance(TenantConnectors::RECHECK_AFTER + Duration::from_secs(1)).await;
        assert!(!c.refused_lately(ConnectorType::Email), "tried again later");
        c.record(ConnectorType::Email, false);
        c.record(ConnectorType::Email, true);
        assert!(
            !c.refused_lately(ConnectorType::Email),
            "a sent message clears it"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_list_decides_and_a_refusal_decides_only_without_one() {
        use ConnectorType::{Email, Sms};
        let c = TenantConnectors::default();
        assert_eq!(c.decide(Some(&[Sms]), Email), Sending::Impossible);
        assert_eq!(c.decide(Some(&[Email, Sms]), Email), Sending::Possible);
        assert_eq!(c.decide(None, Email), Sending::Possible, "cannot tell: try");
        c.record(Email, false);
        assert_eq!(c.decide(None, Email), Sending::Impossible);
        assert_eq!(c.decide(Some(&[Email]), Email), Sending::Possible);
    }
}
