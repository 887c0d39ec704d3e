//! Asking for a code: the new address is checked (well-formed, not the current one, free), the
//! person proves it is them, and Logto sends the code.

use axum::{extract::State, response::Response, Form};
use serde::Deserialize;

use super::connector::CodeChannels;
use super::turn::Turn;
use super::view::{no_errors, Mode};
use super::{ContactKind, Pending, PendingContacts};
use crate::limits;
use crate::logto::{LogtoError, UserQuery, UserSearch};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::FieldErrors;
use crate::web::refusal::Refusal;
use crate::web::AppState;

#[derive(Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) current_password: String,
}

/// Another user has this address (Logto's exact, case-insensitive search).
async fn taken_by_other(
    state: &AppState,
    kind: ContactKind,
    address: &str,
    my_id: &str,
) -> Result<bool, LogtoError> {
    let q = UserQuery {
        page: 1,
        page_size: 5,
        search: UserSearch::new().field_exact(kind.search_field(), address),
        ..Default::default()
    };
    let found = state.logto.list_users(&q).await?;
    Ok(found.items.iter().any(|u| u.id != my_id))
}

/// `POST /profile/{email,phone}`: checks the new address and sends it a code.
pub(super) async fn start(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<StartForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn::new(&state, &ctx, &me, kind);
    let user = state.logto.get_user(me.id()).await?;
    if !CodeChannels::load(&state).await.can_send(kind) {
        // A form opened before the connector went away: nothing is sent, and the trail reads
        // as when Logto answers the code with 501.
        let refusal = Refusal::rule("connector.not_found", turn.unavailable_text());
        turn.audit(&user, Some(&refusal.code()), "code_sent").await;
        return turn
            .refuse(user, Mode::Unavailable, "", no_errors(), None)
            .await;
    }
    let typed = form.address.trim().to_string();
    let t = &ctx.t;
    let mut errors = FieldErrors::new();
    let address = match kind.normalize(&typed) {
        Ok(a) => a,
        Err(key) => {
            errors.insert("address".into(), t.t(key));
            return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
        }
    };
    if kind.current(&user).is_some_and(|c| kind.same(c, &address)) {
        errors.insert(
            "address".into(),
            t.t(&format!("profile.{}.same", kind.id())),
        );
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    let mut pending = PendingContacts::load(&me.session, state.clock.now_ms()).await?;
    // Said before the password is asked for; the reservation before the send decides.
    if let Some(wait) = state.limits.wait(&limits::CODE_COOLDOWN, &user.id).await? {
        return turn
            .refuse_limited(&user, &limits::CODE_COOLDOWN, wait, "code_sent", &typed)
            .await;
    }
    if let Err(message) = crate::web::profile::proof::confirm(
        &state,
        &ctx,
        &me,
        &user,
        &form.current_password,
        kind.action(),
    )
    .await?
    {
        errors.insert("current_password".into(), message);
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    // Each answer tells whether an address has an account: limited per person.
    if let Err(refused) = turn
        .reserve(&user, &limits::ADDRESS_CHECKS, &user.id, "check", &typed)
        .await?
    {
        return Ok(refused);
    }
    if taken_by_other(&state, kind, &address, &user.id).await? {
        turn.audit(&user, Some(kind.in_use_code()), "check").await;
        errors.insert(
            "address".into(),
            t.t(&format!("profile.{}.taken", kind.id())),
        );
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    if let Err(refused) = turn.send_code(&user, &address, "code_sent").await? {
        return Ok(refused);
    }
    let p = Pending {
        address: address.clone(),
        sent_at: state.clock.now_ms(),
        sends: 1,
    };
    pending.set(kind, Some(p.clone()));
    pending.save(&me.session).await?;
    let message = t.f(
        "profile.contact.code_sent",
        &[("to", &kind.display(&address))],
    );
    turn.done(&user, Mode::Code, Some(&p), message, None).await
}
