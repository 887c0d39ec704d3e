//! Giving up a change: the waiting address is forgotten.

use axum::{extract::State, response::Response};

use super::turn::Turn;
use super::view::Mode;
use super::{ContactKind, PendingContacts};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// `POST /profile/{email,phone}/cancel`: forgets the waiting address.
pub(super) async fn cancel(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn::new(&state, &ctx, &me, kind);
    let user = state.logto.get_user(me.id()).await?;
    let mut pending = PendingContacts::load(&me.session, state.clock.now_ms()).await?;
    pending.set(kind, None);
    pending.save(&me.session).await?;
    turn.done(
        &user,
        Mode::View,
        None,
        ctx.t.t("profile.contact.cancelled"),
        None,
    )
    .await
}
