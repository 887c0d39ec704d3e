//! Protection on every page: security headers, and the CSRF check on every state change.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::audit::NewEntry;
use crate::auth::session::{
    idle_too_long, keep_alive_due, Device, SessionUser, CSRF_KEY, DEVICE_KEY, TOUCHED_KEY, USER_KEY,
};
use crate::web::error::AppError;
use crate::web::AppState;

/// Bodies of form posts are read here to find the token; this bounds them.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// The headers every answer carries, built once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
    https: bool,
}

impl SecurityHeaders {
    pub fn new(config: &crate::config::Config) -> Self {
        // Chrome applies form-action to the redirect after a form post, and sign-out redirects
        // to Logto's end-session endpoint. Images only from the portal: avatars are fetched and
        // re-encoded by it (`/avatars/…`), so no page makes a browser contact another host.
        let logto_origin = config.logto_endpoint.origin().ascii_serialization();
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self' {logto_origin}; frame-ancestors 'none'"
        );
        SecurityHeaders {
            // An origin is ASCII without control characters, so this never falls back.
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            https: config.is_https(),
        }
    }
}

/// Sets CSP and friends on every response.
pub async fn security_headers(
    State(headers): State<std::sync::Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, headers.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if headers.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: never cache them in shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// Ends a session idle for longer than `PORTAL_SESSION_IDLE_SECS`, and keeps an active one
/// alive without a database write on every request (see [`keep_alive_due`]). Time comes from
/// the portal's clock. The keep-alive save also notes the browser and address the session is
/// used from now ([`Device`], listed on the security page).
pub async fn keep_session_alive(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let now = state.clock.now_ms();
    let idle = state.config.session_idle;
    if let Ok(Some(last)) = session.get::<i64>(TOUCHED_KEY).await {
        if idle_too_long(last, now, idle) {
            // The request goes on signed out, as if the store had already dropped the session.
            if let Err(e) = session.flush().await {
                return AppError::from(e).into_response();
            }
        } else if keep_alive_due(last, now, idle) {
            let (parts, body) = req.into_parts();
            let origin = crate::web::context::origin_of(&parts, &state);
            let device = Device {
                user_agent: origin.user_agent,
                ip: origin.ip,
            };
            let _ = session.insert(DEVICE_KEY, &device).await;
            let _ = session.insert(TOUCHED_KEY, now).await;
            return next.run(Request::from_parts(parts, body)).await;
        }
    }
    next.run(req).await
}

/// Bounds a multipart body read here for its `_csrf` part: above the app's body limit
/// (2 MiB), so an oversized upload still reaches its handler's own "too large" message.
pub const MAX_MULTIPART_BYTES: usize = 4 * 1024 * 1024;

/// The `_csrf` part of a multipart body, if any.
async fn multipart_field(
    content_type: &str,
    bytes: &axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let req = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
        .ok()?;
    let mut multipart = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// Checks the session's CSRF token on POST/PUT/PATCH/DELETE: from the `X-CSRF-Token` header
/// (htmx), else the `_csrf` field of a urlencoded or multipart body (plain forms). Never from
/// the address: a token in a URL leaks through history, logs and `Referer`. Absent or wrong
/// → 403, recorded in the audit trail.
pub async fn csrf_guard(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let expected: Option<String> = session.get(CSRF_KEY).await.ok().flatten();
    let (parts, body) = req.into_parts();
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_multipart = content_type.starts_with("multipart/form-data");
    // A large upload is not read when the session has no token to compare with.
    let read_body = header_token.is_none() && (is_form || (is_multipart && expected.is_some()));
    let (body, form_token) = if read_body {
        let limit = if is_form {
            MAX_FORM_BYTES
        } else {
            MAX_MULTIPART_BYTES
        };
        match to_bytes(body, limit).await {
            Ok(bytes) => {
                let token = if is_form {
                    form_field(&bytes, "_csrf")
                } else {
                    multipart_field(&content_type, &bytes, "_csrf").await
                };
                (Body::from(bytes), token)
            }
            Err(_) => return AppError::BadRequest("error.too_large").into_response(),
        }
    } else {
        (body, None)
    };
    let presented = header_token.or(form_token);
    let ok = match (&expected, &presented) {
        (Some(e), Some(p)) => {
            // Compared in constant time, so response timing does not reveal the token.
            !e.is_empty() && bool::from(e.as_bytes().ct_eq(p.as_bytes()))
        }
        _ => false,
    };
    if !ok {
        let user: Option<SessionUser> = session.get(USER_KEY).await.ok().flatten();
        let actor = crate::audit::Actor {
            id: user.as_ref().map(|u| u.id.clone()),
            name: user.as_ref().map(|u| u.display_name()),
            email: user.as_ref().and_then(|u| u.email.clone()),
        };
        let origin = crate::web::context::origin_of(&parts, &state);
        state
            .audit
            .record_or_log(
                NewEntry::new("security.csrf_refused", actor, origin)
                    .details(serde_json::json!({
                        "method": parts.method.as_str(),
                        "path": parts.uri.path(),
                    }))
                    .failed(if presented.is_some() {
                        "csrf_mismatch"
                    } else {
                        "csrf_missing"
                    }),
            )
            .await;
        return AppError::Csrf.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
