//! `/orgs/{org_id}/settings`: the organization's name, description, logo addresses (light and
//! dark), the deployer's own organization fields (`[[organization_field]]` in the
//! `PORTAL_PROFILE_FIELDS` file, kept in the organization's `customData`) and "two-step
//! verification required". Operators change all of it and see the just-in-time section
//! ([`super::jit`]) and the deletion ([`super::delete`]); an organization's admins change the
//! name, description and logos when `PORTAL_ADMINS_EDIT_ORG=true`.
//!
//! Logos are kept as addresses only: the page never loads an image from another host
//! (`img-src 'self'`), it shows the address.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde_json::{Map, Value};

use super::access::{org_entry, org_path, settings_href, OrgEditor};
use super::jit::{load_jit, JitView};
use crate::auth::revocation::{refresh_access_of, AccessChange};
use crate::cache::Invalidation;
use crate::config::custom_fields::{FieldDef, FieldKind};
use crate::logto::{Organization, OrganizationPatch};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::{logto_view, AppResult};
use crate::web::htmx::html;
use crate::web::parts::{org_tabs, OrgSection, Tab};
use crate::web::profile::form::Input;
use crate::web::profile::FieldErrors;
use crate::web::AppState;

const SECTION: &str = "org";
pub(super) const NAME_MAX: usize = 128;
pub(super) const DESCRIPTION_MAX: usize = 256;
const URL_MAX: usize = 2048;

/// The settings page; htmx swaps one section at a time ([`DetailsFragment`],
/// [`super::jit::JitFragment`]).
#[derive(Template)]
#[template(path = "orgs/settings.html", blocks = ["partial"])]
pub(super) struct SettingsPage {
    pub ctx: PageCtx,
    pub view: SettingsView,
}
crate::page_template!(SettingsPage);

/// The details form alone (htmx answer to a save).
#[derive(Template)]
#[template(path = "orgs/_details_fragment.html")]
pub(super) struct DetailsFragment {
    pub ctx: PageCtx,
    pub view: SettingsView,
}

pub(super) struct SettingsView {
    pub heading: String,
    pub tabs: Vec<Tab>,
    pub details: DetailsForm,
    /// Operators only.
    pub jit: Option<JitView>,
    /// Operators only: the deletion's confirmation page.
    pub delete_href: Option<String>,
    /// What deleting does, beside the button.
    pub danger_text: String,
}

pub(super) struct DetailsForm {
    pub action: String,
    pub inputs: Vec<Input>,
    /// The deployer's fields an operator may not change (`editable = false`): label, value.
    pub facts: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// An admin's form: only name, description and logos.
    pub limited: bool,
}

/// What was submitted, by form name (the last value of a name wins: a ticked box follows its
/// hidden empty twin).
#[derive(Default)]
pub(super) struct Submitted(std::collections::HashMap<String, String>);

impl Submitted {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn cf_name(def: &FieldDef) -> String {
    format!("cf_{}", def.key)
}

fn branding_text(org: &Organization, key: &str) -> String {
    org.branding
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn object(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn stored_text(def: &FieldDef, stored: Option<&Value>) -> String {
    if def.kind == FieldKind::Checkbox {
        if def.is_checked(stored) {
            "on".into()
        } else {
            String::new()
        }
    } else {
        def.form_value(stored)
    }
}

/// The details form: the stored values, or what was submitted with `errors`.
pub(super) fn details_form(
    ctx: &PageCtx,
    state: &AppState,
    org: &Organization,
    operator: bool,
    submitted: Option<&Submitted>,
    errors: &FieldErrors,
) -> DetailsForm {
    let t = &ctx.t;
    let value = |name: &str, stored: String| -> String {
        submitted
            .and_then(|s| s.get(name))
            .map(str::to_string)
            .unwrap_or(stored)
    };
    let logo_hint = t.t("orgs.settings.logo_hint");
    let mut inputs = vec![
        Input::new(SECTION, "name", t.t("orgs.settings.name"), "text")
            .value(value("name", org.name.clone()))
            .required(true)
            .max_length(NAME_MAX)
            .errors(errors),
        Input::new(
            SECTION,
            "description",
            t.t("orgs.settings.description"),
            "textarea",
        )
        .value(value(
            "description",
            org.description.clone().unwrap_or_default(),
        ))
        .max_length(DESCRIPTION_MAX)
        .errors(errors),
        Input::new(SECTION, "logo_url", t.t("orgs.settings.logo_url"), "url")
            .value(value("logo_url", branding_text(org, "logoUrl")))
            .hint(logo_hint.clone())
            .errors(errors),
        Input::new(
            SECTION,
            "dark_logo_url",
            t.t("orgs.settings.dark_logo_url"),
            "url",
        )
        .value(value("dark_logo_url", branding_text(org, "darkLogoUrl")))
        .hint(logo_hint)
        .errors(errors),
    ];
    let mut facts = Vec::new();
    if operator {
        let data = object(&org.custom_data);
        for def in &state.config.custom_fields.organization {
            let stored = data.get(&def.key);
            if !def.editable {
                facts.push((def.label(ctx.lang), def.display_value(stored, ctx.lang)));
                continue;
            }
            let name = cf_name(def);
            let v = value(&name, stored_text(def, stored));
            let mut i = Input::new(SECTION, &name, def.label(ctx.lang), def.input_type())
                .value(v.clone())
                .checked(!v.is_empty())
                .required(def.required)
                .maybe_hint(def.help(ctx.lang))
                .errors(errors);
            match def.kind {
                FieldKind::Select => {
                    let mut options = vec![(String::new(), t.t("profile.not_set"))];
                    options.extend(
                        def.options
                            .iter()
                            .map(|o| (o.value.clone(), o.label(ctx.lang))),
                    );
                    i = i.options(options);
                }
                FieldKind::Text => i = i.max_length(def.max_length),
                FieldKind::Number => i = i.inputmode("decimal"),
                FieldKind::Date | FieldKind::Checkbox => {}
            }
            inputs.push(i);
        }
        let mfa = value(
            "is_mfa_required",
            if org.is_mfa_required { "on" } else { "" }.into(),
        );
        inputs.push(
            Input::new(
                SECTION,
                "is_mfa_required",
                t.t("orgs.settings.mfa_required"),
                "checkbox",
            )
            .checked(!mfa.is_empty())
            .hint(t.t("orgs.settings.mfa_hint"))
            .errors(errors),
        );
    }
    crate::web::profile::form::focus_first(&mut inputs);
    if submitted.is_none() || errors.is_empty() {
        // Focus moves only to a field with an error.
        for i in &mut inputs {
            i.autofocus = false;
        }
    }
    DetailsForm {
        action: settings_href(&org.id),
        inputs,
        facts,
        notice: None,
        error: None,
        limited: !operator,
    }
}

/// The whole view of the organization's settings for `editor`.
pub(super) async fn settings_view(
    state: &AppState,
    ctx: &PageCtx,
    org: &Organization,
    operator: bool,
    details: DetailsForm,
) -> SettingsView {
    let jit = if operator {
        Some(load_jit(state, ctx, org).await)
    } else {
        None
    };
    SettingsView {
        heading: ctx.t.f("orgs.settings.title", &[("org", &org.name)]),
        tabs: org_tabs(&ctx.t, &org.id, OrgSection::Settings, None, None, true),
        details,
        jit,
        delete_href: operator.then(|| org_path(&org.id, "delete")),
        danger_text: ctx.t.f("orgs.delete.consequences", &[("org", &org.name)]),
    }
}

pub(super) fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}

/// `GET /orgs/{org_id}/settings`
pub(super) async fn show(
    State(state): State<AppState>,
    editor: OrgEditor,
    ctx: PageCtx,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&editor.admin.org_id).await?;
    let operator = editor.is_operator();
    let details = details_form(&ctx, &state, &org, operator, None, &FieldErrors::new());
    let view = settings_view(&state, &ctx, &org, operator, details).await;
    ctx.htmx().page(&SettingsPage { ctx, view })
}

/// The checked changes, or the messages at the fields.
fn read_changes(
    ctx: &PageCtx,
    state: &AppState,
    org: &Organization,
    operator: bool,
    s: &Submitted,
) -> Result<(OrganizationPatch, Vec<String>), FieldErrors> {
    let t = &ctx.t;
    let mut errors = FieldErrors::new();
    let mut patch = OrganizationPatch::default();
    let mut changed: Vec<String> = Vec::new();

    if let Some(name) = s.get("name").map(str::trim) {
        if name.is_empty() {
            errors.insert("name".into(), t.t("orgs.error.name_required"));
        } else if name.chars().count() > NAME_MAX {
            errors.insert("name".into(), t.count("profile.too_long", NAME_MAX as i64));
        } else if name != org.name {
            patch.name = Some(name.to_string());
            changed.push("name".into());
        }
    }
    if let Some(d) = s.get("description").map(str::trim) {
        if d.chars().count() > DESCRIPTION_MAX {
            errors.insert(
                "description".into(),
                t.count("profile.too_long", DESCRIPTION_MAX as i64),
            );
        } else if d != org.description.as_deref().unwrap_or_default() {
            patch.description = Some(Some(d.to_string()).filter(|d| !d.is_empty()));
            changed.push("description".into());
        }
    }
    let mut branding = object(&org.branding);
    let mut branding_changed = false;
    for (field, key) in [("logo_url", "logoUrl"), ("dark_logo_url", "darkLogoUrl")] {
        let Some(text) = s.get(field).map(str::trim) else {
            continue;
        };
        match check_logo(text) {
            Err(k) => {
                errors.insert(field.into(), t.t(k));
            }
            Ok(url) => {
                if url.as_deref().unwrap_or_default() != branding_text(org, key) {
                    match url {
                        Some(u) => branding.insert(key.to_string(), Value::String(u)),
                        None => branding.remove(key),
                    };
                    branding_changed = true;
                    changed.push(format!("branding.{key}"));
                }
            }
        }
    }
    if branding_changed {
        patch.branding = Some(branding);
    }
    if operator {
        let stored = object(&org.custom_data);
        let mut data = stored.clone();
        for def in state
            .config
            .custom_fields
            .organization
            .iter()
            .filter(|d| d.editable)
        {
            let Some(text) = s.get(&cf_name(def)) else {
                continue;
            };
            match def.parse(Some(text)) {
                Err(p) => {
                    errors.insert(
                        cf_name(def),
                        crate::web::profile::custom::problem_text(ctx, &p),
                    );
                }
                Ok(new) => {
                    let old = stored.get(&def.key);
                    let differs = match def.kind {
                        FieldKind::Checkbox => {
                            def.is_checked(old) != new.as_bool().unwrap_or(false)
                        }
                        _ => old.unwrap_or(&Value::Null) != &new,
                    };
                    if differs {
                        if new.is_null() {
                            data.remove(&def.key);
                        } else {
                            data.insert(def.key.clone(), new);
                        }
                        changed.push(format!("customData.{}", def.key));
                    }
                }
            }
        }
        if data != stored {
            patch.custom_data = Some(data);
        }
        if let Some(mfa) = s.get("is_mfa_required") {
            let on = !mfa.is_empty();
            if on != org.is_mfa_required {
                patch.is_mfa_required = Some(on);
                changed.push("isMfaRequired".into());
            }
        }
    }
    if errors.is_empty() {
        Ok((patch, changed))
    } else {
        Err(errors)
    }
}

/// An https address with a host, or nothing; the message key otherwise.
pub(super) fn check_logo(text: &str) -> Result<Option<String>, &'static str> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > URL_MAX {
        return Err("orgs.error.logo_url");
    }
    let url = url::Url::parse(text).map_err(|_| "orgs.error.logo_url")?;
    if url.scheme() != "https"
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err("orgs.error.logo_https");
    }
    Ok(Some(text.to_string()))
}

/// The details section again: its own fragment for htmx, else the whole page.
async fn answer_details(
    state: &AppState,
    ctx: PageCtx,
    org: &Organization,
    operator: bool,
    details: DetailsForm,
    status: StatusCode,
) -> AppResult<Response> {
    let view = settings_view(state, &ctx, org, operator, details).await;
    let resp = if ctx.is_htmx {
        html(&DetailsFragment { ctx, view })?
    } else {
        ctx.htmx().page(&SettingsPage { ctx, view })?
    };
    Ok(with_status(resp, status))
}

/// `POST /orgs/{org_id}/settings`. Only fields that differ from what Logto holds now are
/// sent; an admin's form changes name, description and logos only, whatever else is posted.
pub(super) async fn save(
    State(state): State<AppState>,
    editor: OrgEditor,
    ctx: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org_id = editor.admin.org_id.clone();
    let operator = editor.is_operator();
    let org = state.logto.get_organization(&org_id).await?;
    let submitted = Submitted(pairs.into_iter().collect());
    let (patch, changed) = match read_changes(&ctx, &state, &org, operator, &submitted) {
        Ok(c) => c,
        Err(errors) => {
            let details = details_form(&ctx, &state, &org, operator, Some(&submitted), &errors);
            return answer_details(
                &state,
                ctx,
                &org,
                operator,
                details,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if patch.is_empty() {
        let mut details = details_form(&ctx, &state, &org, operator, None, &FieldErrors::new());
        details.notice = Some(ctx.t.t("orgs.settings.nothing_changed"));
        return answer_details(&state, ctx, &org, operator, details, StatusCode::OK).await;
    }
    let entry = org_entry(&ctx, "org.update", &org_id, &org.name)
        .detail("fields", Value::from(changed.clone()));
    let updated = match state.logto.update_organization(&org_id, &patch).await {
        Ok(o) => o,
        Err(e) if e.is_input_refusal() => {
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            let mut details = details_form(
                &ctx,
                &state,
                &org,
                operator,
                Some(&submitted),
                &FieldErrors::new(),
            );
            details.error = Some(ctx.t.t("orgs.error.refused"));
            return answer_details(
                &state,
                ctx,
                &org,
                operator,
                details,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => {
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            return Err(e.into());
        }
    };
    let entry = match &patch.name {
        Some(new_name) => entry.detail("newName", Value::String(new_name.clone())),
        None => entry,
    };
    state.audit.record_or_log(entry).await;
    if patch.name.is_some() {
        // Every replica names the organization anew: headings and the directory's filter.
        let bus = &state.cache_bus;
        bus.publish(Invalidation::OrgName(org_id.clone())).await;
        bus.publish(Invalidation::DirectoryChoices).await;
        // The editor's own pages name organizations from the session: read it again now
        // (everyone else's follows within PORTAL_ACCESS_RECHECK_SECS).
        let me = editor.admin.user.id();
        if let Err(e) =
            refresh_access_of(&state.sessions, me, AccessChange::MembershipChanged).await
        {
            tracing::warn!(error = %e, "could not refresh the editor's portal sessions");
        }
    }
    let message = ctx.t.t("orgs.settings.saved");
    if !ctx.is_htmx {
        set_flash(&editor.admin.user.session, "success", message).await?;
        return Ok(Redirect::to(&settings_href(&org_id)).into_response());
    }
    let mut details = details_form(&ctx, &state, &updated, operator, None, &FieldErrors::new());
    details.notice = Some(message);
    answer_details(&state, ctx, &updated, operator, details, StatusCode::OK).await
}

/// A Logto failure while loading part of the page, in words.
pub(super) fn load_failure(ctx: &PageCtx, e: &crate::logto::LogtoError) -> String {
    tracing::warn!(error = %e, "organization settings: Logto failed");
    format!(
        "{} {}",
        ctx.t.t("orgs.settings.load_failed"),
        ctx.t.t(logto_view(e).2)
    )
}

#[cfg(test)]
mod tests {
    use super::check_logo;

    #[test]
    fn logos_are_https_addresses_or_nothing() {
        assert_eq!(check_logo(""), Ok(None));
        assert_eq!(
            check_logo("https://cdn.example.com/logo.svg"),
            Ok(Some("https://cdn.example.com/logo.svg".into()))
        );
        assert_eq!(
            check_logo("http://cdn.example.com/logo.svg"),
            Err("orgs.error.logo_https")
        );
        assert_eq!(
            check_logo("https://user:pw@cdn.example.com/x.png"),
            Err("orgs.error.logo_https")
        );
        assert_eq!(
            check_logo("javascript:alert(1)"),
            Err("orgs.error.logo_https")
        );
        assert_eq!(check_logo("not a url"), Err("orgs.error.logo_url"));
    }
}
