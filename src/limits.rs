//! Attempt limits shared by every replica: a fixed number of attempts per window, per purpose
//! and subject (a user id, a target address, a client address), counted in the database.
//!
//! An attempt is *reserved* before the work it guards (a call to Logto) in one atomic
//! statement (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), so parallel requests, new
//! sessions and other replicas cannot slip past the count: the database hands out the
//! numbers 1, 2, 3… and only the first `attempts` go ahead. Refused attempts are counted too,
//! but never move the window's end, so hammering does not extend the wait.
//!
//! Subjects are stored as SHA-256 hashes: the table holds no addresses or ids in clear.
//! A row whose window has ended is reused by the next reservation and removed by the hourly
//! housekeeping ([`Limiter::delete_expired`]).

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::db::Db;

/// One kind of attempt and how many of them a window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Stored as the row's purpose; also names the limit in audit details.
    pub name: &'static str,
    pub attempts: u32,
    pub window: Duration,
    /// The failure code of the audit entry a refusal records.
    pub audit_code: &'static str,
}

/// Checking the current password with Logto (`POST /users/:id/password/verify`), per user.
/// A right password clears the count.
pub const CURRENT_PASSWORD: Limit = Limit {
    name: "current_password",
    attempts: 5,
    window: Duration::from_secs(15 * 60),
    audit_code: "password_attempts_throttled",
};

/// One verification code per minute per user, whatever the address, session or replica.
pub const CODE_COOLDOWN: Limit = Limit {
    name: "code_cooldown",
    attempts: 1,
    window: Duration::from_secs(60),
    audit_code: "code_sends_throttled",
};

/// Verification codes a user may ask for in an hour.
pub const CODES_PER_USER: Limit = Limit {
    name: "codes_per_user",
    attempts: 10,
    window: Duration::from_secs(60 * 60),
    audit_code: "code_sends_throttled",
};

/// Verification codes one address or phone number may receive in an hour, from anybody.
pub const CODES_PER_ADDRESS: Limit = Limit {
    name: "codes_per_address",
    attempts: 5,
    window: Duration::from_secs(60 * 60),
    audit_code: "code_sends_throttled",
};

/// "Is this address free?" look-ups before a code is sent, per user: each answer says
/// whether an address has an account.
pub const ADDRESS_CHECKS: Limit = Limit {
    name: "address_checks",
    attempts: 20,
    window: Duration::from_secs(60 * 60),
    audit_code: "address_checks_throttled",
};

/// Directory look-ups of the add-member picker, per organization admin.
pub const DIRECTORY_SEARCHES: Limit = Limit {
    name: "directory_searches",
    attempts: 30,
    window: Duration::from_secs(10 * 60),
    audit_code: "directory_searches_throttled",
};

/// Invitation look-ups of the public invitation page, per client address (anonymous) or user.
pub const INVITATION_LOOKUPS: Limit = Limit {
    name: "invitation_lookups",
    attempts: 60,
    window: Duration::from_secs(10 * 60),
    audit_code: "invitation_lookups_throttled",
};

/// Every limit, for the documentation test and the README.
pub const ALL: [Limit; 7] = [
    CURRENT_PASSWORD,
    CODE_COOLDOWN,
    CODES_PER_USER,
    CODES_PER_ADDRESS,
    ADDRESS_CHECKS,
    DIRECTORY_SEARCHES,
    INVITATION_LOOKUPS,
];

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Go ahead; `left` more attempts remain in this window.
    Granted { left: u32, window_ends_in: Duration },
    /// Refused: the window ends in `retry_after`.
    Refused { retry_after: Duration },
}

impl Reservation {
    pub fn is_granted(&self) -> bool {
        matches!(self, Reservation::Granted { .. })
    }

    /// How long until the next attempt can go ahead, when this one was refused.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Reservation::Refused { retry_after } => Some(*retry_after),
            Reservation::Granted { .. } => None,
        }
    }
}

/// The attempt counts in the database.
#[derive(Debug, Clone)]
pub struct Limiter {
    db: Db,
    clock: crate::clock::Clock,
}

const RESERVE_SQL: &str =
    "INSERT INTO attempt_limits (purpose, subject, attempts, window_ends_at) \
     VALUES ($1, $2, 1, $3 + $4) \
     ON CONFLICT (purpose, subject) DO UPDATE SET \
       attempts = CASE WHEN attempt_limits.window_ends_at <= $3 THEN 1 \
                       ELSE attempt_limits.attempts + 1 END, \
       window_ends_at = CASE WHEN attempt_limits.window_ends_at <= $3 THEN $3 + $4 \
                             ELSE attempt_limits.window_ends_at END \
     RETURNING attempts, window_ends_at";

const PEEK_SQL: &str = "SELECT attempts, window_ends_at FROM attempt_limits \
     WHERE purpose = $1 AND subject = $2 AND window_ends_at > $3";

/// The stored form of a subject: a hash, so the table holds no personal data.
fn subject_key(subject: &str) -> String {
    hex::encode(Sha256::digest(subject.as_bytes()))
}

fn answer(limit: &Limit, attempts: i64, window_ends_at: i64, now: i64) -> Reservation {
    let remaining_ms = u64::try_from(window_ends_at - now).unwrap_or(0).max(1);
    let window_ends_in = Duration::from_millis(remaining_ms);
    if attempts <= i64::from(limit.attempts) {
        Reservation::Granted {
            left: (i64::from(limit.attempts) - attempts) as u32,
            window_ends_in,
        }
    } else {
        Reservation::Refused {
            retry_after: window_ends_in,
        }
    }
}

impl Limiter {
    /// `clock` is the state's: tests that move a manual clock move the windows too.
    pub fn new(db: Db, clock: crate::clock::Clock) -> Self {
        Limiter { db, clock }
    }

    /// Reserves one attempt for `subject` now.
    pub async fn reserve(&self, limit: &Limit, subject: &str) -> anyhow::Result<Reservation> {
        self.reserve_at(limit, subject, self.clock.now_ms()).await
    }

    /// [`Self::reserve`] at a given time (epoch ms), for tests.
    pub async fn reserve_at(
        &self,
        limit: &Limit,
        subject: &str,
        now: i64,
    ) -> anyhow::Result<Reservation> {
        let key = subject_key(subject);
        let window = limit.window.as_millis() as i64;
        let (attempts, ends): (i64, i64) = crate::on_db!(&self.db, pool => {
            sqlx::query_as(RESERVE_SQL)
                .bind(limit.name)
                .bind(&key)
                .bind(now)
                .bind(window)
                .fetch_one(pool)
                .await?
        });
        Ok(answer(limit, attempts, ends, now))
    }

    /// Without reserving: how long until an attempt could go ahead, if the window is used
    /// up. Only for answering early (before asking for a password, say); the reservation
    /// itself decides.
    pub async fn wait(&self, limit: &Limit, subject: &str) -> anyhow::Result<Option<Duration>> {
        let key = subject_key(subject);
        let now = self.clock.now_ms();
        let row: Option<(i64, i64)> = crate::on_db!(&self.db, pool => {
            sqlx::query_as(PEEK_SQL)
                .bind(limit.name)
                .bind(&key)
                .bind(now)
                .fetch_optional(pool)
                .await?
        });
        Ok(row
            .filter(|(attempts, _)| *attempts >= i64::from(limit.attempts))
            .map(|(_, ends)| Duration::from_millis(u64::try_from(ends - now).unwrap_or(0).max(1))))
    }

    /// Forgets the count of `subject` (a right password starts over).
    pub async fn clear(&self, limit: &Limit, subject: &str) -> anyhow::Result<()> {
        let key = subject_key(subject);
        let sql = "DELETE FROM attempt_limits WHERE purpose = $1 AND subject = $2";
        crate::on_db!(&self.db, pool => {
            sqlx::query(sql)
                .bind(limit.name)
                .bind(&key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes rows whose window has ended; called by the hourly housekeeping.
    pub async fn delete_expired(&self) -> anyhow::Result<u64> {
        self.delete_expired_at(self.clock.now_ms()).await
    }

    pub async fn delete_expired_at(&self, now: i64) -> anyhow::Result<u64> {
        let sql = "DELETE FROM attempt_limits WHERE window_ends_at <= $1";
        let removed = crate::on_db!(&self.db, pool => sqlx::query(sql)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected());
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIO: Limit = Limit {
        name: "test_trio",
        attempts: 3,
        window: Duration::from_secs(60),
        audit_code: "test_throttled",
    };

    async fn limiter() -> Limiter {
        let dir = std::env::temp_dir().join("logto-portal-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!(
            "sqlite://{}",
            dir.join(format!("limits-{}.db", uuid::Uuid::new_v4()))
                .display()
        );
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        Limiter::new(db, crate::clock::Clock::system())
    }

    #[tokio::test]
    async fn a_fixed_number_per_window_then_the_time_left() {
        let l = limiter().await;
        let t0 = 1_000_000;
        for left in [2, 1, 0] {
            assert_eq!(
                l.reserve_at(&TRIO, "u1", t0).await.unwrap(),
                Reservation::Granted {
                    left,
                    window_ends_in: Duration::from_secs(60)
                }
            );
        }
        // Refused, and refusals do not push the window's end further.
        for _ in 0..5 {
            let r = l.reserve_at(&TRIO, "u1", t0 + 20_000).await.unwrap();
            assert_eq!(r.retry_after(), Some(Duration::from_secs(40)));
        }
        // Someone else, or another purpose, is counted apart.
        assert!(l.reserve_at(&TRIO, "u2", t0).await.unwrap().is_granted());
        assert!(l
            .reserve_at(&CURRENT_PASSWORD, "u1", t0)
            .await
            .unwrap()
            .is_granted());
        // A new window starts once the old one has ended.
        assert_eq!(
            l.reserve_at(&TRIO, "u1", t0 + 60_000).await.unwrap(),
            Reservation::Granted {
                left: 2,
                window_ends_in: Duration::from_secs(60)
            }
        );
        l.clear(&TRIO, "u1").await.unwrap();
        assert!(l.wait(&TRIO, "u1").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn wait_reports_a_used_up_window_without_reserving() {
        let l = limiter().await;
        assert_eq!(l.wait(&CODE_COOLDOWN, "u").await.unwrap(), None);
        assert!(l.reserve(&CODE_COOLDOWN, "u").await.unwrap().is_granted());
        let wait = l.wait(&CODE_COOLDOWN, "u").await.unwrap().unwrap();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert!(!l.reserve(&CODE_COOLDOWN, "u").await.unwrap().is_granted());
    }

    #[tokio::test]
    async fn parallel_reservations_grant_exactly_the_limit() {
        let l = limiter().await;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let l = l.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    l.reserve(&TRIO, "shared").await.unwrap().is_granted()
                })
            })
            .collect();
        let mut granted = 0;
        for t in tasks {
            granted += usize::from(t.await.unwrap());
        }
        assert_eq!(granted, 3);
    }

    #[tokio::test]
    async fn expired_rows_are_removed_and_subjects_are_hashed() {
        let l = limiter().await;
        l.reserve_at(&TRIO, "old@example.com", 0).await.unwrap();
        l.reserve_at(&TRIO, "new@example.com", 100_000)
            .await
            .unwrap();
        assert_eq!(l.delete_expired_at(100_000).await.unwrap(), 1);
        let Db::Sqlite(pool) = &l.db else {
            unreachable!()
        };
        let subjects: Vec<(String,)> = sqlx::query_as("SELECT subject FROM attempt_limits")
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(subjects.len(), 1);
        assert!(!subjects[0].0.contains('@'));
        assert_eq!(subjects[0].0, subject_key("new@example.com"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = ALL.iter().map(|l| l.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
