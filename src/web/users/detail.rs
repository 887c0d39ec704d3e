//! `GET /users/{id}`: who the user is, where they belong, what happened to the account
//! recently, and what an operator can do about it.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};

use super::security::UserSecurity;
use super::{filter_choices, initials, plausible_id, Choice};
use crate::logto::{Log, LogQuery, LogResult, Page, Role, User, UserOrganization};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Operator;
use crate::web::format::{Dates, Moment};
use crate::web::htmx::html;
use crate::web::ids::{Ids, LogtoId};
use crate::web::pager::{PageParams, Pager};
use crate::web::AppState;

/// The user's facts as shown.
pub struct Facts {
    pub id: String,
    pub label: String,
    pub avatar: Option<String>,
    pub initials: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub phone: String,
    pub created: Moment,
    pub updated: Option<Moment>,
    pub last_sign_in: Option<Moment>,
    pub suspended: bool,
    pub has_password: Option<bool>,
    /// Standard OIDC claims that are set: (message key, value).
    pub profile: Vec<(&'static str, String)>,
    /// Pretty JSON, empty when there is none.
    pub custom_data: String,
    /// Social identities: (connector target, id at the provider).
    pub identities: Vec<(String, String)>,
}

impl Facts {
    pub fn new(u: &User, dates: &Dates) -> Facts {
        let p = &u.profile;
        let claims: [(&'static str, &Option<String>); 11] = [
            ("users.profile.given_name", &p.given_name),
            ("users.profile.middle_name", &p.middle_name),
            ("users.profile.family_name", &p.family_name),
            ("users.profile.nickname", &p.nickname),
            ("users.profile.preferred_username", &p.preferred_username),
            ("users.profile.profile", &p.profile),
            ("users.profile.website", &p.website),
            ("users.profile.gender", &p.gender),
            ("users.profile.birthdate", &p.birthdate),
            ("users.profile.zoneinfo", &p.zoneinfo),
            ("users.profile.locale", &p.locale),
        ];
        let mut profile: Vec<(&'static str, String)> = claims
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().filter(|s| !s.is_empty()).map(|s| (k, s.clone())))
            .collect();
        if let Some(a) = &p.address {
            let formatted = a.formatted.clone().unwrap_or_else(|| {
                [
                    &a.street_address,
                    &a.postal_code,
                    &a.locality,
                    &a.region,
                    &a.country,
                ]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
            });
            if !formatted.is_empty() {
                profile.push(("users.profile.address", formatted));
            }
        }
        let custom_data = match &u.custom_data {
            serde_json::Value::Object(m) if m.is_empty() => String::new(),
            serde_json::Value::Null => String::new(),
            v => serde_json::to_string_pretty(v).unwrap_or_default(),
        };
        Facts {
            id: u.id.clone(),
            label: u.display_name().to_string(),
            avatar: crate::avatars::avatar_src_large(&u.id, u.avatar.as_deref()),
            initials: initials(u.display_name()),
            name: u.name.clone().unwrap_or_default(),
            username: u.username.clone().unwrap_or_default(),
            email: u.primary_email.clone().unwrap_or_default(),
            phone: u.primary_phone.clone().unwrap_or_default(),
            created: dates.moment(u.created_at),
            updated: (u.updated_at > 0).then(|| dates.moment(u.updated_at)),
            last_sign_in: u.last_sign_in_at.map(|ms| dates.moment(ms)),
            suspended: u.is_suspended,
            has_password: u.has_password,
            profile,
            custom_data,
            identities: u
                .identities
                .iter()
                .map(|(target, i)| (target.clone(), i.user_id.clone()))
                .collect(),
        }
    }
}

pub struct OrgRow {
    pub name: String,
    /// The organization's members page.
    pub href: String,
    pub roles: Vec<String>,
    pub remove_href: String,
}

pub struct RoleRow {
    pub name: String,
    pub description: String,
    pub remove_href: String,
}

/// One Logto log entry of the user.
pub struct EventRow {
    pub when: Moment,
    pub label_key: &'static str,
    pub key: String,
    /// `Some(true)` failed, `Some(false)` succeeded, `None` unknown.
    pub failed: Option<bool>,
    pub error_code: String,
    pub ip: String,
    pub user_agent: String,
}

impl EventRow {
    fn new(l: &Log, dates: &Dates) -> EventRow {
        EventRow {
            when: dates.moment(l.created_at),
            label_key: event_label(&l.key),
            key: l.key.clone(),
            failed: l.result().map(|r| r == LogResult::Error),
            error_code: l.error_code().unwrap_or_default().to_string(),
            ip: l.ip().unwrap_or_default().to_string(),
            user_agent: l
                .user_agent()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect(),
        }
    }
}

/// What a Logto log key means to a person (logto-api.md §7).
fn event_label(key: &str) -> &'static str {
    match key {
        "Interaction.SignIn.Submit" => "users.event.sign_in",
        "Interaction.Register.Submit" => "users.event.register",
        "Interaction.ForgotPassword.Submit" => "users.event.forgot_password",
        "Interaction.Create" | "Interaction.End" => "users.event.interaction",
        "RevokeToken" | "RevokeGrants" => "users.event.revoke",
        k if k.starts_with("Interaction.SignIn.") => "users.event.sign_in_step",
        k if k.starts_with("Interaction.Register.") => "users.event.register_step",
        k if k.starts_with("Interaction.ForgotPassword.") => "users.event.forgot_password_step",
        k if k.starts_with("ExchangeTokenBy") => "users.event.token",
        _ => "users.event.other",
    }
}

pub struct Events {
    pub rows: Vec<EventRow>,
    pub pager: Option<Pager>,
}

impl Events {
    fn new(user_id: &str, page: Page<Log>, dates: &Dates) -> Events {
        let pager = (!page.items.is_empty()).then(|| {
            Pager::new(
                &format!("/users/{user_id}"),
                page.page,
                page.page_size,
                page.total,
                Vec::new(),
                "#user-events",
            )
        });
        Events {
            rows: page.items.iter().map(|l| EventRow::new(l, dates)).collect(),
            pager,
        }
    }
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    user: Facts,
    orgs: Vec<OrgRow>,
    roles: Vec<RoleRow>,
    events: Events,
    /// The operator is looking at their own account: no suspend or delete.
    is_self: bool,
    /// Organizations the user may join; `None` when there are too many to list.
    org_choices: Option<Vec<Choice>>,
    org_roles: Vec<Choice>,
    /// Global roles the user does not hold yet; `None` when there are too many to list.
    role_choices: Option<Vec<Choice>>,
    operator_role: String,
    /// Two-step methods, sessions and token names, read-only.
    security: UserSecurity,
    /// Which Logto release brings password expiry, when this one lacks it.
    expiry_missing: Option<String>,
}

impl DetailPage {
    fn org_add_hint(&self) -> String {
        self.ctx
            .t
            .f("users.orgs.add_hint", &[("name", &self.user.label)])
    }

    fn role_assign_hint(&self) -> String {
        self.ctx
            .t
            .f("users.roles.assign_hint", &[("role", &self.operator_role)])
    }
}

#[derive(Template)]
#[template(path = "users/_events.html")]
struct EventsPartial {
    ctx: PageCtx,
    events: Events,
}

fn org_rows(user_id: &str, orgs: &[UserOrganization]) -> Vec<OrgRow> {
    let mut rows: Vec<OrgRow> = orgs
        .iter()
        .map(|o| OrgRow {
            name: o.name.clone(),
            href: format!("/orgs/{}/members", o.id),
            roles: o
                .organization_roles
                .iter()
                .map(|r| r.name.clone())
                .collect(),
            remove_href: format!("/users/{user_id}/orgs/{}/remove", o.id),
        })
        .collect();
    rows.sort_by_key(|r| r.name.to_lowercase());
    rows
}

fn role_rows(user_id: &str, roles: &[Role]) -> Vec<RoleRow> {
    let mut rows: Vec<RoleRow> = roles
        .iter()
        .map(|r| RoleRow {
            name: r.name.clone(),
            description: r.description.clone().unwrap_or_default(),
            remove_href: format!("/users/{user_id}/roles/{}/remove", r.id),
        })
        .collect();
    rows.sort_by_key(|r| r.name.to_lowercase());
    rows
}

/// `GET /users/{id}`; for htmx (the events pager) only the events table.
pub async fn show(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Query(paging): Query<PageParams>,
) -> AppResult<Response> {
    if !plausible_id(&user_id) {
        return Err(AppError::NotFound);
    }
    let log_query = LogQuery {
        page: paging.page(),
        page_size: paging.page_size(),
        user_id: Some(user_id.to_string()),
        log_key: None,
    };
    let htmx = ctx.htmx();
    if htmx.fragment {
        let logs = state.logto.list_logs(&log_query).await?;
        let push = format!(
            "/users/{user_id}?page={}&page_size={}",
            log_query.page, log_query.page_size
        );
        let events = Events::new(&user_id, logs, &ctx.dates(&state.clock));
        return htmx.region_at(&EventsPartial { ctx, events }, &push);
    }

    // Everything the page shows, in one round of concurrent requests.
    let is_self = op.id() == user_id.as_str();
    let (user, orgs, roles, logs, choices, org_roles, security) = tokio::join!(
        state.logto.get_user(&user_id),
        state.logto.user_organizations(&user_id),
        state.logto.user_roles(&user_id),
        state.logto.list_logs(&log_query),
        filter_choices(&state),
        state.logto.list_org_roles(),
        UserSecurity::load(&state, &ctx, &user_id, is_self),
    );
    let user = user?;
    let (orgs, roles, logs, choices, org_roles) = (orgs?, roles?, logs?, choices?, org_roles?);
    let security = security?;

    let org_choices = choices.orgs.map(|all| {
        all.into_iter()
            .filter(|c| !orgs.iter().any(|o| o.id == c.id))
            .collect()
    });
    let role_choices = choices.roles.map(|all| {
        all.into_iter()
            .filter(|c| !roles.iter().any(|r| r.id == c.id))
            .collect()
    });
    let dates = ctx.dates(&state.clock);
    let page = DetailPage {
        is_self,
        user: Facts::new(&user, &dates),
        orgs: org_rows(&user_id, &orgs),
        roles: role_rows(&user_id, &roles),
        events: Events::new(&user_id, logs, &dates),
        org_choices,
        org_roles: org_roles
            .iter()
            .filter(|r| r.r#type == crate::logto::RoleType::User)
            .map(|r| Choice {
                id: r.id.clone(),
                name: r.name.clone(),
            })
            .collect(),
        role_choices,
        operator_role: state.config.operator_role.clone(),
        security,
        expiry_missing: {
            let feature = crate::logto::Feature::PasswordExpiry;
            (!state.logto.capabilities().has(feature)).then(|| {
                ctx.t.f(
                    "users.password_expire.missing",
                    &[("version", &feature.since())],
                )
            })
        },
        ctx,
    };
    html(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_labels() {
        assert_eq!(
            event_label("Interaction.SignIn.Submit"),
            "users.event.sign_in"
        );
        assert_eq!(
            event_label("Interaction.SignIn.Verification.Password.Submit"),
            "users.event.sign_in_step"
        );
        assert_eq!(
            event_label("ExchangeTokenBy.RefreshToken"),
            "users.event.token"
        );
        assert_eq!(event_label("Something.New"), "users.event.other");
    }
}
