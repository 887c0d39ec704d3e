//! Who may do what. One set of extractors used by every route: [`CurrentUser`] (signed in),
//! [`Operator`] (holds the operator role), [`OrgAdmin`] (administers the organization in the
//! path, or is an operator). Roles come from Logto and are re-checked at most every
//! `PORTAL_ACCESS_RECHECK_SECS`, so an admin removed outside the portal loses access within
//! that time; when the portal itself changes someone's access it bumps their access
//! generation ([`crate::auth::revocation`]) and their next request, on any replica, re-reads it.

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use std::collections::HashMap;
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::session::{outlived, Access, OrgMembership, SessionUser, ACCESS_KEY, USER_KEY};
use crate::logto::{LogtoError, LogtoId};
use crate::web::context::origin_of;
use crate::web::error::AppError;
use crate::web::AppState;

/// Reads the person's global roles and organizations from Logto (3 calls, concurrently).
/// `Ok(None)` means the user no longer exists or is suspended: the session must end.
pub async fn load_access(
    state: &AppState,
    user_id: &str,
) -> Result<Option<(crate::logto::User, Access)>, LogtoError> {
    // Read before Logto: a change made while Logto answers bumps it past this value, so
    // the next request reads again. Unreadable, 0 is the safe side: the next request that
    // reads a higher generation checks again.
    let generation = state
        .db
        .access_generation(user_id)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read the access generation");
            0
        });
    load_access_from_logto(state, user_id, generation).await
}

async fn load_access_from_logto(
    state: &AppState,
    user_id: &str,
    generation: i64,
) -> Result<Option<(crate::logto::User, Access)>, LogtoError> {
    let (user, roles, orgs) = tokio::join!(
        state.logto.get_user(user_id),
        state.logto.user_roles(user_id),
        state.logto.user_organizations(user_id),
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
    let is_operator = roles.iter().any(|r| r.name == state.config.operator_role);
    let mut orgs: Vec<OrgMembership> = orgs
        .into_iter()
        .map(|o| {
            let roles: Vec<String> = o
                .organization_roles
                .iter()
                .map(|r| r.name.clone())
                .collect();
            let is_admin = roles.iter().any(|r| state.config.is_admin_role(r));
            OrgMembership {
                id: o.id,
                name: o.name,
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
            checked_at: state.clock.now_ms(),
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
        state: &AppState,
        user_id: &str,
        stale_at: i64,
        generation: i64,
    ) -> Result<Checked, LogtoError> {
        let slot = {
            let mut map = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
            // Keep checks in progress and results still fresh; forget the rest (a small map).
            let now = state.clock.now_ms();
            let every = state.config.access_recheck;
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
        let fresh = load_access_from_logto(state, user_id, generation).await?;
        *result = Some((fresh.clone(), generation));
        Ok(fresh)
    }
}

/// The signed-in person with fresh-enough access.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: SessionUser,
    pub access: Access,
    pub session: Session,
}

impl CurrentUser {
    pub fn id(&self) -> &str {
        &self.user.id
    }
}

fn return_to(parts: &Parts) -> String {
    // For htmx requests, come back to the page the person was on, not the fragment URL.
    if let Some(current) = parts
        .headers
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
    {
        let mut p = current.path().to_string();
        if let Some(q) = current.query() {
            p.push('?');
            p.push_str(q);
        }
        return p;
    }
    if parts.method == axum::http::Method::GET {
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let back = return_to(parts);
        let not_signed_in = || AppError::NotSignedIn {
            return_to: back.clone(),
        };
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let Some(mut user) = session.get::<SessionUser>(USER_KEY).await? else {
            return Err(not_signed_in());
        };
        let now = state.clock.now_ms();
        if outlived(user.signed_in_at, now, state.config.session_absolute) {
            session.flush().await?;
            return Err(not_signed_in());
        }
        let mut access: Access = session.get(ACCESS_KEY).await?.unwrap_or_default();
        // One indexed read per request: the portal changed this person's access since the
        // session read it (possibly on another replica).
        let generation = state
            .db
            .access_generation(&user.id)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if access.recheck_due(now, state.config.access_recheck) || access.generation < generation {
            match state
                .access_checks
                .check(state, &user.id, access.checked_at, generation)
                .await
                .map_err(AppError::Logto)?
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
                    return Err(not_signed_in());
                }
            }
        }
        parts.extensions.insert(user.clone());
        Ok(CurrentUser {
            user,
            access,
            session,
        })
    }
}

/// Denied requests go to the audit trail: probing other organizations by URL shows there.
async fn record_denial(
    state: &AppState,
    parts: &Parts,
    user: &CurrentUser,
    org_id: Option<&str>,
    code: &str,
) {
    let actor = crate::audit::Actor {
        id: Some(user.user.id.clone()),
        name: Some(user.user.display_name()),
        email: user.user.email.clone(),
    };
    let mut entry = NewEntry::new("security.access_denied", actor, origin_of(parts, state))
        .details(serde_json::json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
        }))
        .failed(code);
    if let Some(org) = org_id {
        entry = entry.org(org);
    }
    state.audit.record_or_log(entry).await;
}

/// Operators only; others get 403 with a clear page.
#[derive(Debug, Clone)]
pub struct Operator(pub CurrentUser);

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !user.access.is_operator {
            record_denial(state, parts, &user, None, "not_operator").await;
            return Err(AppError::Forbidden);
        }
        Ok(Operator(user))
    }
}

/// Administers the organization named by the `org_id` path segment (operators administer all).
/// Anyone else gets 404, so the organization's existence is not revealed.
#[derive(Debug, Clone)]
pub struct OrgAdmin {
    pub user: CurrentUser,
    pub org_id: String,
}

impl OrgAdmin {
    pub fn is_operator(&self) -> bool {
        self.user.access.is_operator
    }
}

impl FromRequestParts<AppState> for OrgAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // A malformed id names nothing: 404 before anything else, Logto included.
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let org_id = params
            .get("org_id")
            .and_then(|id| LogtoId::parse(id).ok())
            .ok_or(AppError::NotFound)?
            .into_string();
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !(user.access.is_operator || user.access.is_org_admin(&org_id)) {
            record_denial(state, parts, &user, Some(&org_id), "not_org_admin").await;
            return Err(AppError::NotFound);
        }
        Ok(OrgAdmin { user, org_id })
    }
}
