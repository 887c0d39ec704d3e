//! Backup codes: ten made by the portal, handed to Logto (`type: BackupCode`), shown once and
//! downloadable once as text; regenerating removes the old set first (Logto keeps one).

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{Act, Notice, Part};
use crate::logto::{MfaFactor, Secret};
use crate::security::backup_codes;
use crate::web::error::AppResult;
use crate::web::format::datetime;

/// Session key: the codes just made, until downloaded (once) or replaced.
const FRESH_KEY: &str = "security_backup_codes";

/// `POST /profile/security/backup-codes`: a new set; the old one stops working.
pub async fn generate(act: Act) -> AppResult<Response> {
    let (logto, id) = (&act.state.logto, &act.user.id);
    let old: Vec<(String, u32)> = logto
        .list_mfa_verifications(id)
        .await?
        .into_iter()
        .filter(|f| f.factor == MfaFactor::BackupCode)
        .map(|f| (f.id, f.remain_codes.unwrap_or(0)))
        .collect();
    let codes = backup_codes::generate();
    let audit = act.entry("security.backup_codes_generate").details(json!({
        "count": codes.len(),
        "replaced": old.iter().map(|(_, left)| left).sum::<u32>(),
    }));
    for (old_id, _) in &old {
        match logto.delete_mfa_verification(id, old_id).await {
            Err(e) if !e.is_not_found() => return act.refused(audit, Part::Backup, e).await,
            _ => {}
        }
    }
    if let Err(e) = logto.create_backup_codes(id, &codes).await {
        return act.refused(audit, Part::Backup, e).await;
    }
    act.record(audit).await;
    let shown: Vec<String> = codes.iter().map(|c| c.expose().to_owned()).collect();
    act.me.session.insert(FRESH_KEY, &shown).await?;
    let mut view = act.view().await?;
    view.new_codes = shown;
    let made = act.ctx.t.t("security.backup.made");
    view.notice = Some(Notice::success(Part::Backup, made));
    act.show(view, StatusCode::OK)
}

/// `POST /profile/security/backup-codes.txt`: the codes just made, as a text file, once.
pub async fn download(act: Act) -> AppResult<Response> {
    let codes: Option<Vec<String>> = act.me.session.remove(FRESH_KEY).await?;
    let Some(codes) = codes.filter(|c| !c.is_empty()) else {
        let msg = act.ctx.t.t("security.backup.download_gone");
        return act.fail(Part::Backup, msg).await;
    };
    let codes: Vec<Secret> = codes.into_iter().map(Secret::new).collect();
    let t = &act.ctx.t;
    let whose = t.f(
        "security.backup.file_whose",
        &[
            ("product", &act.ctx.product_name),
            ("account", &super::totp::account(&act.user)),
        ],
    );
    let when = t.f(
        "security.backup.file_when",
        &[("when", &datetime(act.state.clock.now_ms()))],
    );
    let once = t.t("security.backup.file_once");
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
