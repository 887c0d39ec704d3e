//! `/metrics` in Prometheus text format: requests by route and status, latency histograms,
//! Management API calls by endpoint and status, token refreshes, the outgoing budget (in use,
//! limit, waits), 429s, cache invalidations sent and received across replicas.
//! Protected by `PORTAL_METRICS_TOKEN` (bearer) when set; otherwise answered to loopback only.

use std::{
    collections::BTreeMap,
    fmt::Write,
    net::SocketAddr,
    sync::{LazyLock, Mutex},
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;

use crate::web::AppState;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct RouteStats {
    /// status → count
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// method → route template → counts (looked up by `&str`: no allocation per request).
static ROUTES: LazyLock<Mutex<BTreeMap<String, BTreeMap<String, RouteStats>>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// Records every request under its route template (never the raw path, which holds ids).
/// The template is known only once a router has matched the path: [`note_route`] hands it
/// back on the response.
pub async fn track(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let started = Instant::now();
    let resp = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    let route = resp
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let mut routes = ROUTES.lock().unwrap_or_else(|e| e.into_inner());
    // Keys are allocated only the first time a method or route is seen.
    if !routes.contains_key(method.as_str()) {
        routes.insert(method.as_str().to_string(), BTreeMap::new());
    }
    let Some(by_route) = routes.get_mut(method.as_str()) else {
        return resp;
    };
    if !by_route.contains_key(route) {
        by_route.insert(route.to_string(), RouteStats::default());
    }
    let Some(stats) = by_route.get_mut(route) else {
        return resp;
    };
    *stats.by_status.entry(status).or_default() += 1;
    stats.count += 1;
    stats.sum_seconds += elapsed;
    for (i, bound) in BUCKETS.iter().enumerate() {
        if elapsed <= *bound {
            stats.buckets[i] += 1;
        }
    }
    resp
}

/// A route layer: puts the matched route template on the response, for [`track`], which
/// runs outside the router.
pub async fn note_route(req: Request, next: Next) -> Response {
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let mut resp = next.run(req).await;
    if let Some(matched) = matched {
        resp.extensions_mut().insert(matched);
    }
    resp
}

fn each_route(
    routes: &BTreeMap<String, BTreeMap<String, RouteStats>>,
) -> impl Iterator<Item = (&String, &String, &RouteStats)> {
    routes
        .iter()
        .flat_map(|(method, by_route)| by_route.iter().map(move |(route, s)| (method, route, s)))
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn allowed(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            // Constant time, so response timing does not reveal the token.
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.expose().as_bytes()))),
        None => {
            peer.is_some_and(|p| p.ip().is_loopback()) && !headers.contains_key("x-forwarded-for")
        }
    }
}

pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !allowed(&state, req.headers(), peer) {
        return (StatusCode::FORBIDDEN, "metrics: token required\n").into_response();
    }
    let mut out = String::new();
    {
        let routes = ROUTES.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP portal_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE portal_http_requests_total counter\n");
        for (method, route, s) in each_route(&routes) {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "portal_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP portal_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE portal_http_request_duration_seconds histogram\n");
        for (method, route, s) in each_route(&routes) {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "portal_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }
    let stats = state.logto.stats();
    out.push_str("# HELP portal_logto_api_calls_total Management API calls by endpoint and status (status \"none\": no answer).\n");
    out.push_str("# TYPE portal_logto_api_calls_total counter\n");
    for c in &stats.api_calls {
        let status = c
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            out,
            "portal_logto_api_calls_total{{endpoint=\"{}\",status=\"{status}\"}} {}",
            escape(&c.endpoint),
            c.count
        );
    }
    let counters = [
        (
            "portal_logto_token_refreshes_total",
            "Access tokens obtained from Logto.",
            stats.token_refreshes,
        ),
        (
            "portal_logto_token_failures_total",
            "Failed token requests.",
            stats.token_failures,
        ),
        (
            "portal_logto_throttle_waits_total",
            "Calls that waited for the outgoing budget.",
            stats.throttle_waits,
        ),
        (
            "portal_logto_budget_fallbacks_total",
            "Calls granted from this replica's share because the shared budget was unreachable.",
            stats.budget_fallbacks,
        ),
        (
            "portal_logto_rate_limited_total",
            "HTTP 429 answers received from Logto.",
            stats.rate_limited,
        ),
        (
            "portal_logto_retries_total",
            "Retries after 429/5xx/connection errors.",
            stats.retries,
        ),
        (
            "portal_logto_auth_retries_total",
            "Calls repeated with a fresh token after a 401.",
            stats.auth_retries,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP portal_logto_throttle_wait_seconds_total Time spent waiting for the outgoing budget.\n# TYPE portal_logto_throttle_wait_seconds_total counter\nportal_logto_throttle_wait_seconds_total {}",
        stats.throttle_wait_time.as_secs_f64()
    );
    let budget = state.logto.budget_use().await;
    let _ = writeln!(
        out,
        "# HELP portal_logto_budget_in_use Calls to Logto granted during the last window ({}).\n\
         # TYPE portal_logto_budget_in_use gauge\nportal_logto_budget_in_use {}",
        if budget.shared {
            "every replica, from the shared database"
        } else {
            "this process"
        },
        budget.in_use
    );
    let _ = writeln!(
        out,
        "# HELP portal_logto_budget_limit Calls to Logto allowed in any window.\n\
         # TYPE portal_logto_budget_limit gauge\nportal_logto_budget_limit {}",
        budget.limit
    );
    let _ = writeln!(
        out,
        "# HELP portal_logto_budget_window_seconds The budget's window.\n\
         # TYPE portal_logto_budget_window_seconds gauge\nportal_logto_budget_window_seconds {}",
        budget.window.as_secs_f64()
    );
    let bus = state.cache_bus.stats();
    let sessions = state.sessions.cache().stats();
    let bus_counters = [
        (
            "portal_session_cache_hits_total",
            "Session reads served from this replica's memory.",
            sessions.hits,
        ),
        (
            "portal_session_cache_misses_total",
            "Session reads that went to the database.",
            sessions.misses,
        ),
        (
            "portal_cache_invalidations_sent_total",
            "Cache invalidations sent to the other replicas.",
            bus.sent,
        ),
        (
            "portal_cache_invalidation_failures_total",
            "Cache invalidations that could not be sent.",
            bus.send_failures,
        ),
        (
            "portal_cache_invalidations_received_total",
            "Cache invalidations received from the other replicas.",
            bus.received,
        ),
        (
            "portal_cache_bus_connections_total",
            "Times the cache invalidation listener started listening (start and reconnections).",
            bus.connections,
        ),
    ];
    for (name, help, value) in bus_counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    }
    if state.cache_bus.is_shared() {
        let _ = writeln!(
            out,
            "# HELP portal_cache_bus_listening Whether this replica hears the others' cache invalidations (1) or not (0: its caches were cleared).\n\
             # TYPE portal_cache_bus_listening gauge\nportal_cache_bus_listening {}",
            u8::from(bus.listening)
        );
    }
    let mut resp = out.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}
