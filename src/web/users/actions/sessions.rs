//! Signing a person out from their page: one Logto session (Logto 1.38 on), or everywhere:
//! every Logto session (where this Logto has them) and every portal session of the person.

use axum::{extract::State, response::Response, Form};
use serde::Deserialize;
use serde_json::json;

use super::UserAction;
use crate::auth::revocation::{end_sessions_of, AccessChange};
use crate::logto::{Feature, LogtoError};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::Operator;
use crate::web::ids::{Ids, LogtoId};
use crate::web::refusal::Wording;
use crate::web::AppState;

/// How Logto's refusals read here: a session that ended meanwhile is no longer there.
const WORDING: Wording = Wording {
    codes: &[("oidc.session_not_found", "users.security.session_gone")],
    not_found: "users.security.session_gone",
};

#[derive(Debug, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    id: String,
}

/// `POST /users/{id}/sessions/end`: ends one Logto session of the person (and revokes the
/// grants it holds).
pub async fn end_session(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
    Form(form): Form<SessionForm>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let session_id = form.id.trim();
    if session_id.is_empty() {
        // Nothing named: nothing is sent or recorded.
        let msg = ctx.t.t("users.security.session_gone");
        return act.answer_in_security("error", msg).await;
    }
    let entry = act
        .entry("security.session_end")
        .details(json!({"sessionId": session_id, "kind": "logto"}));
    let result = state
        .logto
        .revoke_user_session(&act.user.id, session_id)
        .await;
    let msg = act.message("users.security.session_ended", &[]);
    act.finish_in_security(entry, result, &WORDING, msg).await
}

/// `POST /users/{id}/sessions/end-all`: signs the person out everywhere: every Logto session
/// (1.38 on) and every portal session. Recorded as `security.sessions_end_all` with how many
/// of each ended.
pub async fn end_all_sessions(
    Operator(op): Operator,
    ctx: PageCtx,
    State(state): State<AppState>,
    Ids(user_id): Ids<LogtoId>,
) -> AppResult<Response> {
    let act = UserAction::load(&state, &ctx, &op, &user_id).await?;
    let mut entry = act.entry("security.sessions_end_all");
    if act.is_self() {
        // This browser's session would end mid-answer: their own page signs out the others.
        return act
            .refuse_self_in_security(entry, "users.self.sessions")
            .await;
    }
    if state.logto.capabilities().has(Feature::UserSessions) {
        match state.logto.revoke_all_user_sessions(&act.user.id).await {
            Ok(n) => entry = entry.detail("logtoSessionsEnded", json!(n)),
            Err(e) => {
                // Nothing of the portal's was ended either: the operator may try again.
                return act
                    .finish_in_security(entry, Err::<(), _>(e), &WORDING, String::new())
                    .await;
            }
        }
    }
    let ended = end_sessions_of(&state.sessions, &act.user.id, AccessChange::SignedOut).await?;
    let entry = entry.detail("sessionsEnded", json!(ended));
    let msg = act.message("users.security.all_ended", &[]);
    act.finish_in_security(entry, Ok::<(), LogtoError>(()), &WORDING, msg)
        .await
}
