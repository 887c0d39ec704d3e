//! Deleting an organization (operators): a confirmation where the operator types the
//! organization's name, saying that the members keep their accounts; then back to `/orgs`.
//! The members' portal sessions read their access again on their next request.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde::Deserialize;

use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use super::access::{org_entry, org_path, settings_href, OrgOperator};
use super::settings::with_status;
use crate::auth::revocation::{refresh_access_of, AccessChange};
use crate::cache::Invalidation;
use crate::logto::{MemberQuery, Organization, ROLE_SCAN_LIMIT};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::AppState;

pub(super) struct DeleteView {
    pub org_name: String,
    pub action: String,
    pub cancel_href: String,
    pub question: String,
    pub consequences: String,
    pub typed: String,
    pub error: Option<String>,
}

/// The confirmation; htmx swaps its `partial` in place of the settings page's danger zone.
#[derive(Template)]
#[template(path = "orgs/delete.html", blocks = ["partial"])]
struct DeletePage {
    ctx: PageCtx,
    view: DeleteView,
}
crate::page_template!(DeletePage);

fn view(ctx: &PageCtx, org: &Organization, typed: String, error: Option<String>) -> DeleteView {
    DeleteView {
        org_name: org.name.clone(),
        action: org_path(&org.id, "delete"),
        cancel_href: settings_href(&org.id),
        question: ctx.t.f("orgs.delete.question", &[("org", &org.name)]),
        consequences: ctx.t.f("orgs.delete.consequences", &[("org", &org.name)]),
        typed,
        error,
    }
}

/// `GET /orgs/{org_id}/delete`
pub(super) async fn confirm(
    State(state): State<AppState>,
    op: OrgOperator,
    ctx: PageCtx,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&op.admin.org_id).await?;
    let view = view(&ctx, &org, String::new(), None);
    ctx.htmx().page(&DeletePage { ctx, view })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DeleteForm {
    confirm_name: String,
}

/// `POST /orgs/{org_id}/delete`: only when the typed name is the organization's.
pub(super) async fn delete(
    State(state): State<AppState>,
    op: OrgOperator,
    ctx: PageCtx,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&op.admin.org_id).await?;
    if form.confirm_name.trim() != org.name {
        let error = ctx.t.f("orgs.delete.mismatch", &[("org", &org.name)]);
        let view = view(&ctx, &org, form.confirm_name, Some(error));
        let resp = ctx.htmx().page(&DeletePage { ctx, view })?;
        return Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY));
    }
    // Whose portal sessions must read their access again once the organization is gone (up
    // to ROLE_SCAN_LIMIT people; beyond, or when Logto fails here, the periodic re-check does).
    let members: Vec<String> = state
        .logto
        .org_members_stream(&org.id, MemberQuery::default())
        .take(ROLE_SCAN_LIMIT as usize)
        .map_ok(|m| m.id.clone())
        .try_collect()
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "organization deletion: members could not be read");
            Vec::new()
        });
    let entry = org_entry(&ctx, "org.delete", &org.id, &org.name);
    if let Err(e) = state.logto.delete_organization(&org.id).await {
        state
            .audit
            .record_or_log(entry.failed(&e.failure_code()))
            .await;
        return Err(e.into());
    }
    let mut refreshed = 0u64;
    for id in &members {
        match refresh_access_of(&state.sessions, id, AccessChange::MembershipChanged).await {
            Ok(n) => refreshed += n,
            Err(e) => tracing::warn!(error = %e, "could not refresh a member's portal sessions"),
        }
    }
    let entry = entry
        .detail("members", json!(members.len()))
        .detail("sessionsRefreshed", json!(refreshed));
    state.audit.record_or_log(entry).await;
    let bus = &state.cache_bus;
    bus.publish(Invalidation::OrgName(org.id.clone())).await;
    bus.publish(Invalidation::DirectoryChoices).await;
    let message = ctx.t.f("orgs.delete.done", &[("org", &org.name)]);
    set_flash(&op.admin.user.session, "success", message).await?;
    if ctx.is_htmx {
        return Ok((axum_htmx::HxRedirect("/orgs".to_string()), ()).into_response());
    }
    Ok(Redirect::to("/orgs").into_response())
}
