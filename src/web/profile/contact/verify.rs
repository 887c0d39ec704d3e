//! Typing the code: Logto checks it, then the address is saved.

use axum::{extract::State, response::Response, Form};
use serde::Deserialize;

use super::turn::{Turn, Waiting};
use super::view::Mode;
use super::ContactKind;
use crate::limits;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::{refresh_session_user, FieldErrors};
use crate::web::AppState;

#[derive(Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The code as typed, if it looks like one (digits, spaces ignored).
fn clean_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    ((4..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit())).then_some(code)
}

/// `POST /profile/{email,phone}/verify`: checks the code, then saves the address.
pub(super) async fn verify(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<CodeForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn::new(&state, &ctx, &me, kind);
    let t = &ctx.t;
    let Waiting {
        user,
        mut pending,
        waiting: p,
    } = match turn.waiting().await? {
        Ok(waiting) => waiting,
        Err(refused) => return Ok(refused),
    };
    let mut errors = FieldErrors::new();
    let Some(code) = clean_code(&form.code) else {
        errors.insert("code".into(), t.t("profile.contact.code_format"));
        return turn.refuse(user, Mode::Code, "", &errors, None).await;
    };
    match state
        .logto
        .verify_code(&kind.target(&p.address), &code)
        .await
    {
        Ok(()) => {}
        Err(e) if e.status() == Some(400) => {
            let code = e.failure_code();
            turn.audit(&user, Some(&code), "verify").await;
            let key = match code.as_str() {
                "verification_code.expired" => "profile.contact.code_expired",
                "verification_code.exceed_max_try" => "profile.contact.code_too_many_tries",
                "verification_code.not_found" => "profile.contact.code_not_found",
                _ => "profile.contact.code_wrong",
            };
            errors.insert("code".into(), t.t(key));
            return turn.refuse(user, Mode::Code, "", &errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    // The code is used up whatever happens next; a proven address ends the wait for the next
    // code (the hourly limits still count).
    pending.set(kind, None);
    pending.save(&me.session).await?;
    state.limits.clear(&limits::CODE_COOLDOWN, &user.id).await?;
    match state
        .logto
        .update_user(&user.id, &kind.patch(Some(p.address.clone())))
        .await
    {
        Ok(updated) => {
            turn.audit(&updated, None, "saved").await;
            let who = refresh_session_user(&ctx, &me, &updated).await?;
            let message = t.f(
                &format!("profile.{}.saved", kind.id()),
                &[("to", &kind.display(&p.address))],
            );
            turn.done(&updated, Mode::View, None, message, Some(who))
                .await
        }
        Err(e) if e.status() == Some(422) || e.status() == Some(400) => {
            let code = e.failure_code();
            turn.audit(&user, Some(&code), "save").await;
            let key = if code == kind.in_use_code() {
                format!("profile.{}.taken", kind.id())
            } else {
                format!("profile.contact.{}_invalid", kind.id())
            };
            errors.insert("address".into(), t.t(&key));
            let typed = kind.display(&p.address);
            turn.refuse(user, Mode::Edit, &typed, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(clean_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(clean_code("12a456"), None);
        assert_eq!(clean_code("12"), None);
    }
}
