//! `/api/users/:userId/mfa-verifications/**` and `/api/users/:userId/personal-access-tokens/**`
//! (core/routes/admin-user/mfa-verifications.ts and personal-access-token.ts; the same in
//! 1.37.1 and 1.42.0).

use crate::http::*;
use crate::security::{
    generate_backup_codes, generate_totp_secret, qr_data_url, valid_backup_codes,
    valid_totp_secret, MfaFactor, PersonalAccessToken,
};
use crate::store::{gen_token, now_ms, FakeState, Store, User};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

fn get_user<'a>(s: &'a Store, id: &str) -> Result<&'a User, ApiError> {
    s.users.get(id).ok_or_else(ApiError::not_found)
}

pub async fn list_mfa(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    get_user(&s, &id)?;
    let list: Vec<Value> = s
        .mfa
        .get(&id)
        .map(|l| l.iter().map(|v| s.mfa_json(v)).collect())
        .unwrap_or_default();
    Ok(ok(&Value::Array(list)))
}

/// `getUserDisplayName`: username, email, phone, then name.
fn display_name(u: &User) -> String {
    [&u.username, &u.primary_email, &u.primary_phone, &u.name]
        .into_iter()
        .find_map(|v| v.clone())
        .unwrap_or_else(|| "Unnamed User".to_string())
}

fn mfa_error(code: &str, message: &str) -> ApiError {
    ApiError::new(422, code, message)
}

pub async fn create_mfa(
    State(st): State<FakeState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let kind = f_str_req(m, &["type"])?;
    let mut s = st.lock();
    let user = get_user(&s, &id)?.clone();
    let bound = s.mfa.get(&id).cloned().unwrap_or_default();
    let now = now_ms();
    match kind.as_str() {
        "Totp" => {
            let secret = f_str(m, &["secret"])?.into_option();
            if bound
                .iter()
                .any(|v| matches!(v.factor, MfaFactor::Totp { .. }))
            {
                return Err(mfa_error(
                    "user.totp_already_in_use",
                    "TOTP is already in use.",
                ));
            }
            if secret.as_deref().is_some_and(|s| !valid_totp_secret(s)) {
                return Err(mfa_error(
                    "user.totp_secret_invalid",
                    "Invalid TOTP secret supplied.",
                ));
            }
            let secret = secret.unwrap_or_else(generate_totp_secret);
            // otplib's keyuri; the service is the host the request came to
            let service = ctx.host.split(':').next().unwrap_or_default().to_string();
            let key_uri = format!(
                "otpauth://totp/{service}:{}?secret={secret}&period=30&digits=6&algorithm=SHA1&issuer={service}",
                percent_encoding::utf8_percent_encode(
                    &display_name(&user),
                    percent_encoding::NON_ALPHANUMERIC
                )
            );
            s.add_mfa(
                &id,
                MfaFactor::Totp {
                    secret: secret.clone(),
                },
                now,
            );
            Ok(ok(
                &json!({"type": "Totp", "secret": secret, "secretQrCode": qr_data_url(&key_uri)}),
            ))
        }
        "BackupCode" => {
            let codes = f_str_array(m, &["codes"])?;
            let live_codes = bound.iter().any(|v| match &v.factor {
                MfaFactor::BackupCode { codes } => codes.iter().any(|(_, used)| used.is_none()),
                _ => false,
            });
            if live_codes {
                return Err(mfa_error(
                    "user.backup_code_already_in_use",
                    "Backup code is already in use.",
                ));
            }
            if !bound
                .iter()
                .any(|v| !matches!(v.factor, MfaFactor::BackupCode { .. }))
            {
                return Err(mfa_error(
                    "session.mfa.backup_code_can_not_be_alone",
                    "Backup code can not be the only MFA.",
                ));
            }
            if codes.as_deref().is_some_and(|c| !valid_backup_codes(c)) {
                return Err(mfa_error(
                    "user.wrong_backup_code_format",
                    "Backup code format is invalid.",
                ));
            }
            let codes = codes.unwrap_or_else(generate_backup_codes);
            let stored = codes.iter().map(|c| (c.clone(), None)).collect();
            s.add_mfa(&id, MfaFactor::BackupCode { codes: stored }, now);
            Ok(ok(&json!({"codes": codes, "type": "BackupCode"})))
        }
        other => Err(guard_error(
            "body",
            vec![Issue::invalid_enum(
                &["type"],
                other,
                &["Totp", "BackupCode"],
            )],
        )),
    }
}

pub async fn delete_mfa(
    State(st): State<FakeState>,
    Path((id, verification_id)): Path<(String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    get_user(&s, &id)?;
    let list = s.mfa.entry(id).or_default();
    let before = list.len();
    list.retain(|v| v.id != verification_id);
    if list.len() == before {
        return Err(ApiError::not_found());
    }
    Ok(no_content())
}

// ---- personal access tokens ----

fn name_exists() -> ApiError {
    ApiError::new(
        422,
        "user.personal_access_token_name_exists",
        "Personal access token name already exists.",
    )
}

/// `PersonalAccessTokens` name: 1 to 256 characters.
fn token_name(m: &serde_json::Map<String, Value>) -> Result<String, ApiError> {
    let name = f_str_req(m, &["name"])?;
    if name.is_empty() {
        return Err(body_error(Issue::too_small_string(&["name"], 1)));
    }
    if name.chars().count() > 256 {
        return Err(body_error(Issue::too_big_string(&["name"], 256)));
    }
    Ok(name)
}

pub async fn list_tokens(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    get_user(&s, &id)?;
    let list: Vec<Value> = s
        .access_tokens
        .iter()
        .filter(|((u, _), _)| *u == id)
        .map(|(_, t)| s.pat_json(&id, t))
        .collect();
    Ok(ok(&Value::Array(list)))
}

pub async fn create_token(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let name = token_name(m)?;
    let expires_at = f_num(m, &["expiresAt"]).or_else(|e| {
        // `expiresAt: null` means "never"
        if m.get("expiresAt") == Some(&Value::Null) {
            Ok(None)
        } else {
            Err(e)
        }
    })?;
    let now = now_ms();
    if expires_at.is_some_and(|t| t <= now as f64) {
        return Err(ApiError::invalid_input(
            400,
            "The value of `expiresAt` must be in the future.",
        ));
    }
    let mut s = st.lock();
    if !s.users.contains_key(&id) {
        return Err(ApiError::new(
            404,
            "entity.relation_foreign_key_not_found",
            "Cannot find one or more foreign keys. Please check the input and ensure that all referenced entities exist.",
        ));
    }
    let key = (id.clone(), name.clone());
    if s.access_tokens.contains_key(&key) {
        return Err(name_exists());
    }
    let token = PersonalAccessToken {
        name,
        value: format!("pat_{}", gen_token(32)),
        created_at: now,
        expires_at: expires_at.map(|t| t as i64),
    };
    let body = s.pat_json(&id, &token);
    s.access_tokens.insert(key, token);
    Ok(json(StatusCode::CREATED, &body))
}

fn rename(s: &mut Store, id: &str, current: &str, new_name: String) -> ApiResult {
    let old_key = (id.to_string(), current.to_string());
    let Some(mut token) = s.access_tokens.get(&old_key).cloned() else {
        return Err(ApiError::new(
            404,
            "entity.not_exists",
            "The personal access token does not exist.",
        ));
    };
    let new_key = (id.to_string(), new_name.clone());
    if new_key != old_key && s.access_tokens.contains_key(&new_key) {
        return Err(name_exists());
    }
    s.access_tokens.remove(&old_key);
    token.name = new_name;
    let body = s.pat_json(id, &token);
    s.access_tokens.insert(new_key, token);
    Ok(ok(&body))
}

/// `PATCH /users/:userId/personal-access-tokens {name, currentName?}`.
pub async fn rename_token(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let name = token_name(m)?;
    let current = f_str(m, &["currentName"])?
        .into_option()
        .unwrap_or_else(|| name.clone());
    rename(&mut st.lock(), &id, &current, name)
}

/// Legacy `PATCH /users/:userId/personal-access-tokens/:name {name}`.
pub async fn rename_token_by_path(
    State(st): State<FakeState>,
    Path((id, current)): Path<(String, String)>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let name = token_name(m)?;
    rename(&mut st.lock(), &id, &current, name)
}

fn delete(s: &mut Store, id: &str, name: &str) -> ApiResult {
    match s.access_tokens.remove(&(id.to_string(), name.to_string())) {
        Some(_) => Ok(no_content()),
        None => Err(ApiError::not_found()),
    }
}

/// `POST /users/:userId/personal-access-tokens/delete {name}`.
pub async fn delete_token(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let name = f_str_req(m, &["name"])?;
    delete(&mut st.lock(), &id, &name)
}

/// Legacy `DELETE /users/:userId/personal-access-tokens/:name`.
pub async fn delete_token_by_path(
    State(st): State<FakeState>,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult {
    delete(&mut st.lock(), &id, &name)
}
