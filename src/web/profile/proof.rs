//! Proving it is really the person before a sensitive change (username, password, email,
//! phone, unlinking an account, deleting the account), as Logto's Account API would demand.
//!
//! People with a password type it; Logto checks it (`POST /users/:id/password/verify`), and a
//! success counts for [`WINDOW_MS`] so the next sensitive change in that time does not ask
//! again. People without a password (social sign-in only) count as proven for the same time
//! after signing in.
//!
//! Wrong passwords are slowed down per user id: after [`FREE_FAILURES`] failures the person
//! must wait 30 s, doubling with each further failure up to 15 min; a right password resets.
//! The counts live in this process's memory, so each replica keeps its own (an attacker
//! spreading attempts over N replicas gets N times the tries, still a handful per hour).

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

use tower_sessions::Session;

use crate::audit::now_ms;
use crate::auth::access::CurrentUser;
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::AppState;

/// Session key: epoch ms until which the person counts as proven.
const PROVEN_UNTIL_KEY: &str = "profile_proven_until";

/// How long one proof lasts.
pub const WINDOW_MS: i64 = 10 * 60 * 1000;

/// Wrong passwords allowed before the first wait.
pub const FREE_FAILURES: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// A user's count is forgotten after this long without a failure.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

/// What a sensitive change needs right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Proven recently: nothing more to ask.
    Fresh,
    /// Ask for the current password.
    NeedsPassword,
    /// No password to ask for and the sign-in is old: sign in again.
    NeedsSignIn,
}

pub async fn state(session: &Session, user: &User, signed_in_at: i64) -> AppResult<Proof> {
    let now = now_ms();
    let until: Option<i64> = session.get(PROVEN_UNTIL_KEY).await?;
    if until.is_some_and(|u| u > now) {
        return Ok(Proof::Fresh);
    }
    if user.has_password.unwrap_or(false) {
        Ok(Proof::NeedsPassword)
    } else if now - signed_in_at < WINDOW_MS {
        Ok(Proof::Fresh)
    } else {
        Ok(Proof::NeedsSignIn)
    }
}

async fn mark_proven(session: &Session) -> AppResult<()> {
    session
        .insert(PROVEN_UNTIL_KEY, now_ms() + WINDOW_MS)
        .await?;
    Ok(())
}

/// For a sensitive change: `Ok(Ok(()))` when the person is proven (now or recently),
/// `Ok(Err(message))` for the current-password field otherwise. Failures are audited under
/// `action`.
pub async fn confirm(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: &User,
    password: &str,
    action: &str,
) -> AppResult<Result<(), String>> {
    match self::state(&me.session, user, me.user.signed_in_at).await? {
        Proof::Fresh => Ok(Ok(())),
        Proof::NeedsSignIn => {
            state
                .audit
                .record_or_log(super::entry(action, ctx, user).failed("reauthentication_required"))
                .await;
            Ok(Err(ctx.t.t("profile.proof.sign_in_again")))
        }
        Proof::NeedsPassword => verify_current(state, ctx, me, user, password, action).await,
    }
}

/// Checks the current password with Logto, through the per-user throttle. A success proves
/// the person for [`WINDOW_MS`].
pub async fn verify_current(
    state: &AppState,
    ctx: &PageCtx,
    me: &CurrentUser,
    user: &User,
    password: &str,
    action: &str,
) -> AppResult<Result<(), String>> {
    if password.is_empty() {
        return Ok(Err(ctx.t.t("profile.proof.required")));
    }
    let now = Instant::now();
    if let Some(wait) = THROTTLE.wait(&user.id, now) {
        state
            .audit
            .record_or_log(
                super::entry(action, ctx, user)
                    .failed("password_attempts_throttled")
                    .details(serde_json::json!({ "wait_seconds": wait.as_secs() })),
            )
            .await;
        return Ok(Err(ctx.t.f(
            "profile.proof.throttled",
            &[("wait", &super::wait_text(ctx, wait.as_secs()))],
        )));
    }
    if state.logto.verify_password(&user.id, password).await? {
        THROTTLE.success(&user.id);
        mark_proven(&me.session).await?;
        return Ok(Ok(()));
    }
    let wait = THROTTLE.failure(&user.id, Instant::now());
    state
        .audit
        .record_or_log(super::entry(action, ctx, user).failed("invalid_current_password"))
        .await;
    Ok(Err(match wait {
        Some(wait) => ctx.t.f(
            "profile.proof.wrong_then_wait",
            &[("wait", &super::wait_text(ctx, wait.as_secs()))],
        ),
        None => ctx.t.t("profile.proof.wrong"),
    }))
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Wrong-password counts per user id (this process only).
#[derive(Debug, Default)]
pub struct Throttle {
    users: Mutex<HashMap<String, Failures>>,
}

static THROTTLE: LazyLock<Throttle> = LazyLock::new(Throttle::default);

impl Throttle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long the person must still wait before the next try, if at all.
    pub fn wait(&self, user_id: &str, now: Instant) -> Option<Duration> {
        self.lock()
            .get(user_id)
            .and_then(|f| f.locked_until)
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Counts a wrong password; returns the wait it starts, if any.
    pub fn failure(&self, user_id: &str, now: Instant) -> Option<Duration> {
        let mut users = self.lock();
        if users.len() > 10_000 {
            users.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let f = users.entry(user_id.to_string()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        if now.duration_since(f.last) >= FORGET_AFTER {
            f.count = 0;
        }
        f.count += 1;
        f.last = now;
        if f.count < FREE_FAILURES {
            return None;
        }
        let doublings = (f.count - FREE_FAILURES).min(16);
        let wait = FIRST_WAIT
            .saturating_mul(1u32 << doublings)
            .min(LONGEST_WAIT);
        f.locked_until = Some(now + wait);
        Some(wait)
    }

    pub fn success(&self, user_id: &str) {
        self.lock().remove(user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn user(has_password: bool) -> User {
        serde_json::from_value(serde_json::json!({
            "id": "u1", "createdAt": 1, "hasPassword": has_password
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn who_must_prove_what() {
        let session = Session::new(None, Arc::new(tower_sessions::MemoryStore::default()), None);
        let now = now_ms();
        // A password is asked for however recent the sign-in.
        assert_eq!(
            state(&session, &user(true), now).await.unwrap(),
            Proof::NeedsPassword
        );
        // Without a password, a recent sign-in is the proof; an old one is not.
        assert_eq!(
            state(&session, &user(false), now - 1000).await.unwrap(),
            Proof::Fresh
        );
        assert_eq!(
            state(&session, &user(false), now - WINDOW_MS - 1000)
                .await
                .unwrap(),
            Proof::NeedsSignIn
        );
        // A verified password counts for the window, for everyone in this session.
        mark_proven(&session).await.unwrap();
        assert_eq!(state(&session, &user(true), 0).await.unwrap(), Proof::Fresh);
        session.insert(PROVEN_UNTIL_KEY, now - 1).await.unwrap();
        assert_eq!(
            state(&session, &user(true), now).await.unwrap(),
            Proof::NeedsPassword
        );
    }

    #[test]
    fn waits_grow_after_free_failures_and_reset_on_success() {
        let t = Throttle::default();
        let start = Instant::now();
        assert_eq!(t.failure("u", start), None);
        assert_eq!(t.failure("u", start), None);
        assert_eq!(t.wait("u", start), None);
        assert_eq!(t.failure("u", start), Some(Duration::from_secs(30)));
        assert!(t.wait("u", start + Duration::from_secs(10)).is_some());
        assert_eq!(t.wait("u", start + Duration::from_secs(31)), None);
        assert_eq!(
            t.failure("u", start + Duration::from_secs(31)),
            Some(Duration::from_secs(60))
        );
        // Other people are not affected.
        assert_eq!(t.wait("v", start + Duration::from_secs(40)), None);
        for _ in 0..20 {
            t.failure("u", start + Duration::from_secs(100));
        }
        assert_eq!(
            t.wait("u", start + Duration::from_secs(100)),
            Some(LONGEST_WAIT)
        );
        t.success("u");
        assert_eq!(t.wait("u", start + Duration::from_secs(100)), None);
        // Counting starts over after a quiet hour.
        let later = start + FORGET_AFTER + Duration::from_secs(5);
        t.failure("w", start);
        t.failure("w", start);
        assert_eq!(t.failure("w", later), None);
    }
}
