//! The application's state: configuration, the Logto client, the database, the audit trail,
//! the attempt limits, the sign-in provider and the short-lived caches. Shared by every
//! handler and free of page types, so the layers below the web never depend on it.

use std::{ops::Deref, sync::Arc};

use crate::audit::AuditLog;
use crate::auth::oidc::OidcProvider;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::logto::LogtoClient;

pub struct Inner {
    pub config: Config,
    /// The one source of "now" for session lifetimes and access re-checks.
    pub clock: Clock,
    pub logto: LogtoClient,
    pub db: Db,
    /// Portal sessions (the session layer's store) and access generations, with their
    /// in-memory copies: whatever ends sessions or changes access goes through here.
    pub sessions: crate::db::PortalSessionStore,
    pub audit: AuditLog,
    /// Attempt limits shared by every replica (current password, codes, directory look-ups).
    pub limits: crate::limits::Limiter,
    pub oidc: OidcProvider,
    pub connectors: Arc<crate::cache::TenantConnectors>,
    /// Organizations and roles offered by the user directory's filters.
    pub directory_choices: Arc<crate::cache::Ttl<crate::cache::DirectoryChoices>>,
    /// Single-flight access re-checks per person.
    pub access_checks: crate::auth::access::AccessChecks,
    /// Organization roles and names, shared by the member and invitation pages.
    pub org_facts: crate::cache::OrgFacts,
    /// Whether Logto has a storage provider for avatar uploads.
    pub storage_ready: Arc<crate::cache::Ttl<bool>>,
    /// Clears the caches above on every replica after a change made through the portal.
    pub cache_bus: crate::cache::CacheBus,
    /// Avatars fetched and re-encoded by the portal (bounded, in memory).
    pub avatars: crate::avatars::Avatars,
    /// Batch work in the shared database, and this replica's claims on it.
    pub jobs: crate::jobs::Jobs,
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, logto: LogtoClient, db: Db, clock: Clock) -> anyhow::Result<Self> {
        let oidc = OidcProvider::new(&config.logto_endpoint, config.logto_timeout)?;
        let audit = AuditLog::new(db.clone());
        let limits = crate::limits::Limiter::new(db.clone(), clock.clone());
        let jobs = crate::jobs::Jobs::new(db.clone());
        let sessions = db.session_store();
        let caches = crate::cache::LocalCaches::new(logto.clone(), sessions.cache().clone());
        let cache_bus = crate::cache::CacheBus::new(&db, caches.clone());
        Ok(AppState(Arc::new(Inner {
            config,
            clock,
            logto,
            db,
            sessions,
            audit,
            limits,
            oidc,
            connectors: caches.connectors,
            org_facts: caches.org_facts,
            access_checks: Default::default(),
            directory_choices: caches.directory_choices,
            storage_ready: caches.storage_ready,
            cache_bus,
            avatars: Default::default(),
            jobs,
        })))
    }
}

impl AppState {
    /// What [`crate::auth::access`] reads to decide a person's access.
    pub fn access_sources(&self) -> crate::auth::access::AccessSources<'_> {
        crate::auth::access::AccessSources {
            logto: &self.logto,
            sessions: &self.sessions,
            config: &self.config,
            clock: &self.clock,
            checks: &self.access_checks,
        }
    }
}
