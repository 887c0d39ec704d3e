//! Personal access tokens: create with a name and an expiry (the value shown this once, in a
//! read-only field that selects itself, with a copy button), list, rename, delete. Names are
//! the person's own keys for their tokens; the value never reaches the audit trail.

use axum::{http::StatusCode, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::facts;
use super::view::{enc, BODY};
use super::{Act, Notice, Part, WORDING};
use crate::logto::PersonalAccessToken;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::format::{Dates, Moment};
use crate::web::parts::MenuItem;
use crate::web::refusal::Refusal;

/// The expiry choices, in days; `never` for none.
pub const EXPIRIES: [&str; 4] = ["30", "90", "365", "never"];
const DEFAULT_EXPIRY: &str = "90";
const NAME_MAX: usize = 128;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub name: String,
    pub created: Moment,
    pub expires: Option<Moment>,
    pub expired: bool,
    pub menu: Vec<MenuItem>,
    /// "New name for {name}".
    pub rename_label: String,
}

impl TokenRow {
    pub fn list(ctx: &PageCtx, dates: &Dates, tokens: Vec<PersonalAccessToken>) -> Vec<TokenRow> {
        facts::tokens(dates, tokens)
            .into_iter()
            .map(|t| TokenRow {
                menu: vec![
                    MenuItem::link(
                        ctx.t.t("security.tokens.rename"),
                        format!("/profile/security?rename={}", enc(&t.name)),
                    )
                    .swapping(BODY),
                    MenuItem::link(
                        ctx.t.t("security.tokens.delete_menu"),
                        format!("/profile/security?confirm=token&id={}", enc(&t.name)),
                    )
                    .swapping(BODY)
                    .danger(),
                ],
                created: t.created,
                expires: t.expires,
                expired: t.expired,
                rename_label: ctx
                    .t
                    .f("security.tokens.rename_label", &[("name", &t.name)]),
                name: t.name,
            })
            .collect()
    }
}

/// The create and rename forms, with what was typed and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenForm {
    pub name: String,
    pub expiry: String,
    pub error: Option<String>,
    /// The token whose rename form is open.
    pub renaming: Option<String>,
    pub rename_value: String,
    pub rename_error: Option<String>,
    /// A token just made, shown this once.
    pub created: Option<NewToken>,
}

impl Default for TokenForm {
    fn default() -> Self {
        TokenForm {
            name: String::new(),
            expiry: DEFAULT_EXPIRY.into(),
            error: None,
            renaming: None,
            rename_value: String::new(),
            rename_error: None,
            created: None,
        }
    }
}

impl TokenForm {
    pub fn is_expiry(&self, choice: &str) -> bool {
        self.expiry == choice
    }

    pub fn expiry_label(&self, ctx: &PageCtx, choice: &str) -> String {
        match choice.parse::<i64>() {
            Ok(days) => ctx.t.count("security.tokens.days", days),
            Err(_) => ctx.t.t("security.tokens.never"),
        }
    }
}

/// A token just made: the label of its field ("The value of {name}") and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub label: String,
    pub value: String,
}

/// A name as typed: trimmed, not empty, not too long.
fn clean_name(ctx: &PageCtx, name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        Err(ctx.t.t("security.tokens.name_required"))
    } else if name.chars().count() > NAME_MAX {
        Err(ctx
            .t
            .f("security.tokens.name_too_long", &[("max", &NAME_MAX)]))
    } else {
        Ok(name.to_owned())
    }
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expiry: String,
}

/// `POST /profile/security/tokens`.
pub async fn create(act: Act, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let expiry = if EXPIRIES.contains(&form.expiry.as_str()) {
        form.expiry.clone()
    } else {
        DEFAULT_EXPIRY.to_owned()
    };
    let expires_at = expiry
        .parse::<i64>()
        .ok()
        .map(|days| act.state.clock.now_ms() + days * DAY_MS);
    let refuse = |error: String| TokenForm {
        name: form.name.clone(),
        expiry: expiry.clone(),
        error: Some(error),
        ..TokenForm::default()
    };
    let name = match clean_name(&act.ctx, &form.name) {
        Ok(n) => n,
        Err(error) => {
            let mut view = act.view().await?;
            view.token_form = refuse(error);
            return act.show(view, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let audit = act
        .entry("security.token_create")
        .details(json!({"name": name, "expiresAt": expires_at}));
    let created = act
        .state
        .logto
        .create_access_token(&act.user.id, &name, expires_at)
        .await;
    let refusal = match created {
        Ok(token) => {
            act.record(audit).await;
            let mut view = act.view().await?;
            view.token_form.created = Some(NewToken {
                label: act
                    .ctx
                    .t
                    .f("security.tokens.value_label", &[("name", &token.name)]),
                value: token.value.expose().to_owned(),
            });
            let done = act.ctx.t.t("security.tokens.created");
            view.notice = Some(Notice::success(Part::Tokens, done));
            return act.show(view, StatusCode::OK);
        }
        Err(e) => Refusal::from(e),
    };
    if !refusal.is_about_the_request() {
        return act.refused(audit, Part::Tokens, refusal).await;
    }
    act.record(audit.failed(&refusal.code())).await;
    let mut view = act.view().await?;
    view.token_form = refuse(refusal.message(&act.ctx.t, &WORDING));
    act.show(view, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    name: String,
}

/// `POST /profile/security/tokens/rename`: a refused name stays in the open rename form.
pub async fn rename(act: Act, Form(form): Form<RenameForm>) -> AppResult<Response> {
    let error = match clean_name(&act.ctx, &form.name) {
        Ok(name) if name == form.current => {
            let view = act.view().await?;
            return act.show(view, StatusCode::OK);
        }
        Ok(renamed) => {
            let audit = act
                .entry("security.token_rename")
                .details(json!({"from": form.current, "to": renamed}));
            let answer = act
                .state
                .logto
                .rename_access_token(&act.user.id, &form.current, &renamed)
                .await;
            match answer.map_err(Refusal::from) {
                Ok(_) => {
                    act.record(audit).await;
                    let t = &act.ctx.t;
                    let msg = t.f("security.tokens.renamed", &[("name", &renamed)]);
                    return act.done(Part::Tokens, msg).await;
                }
                Err(Refusal::Logto(e)) if e.code().is_some() && !e.is_not_found() => {
                    let refusal = Refusal::Logto(e);
                    act.record(audit.failed(&refusal.code())).await;
                    refusal.message(&act.ctx.t, &WORDING)
                }
                Err(refusal) => return act.refused(audit, Part::Tokens, refusal).await,
            }
        }
        Err(error) => error,
    };
    let mut view = act.view().await?;
    view.token_form.renaming = Some(form.current.clone());
    view.token_form.rename_value = form.name.clone();
    view.token_form.rename_error = Some(error);
    act.show(view, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    name: String,
}

/// `POST /profile/security/tokens/delete`.
pub async fn delete(act: Act, Form(form): Form<DeleteForm>) -> AppResult<Response> {
    let audit = act
        .entry("security.token_delete")
        .details(json!({"name": form.name}));
    let deleted = act
        .state
        .logto
        .delete_access_token(&act.user.id, &form.name)
        .await;
    if let Err(e) = deleted {
        return act.refused(audit, Part::Tokens, e).await;
    }
    act.record(audit).await;
    let msg = act
        .ctx
        .t
        .f("security.tokens.deleted", &[("name", &form.name)]);
    act.done(Part::Tokens, msg).await
}
