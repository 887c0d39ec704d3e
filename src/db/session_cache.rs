//! Portal sessions and access generations kept in memory for a short time, so a page view
//! reads neither from the database. Every write goes through this replica's cache first and
//! then tells the other replicas (through the cache bus, `portal_cache` on PostgreSQL) to
//! forget their copy.
//!
//! Fails closed: where a change on another replica could go unheard (PostgreSQL while the
//! bus is not listening), nothing is served from here and every request reads the database,
//! as before the cache existed. Each copy also lives at most [`KEPT_FOR`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::time::Instant;
use tower_sessions::session::{Id, Record};

/// The longest a copy is served without reading the database again: also how long another
/// replica's change could go unseen if its notification could not be sent.
pub const KEPT_FOR: Duration = Duration::from_secs(10);
/// Copies kept at most (about 1–2 KB a session): past it, the ones no longer fresh are
/// dropped, and if that is not enough the cache starts over. Memory stays bounded.
const MOST_KEPT: usize = 10_000;

/// What another replica must forget after a change made here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// One session, named by [`session_key`] (never by its id, which is a bearer secret).
    Session(String),
    /// Every session (several people's sessions ended at once).
    AllSessions,
    /// A person's access generation was bumped.
    AccessOf(String),
}

/// How a session is named in the cache and in notifications: a hash of its id.
pub fn session_key(id: &Id) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    hex::encode(&digest[..16])
}

type Notifier = Box<dyn Fn(SessionChange) -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

/// Cheap to clone; every clone is the same cache.
#[derive(Clone, Default)]
pub struct SessionCache(Arc<Inner>);

#[derive(Default)]
struct Inner {
    copies: Mutex<Copies>,
    /// Whether every change made elsewhere reaches this cache (see the module's note).
    reliable: AtomicBool,
    notifier: OnceLock<Notifier>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct Copies {
    /// Bumped by every write and every forgetting: a read from the database that began
    /// before one is not kept (it may hold what was just changed).
    epoch: u64,
    sessions: HashMap<String, (Instant, Record)>,
    generations: HashMap<String, (Instant, i64)>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("reliable", &self.is_reliable())
            .finish_non_exhaustive()
    }
}

/// How a cache has served, for `/metrics` and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCacheStats {
    pub hits: u64,
    pub misses: u64,
}

impl SessionCache {
    /// A cache for one process alone (SQLite): every change is made here, so it is reliable
    /// from the start.
    pub fn for_one_process() -> Self {
        let cache = SessionCache::default();
        cache.0.reliable.store(true, Ordering::Release);
        cache
    }

    /// A cache that serves nothing until [`SessionCache::set_reliable`] (PostgreSQL: the
    /// bus calls it while it listens).
    pub fn for_replicas() -> Self {
        SessionCache::default()
    }

    fn copies(&self) -> std::sync::MutexGuard<'_, Copies> {
        self.0.copies.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_reliable(&self) -> bool {
        self.0.reliable.load(Ordering::Acquire)
    }

    /// Starts or stops serving; either way everything kept so far is forgotten, since
    /// changes may have gone unheard.
    pub fn set_reliable(&self, reliable: bool) {
        let mut copies = self.copies();
        self.0.reliable.store(reliable, Ordering::Release);
        forget_everything(&mut copies);
    }

    /// Who tells the other replicas (the cache bus, once, at start). A change is told
    /// before the request that made it is answered.
    pub fn set_notifier(
        &self,
        notify: impl Fn(SessionChange) -> futures::future::BoxFuture<'static, ()>
            + Send
            + Sync
            + 'static,
    ) {
        let _ = self.0.notifier.set(Box::new(notify));
    }

    async fn tell_others(&self, change: SessionChange) {
        if let Some(notify) = self.0.notifier.get() {
            notify(change).await;
        }
    }

    pub fn stats(&self) -> SessionCacheStats {
        SessionCacheStats {
            hits: self.0.hits.load(Ordering::Relaxed),
            misses: self.0.misses.load(Ordering::Relaxed),
        }
    }

    /// How many sessions are kept now.
    pub fn sessions_held(&self) -> usize {
        self.copies().sessions.len()
    }

    /// Where a read from the database starts: pass it to `keep_*` with what was read.
    pub fn epoch(&self) -> u64 {
        self.copies().epoch
    }

    /// The session while its copy is fresh and it has not expired.
    pub fn session(&self, id: &Id, now: time::OffsetDateTime) -> Option<Record> {
        let found = if self.is_reliable() {
            let key = session_key(id);
            let copies = self.copies();
            copies
                .sessions
                .get(&key)
                .filter(|(at, record)| at.elapsed() < KEPT_FOR && record.expiry_date > now)
                .map(|(_, record)| record.clone())
        } else {
            None
        };
        let counter = if found.is_some() {
            &self.0.hits
        } else {
            &self.0.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps what was read from the database since `epoch`, unless something changed since.
    pub fn keep_session(&self, record: &Record, epoch: u64) {
        let mut copies = self.copies();
        if self.is_reliable() && copies.epoch == epoch {
            insert_bounded(
                &mut copies.sessions,
                session_key(&record.id),
                record.clone(),
            );
        }
    }

    /// After this replica wrote the session: keeps the new copy, and the others forget theirs.
    pub async fn wrote_session(&self, record: &Record) {
        let key = session_key(&record.id);
        {
            let mut copies = self.copies();
            copies.epoch += 1;
            if self.is_reliable() {
                insert_bounded(&mut copies.sessions, key.clone(), record.clone());
            } else {
                copies.sessions.remove(&key);
            }
        }
        self.tell_others(SessionChange::Session(key)).await;
    }

    /// After this replica deleted the session.
    pub async fn deleted_session(&self, id: &Id) {
        let key = session_key(id);
        {
            let mut copies = self.copies();
            copies.epoch += 1;
            copies.sessions.remove(&key);
        }
        self.tell_others(SessionChange::Session(key)).await;
    }

    /// After this replica ended several sessions at once.
    pub async fn deleted_sessions(&self) {
        {
            let mut copies = self.copies();
            copies.epoch += 1;
            copies.sessions.clear();
        }
        self.tell_others(SessionChange::AllSessions).await;
    }

    /// The person's access generation while its copy is fresh.
    pub fn generation(&self, user_id: &str) -> Option<i64> {
        if !self.is_reliable() {
            return None;
        }
        let copies = self.copies();
        copies
            .generations
            .get(user_id)
            .filter(|(at, _)| at.elapsed() < KEPT_FOR)
            .map(|(_, g)| *g)
    }

    pub fn keep_generation(&self, user_id: &str, generation: i64, epoch: u64) {
        let mut copies = self.copies();
        if self.is_reliable() && copies.epoch == epoch {
            insert_bounded(&mut copies.generations, user_id.to_string(), generation);
        }
    }

    /// After this replica bumped the person's access generation.
    pub async fn bumped_generation(&self, user_id: &str) {
        {
            let mut copies = self.copies();
            copies.epoch += 1;
            copies.generations.remove(user_id);
        }
        self.tell_others(SessionChange::AccessOf(user_id.to_string()))
            .await;
    }

    /// What another replica changed (the bus, on a notification): forgotten here.
    pub fn heard(&self, change: &SessionChange) {
        let mut copies = self.copies();
        copies.epoch += 1;
        match change {
            SessionChange::Session(key) => {
                copies.sessions.remove(key);
            }
            SessionChange::AllSessions => copies.sessions.clear(),
            SessionChange::AccessOf(user_id) => {
                copies.generations.remove(user_id);
            }
        }
    }

    /// Everything (the bus: a notification that cannot be read, or `all`).
    pub fn forget_everything(&self) {
        forget_everything(&mut self.copies());
    }
}

fn forget_everything(copies: &mut Copies) {
    copies.epoch += 1;
    copies.sessions.clear();
    copies.generations.clear();
}

fn insert_bounded<V>(map: &mut HashMap<String, (Instant, V)>, key: String, value: V) {
    if map.len() >= MOST_KEPT && !map.contains_key(&key) {
        map.retain(|_, (at, _)| at.elapsed() < KEPT_FOR);
        if map.len() >= MOST_KEPT {
            map.clear();
        }
    }
    map.insert(key, (Instant::now(), value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn record(id: i128, name: &str, expires_in: time::Duration) -> Record {
        let mut data = HashMap::new();
        data.insert("user".to_string(), serde_json::json!({ "name": name }));
        Record {
            id: Id(id),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + expires_in,
        }
    }

    fn now() -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }

    #[tokio::test(start_paused = true)]
    async fn serves_a_kept_session_until_it_is_old_or_expired() {
        let cache = SessionCache::for_one_process();
        let r = record(1, "ann", time::Duration::hours(1));
        assert_eq!(cache.session(&r.id, now()), None);
        cache.keep_session(&r, cache.epoch());
        assert_eq!(cache.session(&r.id, now()), Some(r.clone()));
        tokio::time::advance(KEPT_FOR).await;
        assert_eq!(cache.session(&r.id, now()), None, "kept too long");

        let expired = record(2, "bo", time::Duration::seconds(-1));
        cache.keep_session(&expired, cache.epoch());
        assert_eq!(cache.session(&expired.id, now()), None, "expired");
        assert_eq!(cache.stats(), SessionCacheStats { hits: 1, misses: 3 });
        cache.set_reliable(false);
        assert_eq!(cache.session(&r.id, now()), None);
        assert_eq!(
            cache.stats().misses,
            4,
            "a read from the database is a miss"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded() {
        let cache = SessionCache::for_one_process();
        for i in 0..MOST_KEPT as i128 {
            cache.keep_session(&record(i, "x", time::Duration::hours(1)), cache.epoch());
        }
        assert_eq!(cache.sessions_held(), MOST_KEPT);
        // Stale copies go first…
        tokio::time::advance(KEPT_FOR).await;
        let fresh = record(-1, "fresh", time::Duration::hours(1));
        cache.keep_session(&fresh, cache.epoch());
        assert_eq!(cache.sessions_held(), 1);
        // …and when all are fresh, the cache starts over.
        for i in 0..MOST_KEPT as i128 {
            cache.keep_session(&record(i, "x", time::Duration::hours(1)), cache.epoch());
        }
        assert!(cache.sessions_held() <= MOST_KEPT);
    }

    #[tokio::test]
    async fn a_read_overtaken_by_a_change_is_not_kept() {
        let cache = SessionCache::for_one_process();
        let old = record(1, "ann", time::Duration::hours(1));
        let epoch = cache.epoch();
        // Another request saves the session while this one was reading the old copy.
        let new = record(1, "ann-renamed", time::Duration::hours(1));
        cache.wrote_session(&new).await;
        cache.keep_session(&old, epoch);
        assert_eq!(cache.session(&old.id, now()), Some(new));

        let epoch = cache.epoch();
        cache.bumped_generation("u1").await;
        cache.keep_generation("u1", 1, epoch);
        assert_eq!(cache.generation("u1"), None);
    }

    #[tokio::test]
    async fn unreliable_serves_nothing_and_every_change_is_told() {
        let told = Arc::new(Mutex::new(Vec::new()));
        let cache = SessionCache::for_replicas();
        let sink = told.clone();
        cache.set_notifier(move |c| {
            sink.lock().unwrap().push(c);
            Box::pin(async {})
        });
        let r = record(7, "ann", time::Duration::hours(1));
        cache.keep_session(&r, cache.epoch());
        assert_eq!(cache.session(&r.id, now()), None, "not listening yet");

        cache.set_reliable(true);
        cache.keep_session(&r, cache.epoch());
        cache.keep_generation("u1", 3, cache.epoch());
        assert_eq!(cache.session(&r.id, now()), Some(r.clone()));
        assert_eq!(cache.generation("u1"), Some(3));
        cache.set_reliable(false);
        assert_eq!(cache.session(&r.id, now()), None, "stopped listening");
        cache.set_reliable(true);
        assert_eq!(cache.session(&r.id, now()), None, "forgotten meanwhile");

        cache.wrote_session(&r).await;
        cache.deleted_session(&r.id).await;
        cache.deleted_sessions().await;
        cache.bumped_generation("u1").await;
        let key = session_key(&r.id);
        assert_eq!(
            *told.lock().unwrap(),
            vec![
                SessionChange::Session(key.clone()),
                SessionChange::Session(key.clone()),
                SessionChange::AllSessions,
                SessionChange::AccessOf("u1".into()),
            ]
        );
        assert!(!key.contains(&r.id.to_string()), "the id never leaves");
    }

    #[tokio::test]
    async fn what_another_replica_changed_is_forgotten() {
        let cache = SessionCache::for_one_process();
        let told = Arc::new(AtomicUsize::new(0));
        let count = told.clone();
        cache.set_notifier(move |_| {
            count.fetch_add(1, Ordering::Relaxed);
            Box::pin(async {})
        });
        let a = record(1, "ann", time::Duration::hours(1));
        let b = record(2, "bo", time::Duration::hours(1));
        for r in [&a, &b] {
            cache.keep_session(r, cache.epoch());
        }
        cache.keep_generation("u1", 2, cache.epoch());
        cache.heard(&SessionChange::Session(session_key(&a.id)));
        assert_eq!(cache.session(&a.id, now()), None);
        assert_eq!(cache.session(&b.id, now()), Some(b.clone()));
        cache.heard(&SessionChange::AccessOf("u1".into()));
        assert_eq!(cache.generation("u1"), None);
        cache.heard(&SessionChange::AllSessions);
        assert_eq!(cache.session(&b.id, now()), None);
        assert_eq!(
            told.load(Ordering::Relaxed),
            0,
            "what was heard is not told again"
        );
    }
}
