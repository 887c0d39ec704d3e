//! What a handler needs from the request, as extractors: who is signed in ([`CurrentUser`]),
//! whether they are an operator ([`Operator`]) or administer the organization in the path
//! ([`OrgAdmin`]), and whether htmx asked for a fragment ([`Htmx`]). The rules themselves are
//! plain functions in [`crate::auth::access`]; denials are audited here.

use std::collections::HashMap;

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::access::signed_in;
use crate::auth::session::{Access, SessionUser};
use crate::logto::LogtoId;
use crate::web::context::origin_of;
use crate::web::error::AppError;
use crate::web::AppState;

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

/// Who [`CurrentUser`] found signed in, with their access as re-checked: later extractors
/// of the same request ([`crate::web::context::PageCtx`]) read it instead of the session.
#[derive(Debug, Clone)]
pub struct SignedInAs {
    pub user: SessionUser,
    pub access: Access,
}

/// Where to come back after signing in: for htmx requests the page the person was on, not
/// the fragment's URL; for other GETs this address; else the start page.
fn return_to(parts: &Parts) -> String {
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
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let Some((user, access)) = signed_in(&session, &state.access_sources()).await? else {
            return Err(AppError::NotSignedIn {
                return_to: return_to(parts),
            });
        };
        parts.extensions.insert(SignedInAs {
            user: user.clone(),
            access: access.clone(),
        });
        Ok(CurrentUser {
            user,
            access,
            session,
        })
    }
}

/// Denied requests go to the audit trail: probing other organizations by URL shows there.
pub(crate) async fn record_denial(
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
        if !user.access.may_administer(&org_id) {
            record_denial(state, parts, &user, Some(&org_id), "not_org_admin").await;
            return Err(AppError::NotFound);
        }
        Ok(OrgAdmin { user, org_id })
    }
}

pub use crate::web::page::Htmx;
