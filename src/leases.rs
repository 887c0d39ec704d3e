//! Named leases in the shared database: one holder at a time across every replica, for
//! changes that must not interleave (two admins demoting each other at once).
//!
//! A lease is a row taken with one atomic upsert that succeeds only when the row is absent
//! or expired; it expires by itself, so a replica that dies while holding one blocks others
//! for at most its time to live.

use std::time::Duration;

use crate::audit::now_ms;
use crate::db::Db;

/// How long a lease lives unless released: longer than any guarded change takes.
pub const LEASE_TTL: Duration = Duration::from_secs(30);
/// How long a request waits for a lease before giving up.
pub const LEASE_WAIT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("another change of the same thing is still running")]
    Busy,
    #[error("lease storage failed: {0}")]
    Db(#[from] sqlx::Error),
}

/// A held lease; release it when done (it also expires by itself).
#[derive(Debug)]
pub struct Lease {
    db: Db,
    name: String,
    holder: String,
    released: bool,
}

impl Lease {
    /// Takes the lease `name`, waiting up to `wait` while someone else holds it.
    pub async fn acquire(db: &Db, name: &str, wait: Duration) -> Result<Lease, LeaseError> {
        let holder = uuid::Uuid::new_v4().to_string();
        let deadline = tokio::time::Instant::now() + wait;
        let mut pause = Duration::from_millis(5);
        loop {
            if try_take(db, name, &holder).await? {
                return Ok(Lease {
                    db: db.clone(),
                    name: name.to_owned(),
                    holder,
                    released: false,
                });
            }
            if tokio::time::Instant::now() + pause > deadline {
                return Err(LeaseError::Busy);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    pub async fn release(mut self) {
        self.released = true;
        if let Err(e) = give_back(&self.db, &self.name, &self.holder).await {
            tracing::warn!(lease = %self.name, error = %e, "lease not released; it expires by itself");
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        // Dropped on an error path: give it back in the background rather than make others
        // wait for the expiry.
        let (db, name, holder) = (self.db.clone(), self.name.clone(), self.holder.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = give_back(&db, &name, &holder).await;
            });
        }
    }
}

async fn try_take(db: &Db, name: &str, holder: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let expires = now + LEASE_TTL.as_millis() as i64;
    const TAKE: &str = "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
                        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
                        expires_at = excluded.expires_at WHERE leases.expires_at < $4";
    let affected = crate::on_db!(db, pool => sqlx::query(TAKE)
            .bind(name)
            .bind(holder)
            .bind(expires)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
    Ok(affected == 1)
}

async fn give_back(db: &Db, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    const GIVE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";
    crate::on_db!(db, pool => {
        sqlx::query(GIVE)
            .bind(name)
            .bind(holder)
            .execute(pool)
            .await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite() -> Db {
        Db::temp_sqlite().await
    }

    #[tokio::test]
    async fn one_holder_at_a_time_and_release_frees_it() {
        let db = sqlite().await;
        let first = Lease::acquire(&db, "org:a", Duration::ZERO).await.unwrap();
        assert!(matches!(
            Lease::acquire(&db, "org:a", Duration::ZERO).await,
            Err(LeaseError::Busy)
        ));
        // Another name is independent.
        Lease::acquire(&db, "org:b", Duration::ZERO)
            .await
            .unwrap()
            .release()
            .await;
        first.release().await;
        Lease::acquire(&db, "org:a", Duration::ZERO)
            .await
            .unwrap()
            .release()
            .await;
    }

    #[tokio::test]
    async fn parallel_takers_get_it_one_after_another() {
        let db = sqlite().await;
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (db, inside, barrier) = (db.clone(), inside.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let lease = Lease::acquire(&db, "org:x", LEASE_WAIT).await.unwrap();
                    let now_inside = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    assert_eq!(now_inside, 0, "two holders at once");
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    lease.release().await;
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    }
}
