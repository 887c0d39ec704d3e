//! Shared HTTP plumbing: Logto-shaped errors, zod-like guard errors, query parsing,
//! pagination (`Total-Number` + one `Link` header line per relation) and JSON responses.
//! guard.rs has the zod-like guard errors and typed access to JSON bodies.

mod guard;

pub use guard::*;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::convert::Infallible;

pub const JSON_CT: &str = "application/json; charset=utf-8";
pub const TEXT_CT: &str = "text/plain; charset=utf-8";
pub const HTML_CT: &str = "text/html; charset=utf-8";

/// A JSON response with Logto's content type.
pub fn json(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CT));
    r
}

pub fn ok(v: &Value) -> Response {
    json(StatusCode::OK, v)
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn text(status: StatusCode, s: &str) -> Response {
    let mut r = (status, s.to_string()).into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(TEXT_CT));
    r
}

/// Logto 1.37.1 answers several relation routes with `201` and the text `Created`.
pub fn created_text() -> Response {
    text(StatusCode::CREATED, "Created")
}

pub fn html(status: StatusCode, s: String) -> Response {
    let mut r = (status, s).into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(HTML_CT));
    r
}

/// An error answered as a JSON body (Logto's `RequestError` shape or a raw body).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

pub type ApiResult = Result<Response, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json(self.status, &self.body)
    }
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            body: json!({ "code": code, "message": message }),
        }
    }
    pub fn with_data(mut self, data: Value) -> Self {
        self.body["data"] = data;
        self
    }
    pub fn raw(status: u16, body: Value) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            body,
        }
    }
    pub fn not_found() -> Self {
        Self::new(404, "entity.not_found", "The resource does not exist.")
    }
    pub fn not_exists_with_id(table: &str, id: &str) -> Self {
        Self::new(
            404,
            "entity.not_exists_with_id",
            &format!("The {table} with ID `{id}` does not exist."),
        )
    }
    pub fn unique_violation() -> Self {
        Self::new(
            422,
            "entity.unique_integrity_violation",
            "The entity already exists. Please check the input and try again.",
        )
    }
    pub fn foreign_key() -> Self {
        Self::new(
            422,
            "entity.relation_foreign_key_not_found",
            "Cannot find one or more foreign keys. Please check the input and ensure that all referenced entities exist.",
        )
    }
    pub fn require_membership() -> Self {
        Self::new(
            422,
            "organization.require_membership",
            "The user must be a member of the organization to proceed.",
        )
    }
    /// `request.invalid_input` with `Input is invalid. <details>`.
    pub fn invalid_input(status: u16, details: &str) -> Self {
        Self::new(
            status,
            "request.invalid_input",
            &format!("Input is invalid. {details}"),
        )
    }
    pub fn connector_not_found(kind: &str) -> Self {
        Self::new(
            501,
            "connector.not_found",
            &format!("Cannot find any available connector for type: {kind}."),
        )
    }
    pub fn message_rate_limited() -> Self {
        Self::new(
            429,
            "request.message_rate_limited",
            "Too many messages sent to this recipient. Please try again later.",
        )
    }
    pub fn invalid_pagination() -> Self {
        Self::new(
            400,
            "guard.invalid_pagination",
            "The request pagination value is invalid.",
        )
    }
    pub fn internal() -> Self {
        Self::raw(500, json!({ "message": "Internal server error." }))
    }
}

// ---------------------------------------------------------------------------------------
// Extractors

/// The decoded query pairs (in order, repeated keys kept), the router-relative path and the host.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub pairs: Vec<(String, String)>,
    pub path: String,
    pub host: String,
}

impl Ctx {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// A non-empty value of `key` (Logto treats `?x=` like an absent `x` for most filters).
    pub fn get_nonempty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }
    pub fn is_true(&self, key: &str) -> bool {
        matches!(
            self.get(key).map(|v| v.to_ascii_lowercase()).as_deref(),
            Some("true") | Some("1") | Some("yes") | Some("y")
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = parts
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let full = parts.uri.path();
        let path = full.strip_prefix("/api").unwrap_or(full).to_string();
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_string();
        Ok(Ctx { pairs, path, host })
    }
}

/// A request body read the way koa-body does: JSON when the content type says so (invalid JSON
/// → `400 {"message": ...}`), an empty body → `{}`, any other non-empty body → a JSON string
/// (so the route's object guard rejects it like zod does).
pub struct Body(pub Value);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
            .await
            .map_err(|_| ApiError::raw(413, json!({"message": "request entity too large"})))?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Body(Value::Object(Map::new())));
        }
        if ct.contains("json") || ct.is_empty() {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => Ok(Body(v)),
                Err(e) => Err(ApiError::raw(
                    400,
                    json!({"message": format!("Unexpected token in JSON: {e}")}),
                )),
            }
        } else if ct.contains("x-www-form-urlencoded") {
            let mut m = Map::new();
            for (k, v) in form_urlencoded::parse(&bytes) {
                m.insert(k.into_owned(), Value::String(v.into_owned()));
            }
            Ok(Body(Value::Object(m)))
        } else {
            Ok(Body(Value::String(
                String::from_utf8_lossy(&bytes).into_owned(),
            )))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Pagination

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: u64,
    pub size: u64,
    /// false only on optional-pagination routes when neither `page` nor `page_size` was sent
    pub enabled: bool,
}

fn parse_positive(v: &str, max: Option<f64>) -> Result<Option<f64>, ApiError> {
    if v.is_empty() {
        return Ok(None);
    }
    let n: f64 = v
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_pagination())?;
    if !n.is_finite() || n <= 0.0 || max.is_some_and(|m| n > m) {
        return Err(ApiError::invalid_pagination());
    }
    Ok(Some(n))
}

/// koa-pagination: defaults page=1, page_size=20, max 100; `optional` routes return everything
/// without headers when neither parameter is present.
pub fn pagination(ctx: &Ctx, optional: bool) -> Result<Page, ApiError> {
    let page = ctx
        .get("page")
        .map(|v| parse_positive(v, None))
        .transpose()?
        .flatten();
    let size = ctx
        .get("page_size")
        .map(|v| parse_positive(v, Some(100.0)))
        .transpose()?
        .flatten();
    let enabled = !optional || page.is_some() || size.is_some();
    Ok(Page {
        page: page.map(|p| p.floor().max(1.0) as u64).unwrap_or(1),
        size: size.map(|s| s.floor().max(1.0) as u64).unwrap_or(20),
        enabled,
    })
}

fn link_url(ctx: &Ctx, page: u64) -> String {
    // Like Logto: the original query object (repeated keys joined by ","), with `page` set,
    // serialized as URLSearchParams does; path without the `/api` mount prefix.
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in &ctx.pairs {
        if let Some(entry) = keys.iter_mut().find(|(kk, _)| kk == k) {
            entry.1.push(v.clone());
        } else {
            keys.push((k.clone(), vec![v.clone()]));
        }
    }
    let page_s = page.to_string();
    if let Some(entry) = keys.iter_mut().find(|(k, _)| k == "page") {
        entry.1 = vec![page_s];
    } else {
        keys.push(("page".to_string(), vec![page_s]));
    }
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, vs) in &keys {
        ser.append_pair(k, &vs.join(","));
    }
    format!("http://{}{}?{}", ctx.host, ctx.path, ser.finish())
}

/// Slice `items` and answer with `Total-Number` and the `Link` lines (first, last, prev, next).
pub fn paged(ctx: &Ctx, page: Page, items: Vec<Value>) -> Response {
    paged_map(ctx, page, items, |v| v)
}

/// [`paged`] over rows that become JSON only when they are on the page asked for, so a list
/// of 100,000 users costs one body of 20, not 100,000 bodies.
pub fn paged_map<T>(
    ctx: &Ctx,
    page: Page,
    items: Vec<T>,
    body: impl FnMut(T) -> Value,
) -> Response {
    if !page.enabled {
        return ok(&Value::Array(items.into_iter().map(body).collect()));
    }
    let total = items.len() as u64;
    let offset = (page.page - 1).saturating_mul(page.size) as usize;
    let slice: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(page.size as usize)
        .map(body)
        .collect();
    let mut r = ok(&Value::Array(slice));
    let last = total.div_ceil(page.size).max(1);
    let h = r.headers_mut();
    h.insert("Total-Number", HeaderValue::from(total));
    let mut links = vec![(1, "first"), (last, "last")];
    if page.page > 1 {
        links.push((page.page - 1, "prev"));
    }
    if page.page < last {
        links.push((page.page + 1, "next"));
    }
    for (p, rel) in links {
        let v = format!("<{}>; rel=\"{rel}\"", link_url(ctx, p));
        if let Ok(hv) = HeaderValue::from_str(&v) {
            h.append("Link", hv);
        }
    }
    r
}
