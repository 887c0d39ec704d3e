//! The HTTP app (routes + cross-cutting middleware) and the accept loop that can be stopped and
//! resumed on the same port.

use crate::http::{json, text};
use crate::store::{gen_id, now_ms, FakeState, RecordedRequest};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use hyper_util::rt::TokioIo;
use rand::Rng;
use serde_json::json as j;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpSocket};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// A plausible Logto answer for an injected failure.
pub fn failure_response(status: u16, retry_after: Option<u64>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = match status {
        429 => json(
            code,
            &j!({"code": "request.rate_limited", "message": "Too many requests. Please try again later."}),
        ),
        500 => json(code, &j!({"message": "Internal server error."})),
        502 | 504 => (code, "").into_response(),
        503 => json(code, &j!({"message": "Service Unavailable"})),
        401 => json(
            code,
            &j!({"code": "auth.unauthorized", "message": "Unauthorized. Please check credentials and its scope."}),
        ),
        403 => json(
            code,
            &j!({"code": "auth.forbidden", "message": "Forbidden. Please check your user roles and permissions."}),
        ),
        404 => json(
            code,
            &j!({"code": "entity.not_found", "message": "The resource does not exist."}),
        ),
        _ => json(
            code,
            &j!({"code": "request.general", "message": "Request error occurred."}),
        ),
    };
    if status == 429 {
        if let Some(secs) = retry_after {
            r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    r
}

/// Outermost layer: record the request, add latency and `Logto-Core-Request-Id`, turn axum's
/// bare 405 into Logto's text answer.
async fn outer(State(st): State<FakeState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let (latency, answer_latency) = {
        let mut s = st.lock();
        s.requests.push(RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            at_ms: now_ms(),
        });
        (s.faults.latency, s.faults.answer_latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let is_options = parts.method == Method::OPTIONS;
    let req = Request::from_parts(parts, Body::from(bytes));
    // The handler runs to the end even if the caller goes away while the answer waits.
    let mut res = tokio::spawn(next.run(req))
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    if !answer_latency.is_zero() {
        tokio::time::sleep(answer_latency).await;
    }
    if is_options && res.status() == StatusCode::METHOD_NOT_ALLOWED {
        // koa-router's allowedMethods answers OPTIONS with 200 and `Allow`
        let allow = res.headers().get("allow").cloned();
        res = text(StatusCode::OK, "");
        if let Some(a) = allow {
            res.headers_mut().insert("allow", a);
        }
    } else if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = res.headers().get("allow").cloned();
        res = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        if let Some(a) = allow {
            res.headers_mut().insert("allow", a);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&gen_id(21)) {
        res.headers_mut().insert("Logto-Core-Request-Id", v);
    }
    res
}

/// Fault injection for `/api/` requests (before authentication, like a failing gateway).
async fn faults(State(st): State<FakeState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        let injected = {
            let mut s = st.lock();
            let retry = s.faults.retry_after;
            if s.faults.fail_next > 0 {
                s.faults.fail_next -= 1;
                Some((s.faults.fail_next_status, retry))
            } else if s.faults.failure_rate > 0.0
                && rand::thread_rng().gen_bool(s.faults.failure_rate)
            {
                Some((s.faults.failure_rate_status, retry))
            } else {
                None
            }
        };
        if let Some((status, retry)) = injected {
            return failure_response(status, retry);
        }
    }
    next.run(req).await
}

/// ETag on JSON GET answers; `If-None-Match` hit → 304 with the same headers and no body.
async fn etag(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let inm = req.headers().get(IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_get || res.status() != StatusCode::OK || !is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let digest = STANDARD_NO_PAD.encode(Sha256::digest(&bytes));
    let tag = format!("\"{:x}-{}\"", bytes.len(), &digest[..27]);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(ETAG, v);
    }
    let hit = inm.as_ref().and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == tag)
    });
    if hit {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(CONTENT_TYPE);
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A Management API path the imitated release's OpenAPI does not declare answers 404 like a
/// real Logto's router, before authentication; `/api/.well-known/*` stays reachable.
async fn declared_paths_only(State(st): State<FakeState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/")
        && !path.starts_with("/api/.well-known/")
        && (!st.version().declares_path(path)
            || st
                .lock()
                .withdrawn_paths
                .iter()
                .any(|t| crate::version::template_matches(t, path)))
    {
        return not_found().await;
    }
    next.run(req).await
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "Not Found")
}

/// The whole app.
pub fn app(state: FakeState) -> Router {
    Router::new()
        .merge(crate::api::router(state.clone()))
        .merge(crate::oidc::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            declared_paths_only,
        ))
        .layer(middleware::from_fn(etag))
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .layer(middleware::from_fn_with_state(state.clone(), outer))
        .with_state(state)
}

/// Bind a listener with SO_REUSEADDR so `resume` can take the same port again.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Accept connections until the task is aborted; aborting drops every connection too.
pub async fn serve(listener: TcpListener, app: Router) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    continue;
                };
                let app = app.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        app.clone().oneshot(req.map(Body::new))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades()
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}
