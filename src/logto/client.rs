//! The HTTP core: outgoing budget, bounded concurrency, retries, bearer token, stats.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Semaphore;

use super::capabilities::Capabilities;
use super::error::{api_error, LogtoError};
use super::page::{self, Page};
use super::retry::{self, MAX_RETRIES, MAX_RETRY_AFTER};
use super::search::{encode_query, push_page};
use super::stats::{BudgetUse, ClientStats, Counters};
use super::token::{OAuthClient, TokenState};

pub use super::config::LogtoClientConfig;
pub(crate) use super::route::{refused_route, route, Route};

/// Typed client of the Logto Management API. Cheap to clone (one shared pool,
/// token cache, budget and counters).
#[derive(Clone)]
pub struct LogtoClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for LogtoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogtoClient")
            .field("endpoint", &self.inner.base)
            .field("app_id", &self.inner.app_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// Endpoint without trailing slash.
    pub(crate) base: String,
    /// `host:port` for error texts (no path or query, which may hold search terms).
    pub(crate) host: String,
    pub(crate) app_id: String,
    pub(crate) resource: String,
    pub(crate) timeout: Duration,
    pub(crate) oauth: OAuthClient,
    pub(crate) budget: super::budget::Budget,
    pub(crate) in_flight: Semaphore,
    pub(crate) counters: Counters,
    pub(crate) tokens: Mutex<TokenState>,
    /// Decides when a cached token is due (see [`crate::clock`]).
    pub(crate) clock: crate::clock::Clock,
    /// What this Logto declares; the 1.37.1 baseline until its document has been read.
    pub(crate) capabilities: RwLock<Arc<Capabilities>>,
    /// Who holds which organization role, where Logto cannot filter members by role.
    pub(crate) member_indexes: super::member_index::MemberIndexes,
    /// Told of every membership change made through this client.
    pub(crate) member_change_listener:
        std::sync::OnceLock<Box<dyn Fn(super::member_index::MemberChange) + Send + Sync>>,
}

/// Where every Logto describes its Management API, anonymously.
pub const OPENAPI_PATH: &str = "/api/.well-known/management.openapi.json";

/// Which failures may be retried for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryPolicy {
    /// GET/PUT/DELETE and token requests: retry 429/502/503/504 and broken connections.
    Idempotent,
    /// POST/PATCH: only retry when the request provably never left (connect error).
    UnappliedOnly,
}

impl RetryPolicy {
    fn for_method(m: &Method) -> Self {
        if matches!(
            *m,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        ) {
            RetryPolicy::Idempotent
        } else {
            RetryPolicy::UnappliedOnly
        }
    }
}

pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

pub(crate) enum Body {
    Json(Vec<u8>),
    Raw {
        bytes: Vec<u8>,
        content_type: String,
    },
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("logto-core-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl LogtoClient {
    pub fn new(cfg: LogtoClientConfig) -> Result<Self, LogtoError> {
        if !matches!(cfg.endpoint.scheme(), "http" | "https") || cfg.endpoint.host().is_none() {
            return Err(LogtoError::Config(format!(
                "the Logto endpoint `{}` must be an http(s) URL",
                cfg.endpoint
            )));
        }
        for (value, what) in [
            (cfg.app_id.as_str(), "M2M app id"),
            (cfg.app_secret.expose(), "M2M app secret"),
            (cfg.resource.as_str(), "Management API resource indicator"),
        ] {
            if value.trim().is_empty() {
                return Err(LogtoError::Config(format!("the {what} is empty")));
            }
        }
        if cfg.requests_per_window == 0 || cfg.window.is_zero() || cfg.max_in_flight == 0 {
            return Err(LogtoError::Config(
                "the Logto request limits must be positive".to_owned(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeout.min(Duration::from_secs(5)))
            .timeout(cfg.timeout)
            .pool_max_idle_per_host(cfg.max_in_flight)
            // Logto does not redirect API calls; following one could carry the bearer elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("logto-portal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LogtoError::Config(format!("cannot build the HTTP client: {e}")))?;
        let base = cfg.endpoint.as_str().trim_end_matches('/').to_owned();
        let host = match cfg.endpoint.port_or_known_default() {
            Some(p) => format!("{}:{p}", cfg.endpoint.host_str().unwrap_or_default()),
            None => cfg.endpoint.host_str().unwrap_or_default().to_owned(),
        };
        let oauth = super::token::oauth_client(&base, &cfg.app_id, &cfg.app_secret)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                host,
                app_id: cfg.app_id,
                resource: cfg.resource,
                timeout: cfg.timeout,
                oauth,
                budget: super::budget::Budget::new(
                    cfg.requests_per_window,
                    cfg.window,
                    cfg.timeout,
                    cfg.shared_budget,
                ),
                in_flight: Semaphore::new(cfg.max_in_flight),
                counters: Counters::default(),
                tokens: Mutex::new(TokenState::default()),
                clock: cfg.clock,
                capabilities: RwLock::new(Arc::new(Capabilities::baseline())),
                member_indexes: super::member_index::MemberIndexes::new(cfg.member_index_limit),
                member_change_listener: Default::default(),
            }),
        })
    }

    /// Counters for /metrics.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot(
            self.inner.budget.waits(),
            self.inner.budget.waited(),
            self.inner.budget.fallbacks(),
        )
    }

    /// The outgoing budget now: calls granted during the last window (every replica's when
    /// the budget is shared), against the limit.
    pub async fn budget_use(&self) -> BudgetUse {
        let b = &self.inner.budget;
        BudgetUse {
            in_use: b.in_use().await,
            limit: b.limit(),
            window: b.window(),
            shared: b.is_shared(),
        }
    }

    /// What this Logto can do (the 1.37.1 baseline until [`Self::refresh_capabilities`]
    /// has read the server's document).
    pub fn capabilities(&self) -> Arc<Capabilities> {
        self.inner.current_capabilities()
    }

    /// Reads the server's OpenAPI document (anonymously) and keeps what it declares. On
    /// failure the previous facts stay (the baseline at first) and the error is returned.
    pub async fn refresh_capabilities(&self) -> Result<Arc<Capabilities>, LogtoError> {
        let endpoint = format!("GET {OPENAPI_PATH}");
        let url = format!("{}{OPENAPI_PATH}", self.inner.base);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let resp = self
            .inner
            .send_with_retry(
                &Method::GET,
                &endpoint,
                &url,
                headers,
                None,
                RetryPolicy::Idempotent,
            )
            .await?;
        if !(200..300).contains(&resp.status) {
            return Err(api_error(
                resp.status,
                &resp.body,
                request_id(&resp.headers),
            ));
        }
        let caps = Arc::new(
            Capabilities::from_openapi(&resp.body)
                .map_err(|e| LogtoError::Decode(format!("{endpoint}: {e}")))?,
        );
        match self.inner.capabilities.write() {
            Ok(mut c) => *c = Arc::clone(&caps),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&caps),
        }
        Ok(caps)
    }

    /// For /readyz: a token can be had (from the cache when still fresh).
    pub async fn token_is_obtainable(&self) -> Result<(), LogtoError> {
        Inner::access_token(&self.inner).await.map(|_| ())
    }

    // ---- request helpers used by the API families ----

    pub(crate) async fn call(
        &self,
        method: Method,
        route: Route,
        query: &[(String, String)],
        body: Option<Body>,
    ) -> Result<RawResponse, LogtoError> {
        Inner::execute(&self.inner, method, route, query, body).await
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        route: Route,
        query: &[(String, String)],
    ) -> Result<T, LogtoError> {
        let endpoint = format!("GET {}", route.template);
        let resp = self.call(Method::GET, route, query, None).await?;
        decode(&endpoint, &resp.body)
    }

    /// One page; `query` holds the filters, paging is appended (clamped).
    pub(crate) async fn get_page<T: DeserializeOwned>(
        &self,
        route: Route,
        mut query: Vec<(String, String)>,
        page: u32,
        page_size: u32,
    ) -> Result<Page<T>, LogtoError> {
        push_page(&mut query, page, page_size);
        self.get_page_with(route, query).await
    }

    /// One page; `query` already holds `page` and `page_size`.
    pub(crate) async fn get_page_with<T: DeserializeOwned>(
        &self,
        route: Route,
        query: Vec<(String, String)>,
    ) -> Result<Page<T>, LogtoError> {
        let find = |k: &str| {
            query
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.parse::<u32>().ok())
        };
        let page = find("page").unwrap_or(1);
        let page_size = find("page_size").unwrap_or(page::DEFAULT_PAGE_SIZE);
        let endpoint = format!("GET {}", route.template);
        let resp = self.call(Method::GET, route, &query, None).await?;
        let items: Vec<T> = decode(&endpoint, &resp.body)?;
        let total = page::total_number(&resp.headers).unwrap_or_else(|| {
            // Unpaginated answer: the list is everything there is.
            u64::from(page.saturating_sub(1)) * u64::from(page_size) + items.len() as u64
        });
        Ok(Page {
            items,
            total,
            page,
            page_size,
            links: page::parse_links(&resp.headers),
        })
    }

    /// Every page of a list, `page_size` 100, computed from `Total-Number`.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        template: &'static str,
        ids: &[&str],
        query: Vec<(String, String)>,
    ) -> Result<Vec<T>, LogtoError> {
        let mut out = Vec::new();
        let mut page_no = 1;
        loop {
            let p: Page<T> = self
                .get_page(
                    route(template, ids),
                    query.clone(),
                    page_no,
                    page::MAX_PAGE_SIZE,
                )
                .await?;
            let more = p.has_next() && !p.items.is_empty();
            out.extend(p.items);
            if !more {
                return Ok(out);
            }
            page_no += 1;
        }
    }

    pub(crate) async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        route: Route,
        body: &B,
    ) -> Result<T, LogtoError> {
        let endpoint = format!("{method} {}", route.template);
        let resp = self
            .call(method, route, &[], Some(json_body(body)?))
            .await?;
        decode(&endpoint, &resp.body)
    }

    /// For answers whose body does not matter (204, or 1.37.1's text `Created`).
    pub(crate) async fn send_unit<B: Serialize + ?Sized>(
        &self,
        method: Method,
        route: Route,
        body: Option<&B>,
    ) -> Result<(), LogtoError> {
        let body = body.map(json_body).transpose()?;
        self.call(method, route, &[], body).await.map(|_| ())
    }
}

pub(crate) fn json_body<B: Serialize + ?Sized>(body: &B) -> Result<Body, LogtoError> {
    serde_json::to_vec(body)
        .map(Body::Json)
        .map_err(|e| LogtoError::Decode(format!("cannot encode request body: {e}")))
}

/// The body is checked to be UTF-8 once, whole: `from_slice` checks every string in it on its
/// own, which cost a member page more than reading its 465 strings did.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T, LogtoError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| LogtoError::Decode(format!("{endpoint}: not UTF-8: {e}")))?;
    serde_json::from_str(text).map_err(|e| LogtoError::Decode(format!("{endpoint}: {e}")))
}

impl Inner {
    fn current_capabilities(&self) -> Arc<Capabilities> {
        match self.capabilities.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// An authenticated Management API call; a 401 drops the token and repeats
    /// the call once with a fresh one (401 means Logto did not process it).
    async fn execute(
        self: &Arc<Self>,
        method: Method,
        route: Route,
        query: &[(String, String)],
        body: Option<Body>,
    ) -> Result<RawResponse, LogtoError> {
        if route.refused {
            return Err(refused_route(route.template));
        }
        let endpoint = format!("{method} {}", route.template);
        // Logto ignores parameters it does not know: sending one would silently change the
        // meaning of the answer (a filter that filters nothing), so it is never sent.
        let declared = self.current_capabilities().permits(
            method.as_str(),
            route.template,
            query.iter().map(|(k, _)| k.as_str()),
        );
        if let Err(undeclared) = declared {
            tracing::warn!(endpoint, reason = %undeclared, "request not sent");
            return Err(LogtoError::Unsupported(undeclared.to_string()));
        }
        let mut url = format!("{}{}", self.base, route.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(query));
        }
        let (content_type, bytes) = match body {
            None => (None, None),
            Some(Body::Json(b)) => (Some("application/json".to_owned()), Some(b)),
            Some(Body::Raw {
                bytes,
                content_type,
            }) => (Some(content_type), Some(bytes)),
        };
        let policy = RetryPolicy::for_method(&method);
        let mut renewed = false;
        loop {
            let token = Self::access_token(self).await?;
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            let bearer = HeaderValue::from_str(&format!("Bearer {}", token.access.expose()))
                .map(|mut v| {
                    v.set_sensitive(true);
                    v
                })
                .map_err(|_| LogtoError::Decode("Logto issued an unusable access token".into()))?;
            headers.insert(AUTHORIZATION, bearer);
            if let Some(ct) = &content_type {
                if let Ok(v) = HeaderValue::from_str(ct) {
                    headers.insert(CONTENT_TYPE, v);
                }
            }
            let resp = self
                .send_with_retry(&method, &endpoint, &url, headers, bytes.clone(), policy)
                .await?;
            if resp.status == 401 && !renewed {
                tracing::debug!(
                    endpoint,
                    request_id = request_id(&resp.headers).as_deref(),
                    "Logto answered 401; renewing the token and retrying once"
                );
                self.invalidate_token(token.generation);
                Counters::inc(&self.counters.auth_retries);
                renewed = true;
                continue;
            }
            if (200..300).contains(&resp.status) {
                return Ok(resp);
            }
            let rid = request_id(&resp.headers);
            let err = api_error(resp.status, &resp.body, rid.clone());
            tracing::debug!(
                endpoint,
                status = resp.status,
                code = err.code(),
                request_id = rid.as_deref(),
                "Logto API error"
            );
            return Err(err);
        }
    }

    /// One HTTP exchange within the in-flight limit and the budget, with backoff retries as
    /// `policy` allows.
    pub(crate) async fn send_with_retry(
        &self,
        method: &Method,
        endpoint: &str,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
        policy: RetryPolicy,
    ) -> Result<RawResponse, LogtoError> {
        let mut retry = 0;
        loop {
            let outcome = {
                // The semaphore is never closed, so acquiring cannot fail.
                let _permit = self.in_flight.acquire().await.ok();
                // The budget last, right before sending, so that no other queue holds a
                // granted call back.
                let grant = self.budget.acquire().await;
                let mut rb = self
                    .http
                    .request(method.clone(), url)
                    .headers(headers.clone());
                if let Some(b) = &body {
                    rb = rb.body(b.clone());
                }
                let outcome = match rb.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let headers = resp.headers().clone();
                        resp.bytes().await.map(|body| RawResponse {
                            status,
                            headers,
                            body: body.to_vec(),
                        })
                    }
                    Err(e) => Err(e),
                };
                // Logto has seen the call by now, if ever: it counts for a window from here.
                self.budget.ended(grant).await;
                outcome
            };
            match outcome {
                Ok(resp) => {
                    self.counters.record_call(endpoint, Some(resp.status));
                    if policy == RetryPolicy::Idempotent
                        && retry::is_retryable_status(resp.status)
                        && retry < MAX_RETRIES
                    {
                        let delay = match resp
                            .headers
                            .get(reqwest::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()))
                        {
                            Some(d) if d > MAX_RETRY_AFTER => return Ok(resp),
                            Some(d) => d,
                            None => retry::backoff(retry),
                        };
                        tracing::debug!(
                            endpoint,
                            status = resp.status,
                            retry,
                            delay_ms = delay.as_millis() as u64,
                            request_id = request_id(&resp.headers).as_deref(),
                            "Logto busy; retrying"
                        );
                        Counters::inc(&self.counters.retries);
                        tokio::time::sleep(delay).await;
                        retry += 1;
                        continue;
                    }
                    return Ok(resp);
                }
                Err(e) => {
                    self.counters.record_call(endpoint, None);
                    let retryable = match policy {
                        // Connection refused/reset is worth another try; a read
                        // timeout already cost the whole timeout, so give up.
                        RetryPolicy::Idempotent => {
                            e.is_connect() || ((e.is_request() || e.is_body()) && !e.is_timeout())
                        }
                        RetryPolicy::UnappliedOnly => e.is_connect(),
                    };
                    let text = self.describe(&e);
                    if retryable && retry < MAX_RETRIES {
                        let delay = retry::backoff(retry);
                        tracing::debug!(endpoint, retry, error = %text, "Logto request failed; retrying");
                        Counters::inc(&self.counters.retries);
                        tokio::time::sleep(delay).await;
                        retry += 1;
                        continue;
                    }
                    tracing::debug!(endpoint, error = %text, "Logto request failed");
                    return Err(LogtoError::Unavailable(text));
                }
            }
        }
    }

    /// Words for a transport error, without the URL (its query may hold
    /// search terms) and never with headers.
    fn describe(&self, e: &reqwest::Error) -> String {
        let what = if e.is_timeout() {
            format!("no answer from {} within {:?}", self.host, self.timeout)
        } else if e.is_connect() {
            format!("cannot connect to {}", self.host)
        } else {
            format!("request to {} failed", self.host)
        };
        let mut root: Option<String> = None;
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            root = Some(s.to_string());
            source = s.source();
        }
        match root {
            Some(r) => format!("{what}: {r}"),
            None => what,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy_by_method() {
        assert_eq!(
            RetryPolicy::for_method(&Method::GET),
            RetryPolicy::Idempotent
        );
        assert_eq!(
            RetryPolicy::for_method(&Method::PUT),
            RetryPolicy::Idempotent
        );
        assert_eq!(
            RetryPolicy::for_method(&Method::DELETE),
            RetryPolicy::Idempotent
        );
        assert_eq!(
            RetryPolicy::for_method(&Method::POST),
            RetryPolicy::UnappliedOnly
        );
        assert_eq!(
            RetryPolicy::for_method(&Method::PATCH),
            RetryPolicy::UnappliedOnly
        );
    }
}
