//! `/orgs/new` (operators): a new organization from its name and description. htmx swaps the
//! form into the organizations page; without JavaScript it is a page of its own. After the
//! creation the operator lands on the organization's settings.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use axum_extra::extract::{Form, Query};
use serde::Deserialize;

use super::access::{org_entry, settings_href};
use super::settings::{with_status, DESCRIPTION_MAX, NAME_MAX};
use crate::logto::NewOrganization;
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::extract::Operator;
use crate::web::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewForm {
    name: String,
    description: String,
    close: String,
}

pub(super) struct NewView {
    pub name: String,
    pub description: String,
    pub name_error: Option<String>,
    pub description_error: Option<String>,
    pub error: Option<String>,
}

impl NewView {
    pub fn name_max(&self) -> usize {
        NAME_MAX
    }

    pub fn description_max(&self) -> usize {
        DESCRIPTION_MAX
    }
}

#[derive(Template)]
#[template(path = "orgs/new.html", blocks = ["partial"])]
struct NewPage {
    ctx: PageCtx,
    form: NewView,
}
crate::page_template!(NewPage);

fn render(ctx: PageCtx, form: NewView, status: StatusCode) -> AppResult<Response> {
    let resp = ctx.htmx().page(&NewPage { ctx, form })?;
    Ok(with_status(resp, status))
}

/// `GET /orgs/new` (`?close=1`: htmx's "Cancel" answers the empty placeholder).
pub(super) async fn new_form(
    _op: Operator,
    ctx: PageCtx,
    Query(q): Query<NewForm>,
) -> AppResult<Response> {
    if q.close == "1" {
        return Ok(if ctx.is_htmx {
            Html(r#"<div id="org-new-panel"></div>"#).into_response()
        } else {
            Redirect::to("/orgs").into_response()
        });
    }
    let form = NewView {
        name: String::new(),
        description: String::new(),
        name_error: None,
        description_error: None,
        error: None,
    };
    render(ctx, form, StatusCode::OK)
}

/// `POST /orgs/new`
pub(super) async fn create(
    State(state): State<AppState>,
    Operator(op): Operator,
    ctx: PageCtx,
    Form(f): Form<NewForm>,
) -> AppResult<Response> {
    let name = f.name.trim().to_string();
    let description = f.description.trim().to_string();
    let mut form = NewView {
        name: name.clone(),
        description: description.clone(),
        name_error: None,
        description_error: None,
        error: None,
    };
    if name.is_empty() {
        form.name_error = Some(ctx.t.t("orgs.error.name_required"));
    } else if name.chars().count() > NAME_MAX {
        form.name_error = Some(ctx.t.count("profile.too_long", NAME_MAX as i64));
    }
    if description.chars().count() > DESCRIPTION_MAX {
        form.description_error = Some(ctx.t.count("profile.too_long", DESCRIPTION_MAX as i64));
    }
    if form.name_error.is_some() || form.description_error.is_some() {
        return render(ctx, form, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let new = NewOrganization {
        name: name.clone(),
        description: Some(description).filter(|d| !d.is_empty()),
    };
    let org = match state.logto.create_organization(&new).await {
        Ok(org) => org,
        Err(e) => {
            let entry = crate::audit::NewEntry::new("org.create", ctx.actor(), ctx.origin())
                .detail("name", serde_json::Value::String(name.clone()))
                .failed(&e.failure_code());
            state.audit.record_or_log(entry).await;
            if !e.is_input_refusal() {
                return Err(e.into());
            }
            form.error = Some(ctx.t.t("orgs.error.refused"));
            return render(ctx, form, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    state
        .audit
        .record_or_log(org_entry(&ctx, "org.create", &org.id, &org.name))
        .await;
    // The directory's organization filter offers it on every replica.
    state
        .cache_bus
        .publish(crate::cache::Invalidation::DirectoryChoices)
        .await;
    let message = ctx.t.f("orgs.new.created", &[("org", &org.name)]);
    set_flash(&op.session, "success", message).await?;
    let to = settings_href(&org.id);
    if ctx.is_htmx {
        return Ok((axum_htmx::HxRedirect(to), ()).into_response());
    }
    Ok(Redirect::to(&to).into_response())
}
