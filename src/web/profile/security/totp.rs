//! The authenticator app: the portal makes the secret and keeps it in the person's own
//! session while they add it to their app (QR code drawn on the server, served as an image
//! from this origin, and the secret as text); a current code (±1 step by the state's clock)
//! confirms it, and only then Logto stores it (`type: Totp`). One at a time, as Logto allows:
//! replacing removes the old one first. Removing a factor (authenticator or passkey) is here
//! too.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::{Act, Part};
use crate::logto::{MfaFactor, User};
use crate::security::totp::TotpSecret;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::AppState;

/// Session key: the secret being set up (base32), until confirmed or cancelled.
const PENDING_KEY: &str = "security_totp_pending";

/// An authenticator being set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret in groups of four, to type by hand.
    pub grouped: String,
    /// Why the last code was not accepted.
    pub error: Option<String>,
}

async fn pending_secret(me: &CurrentUser) -> AppResult<Option<TotpSecret>> {
    let text: Option<String> = me.session.get(PENDING_KEY).await?;
    Ok(text.and_then(|t| TotpSecret::parse(&t).ok()))
}

/// The enrolment in progress in this session, if any.
pub async fn pending(me: &CurrentUser) -> AppResult<Option<Enrolment>> {
    Ok(pending_secret(me).await?.map(|s| Enrolment {
        grouped: s.grouped(),
        error: None,
    }))
}

/// The label of the key in the person's app: the portal's name and the account.
pub fn account(user: &User) -> String {
    user.username
        .clone()
        .or_else(|| user.primary_email.clone())
        .unwrap_or_else(|| user.id.clone())
}

/// `POST /profile/security/totp`: a new secret to add to the app.
pub async fn start(act: Act) -> AppResult<Response> {
    let secret = TotpSecret::generate();
    act.me
        .session
        .insert(PENDING_KEY, secret.base32().expose())
        .await?;
    let view = act.view().await?;
    act.show(view, StatusCode::OK)
}

/// `GET /profile/security/totp/qr.svg`: the QR code of the secret being set up, for this
/// session only, never cached.
pub async fn qr(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
) -> AppResult<Response> {
    let Some(secret) = pending_secret(&me).await? else {
        return Err(AppError::NotFound);
    };
    let user = state.logto.get_user(me.id()).await?;
    let svg = secret.qr_svg(
        &ctx.product_name,
        &account(&user),
        &ctx.t.t("security.totp.qr_label"),
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        svg,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /profile/security/totp/confirm`: a current code from the app saves the secret.
pub async fn confirm(act: Act, Form(form): Form<CodeForm>) -> AppResult<Response> {
    let Some(secret) = pending_secret(&act.me).await? else {
        let msg = act.ctx.t.t("security.totp.expired");
        return act.fail(Part::Totp, msg).await;
    };
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    if !secret.verify(&code, &act.state.clock) {
        let mut view = act.view().await?;
        if let Some(e) = view.enrol.as_mut() {
            e.error = Some(act.ctx.t.t("security.totp.wrong_code"));
        }
        return act.show(view, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (logto, id) = (&act.state.logto, &act.user.id);
    let old: Vec<String> = logto
        .list_mfa_verifications(id)
        .await?
        .into_iter()
        .filter(|f| f.factor == MfaFactor::Totp)
        .map(|f| f.id)
        .collect();
    let audit = act
        .entry("security.totp_enrol")
        .details(json!({"replaced": !old.is_empty()}));
    for old_id in &old {
        match logto.delete_mfa_verification(id, old_id).await {
            Err(e) if !e.is_not_found() => return act.refused(audit, Part::Totp, e).await,
            _ => {}
        }
    }
    if let Err(e) = logto.enrol_totp(id, secret.base32()).await {
        return act.refused(audit, Part::Totp, e).await;
    }
    act.me.session.remove::<String>(PENDING_KEY).await?;
    act.record(audit).await;
    let msg = act.ctx.t.t("security.totp.added");
    act.done(Part::Totp, msg).await
}

/// `POST /profile/security/totp/cancel`: forget the secret being set up.
pub async fn cancel(act: Act) -> AppResult<Response> {
    act.me.session.remove::<String>(PENDING_KEY).await?;
    let view = act.view().await?;
    act.show(view, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    id: String,
}

/// `POST /profile/security/factors/remove`: removes the authenticator or a passkey (only
/// one of the person's own factors: the id is looked up in their list first).
pub async fn remove(act: Act, Form(form): Form<RemoveForm>) -> AppResult<Response> {
    let factors = act.state.logto.list_mfa_verifications(&act.user.id).await?;
    let Some(factor) = factors.into_iter().find(|f| f.id == form.id) else {
        let msg = act.ctx.t.t("security.err.gone");
        return act.fail(Part::Totp, msg).await;
    };
    let (action, part, details, done) = match factor.factor {
        MfaFactor::Totp => (
            "security.totp_remove",
            Part::Totp,
            json!({"verificationId": factor.id}),
            "security.totp.removed",
        ),
        MfaFactor::WebAuthn => (
            "security.passkey_remove",
            Part::Passkeys,
            json!({"verificationId": factor.id, "name": factor.name}),
            "security.passkeys.removed",
        ),
        _ => return Err(AppError::NotFound),
    };
    let audit = act.entry(action).details(details);
    let deleted = act
        .state
        .logto
        .delete_mfa_verification(&act.user.id, &factor.id)
        .await;
    if let Err(e) = deleted {
        return act.refused(audit, part, e).await;
    }
    act.record(audit).await;
    let msg = act.ctx.t.t(done);
    act.done(part, msg).await
}
