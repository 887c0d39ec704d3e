//! Just-in-time membership on the settings page (operators): the verified email domains, the
//! organization roles people joining that way get, the effect in one sentence ("people who
//! sign up with an @acme.com address join Acme as member"), and the enterprise SSO connectors
//! bound to the organization (read-only: binding them is Logto Console's business).

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::Form;
use serde::Deserialize;
use serde_json::{json, Value};

use super::access::{org_entry, settings_href, OrgOperator};
use super::settings::{
    details_form, load_failure, settings_view, with_status, SettingsPage, SettingsView,
};
use crate::logto::{OrgRole, Organization};
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::htmx::html;
use crate::web::profile::FieldErrors;
use crate::web::AppState;

/// Logto's limit on a stored domain.
const DOMAIN_MAX: usize = 128;

/// The JIT section alone (htmx answer to its forms).
#[derive(Template)]
#[template(path = "orgs/_jit_fragment.html")]
pub(super) struct JitFragment {
    pub ctx: PageCtx,
    pub view: SettingsView,
}

pub(super) struct RoleChoice {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub checked: bool,
}

pub(super) struct SsoRow {
    pub name: String,
    pub domains: String,
}

pub(super) struct JitView {
    pub domains: Vec<String>,
    pub roles: Vec<RoleChoice>,
    pub effect: String,
    pub sso: Vec<SsoRow>,
    pub sso_effect: String,
    /// What was typed in the add-domain field, kept when it is refused.
    pub domain_value: String,
    pub domain_error: Option<String>,
    pub roles_error: Option<String>,
    pub notice: Option<String>,
    /// Logto could not answer: the section says so instead of showing nothing.
    pub error: Option<String>,
    pub add_action: String,
    pub remove_action: String,
    pub roles_action: String,
}

/// `acme.com`, `@Acme.COM` → `acme.com`; `None` unless it is a domain name with at least two
/// labels (letters, digits, inner hyphens; an alphabetic or `xn--` top-level label).
pub(super) fn normalize_domain(input: &str) -> Option<String> {
    let d = input
        .trim()
        .trim_start_matches('@')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if d.is_empty() || d.len() > DOMAIN_MAX {
        return None;
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld = labels[labels.len() - 1];
    let tld_ok =
        tld.starts_with("xn--") || (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
    (labels.iter().all(|l| label_ok(l)) && tld_ok).then_some(d)
}

/// "@a.com, @b.com or @c.com".
fn domain_list(ctx: &PageCtx, domains: &[String]) -> String {
    let at: Vec<String> = domains.iter().map(|d| format!("@{d}")).collect();
    match at.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!(
            "{} {} {last}",
            rest.join(&ctx.t.t("orgs.jit.list_separator")),
            ctx.t.t("orgs.jit.or")
        ),
    }
}

/// The effect of the domains and roles, in one sentence.
pub(super) fn effect(ctx: &PageCtx, org: &str, domains: &[String], roles: &[String]) -> String {
    if domains.is_empty() {
        return ctx.t.f("orgs.jit.effect_none", &[("org", &org)]);
    }
    let list = domain_list(ctx, domains);
    if roles.is_empty() {
        ctx.t.f(
            "orgs.jit.effect_no_role",
            &[("domains", &list), ("org", &org)],
        )
    } else {
        let roles = roles.join(&ctx.t.t("orgs.jit.list_separator"));
        ctx.t.f(
            "orgs.jit.effect",
            &[("domains", &list), ("org", &org), ("roles", &roles)],
        )
    }
}

/// Reads the section from Logto: domains, default roles, SSO connectors and the roles to
/// choose from.
pub(super) async fn load_jit(state: &AppState, ctx: &PageCtx, org: &Organization) -> JitView {
    let (domains, jit_roles, sso, all_roles) = tokio::join!(
        state.logto.jit_email_domains(&org.id),
        state.logto.jit_roles(&org.id),
        state.logto.jit_sso_connectors(&org.id),
        state.org_facts.roles(&state.logto),
    );
    let mut view = JitView {
        domains: Vec::new(),
        roles: Vec::new(),
        effect: String::new(),
        sso: Vec::new(),
        sso_effect: String::new(),
        domain_value: String::new(),
        domain_error: None,
        roles_error: None,
        notice: None,
        error: None,
        add_action: super::access::org_path(&org.id, "jit/domains"),
        remove_action: super::access::org_path(&org.id, "jit/domains/remove"),
        roles_action: super::access::org_path(&org.id, "jit/roles"),
    };
    let loaded = (|| Ok::<_, crate::logto::LogtoError>((domains?, jit_roles?, sso?, all_roles?)))();
    let (domains, jit_roles, sso, all_roles) = match loaded {
        Ok(l) => l,
        Err(e) => {
            view.error = Some(load_failure(ctx, &e));
            return view;
        }
    };
    let mut roles: Vec<RoleChoice> = all_roles
        .iter()
        .map(|r| RoleChoice {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone().filter(|d| !d.is_empty()),
            checked: jit_roles.iter().any(|j| j.id == r.id),
        })
        .collect();
    // A default role that cannot be given by hand (another type) still shows, ticked.
    for j in jit_roles
        .iter()
        .filter(|j| !all_roles.iter().any(|r| r.id == j.id))
    {
        roles.push(RoleChoice {
            id: j.id.clone(),
            name: j.name.clone(),
            description: None,
            checked: true,
        });
    }
    let role_names: Vec<String> = jit_roles.iter().map(|r| r.name.clone()).collect();
    view.effect = effect(ctx, &org.name, &domains, &role_names);
    view.sso_effect = if sso.is_empty() {
        ctx.t.t("orgs.jit.sso_none")
    } else {
        ctx.t.f("orgs.jit.sso_effect", &[("org", &org.name)])
    };
    view.sso = sso
        .into_iter()
        .map(|c| SsoRow {
            name: if c.connector_name.is_empty() {
                c.provider_name
            } else {
                c.connector_name
            },
            domains: c.domains.join(", "),
        })
        .collect();
    view.domains = domains;
    view.roles = roles;
    view
}

/// The JIT section again (its fragment for htmx, else the page); `adjust` adds the form's
/// message or error to the freshly read section.
async fn answer(
    state: &AppState,
    ctx: PageCtx,
    org: &Organization,
    status: StatusCode,
    adjust: impl FnOnce(&mut JitView),
) -> AppResult<Response> {
    let details = details_form(&ctx, state, org, true, None, &FieldErrors::new());
    let mut view = settings_view(state, &ctx, org, true, details).await;
    if let Some(jit) = view.jit.as_mut() {
        adjust(jit);
    }
    let resp = if ctx.is_htmx {
        html(&JitFragment { ctx, view })?
    } else {
        ctx.htmx().page(&SettingsPage { ctx, view })?
    };
    Ok(with_status(resp, status))
}

/// After a change: the section with `message` for htmx, else a flash and the page.
async fn done(
    state: &AppState,
    op: &OrgOperator,
    ctx: PageCtx,
    org: &Organization,
    message: String,
) -> AppResult<Response> {
    if ctx.is_htmx {
        return answer(state, ctx, org, StatusCode::OK, |j| {
            j.notice = Some(message)
        })
        .await;
    }
    set_flash(&op.admin.user.session, "success", message).await?;
    Ok(Redirect::to(&format!("{}#jit", settings_href(&org.id))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DomainForm {
    domain: String,
}

/// `POST /orgs/{org_id}/jit/domains`
pub(super) async fn add_domain(
    State(state): State<AppState>,
    op: OrgOperator,
    ctx: PageCtx,
    Form(form): Form<DomainForm>,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&op.admin.org_id).await?;
    let typed = form.domain.trim().to_string();
    let Some(domain) = normalize_domain(&typed) else {
        let error = ctx.t.t("orgs.error.domain_invalid");
        return answer(&state, ctx, &org, StatusCode::UNPROCESSABLE_ENTITY, |j| {
            j.domain_value = typed;
            j.domain_error = Some(error);
        })
        .await;
    };
    let entry = org_entry(&ctx, "org.jit_domain_add", &org.id, &org.name)
        .detail("domain", Value::String(domain.clone()));
    match state.logto.add_jit_email_domain(&org.id, &domain).await {
        Ok(()) => {
            state.audit.record_or_log(entry).await;
            let message = ctx.t.f(
                "orgs.jit.domain_added",
                &[("domain", &domain), ("org", &org.name)],
            );
            done(&state, &op, ctx, &org, message).await
        }
        Err(e) if e.is_input_refusal() => {
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            let key = if e.is_conflict() {
                "orgs.error.domain_taken"
            } else {
                "orgs.error.domain_invalid"
            };
            let error = ctx.t.f(key, &[("domain", &domain)]);
            answer(&state, ctx, &org, StatusCode::UNPROCESSABLE_ENTITY, |j| {
                j.domain_value = typed;
                j.domain_error = Some(error);
            })
            .await
        }
        Err(e) => {
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            Err(e.into())
        }
    }
}

/// `POST /orgs/{org_id}/jit/domains/remove` (the domain in the form: it has dots, so it is not
/// a path segment the portal would build).
pub(super) async fn remove_domain(
    State(state): State<AppState>,
    op: OrgOperator,
    ctx: PageCtx,
    Form(form): Form<DomainForm>,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&op.admin.org_id).await?;
    let Some(domain) = normalize_domain(&form.domain) else {
        return Err(crate::web::error::AppError::BadRequest(
            "orgs.error.domain_invalid",
        ));
    };
    let entry = org_entry(&ctx, "org.jit_domain_remove", &org.id, &org.name)
        .detail("domain", Value::String(domain.clone()));
    match state.logto.remove_jit_email_domain(&org.id, &domain).await {
        Ok(()) => {
            state.audit.record_or_log(entry).await;
            let message = ctx.t.f(
                "orgs.jit.domain_removed",
                &[("domain", &domain), ("org", &org.name)],
            );
            done(&state, &op, ctx, &org, message).await
        }
        Err(e) if e.is_not_found() => {
            // Someone else removed it first: the section shows what is there now.
            state
                .audit
                .record_or_log(entry.failed("entity.not_found"))
                .await;
            let message = ctx.t.f("orgs.jit.domain_gone", &[("domain", &domain)]);
            done(&state, &op, ctx, &org, message).await
        }
        Err(e) => {
            state
                .audit
                .record_or_log(entry.failed(&e.failure_code()))
                .await;
            Err(e.into())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RolesForm {
    role_ids: Vec<String>,
}

/// `POST /orgs/{org_id}/jit/roles`: replaces the default roles with the ticked ones.
pub(super) async fn set_roles(
    State(state): State<AppState>,
    op: OrgOperator,
    ctx: PageCtx,
    Form(form): Form<RolesForm>,
) -> AppResult<Response> {
    let org = state.logto.get_organization(&op.admin.org_id).await?;
    let mut wanted: Vec<String> = Vec::new();
    for id in form.role_ids {
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let current = state.logto.jit_roles(&org.id).await?;
    // Roles already default stay choosable even when they are of another type.
    let chosen: Option<Vec<OrgRole>> = {
        let known = state.org_facts.roles(&state.logto).await?;
        wanted
            .iter()
            .map(|id| {
                known
                    .iter()
                    .chain(current.iter())
                    .find(|r| &r.id == id)
                    .cloned()
            })
            .collect()
    };
    let Some(chosen) = chosen else {
        let error = ctx.t.t("orgs.error.role_gone");
        return answer(&state, ctx, &org, StatusCode::UNPROCESSABLE_ENTITY, |j| {
            j.roles_error = Some(error);
        })
        .await;
    };
    let names: Vec<String> = chosen.iter().map(|r| r.name.clone()).collect();
    let before: Vec<String> = current.iter().map(|r| r.name.clone()).collect();
    let entry = org_entry(&ctx, "org.jit_roles_set", &org.id, &org.name)
        .detail("roles", json!(names))
        .detail("before", json!(before));
    let ids: Vec<String> = chosen.iter().map(|r| r.id.clone()).collect();
    if let Err(e) = state.logto.set_jit_roles(&org.id, &ids).await {
        state
            .audit
            .record_or_log(entry.failed(&e.failure_code()))
            .await;
        if e.is_input_refusal() {
            let error = ctx.t.t("orgs.error.role_gone");
            return answer(&state, ctx, &org, StatusCode::UNPROCESSABLE_ENTITY, |j| {
                j.roles_error = Some(error);
            })
            .await;
        }
        return Err(e.into());
    }
    state.audit.record_or_log(entry).await;
    let message = if names.is_empty() {
        ctx.t.f("orgs.jit.roles_cleared", &[("org", &org.name)])
    } else {
        ctx.t.f(
            "orgs.jit.roles_saved",
            &[
                ("org", &org.name),
                ("roles", &names.join(&ctx.t.t("orgs.jit.list_separator"))),
            ],
        )
    };
    done(&state, &op, ctx, &org, message).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_checked_and_normalized() {
        assert_eq!(normalize_domain(" @Acme.COM "), Some("acme.com".into()));
        assert_eq!(
            normalize_domain("mail.acme.co.uk."),
            Some("mail.acme.co.uk".into())
        );
        assert_eq!(
            normalize_domain("xn--bcher-kva.xn--p1ai"),
            Some("xn--bcher-kva.xn--p1ai".into())
        );
        for bad in [
            "",
            "acme",
            "acme.",
            "-acme.com",
            "acme-.com",
            "ac me.com",
            "acme.c",
            "acme.123",
            "a@b.com",
            "acme..com",
            "bücher.de",
            "https://acme.com",
        ] {
            assert_eq!(normalize_domain(bad), None, "{bad}");
        }
        assert_eq!(normalize_domain(&format!("{}.com", "a".repeat(130))), None);
    }

    #[test]
    fn the_effect_reads_as_a_sentence() {
        let ctx = PageCtx::for_tests();
        let d = vec!["acme.com".to_string()];
        assert_eq!(
            effect(&ctx, "Acme", &d, &["member".into()]),
            "People who sign up with an @acme.com address join Acme as member."
        );
        let two = vec!["acme.com".to_string(), "acme.org".to_string()];
        assert_eq!(
            effect(&ctx, "Acme", &two, &["member".into(), "admin".into()]),
            "People who sign up with an @acme.com or @acme.org address join Acme as member, admin."
        );
        assert!(effect(&ctx, "Acme", &d, &[]).contains("without a role"));
        assert!(effect(&ctx, "Acme", &[], &[]).starts_with("No email domain"));
    }
}
