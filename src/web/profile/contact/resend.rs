//! Asking for another code to the address already waiting.

use axum::{extract::State, response::Response};

use super::turn::{Turn, Waiting};
use super::view::Mode;
use super::{ContactKind, Pending};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// `POST /profile/{email,phone}/resend`: a new code to the waiting address, within the limits
/// (the first of them: once a minute).
pub(super) async fn resend(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
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
    if let Err(refused) = turn.send_code(&user, &p.address, "code_resent").await? {
        return Ok(refused);
    }
    let p = Pending {
        sent_at: state.clock.now_ms(),
        sends: p.sends + 1,
        ..p
    };
    pending.set(kind, Some(p.clone()));
    pending.save(&me.session).await?;
    let message = t.f(
        "profile.contact.code_resent",
        &[("to", &kind.display(&p.address))],
    );
    turn.done(&user, Mode::Code, Some(&p), message, None).await
}
