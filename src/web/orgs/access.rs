//! Who may change an organization: [`OrgEditor`] (operators, and its admins when
//! `PORTAL_ADMINS_EDIT_ORG=true`) and [`OrgOperator`] (operators only: just-in-time
//! membership, two-step verification, custom fields, deletion). Both build on
//! [`OrgAdmin`], so anyone who does not administer the organization gets its 404 first.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::audit::NewEntry;
use crate::web::context::PageCtx;
use crate::web::error::AppError;
use crate::web::extract::{record_denial, OrgAdmin};
use crate::web::AppState;

/// May open the organization's settings and change its name, description and logos.
#[derive(Debug, Clone)]
pub(crate) struct OrgEditor {
    pub admin: OrgAdmin,
}

impl OrgEditor {
    /// Operators change everything the settings page shows; admins only the basics.
    pub fn is_operator(&self) -> bool {
        self.admin.is_operator()
    }
}

impl FromRequestParts<AppState> for OrgEditor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let admin = OrgAdmin::from_request_parts(parts, state).await?;
        if !(admin.is_operator() || state.config.admins_edit_org) {
            record_denial(
                state,
                parts,
                &admin.user,
                Some(&admin.org_id),
                "org_edit_off",
            )
            .await;
            return Err(AppError::Forbidden);
        }
        Ok(OrgEditor { admin })
    }
}

/// An operator acting on the organization in the path.
#[derive(Debug, Clone)]
pub(crate) struct OrgOperator {
    pub admin: OrgAdmin,
}

impl FromRequestParts<AppState> for OrgOperator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let admin = OrgAdmin::from_request_parts(parts, state).await?;
        if !admin.is_operator() {
            record_denial(
                state,
                parts,
                &admin.user,
                Some(&admin.org_id),
                "not_operator",
            )
            .await;
            return Err(AppError::Forbidden);
        }
        Ok(OrgOperator { admin })
    }
}

/// An audit entry about the organization itself.
pub(crate) fn org_entry(ctx: &PageCtx, action: &str, org_id: &str, name: &str) -> NewEntry {
    NewEntry::new(action, ctx.actor(), ctx.origin())
        .target("organization", org_id, Some(name))
        .org(org_id)
        .detail("organization", serde_json::Value::String(name.to_string()))
}

fn enc(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub(crate) fn settings_href(org_id: &str) -> String {
    format!("/orgs/{}/settings", enc(org_id))
}

pub(crate) fn org_path(org_id: &str, rest: &str) -> String {
    format!("/orgs/{}/{rest}", enc(org_id))
}
