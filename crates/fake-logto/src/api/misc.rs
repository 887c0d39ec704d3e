//! Verification codes, audit logs and user assets.

use crate::api::users::{EMAIL_RE, PHONE_RE};
use crate::http::*;
use crate::store::{
    gen_id, now_ms, Asset, FakeState, MessageKind, SentMessage, VerificationCode, CODE_MAX_TRIES,
    CODE_TTL_MS,
};
use axum::extract::{Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{json, Map, Value};

// ----- verification codes -----

/// `{email}` or `{phone}` as the union guard of the route parses it.
fn identifier(m: &Map<String, Value>) -> Result<(String, &'static str), ApiError> {
    if let Some(v) = m.get("email") {
        return match v {
            Value::String(e) if EMAIL_RE.is_match(e) => Ok((e.clone(), "Email")),
            Value::String(_) => Err(body_error(Issue::invalid_string(&["email"], "regex"))),
            other => Err(body_error(Issue::invalid_type(
                &["email"],
                "string",
                type_name(Some(other)),
            ))),
        };
    }
    if let Some(v) = m.get("phone") {
        return match v {
            Value::String(p) if PHONE_RE.is_match(p) => Ok((p.clone(), "Sms")),
            Value::String(_) => Err(body_error(Issue::invalid_string(&["phone"], "regex"))),
            other => Err(body_error(Issue::invalid_type(
                &["phone"],
                "string",
                type_name(Some(other)),
            ))),
        };
    }
    let branch = |key: &str| json!({"issues": [{"code": "invalid_type", "expected": "string", "received": "undefined", "path": [key], "message": "Required"}], "name": "ZodError"});
    Err(guard_error(
        "body",
        vec![Issue {
            json: json!({"code": "invalid_union", "unionErrors": [branch("email"), branch("phone")], "path": [], "message": "Invalid input"}),
            detail: "Error in key path \"\": (invalid_union) Invalid input".into(),
        }],
    ))
}

pub async fn request_code(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let (to, kind) = identifier(m)?;
    let code: String = {
        let mut rng = rand::thread_rng();
        (0..6)
            .map(|_| char::from(b'0' + rng.gen_range(0..10)))
            .collect()
    };
    let mut s = st.lock();
    let now = now_ms();
    // Like Logto: the code row is written before sending, and replaces earlier ones.
    s.codes.insert(
        to.clone(),
        VerificationCode {
            code: code.clone(),
            created_at: now,
            tries: 0,
        },
    );
    let connector = if kind == "Email" {
        s.email_connector
    } else {
        s.sms_connector
    };
    if !connector {
        return Err(ApiError::connector_not_found(kind));
    }
    if !s.allow_message(&to, now) {
        return Err(ApiError::message_rate_limited());
    }
    s.sent.push(SentMessage {
        kind: MessageKind::VerificationCode,
        to: to.clone(),
        payload: json!({"code": code, "type": "Generic"}),
        code: Some(code),
        at_ms: now,
    });
    Ok(no_content())
}

pub async fn verify_code(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let (to, _) = identifier(m)?;
    let given = f_str_req(m, &["verificationCode"])?;
    let mut s = st.lock();
    let now = now_ms();
    let Some(rec) = s.codes.get_mut(&to) else {
        return Err(ApiError::new(
            400,
            "verification_code.not_found",
            "Verification code not found. Please send verification code first.",
        ));
    };
    if rec.created_at + CODE_TTL_MS < now {
        return Err(ApiError::new(
            400,
            "verification_code.expired",
            "Verification code has expired. Please request a new verification code.",
        ));
    }
    if rec.tries >= CODE_MAX_TRIES {
        return Err(ApiError::new(
            400,
            "verification_code.exceed_max_try",
            "Verification code retries limitation exceeded. Please request a new verification code.",
        ));
    }
    if rec.code != given {
        rec.tries += 1;
        return Err(ApiError::new(
            400,
            "verification_code.code_mismatch",
            "Invalid verification code.",
        ));
    }
    s.codes.remove(&to);
    Ok(no_content())
}

// ----- logs -----

fn time_param(ctx: &Ctx, key: &str) -> Result<Option<i64>, ApiError> {
    match ctx.get_nonempty(key) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .map(|n| Some(n as i64))
            .map_err(|_| guard_error("query", vec![Issue::invalid_type(&[key], "number", "nan")])),
    }
}

pub async fn list_logs(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let user_id = ctx.get_nonempty("userId");
    let app_id = ctx.get_nonempty("applicationId");
    let key = ctx.get_nonempty("logKey");
    // The time window came in Logto 1.40 (both bounds inclusive); older releases ignore it.
    let (start, end) = if st.version().at_least(40) {
        (
            time_param(&ctx, "start_time")?,
            time_param(&ctx, "end_time")?,
        )
    } else {
        (None, None)
    };
    if let (Some(a), Some(b)) = (start, end) {
        if a > b {
            return Err(ApiError::new(
                400,
                "log.invalid_time_window",
                "The time window is invalid.",
            ));
        }
    }
    let s = st.lock();
    let mut logs: Vec<_> = s
        .logs
        .values()
        .filter(|l| user_id.is_none_or(|u| l.payload["userId"].as_str() == Some(u)))
        .filter(|l| app_id.is_none_or(|a| l.payload["applicationId"].as_str() == Some(a)))
        .filter(|l| key.is_none_or(|k| l.key == k))
        .filter(|l| start.is_none_or(|t| l.created_at >= t))
        .filter(|l| end.is_none_or(|t| l.created_at <= t))
        .collect();
    logs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
    let items = logs.iter().map(|l| s.log_json(l)).collect();
    Ok(paged(&ctx, page, items))
}

pub async fn get_log(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let l = s
        .logs
        .get(&id)
        .ok_or_else(|| ApiError::not_exists_with_id("logs", &id))?;
    Ok(ok(&s.log_json(l)))
}

// ----- user assets -----

const MIME_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/vnd.microsoft.icon", "ico"),
    ("image/x-icon", "ico"),
    ("image/svg+xml", "svg"),
    ("image/tiff", "tiff"),
    ("image/webp", "webp"),
    ("image/bmp", "bmp"),
];
const MAX_UPLOAD: usize = 8 * 1024 * 1024;

pub async fn asset_status(State(st): State<FakeState>) -> ApiResult {
    if st.lock().storage_configured {
        Ok(ok(&json!({
            "status": "ready",
            "allowUploadMimeTypes": MIME_TYPES.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            "maxUploadFileSize": MAX_UPLOAD,
        })))
    } else {
        Ok(ok(&json!({"status": "not_configured"})))
    }
}

/// One part of a multipart/form-data body.
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn header_param(line: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = line.find(&pat)? + pat.len();
    let end = line[start..].find('"')? + start;
    Some(line[start..end].to_string())
}

/// A small multipart/form-data parser (enough for browsers, curl and reqwest).
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut pos = find(body, &delim, 0)? + delim.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            break;
        }
        let head_start = pos + 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", head_start)?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let data_start = head_end + 4;
        let mut end_delim = b"\r\n".to_vec();
        end_delim.extend_from_slice(&delim);
        let data_end = find(body, &end_delim, data_start)?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: body[data_start..data_end].to_vec(),
        };
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                part.name = header_param(line, "name").unwrap_or_default();
                part.filename = header_param(line, "filename");
            } else if lower.starts_with("content-type:") {
                part.content_type = Some(line[13..].trim().to_string());
            }
        }
        parts.push(part);
        pos = data_end + end_delim.len();
    }
    Some(parts)
}

pub async fn upload_asset(State(st): State<FakeState>, req: Request) -> ApiResult {
    let ct = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(req.into_body(), 32 * 1024 * 1024)
        .await
        .map_err(|_| ApiError::new(400, "guard.file_size_exceeded", "File size exceeded."))?;
    if !st.lock().storage_configured {
        return Err(ApiError::new(
            400,
            "storage.not_configured",
            "Storage provider is not configured.",
        ));
    }
    let file = parse_multipart(&ct, &bytes)
        .and_then(|parts| parts.into_iter().find(|p| p.name == "file"))
        .ok_or_else(|| {
            guard_error(
                "files",
                vec![Issue::invalid_type(&["file"], "object", "undefined")],
            )
        })?;
    let mime = file
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let Some((_, ext)) = MIME_TYPES.iter().find(|(m, _)| *m == mime) else {
        return Err(ApiError::new(
            400,
            "guard.mime_type_not_allowed",
            &format!("MIME type is not allowed: {mime}."),
        ));
    };
    if file.data.len() > MAX_UPLOAD {
        return Err(ApiError::new(
            400,
            "guard.file_size_exceeded",
            "File size exceeded.",
        ));
    }
    let mut s = st.lock();
    let name = format!("{}.{ext}", gen_id(21));
    let url = format!("{}/user-assets/{name}", s.base_url);
    s.assets.insert(
        name,
        Asset {
            content_type: mime,
            bytes: file.data,
        },
    );
    Ok(ok(&json!({"url": url})))
}

/// `GET /user-assets/:name` — the uploaded bytes.
pub async fn serve_asset(State(st): State<FakeState>, Path(name): Path<String>) -> Response {
    let s = st.lock();
    match s.assets.get(&name) {
        Some(a) => {
            let mut r = (StatusCode::OK, a.bytes.clone()).into_response();
            if let Ok(v) = HeaderValue::from_str(&a.content_type) {
                r.headers_mut().insert(CONTENT_TYPE, v);
            }
            r
        }
        None => text(StatusCode::NOT_FOUND, "Not Found"),
    }
}

pub async fn status() -> Response {
    no_content()
}

/// The Management API description of the imitated release (anonymous, like Logto's).
pub async fn management_openapi(State(st): State<FakeState>) -> Response {
    let withdrawn = st.lock().withdrawn_paths.clone();
    let text = if withdrawn.is_empty() {
        st.version().openapi_text().to_string()
    } else {
        let mut doc = st.version().openapi().clone();
        if let Some(paths) = doc["paths"].as_object_mut() {
            paths.retain(|template, _| !withdrawn.contains(template));
        }
        doc.to_string()
    };
    let mut r = (StatusCode::OK, text).into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CT));
    r
}
