//! Who may do what, as plain functions the web layer's extractors call
//! (`web::extract::{CurrentUser, Operator, OrgAdmin}`). Roles come from Logto and are
//! re-checked at most every `PORTAL_ACCESS_RECHECK_SECS`, so an admin removed outside the
//! portal loses access within that time; when the portal itself changes someone's access it
//! bumps their access generation ([`crate::auth::revocation`]) and their next request, on any
//! replica, re-reads it.

use std::collections::HashMap;
use tower_sessions::Session;

use crate::auth::session::{outlived, Access, OrgMembership, SessionUser, ACCESS_KEY, USER_KEY};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::PortalSessionStore;
use crate::logto::{LogtoClient, LogtoError};

/// What deciding a person's access reads from.
#[derive(Clone, Copy)]
pub struct AccessSources<'a> {
    pub logto: &'a LogtoClient,
    pub sessions: &'a PortalSessionStore,
    pub config: &'a Config,
    pub clock: &'a Clock,
    pub checks: &'a AccessChecks,
}

/// Reads the person's global roles and organizations from Logto (3 calls, concurrently).
/// `Ok(None)` means the user no longer exists or is suspended: the session must end.
pub async fn load_access(
    src: &AccessSources<'_>,
    user_id: &str,
) -> Result<Option<(crate::logto::User, Access)>, LogtoError> {
    // Read before Logto: a change made while Logto answers bumps it past this value, so
    // the next request reads again. Unreadable, 0 is the safe side: the next request that
    // reads a higher generation checks again.
    let generation = src
        .sessions
        .access_generation(user_id)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read the access generation");
            0
        });
    load_access_from_logto(src, user_id, generation).await
}

async fn load_access_from_logto(
    src: &AccessSources<'_>,
    user_id: &str,
    generation: i64,
) -> Result<Option<(crate::logto::User, Access)>, LogtoError> {
    let (user, roles, orgs) = tokio::join!(
        src.logto.get_user(user_id),
        src.logto.user_roles(user_id),
        src.logto.user_organizations(user_id),
    );
    let user = match user {
        Ok(u) => u,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    if user.is_suspended {
        return Ok(None);
    }
    let roles = roles?;
    let orgs = orgs?;
    let is_operator = roles.iter().any(|r| r.name == src.config.operator_role);
    let mut orgs: Vec<OrgMembership> = orgs
        .into_iter()
        .map(|o| {
            let roles: Vec<String> = o
                .organization_roles
                .iter()
                .map(|r| r.name.clone())
                .collect();
            let is_admin = roles.iter().any(|r| src.config.is_admin_role(r));
            OrgMembership {
                id: o.organization.id,
                name: o.organization.name,
                roles,
                is_admin,
            }
        })
        .collect();
    orgs.sort_by_key(|o| o.name.to_lowercase());
    Ok(Some((
        user,
        Access {
            is_operator,
            orgs,
            checked_at: src.clock.now_ms(),
            generation,
        },
    )))
}

type Checked = Option<(crate::logto::User, Access)>;

/// A finished check and the access generation it was made under.
type Done = (Checked, i64);

/// One re-check at a time per person, shared by their concurrent requests: a browser that
/// fires many requests when the check falls due asks Logto once, not once per request.
/// A result is shared only with requests that need no newer generation, so a change made
/// through the portal is never answered from this process's memory.
#[derive(Default)]
pub struct AccessChecks {
    per_user: std::sync::Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<Option<Done>>>>>,
}

impl AccessChecks {
    async fn check(
        &self,
        src: &AccessSources<'_>,
        user_id: &str,
        stale_at: i64,
        generation: i64,
    ) -> Result<Checked, LogtoError> {
        let slot = {
            let mut map = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
            // Keep checks in progress and results still fresh; forget the rest (a small map).
            let now = src.clock.now_ms();
            let every = src.config.access_recheck;
            map.retain(|_, slot| match slot.try_lock() {
                Ok(done) => done
                    .as_ref()
                    .and_then(|(c, _)| c.as_ref())
                    .is_some_and(|(_, a)| !a.recheck_due(now, every)),
                Err(_) => true,
            });
            map.entry(user_id.to_string()).or_default().clone()
        };
        let mut result = slot.lock().await;
        // Another request of this person finished a newer check while this one waited.
        if let Some((done, done_generation)) = result.as_ref() {
            let newer = done.as_ref().is_none_or(|(_, a)| a.checked_at > stale_at);
            if newer && *done_generation >= generation {
                return Ok(done.clone());
            }
        }
        let fresh = load_access_from_logto(src, user_id, generation).await?;
        *result = Some((fresh.clone(), generation));
        Ok(fresh)
    }
}

/// Why the signed-in person could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Logto(#[from] LogtoError),
}

/// The person signed in to `session` with access fresh enough to act on, or `None` when the
/// session has no one, has outlived its absolute lifetime, or the person may no longer
/// continue (deleted or suspended in Logto); the session is ended in the last two cases.
pub async fn signed_in(
    session: &Session,
    src: &AccessSources<'_>,
) -> Result<Option<(SessionUser, Access)>, AccessError> {
    let Some(mut user) = session.get::<SessionUser>(USER_KEY).await? else {
        return Ok(None);
    };
    let now = src.clock.now_ms();
    if outlived(user.signed_in_at, now, src.config.session_absolute) {
        session.flush().await?;
        return Ok(None);
    }
    let mut access: Access = session.get(ACCESS_KEY).await?.unwrap_or_default();
    // One indexed read per request: the portal changed this person's access since the
    // session read it (possibly on another replica).
    let generation = src.sessions.access_generation(&user.id).await?;
    if access.recheck_due(now, src.config.access_recheck) || access.generation < generation {
        match src
            .checks
            .check(src, &user.id, access.checked_at, generation)
            .await?
        {
            Some((fresh, fresh_access)) => {
                access = fresh_access;
                user.name = fresh.name.clone();
                user.username = fresh.username.clone();
                user.email = fresh.primary_email.clone();
                user.avatar = fresh.avatar.clone();
                session.insert(USER_KEY, &user).await?;
                session.insert(ACCESS_KEY, &access).await?;
            }
            None => {
                session.flush().await?;
                return Ok(None);
            }
        }
    }
    Ok(Some((user, access)))
}
