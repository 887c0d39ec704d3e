//! Proving it is really the person before a sensitive change (username, password, email,
//! phone, unlinking an account, deleting the account), as Logto's Account API would demand.
//!
//! People with a password type it; Logto checks it (`POST /users/:id/password/verify`), and a
//! success counts for [`WINDOW_MS`] so the next sensitive change in that time does not ask
//! again. People without a password (social sign-in only) count as proven for the same time
//! after signing in.
//!
//! Every check with Logto is an attempt reserved first under [`limits::CURRENT_PASSWORD`]
//! (a fixed number per window per user, counted in the database so parallel requests,
//! sessions and replicas share it); a right password starts the count over.

use tower_sessions::Session;

use crate::limits::{self, Reservation};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// Session key: epoch ms until which the person counts as proven.
const PROVEN_UNTIL_KEY: &str = "profile_proven_until";

/// How long one proof lasts.
pub const WINDOW_MS: i64 = 10 * 60 * 1000;

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

pub async fn state(app: &AppState, me: &CurrentUser, user: &User) -> AppResult<Proof> {
    state_at(&me.session, user, me.user.signed_in_at, app.clock.now_ms()).await
}

/// As [`state`], at `now` (epoch ms, from the state's clock).
pub async fn state_at(
    session: &Session,
    user: &User,
    signed_in_at: i64,
    now: i64,
) -> AppResult<Proof> {
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

/// The person proved who they are at `now` (a password checked, or credentials asked anew by
/// Logto with `prompt=login`): sensitive changes need no other proof for [`WINDOW_MS`].
pub(crate) async fn mark_proven(session: &Session, now: i64) -> AppResult<()> {
    session.insert(PROVEN_UNTIL_KEY, now + WINDOW_MS).await?;
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
    match self::state(state, me, user).await? {
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

/// Checks the current password with Logto, after reserving the attempt under the per-user
/// limit. A success proves the person for [`WINDOW_MS`].
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
    let limit = &limits::CURRENT_PASSWORD;
    let (left, window_ends_in) = match state.limits.reserve(limit, &user.id).await? {
        Reservation::Granted {
            left,
            window_ends_in,
        } => (left, window_ends_in),
        Reservation::Refused { retry_after } => {
            state
                .audit
                .record_or_log(
                    super::entry(action, ctx, user)
                        .failed(limit.audit_code)
                        .details(serde_json::json!({
                            "limit": limit.name,
                            "retry_after_seconds": retry_after.as_secs().max(1),
                        })),
                )
                .await;
            return Ok(Err(crate::web::format::too_many_attempts(
                &ctx.t,
                retry_after,
            )));
        }
    };
    if state.logto.verify_password(&user.id, password).await? {
        state.limits.clear(limit, &user.id).await?;
        mark_proven(&me.session, state.clock.now_ms()).await?;
        return Ok(Ok(()));
    }
    state
        .audit
        .record_or_log(super::entry(action, ctx, user).failed("invalid_current_password"))
        .await;
    Ok(Err(if left == 0 {
        ctx.t.f(
            "profile.proof.wrong_then_wait",
            &[(
                "wait",
                &super::wait_text(ctx, window_ends_in.as_millis().div_ceil(1000) as u64),
            )],
        )
    } else {
        ctx.t.t("profile.proof.wrong")
    }))
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
        let now = crate::clock::system_now_ms();
        // A password is asked for however recent the sign-in.
        assert_eq!(
            state_at(&session, &user(true), now, now).await.unwrap(),
            Proof::NeedsPassword
        );
        // Without a password, a recent sign-in is the proof; an old one is not.
        assert_eq!(
            state_at(&session, &user(false), now - 1000, now)
                .await
                .unwrap(),
            Proof::Fresh
        );
        assert_eq!(
            state_at(&session, &user(false), now - WINDOW_MS - 1000, now)
                .await
                .unwrap(),
            Proof::NeedsSignIn
        );
        // A verified password counts for the window, for everyone in this session.
        mark_proven(&session, now).await.unwrap();
        assert_eq!(
            state_at(&session, &user(true), 0, now).await.unwrap(),
            Proof::Fresh
        );
        session.insert(PROVEN_UNTIL_KEY, now - 1).await.unwrap();
        assert_eq!(
            state_at(&session, &user(true), now, now).await.unwrap(),
            Proof::NeedsPassword
        );
    }
}
