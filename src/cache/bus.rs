//! Invalidation across replicas. A change made through the portal clears the copies it makes
//! stale on this replica at once, then tells the others with `NOTIFY portal_cache, '<what>'`
//! (PostgreSQL); each replica's listener clears the named entry when the notification comes.
//! With SQLite there is one process, and the bus is local only.
//!
//! Notifications are not stored: one sent while a listener is disconnected is lost. So a
//! replica whose listener drops clears every cache at once, and again when it listens again;
//! until then its copies are at most as old as their time limits allow.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};

use super::{DirectoryChoices, OrgFacts, TenantConnectors, Ttl};
use crate::db::{Db, SessionCache, SessionChange};
use crate::logto::{LogtoClient, MemberChange};

/// The PostgreSQL channel every replica listens on.
pub const CHANNEL: &str = "portal_cache";

/// Between attempts to listen again after the connection dropped (doubling up to the most).
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MOST: Duration = Duration::from_secs(30);

/// What a change made stale, as named in a notification's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// `org_name:<org_id>`: an organization was renamed or deleted.
    OrgName(String),
    /// `org_roles`: the organization roles that can be given.
    OrgRoles,
    /// `connectors`: the tenant's email and SMS connectors.
    Connectors,
    /// `directory_choices`: the organizations and roles offered by the directory's filters.
    DirectoryChoices,
    /// `storage_ready`: whether Logto can store avatar uploads.
    StorageReady,
    /// `org_members:<org_id>`: an organization's members or their roles (the member index
    /// kept where Logto cannot filter members by role).
    OrgMembers(String),
    /// `org_members`: any organization's members (a user was deleted).
    AnyOrgMembers,
    /// `capabilities`: what the Logto in front of us declares (read again, not forgotten).
    Capabilities,
    /// `session:<hash of its id>`: a portal session was written or deleted.
    Session(String),
    /// `sessions`: several portal sessions were deleted at once.
    AllSessions,
    /// `access:<user_id>`: the portal changed a person's access (their access generation).
    AccessOf(String),
    /// `all`: every cache (also what an operator may send by hand after a change in the Console).
    All,
}

impl From<SessionChange> for Invalidation {
    fn from(change: SessionChange) -> Self {
        match change {
            SessionChange::Session(key) => Invalidation::Session(key),
            SessionChange::AllSessions => Invalidation::AllSessions,
            SessionChange::AccessOf(user_id) => Invalidation::AccessOf(user_id),
        }
    }
}

impl Invalidation {
    /// The payload's name of the entry.
    pub fn name(&self) -> String {
        match self {
            Invalidation::OrgName(id) => format!("org_name:{id}"),
            Invalidation::OrgMembers(id) => format!("org_members:{id}"),
            Invalidation::AnyOrgMembers => "org_members".into(),
            Invalidation::OrgRoles => "org_roles".into(),
            Invalidation::Connectors => "connectors".into(),
            Invalidation::DirectoryChoices => "directory_choices".into(),
            Invalidation::StorageReady => "storage_ready".into(),
            Invalidation::Capabilities => "capabilities".into(),
            Invalidation::Session(key) => format!("session:{key}"),
            Invalidation::AllSessions => "sessions".into(),
            Invalidation::AccessOf(user_id) => format!("access:{user_id}"),
            Invalidation::All => "all".into(),
        }
    }
}

impl FromStr for Invalidation {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "org_roles" => Invalidation::OrgRoles,
            "connectors" => Invalidation::Connectors,
            "directory_choices" => Invalidation::DirectoryChoices,
            "storage_ready" => Invalidation::StorageReady,
            "capabilities" => Invalidation::Capabilities,
            "sessions" => Invalidation::AllSessions,
            "all" => Invalidation::All,
            "org_members" => Invalidation::AnyOrgMembers,
            _ => {
                let named = |prefix: &str| {
                    s.strip_prefix(prefix)
                        .filter(|rest| !rest.is_empty())
                        .map(str::to_owned)
                };
                if let Some(id) = named("org_name:") {
                    Invalidation::OrgName(id)
                } else if let Some(id) = named("org_members:") {
                    Invalidation::OrgMembers(id)
                } else if let Some(key) = named("session:") {
                    Invalidation::Session(key)
                } else if let Some(user_id) = named("access:") {
                    Invalidation::AccessOf(user_id)
                } else {
                    return Err(());
                }
            }
        })
    }
}

/// A notification's payload: `<what>` or `<what>|<sending replica>`; the sender's own
/// notifications come back to it and are skipped (it cleared its copies before sending).
fn payload(what: &Invalidation, origin: &str) -> String {
    format!("{}|{origin}", what.name())
}

fn parse_payload(payload: &str) -> (Result<Invalidation, ()>, Option<&str>) {
    match payload.rsplit_once('|') {
        Some((what, origin)) => (what.parse(), Some(origin)),
        None => (payload.parse(), None),
    }
}

/// This replica's caches, as the bus clears them (the same ones `AppState` serves from).
#[derive(Clone)]
pub struct LocalCaches {
    pub org_facts: OrgFacts,
    pub connectors: Arc<TenantConnectors>,
    pub directory_choices: Arc<Ttl<DirectoryChoices>>,
    pub storage_ready: Arc<Ttl<bool>>,
    /// Portal sessions and access generations (the session store's copies).
    pub sessions: SessionCache,
    /// Whose capability facts `capabilities` reads again.
    pub logto: LogtoClient,
}

impl LocalCaches {
    pub fn new(logto: LogtoClient, sessions: SessionCache) -> Self {
        LocalCaches {
            org_facts: OrgFacts::default(),
            connectors: Arc::default(),
            directory_choices: Arc::new(Ttl::new(Duration::from_secs(60))),
            storage_ready: Arc::new(Ttl::new(Duration::from_secs(300))),
            sessions,
            logto,
        }
    }

    /// Clears what `what` names here.
    pub fn clear(&self, what: &Invalidation) {
        match what {
            Invalidation::OrgName(id) => self.org_facts.forget_org_name(id),
            Invalidation::OrgMembers(id) => self
                .logto
                .forget_member_roles(&MemberChange::Org(id.clone())),
            Invalidation::AnyOrgMembers => self.logto.forget_member_roles(&MemberChange::AnyOrg),
            Invalidation::OrgRoles => self.org_facts.forget_roles(),
            Invalidation::Connectors => self.connectors.forget(),
            Invalidation::DirectoryChoices => self.directory_choices.clear(),
            Invalidation::StorageReady => self.storage_ready.clear(),
            Invalidation::Capabilities => self.reread_capabilities(),
            Invalidation::Session(key) => {
                self.sessions.heard(&SessionChange::Session(key.clone()));
            }
            Invalidation::AllSessions => self.sessions.heard(&SessionChange::AllSessions),
            Invalidation::AccessOf(user_id) => {
                self.sessions
                    .heard(&SessionChange::AccessOf(user_id.clone()));
            }
            Invalidation::All => {
                self.clear_kept_values();
                self.reread_capabilities();
            }
        }
    }

    /// Every value kept for a while (the capability facts are kept: they are read again
    /// instead, never dropped to the oldest release's).
    fn clear_kept_values(&self) {
        self.sessions.forget_everything();
        self.org_facts.forget_all();
        self.logto.forget_member_roles(&MemberChange::AnyOrg);
        self.connectors.forget();
        self.directory_choices.clear();
        self.storage_ready.clear();
    }

    fn reread_capabilities(&self) {
        let logto = self.logto.clone();
        // In the background: a notification must not wait for Logto.
        tokio::spawn(async move {
            if let Err(e) = logto.refresh_capabilities().await {
                tracing::warn!(error = %e, "could not read Logto's capabilities again");
            }
        });
    }
}

#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    send_failures: AtomicU64,
    received: AtomicU64,
    connections: AtomicU64,
    listening: AtomicBool,
    listener_pid: AtomicU32,
}

/// What the bus has done, for `/metrics` and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusStats {
    /// Notifications sent to the other replicas.
    pub sent: u64,
    /// Notifications that could not be sent (the others keep their copies until the time limit).
    pub send_failures: u64,
    /// Notifications from other replicas acted on.
    pub received: u64,
    /// Times the listener started listening (1 after start, +1 per reconnection).
    pub connections: u64,
    /// Whether the listener is listening now (always false with SQLite: there is none).
    pub listening: bool,
    /// The listener's PostgreSQL backend process, while listening.
    pub listener_pid: Option<u32>,
}

/// Clears caches on this replica and tells the others to. Cheap to clone.
#[derive(Clone)]
pub struct CacheBus(Arc<BusInner>);

struct BusInner {
    caches: LocalCaches,
    /// The shared database when there are replicas (PostgreSQL).
    pool: Option<PgPool>,
    /// Names this replica in its payloads.
    origin: String,
    counters: Counters,
}

impl CacheBus {
    pub fn new(db: &Db, caches: LocalCaches) -> Self {
        let pool = match db {
            Db::Postgres(pool) => Some(pool.clone()),
            Db::Sqlite(_) => None,
        };
        let bus = CacheBus(Arc::new(BusInner {
            caches,
            pool,
            origin: uuid::Uuid::new_v4().simple().to_string(),
            counters: Counters::default(),
        }));
        if bus.is_shared() {
            // Sessions written here are forgotten by the other replicas. Weak: the bus owns
            // the session cache, which must not own the bus back.
            let weak = Arc::downgrade(&bus.0);
            bus.0.caches.sessions.set_notifier(move |change| {
                let weak = weak.clone();
                Box::pin(async move {
                    if let Some(inner) = weak.upgrade() {
                        CacheBus(inner).notify_others(change.into()).await;
                    }
                })
            });
        }
        bus.announce_member_changes();
        bus
    }

    /// The client follows its own membership changes in its member index; the other
    /// replicas are told to drop theirs. (A weak handle: the client must not keep the bus.)
    fn announce_member_changes(&self) {
        if self.0.pool.is_none() {
            return;
        }
        let bus = Arc::downgrade(&self.0);
        self.0.caches.logto.on_member_change(move |change| {
            let Some(inner) = bus.upgrade() else {
                return;
            };
            let what = match change {
                MemberChange::Org(id) => Invalidation::OrgMembers(id),
                MemberChange::AnyOrg => Invalidation::AnyOrgMembers,
            };
            tokio::spawn(async move { CacheBus(inner).notify_others(what).await });
        });
    }

    pub fn caches(&self) -> &LocalCaches {
        &self.0.caches
    }

    /// After a change made through the portal: clears `what` here at once (never waiting for
    /// its own notification), then tells the other replicas.
    pub async fn publish(&self, what: Invalidation) {
        self.0.caches.clear(&what);
        self.notify_others(what).await;
    }

    /// Tells the other replicas only (this one already holds the new value).
    pub async fn notify_others(&self, what: Invalidation) {
        let Some(pool) = &self.0.pool else {
            return;
        };
        let sent = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload(&what, &self.0.origin))
            .execute(pool)
            .await;
        match sent {
            Ok(_) => {
                self.0.counters.sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                self.0
                    .counters
                    .send_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    error = %e,
                    what = %what.name(),
                    "could not tell the other replicas to forget a cached value; they keep it until it expires"
                );
            }
        }
    }

    pub fn stats(&self) -> BusStats {
        let c = &self.0.counters;
        let pid = c.listener_pid.load(Ordering::Relaxed);
        BusStats {
            sent: c.sent.load(Ordering::Relaxed),
            send_failures: c.send_failures.load(Ordering::Relaxed),
            received: c.received.load(Ordering::Relaxed),
            connections: c.connections.load(Ordering::Relaxed),
            listening: c.listening.load(Ordering::Relaxed),
            listener_pid: (pid != 0).then_some(pid),
        }
    }

    /// Whether there are other replicas to tell (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.0.pool.is_some()
    }

    /// Starts this replica's listener (PostgreSQL only); it runs as long as the runtime.
    pub fn spawn_listener(&self) {
        let Some(pool) = &self.0.pool else {
            return;
        };
        // A connection of its own, outside the request pool, named for `pg_stat_activity`.
        let options: PgConnectOptions = pool
            .connect_options()
            .as_ref()
            .clone()
            .application_name("logto-portal cache bus");
        let own = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        tokio::spawn(self.clone().listen(own));
    }

    fn receive(&self, payload: &str) {
        let (what, origin) = parse_payload(payload);
        if origin == Some(self.0.origin.as_str()) {
            return;
        }
        self.0.counters.received.fetch_add(1, Ordering::Relaxed);
        match what {
            Ok(what) => self.0.caches.clear(&what),
            Err(()) => {
                // From a newer replica, perhaps: forgetting everything is always safe.
                tracing::warn!(payload, "unknown cache invalidation; clearing every cache");
                self.0.caches.clear_kept_values();
            }
        }
    }

    async fn listen(self, pool: PgPool) {
        let counters = &self.0.counters;
        let mut retry = RETRY_FIRST;
        let mut first = true;
        loop {
            let mut listener = match subscribe(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?retry, "cache bus: cannot listen");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MOST);
                    continue;
                }
            };
            retry = RETRY_FIRST;
            let pid: Option<i32> = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut listener)
                .await
                .ok();
            // Whatever was kept before now may have missed a notification. At start the
            // capabilities were just read, so they are not read again.
            if first {
                self.0.caches.clear_kept_values();
            } else {
                self.0.caches.clear(&Invalidation::All);
                tracing::info!("cache bus: listening again; every cache cleared");
            }
            first = false;
            counters
                .listener_pid
                .store(pid.map_or(0, |p| p as u32), Ordering::Relaxed);
            counters.listening.store(true, Ordering::Relaxed);
            counters.connections.fetch_add(1, Ordering::Relaxed);
            // From now on every change another replica makes is heard.
            self.0.caches.sessions.set_reliable(true);
            let lost = loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => self.receive(n.payload()),
                    Ok(None) => break "connection lost".to_string(),
                    Err(e) => break e.to_string(),
                }
            };
            counters.listening.store(false, Ordering::Relaxed);
            counters.listener_pid.store(0, Ordering::Relaxed);
            // Sessions are read from the database again until listening again.
            self.0.caches.sessions.set_reliable(false);
            // Fail safe: notifications sent from now until listening again are lost.
            self.0.caches.clear_kept_values();
            tracing::warn!(reason = %lost, "cache bus: stopped listening; every cache cleared");
            drop(listener);
            if pool.is_closed() {
                return;
            }
        }
    }
}

async fn subscribe(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    // A lost connection is re-established here (clearing the caches), not inside `try_recv`.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_the_cache_and_key() {
        let all = [
            Invalidation::OrgName("o1".into()),
            Invalidation::OrgMembers("o1".into()),
            Invalidation::AnyOrgMembers,
            Invalidation::OrgRoles,
            Invalidation::Connectors,
            Invalidation::DirectoryChoices,
            Invalidation::StorageReady,
            Invalidation::Capabilities,
            Invalidation::Session("9f2c".into()),
            Invalidation::AllSessions,
            Invalidation::AccessOf("u1".into()),
            Invalidation::All,
        ];
        for what in all {
            let sent = payload(&what, "r1");
            assert_eq!(parse_payload(&sent), (Ok(what.clone()), Some("r1")));
            assert_eq!(parse_payload(&what.name()), (Ok(what), None), "by hand");
        }
        assert_eq!(
            payload(&Invalidation::OrgName("o1".into()), "r1"),
            "org_name:o1|r1"
        );
        assert_eq!(parse_payload("org_name:").0, Err(()));
        assert_eq!(parse_payload("tea|r2"), (Err(()), Some("r2")));
    }
}
