//! Backup codes: ten made by the portal, handed to Logto (`type: BackupCode`), shown once and
//! downloadable once as text; regenerating removes the old set first (Logto keeps one).

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::totp::open;
use super::{entry, gate, refused, reply, show, Notice, Part, View};
use crate::logto::{MfaFactor, Secret};
use crate::security::backup_codes;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::{CurrentUser, Htmx};
use crate::web::format::datetime;
use crate::web::AppState;

/// Session key: the codes just made, until downloaded (once) or replaced.
const FRESH_KEY: &str = "security_backup_codes";

/// `POST /profile/security/backup-codes`: a new set; the old one stops working.
pub async fn generate(
    State(state): State<AppState>,
    ctx: PageCtx,
    htmx: Htmx,
    me: CurrentUser,
) -> AppResult<Response> {
    let user = open!(state, ctx, htmx, me);
    let old: Vec<(String, u32)> = state
        .logto
        .list_mfa_verifications(&user.id)
        .await?
        .into_iter()
        .filter(|f| f.factor == MfaFactor::BackupCode)
        .map(|f| (f.id, f.remain_codes.unwrap_or(0)))
        .collect();
    let codes = backup_codes::generate();
    let audit = entry("security.backup_codes_generate", &ctx, &user).details(json!({
        "count": codes.len(),
        "replaced": old.iter().map(|(_, left)| left).sum::<u32>(),
    }));
    for (id, _) in &old {
        if let Err(e) = state.logto.delete_mfa_verification(&user.id, id).await {
            if !e.is_not_found() {
                return refused(&state, ctx, htmx, &me, &user, audit, Part::Backup, e.into()).await;
            }
        }
    }
    if let Err(e) = state.logto.create_backup_codes(&user.id, &codes).await {
        return refused(&state, ctx, htmx, &me, &user, audit, Part::Backup, e.into()).await;
    }
    state.audit.record_or_log(audit).await;
    let shown: Vec<String> = codes.iter().map(|c| c.expose().to_owned()).collect();
    me.session.insert(FRESH_KEY, &shown).await?;
    let mut view = View::load(&state, &ctx, &me, &user).await?;
    view.new_codes = shown;
    view.notice = Some(Notice::success(
        Part::Backup,
        ctx.t.t("security.backup.made"),
    ));
    show(ctx, htmx, view, StatusCode::OK)
}

/// `POST /profile/security/backup-codes.txt`: the codes just made, as a text file, once.
pub async fn download(
    State(state): State<AppState>,
    ctx: PageCtx,
    htmx: Htmx,
    me: CurrentUser,
) -> AppResult<Response> {
    let user = open!(state, ctx, htmx, me);
    let codes: Option<Vec<String>> = me.session.remove(FRESH_KEY).await?;
    let Some(codes) = codes.filter(|c| !c.is_empty()) else {
        let msg = ctx.t.t("security.backup.download_gone");
        return reply(
            &state,
            ctx,
            htmx,
            &me,
            &user,
            Notice::error(Part::Backup, msg),
        )
        .await;
    };
    let codes: Vec<Secret> = codes.into_iter().map(Secret::new).collect();
    let whose = ctx.t.f(
        "security.backup.file_whose",
        &[
            ("product", &ctx.product_name),
            ("account", &super::totp::account(&user)),
        ],
    );
    let when = ctx.t.f(
        "security.backup.file_when",
        &[("when", &datetime(state.clock.now_ms()))],
    );
    let once = ctx.t.t("security.backup.file_once");
    let text = backup_codes::download_text(&[&whose, &when, &once], &codes);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"backup-codes.txt\""),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response())
}
