//! The sign-in's second step: after the right password, a user with a TOTP factor is asked
//! for a 6-digit code from their authenticator (accepted one 30 s step either side, as Logto's
//! otplib `window: 1`) or one of their backup codes (each works once). A wrong code shows the
//! form again with Logto's message.

use crate::http::html;
use crate::oidc::{
    complete_sign_in, error_line, error_page, esc, form_map, log_payload, page, Client,
};
use crate::security::totp_matches;
use crate::store::{now_ms, FakeState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// The code form of a sign-in waiting for its second step.
pub fn form(interaction: &str, error: Option<&str>) -> Response {
    let err = error_line(error);
    let body = format!(
        "{err}<form method=\"post\" action=\"/oidc/auth/mfa\">\
<input type=\"hidden\" name=\"interaction\" value=\"{i}\">\
<label for=\"code\">Code from your authenticator app, or a backup code</label>\
<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
<button type=\"submit\" id=\"verify\">Verify</button></form>",
        i = esc(interaction)
    );
    html(StatusCode::OK, page("Two-step verification", &body))
}

pub async fn submit(State(st): State<FakeState>, client: Client, body: Bytes) -> Response {
    let f = form_map(&body);
    let get = |k: &str| {
        f.iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let interaction = get("interaction");
    let code = get("code");
    let mut s = st.lock();
    let Some((user_id, identifier)) = s.mfa_pending.get(&interaction).cloned() else {
        return error_page(
            400,
            "session.not_found",
            "Session not found. Please go back and sign in again.",
        );
    };
    let now = now_ms();
    let by_totp = s
        .totp_secret(&user_id)
        .is_some_and(|secret| totp_matches(&secret, &code, now));
    let (kind, verified) = if by_totp {
        ("Totp", true)
    } else {
        ("BackupCode", s.use_backup_code(&user_id, &code, now))
    };
    let app = s
        .auth_requests
        .get(&interaction)
        .map(|r| r.client_id.clone())
        .unwrap_or_default();
    let mut payload = log_payload(&client, &app);
    payload["userId"] = json!(user_id);
    payload["result"] = json!(if verified { "Success" } else { "Error" });
    if !verified {
        payload["error"] =
            json!({"code": "session.mfa.invalid_totp_code", "message": "Invalid TOTP code."});
    }
    s.insert_log(
        &format!("Interaction.SignIn.Verification.{kind}.Submit"),
        payload,
        now,
    );
    if !verified {
        drop(s);
        return form(&interaction, Some("Invalid TOTP code."));
    }
    s.mfa_pending.remove(&interaction);
    complete_sign_in(&mut s, &interaction, &user_id, &client, identifier)
}
