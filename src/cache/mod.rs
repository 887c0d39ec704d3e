//! Values read from Logto and kept for a short time, so warm pages stay within their budget
//! of Management API calls. Per process; each replica keeps its own, and a change made
//! through the portal on any replica clears the copies of every replica ([`bus`]).

pub mod bus;
mod connectors;
mod org_facts;

pub use bus::{CacheBus, Invalidation, LocalCaches};
pub use connectors::{Sending, TenantConnectors};
pub use org_facts::OrgFacts;

/// An organization or role offered as a choice in the directory's filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// Choices for the directory's two filters; `None` when there are too many to list (the
/// page then asks for an id).
#[derive(Debug, Clone, Default)]
pub struct DirectoryChoices {
    pub orgs: Option<Vec<Choice>>,
    pub roles: Option<Vec<Choice>>,
}

use std::{sync::Mutex, time::Duration};

// tokio's clock: tests pause and advance it instead of sleeping.
use tokio::time::Instant;

pub struct Ttl<T> {
    ttl: Duration,
    slot: Mutex<Slot<T>>,
}

struct Slot<T> {
    /// Bumped by every [`Ttl::clear`]: a load that started before a clear (possibly an
    /// invalidation from another replica) does not store what it read.
    generation: u64,
    value: Option<(Instant, T)>,
}

impl<T: Clone> Ttl<T> {
    pub fn new(ttl: Duration) -> Self {
        Ttl {
            ttl,
            slot: Mutex::new(Slot {
                generation: 0,
                value: None,
            }),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot<T>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached value while fresh; otherwise `load`s it (failures are not cached).
    pub async fn get_or_load<E, F>(&self, load: F) -> Result<T, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        let generation = {
            let slot = self.slot();
            if let Some((at, value)) = slot.value.as_ref() {
                if at.elapsed() < self.ttl {
                    return Ok(value.clone());
                }
            }
            slot.generation
        };
        let value = load.await?;
        let mut slot = self.slot();
        if slot.generation == generation {
            slot.value = Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// Forgets the value (after a change that makes it stale).
    pub fn clear(&self) {
        let mut slot = self.slot();
        slot.generation += 1;
        slot.value = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn caches_until_the_ttl_and_not_failures() {
        let cache = Ttl::new(Duration::from_millis(50));
        assert_eq!(
            cache.get_or_load(async { Err::<u32, _>("down") }).await,
            Err("down")
        );
        assert_eq!(cache.get_or_load(async { Ok::<_, ()>(1) }).await, Ok(1));
        assert_eq!(cache.get_or_load(async { Ok::<_, ()>(2) }).await, Ok(1));
        tokio::time::advance(Duration::from_millis(60)).await;
        assert_eq!(cache.get_or_load(async { Ok::<_, ()>(3) }).await, Ok(3));
        cache.clear();
        assert_eq!(cache.get_or_load(async { Ok::<_, ()>(4) }).await, Ok(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_load_overtaken_by_a_clear_is_not_kept() {
        let cache = Ttl::new(Duration::from_secs(60));
        let read_before_the_change = cache.get_or_load(async {
            cache.clear();
            Ok::<_, ()>("old")
        });
        assert_eq!(read_before_the_change.await, Ok("old"));
        assert_eq!(
            cache.get_or_load(async { Ok::<_, ()>("new") }).await,
            Ok("new")
        );
    }
}
