//! Adding an existing user to the organization: the picker panel (inline for htmx, or its own
//! page) and the addition, which adds the membership and then gives the chosen roles.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{Form, Query};
use serde_json::json;

use crate::auth::revocation::{after_access_change, AccessChange};
use crate::logto::OrgRole;
use crate::web::context::{set_flash, PageCtx};
use crate::web::error::AppResult;
use crate::web::extract::OrgAdmin;
use crate::web::AppState;

use super::act::member_entry;
use super::params::{MemberForm, ViewQuery};
use super::picker::{picker_status, search_candidates, type_hint, Candidates, Searcher};
use super::refusal::{logto_message, rule, with_status, Refusal, WORDING};
use super::{choices, members_path, org_name, role_names, RoleChoice};

#[derive(Debug, Clone)]
pub struct AddForm {
    pub org_id: String,
    pub roles: Vec<RoleChoice>,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The picker takes exact email addresses and usernames only.
    pub exact: bool,
}

impl AddForm {
    /// The form for the organization of `who`'s search, with the roles in `checked` ticked.
    fn new(who: &Searcher<'_>, roles: &[OrgRole], checked: &[String]) -> Self {
        AddForm {
            org_id: who.admin.org_id.clone(),
            roles: choices(roles, checked),
            error: None,
            notice: None,
            exact: who.exact(),
        }
    }

    pub fn action(&self) -> String {
        format!("{}/add", members_path(&self.org_id))
    }

    pub fn candidates_href(&self) -> String {
        format!("{}/candidates", members_path(&self.org_id))
    }

    pub fn list_href(&self) -> String {
        members_path(&self.org_id)
    }

    pub fn close_href(&self) -> String {
        format!("{}/add?close=1", members_path(&self.org_id))
    }

    /// Exact look-ups each cost an attempt: search after a longer pause in typing.
    pub fn search_trigger(&self) -> &'static str {
        if self.exact {
            "input changed delay:800ms, submit"
        } else {
            "input delay:300ms, submit"
        }
    }

    pub fn hint_key(&self) -> &'static str {
        if self.exact {
            "members.add_search_hint_exact"
        } else {
            "members.add_search_hint"
        }
    }

    pub fn label_key(&self) -> &'static str {
        if self.exact {
            "members.add_search_label_exact"
        } else {
            "members.add_search_label"
        }
    }
}

/// The picker: its own page, or (htmx) the panel in the member page.
#[derive(Template)]
#[template(path = "members/add.html", blocks = ["partial"])]
struct AddPage {
    ctx: PageCtx,
    add: AddForm,
    cands: Candidates,
}
crate::page_template!(AddPage);

fn render_add(ctx: PageCtx, add: AddForm, cands: Candidates) -> AppResult<Response> {
    ctx.htmx().page(&AddPage { ctx, add, cands })
}

/// `GET /orgs/{org_id}/members/add?q=`: the picker (a panel for htmx, a page otherwise).
pub(super) async fn add_form(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Query(query): Query<ViewQuery>,
) -> AppResult<Response> {
    let cache = &state.org_facts;
    if query.close == "1" {
        // "Close" on the htmx panel: the empty placeholder; without htmx, the list.
        return Ok(if ctx.is_htmx {
            axum::response::Html(r#"<div id="add-panel"></div>"#).into_response()
        } else {
            Redirect::to(&members_path(&admin.org_id)).into_response()
        });
    }
    let q = query.q;
    let who = Searcher::new(&state, &ctx, &admin);
    let (roles, cands) = tokio::join!(cache.roles(&state.logto), search_candidates(&who, &q, ""));
    let add = AddForm::new(&who, &roles?, &[]);
    let status = picker_status(&cands);
    Ok(with_status(render_add(ctx, add, cands)?, status))
}

/// One submitted addition: who adds, what they typed and chose.
struct Attempt<'a> {
    who: Searcher<'a>,
    q: String,
    roles: &'a [OrgRole],
    wanted: Vec<String>,
}

impl Attempt<'_> {
    /// The form again with the person's choices and `error`; the candidates keep `selected`.
    async fn refuse(
        &self,
        error: String,
        status: StatusCode,
        selected: &str,
    ) -> AppResult<Response> {
        let cands = search_candidates(&self.who, &self.q, selected).await;
        let add = AddForm {
            error: Some(error),
            ..AddForm::new(&self.who, self.roles, &self.wanted)
        };
        Ok(with_status(
            render_add(self.who.ctx.clone(), add, cands)?,
            status,
        ))
    }
}

/// `POST /orgs/{org_id}/members/add`: adds the chosen user, then gives the chosen roles.
pub(super) async fn add(
    State(state): State<AppState>,
    admin: OrgAdmin,
    ctx: PageCtx,
    Form(fields): Form<MemberForm>,
) -> AppResult<Response> {
    let cache = &state.org_facts;
    let user_id = fields.user_id;
    let org_id = admin.org_id.clone();
    let all_roles = cache.roles(&state.logto).await?;
    let attempt = Attempt {
        who: Searcher::new(&state, &ctx, &admin),
        q: fields.q,
        roles: &all_roles,
        wanted: fields.role_ids,
    };
    let wanted = &attempt.wanted;

    if user_id.is_empty() {
        let msg = ctx.t.t("members.add_choose_person");
        return attempt
            .refuse(msg, StatusCode::UNPROCESSABLE_ENTITY, "")
            .await;
    }

    let user = match state.logto.get_user(&user_id).await {
        Ok(u) => u,
        Err(e) => {
            // The person chosen no longer exists: said as such, not as "not a member".
            let msg = if e.is_not_found() {
                ctx.t.t("members.err.gone")
            } else {
                logto_message(&ctx.t, &e)
            };
            let refusal = Refusal::from(e);
            let entry = member_entry(&ctx, "member.add", &org_id, &user_id, None)
                .details(json!({ "roleIds": wanted }))
                .failed(&refusal.code());
            state.audit.record_or_log(entry).await;
            let status = refusal.status();
            return attempt.refuse(msg, status, "").await;
        }
    };
    let name = user.display_name().to_string();

    let outcome: Result<Vec<OrgRole>, Refusal> = async {
        let chosen = cache
            .resolve(&state.logto, wanted)
            .await?
            .ok_or_else(|| rule(&ctx.t, "unknown_role", "members.err.unknown_role"))?;
        state
            .logto
            .add_org_members(&org_id, std::slice::from_ref(&user.id))
            .await?;
        Ok(chosen)
    }
    .await;

    let entry = member_entry(&ctx, "member.add", &org_id, &user.id, Some(&name));
    let chosen = match outcome {
        Ok(chosen) => chosen,
        Err(refusal) => {
            let entry = entry
                .details(json!({ "requestedRoleIds": wanted }))
                .failed(&refusal.code());
            state.audit.record_or_log(entry).await;
            let msg = refusal.message(&ctx.t, &WORDING);
            return attempt.refuse(msg, refusal.status(), &user.id).await;
        }
    };
    let names = role_names(&chosen);
    let ids: Vec<String> = chosen.iter().map(|r| r.id.clone()).collect();
    let org = org_name(&state, &admin)
        .await
        .unwrap_or_else(|_| org_id.clone());
    let roles_result = state.logto.add_member_roles(&org_id, &user.id, &ids).await;
    let membership = AccessChange::MembershipChanged;
    let (kind, message) = match &roles_result {
        Ok(()) => {
            let entry = entry.details(json!({ "roles": names }));
            let entry = after_access_change(&state.sessions, entry, &user.id, membership).await;
            state.audit.record_or_log(entry).await;
            (
                "success",
                ctx.t
                    .f("members.add_done", &[("name", &name), ("org", &org)]),
            )
        }
        Err(e) => {
            // The membership exists; only the roles are missing. Both facts go to the trail.
            let entry = entry.details(json!({ "roles": [], "requestedRoles": names }));
            let entry = after_access_change(&state.sessions, entry, &user.id, membership).await;
            state.audit.record_or_log(entry).await;
            let label = Some(name.as_str());
            let entry = member_entry(&ctx, "member.roles_change", &org_id, &user.id, label)
                .details(json!({ "before": [], "after": names }))
                .failed(&e.failure_code());
            state.audit.record_or_log(entry).await;
            (
                "error",
                ctx.t.f(
                    "members.add_roles_failed",
                    &[("name", &name), ("reason", &logto_message(&ctx.t, e))],
                ),
            )
        }
    };
    if ctx.is_htmx {
        let add = AddForm {
            error: roles_result.is_err().then(|| message.clone()),
            notice: roles_result.is_ok().then(|| message.clone()),
            ..AddForm::new(&attempt.who, &all_roles, &[])
        };
        let cands = type_hint(&ctx.t, attempt.who.exact());
        let mut resp = render_add(ctx, add, cands)?;
        // The member table listens for this and reloads itself.
        resp.headers_mut()
            .insert("hx-trigger", HeaderValue::from_static("members-changed"));
        Ok(resp)
    } else {
        set_flash(&admin.user.session, kind, message).await?;
        Ok(Redirect::to(&members_path(&org_id)).into_response())
    }
}
