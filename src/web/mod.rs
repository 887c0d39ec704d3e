//! The web layer: one module per page family, the shared state, and the router.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod avatars;
pub mod compress;
pub mod context;
pub mod csv;
pub mod error;
pub mod escape;
pub mod extract;
pub mod format;
pub mod health;
pub mod htmx;
pub mod i18n;
pub mod ids;
pub mod invitations;
pub mod jobs;
pub mod members;
pub mod metrics;
pub mod orgs;
pub mod page;
pub mod pager;
pub mod pages;
pub mod parts;
pub mod profile;
pub mod refusal;
pub mod security;
pub mod tenant;
pub mod users;

use std::time::Duration;

use axum::{
    extract::DefaultBodyLimit,
    http::HeaderName,
    middleware,
    routing::{get, post},
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    compression::{predicate::DefaultPredicate, CompressionLayer, Predicate as _},
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

pub use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application; `main` serves it and tests drive it over real HTTP.
///
/// The middleware wraps the route table once, as one service, not route by route:
/// `Router::layer` wraps every route's handler in a boxed service per layer, and a request
/// then cloned that nest of boxes at every layer (184 allocations per member page view).
pub fn router(state: AppState) -> Router {
    let session_layer = SessionManagerLayer::new(state.sessions.clone())
        .with_name("portal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.is_https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(
                state.config.session_idle.as_secs() as i64
            ),
        ));

    // Outermost first.
    let pages = ServiceBuilder::new()
        .layer(axum::Extension(std::sync::Arc::new(
            context::PageStatics::new(&state.config),
        )))
        .layer(session_layer)
        .layer(middleware::from_fn(error::note_signed_in_person))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::keep_session_alive,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf_guard,
        ))
        .service(page_routes().with_state(state.clone()));

    let app = plain_routes()
        .fallback_service(pages)
        .with_state(state.clone());

    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        // Streamed bodies (CSV exports) only: pages are compressed whole by
        // `compress::compress_pages`, assets come precompressed.
        .layer(
            CompressionLayer::new()
                .no_br()
                .no_deflate()
                .no_zstd()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(compress::StreamsOnly)),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            // Long batches run as background jobs (`web::jobs`); no page waits longer.
            Duration::from_secs(30),
        ))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(middleware::from_fn(compress::compress_pages))
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(security::SecurityHeaders::new(&state.config)),
            security::security_headers,
        ))
        .layer(middleware::from_fn(metrics::track))
        // `Vary: HX-Request` wherever a handler used `Htmx`: one URL, page or fragment.
        .layer(axum_htmx::AutoVaryLayer)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .service(app);
    Router::new().fallback_service(stack)
}

/// A random (v4) UUID per request, as tower-http's `MakeRequestUuid` makes, from the
/// thread's random generator: `Uuid::new_v4` asks the kernel for 16 bytes on every request.
#[derive(Debug, Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let text = id.hyphenated().encode_lower(&mut text);
        axum::http::HeaderValue::from_str(text)
            .ok()
            .map(RequestId::new)
    }
}

/// Every route the portal serves, without the middleware (for tests that list them).
pub fn route_table() -> Router<AppState> {
    plain_routes().merge(page_routes())
}

/// Routes that need no session: assets, health and metrics.
fn plain_routes() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .route("/brand/{name}", get(assets::serve_brand))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .route_layer(middleware::from_fn(metrics::note_route))
}

/// The pages, behind the session and CSRF layers [`router`] puts around them.
fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/sign-in", get(auth::sign_in))
        .route("/callback", get(auth::callback))
        .route("/sign-out", post(auth::sign_out))
        .route("/signed-out", get(auth::signed_out))
        .route("/lang/{code}", get(pages::switch_language))
        .route("/avatars/{user_id}", get(avatars::serve))
        .route("/avatars/u/{file}", get(avatars::serve_stored))
        .merge(pages::routes())
        .fallback(error::unknown_address)
        // Malformed ids in the path: 404 before any extractor (and so any call to Logto).
        .route_layer(middleware::from_fn(ids::refuse_malformed_ids))
        .route_layer(middleware::from_fn(metrics::note_route))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_v4_uuids() {
        let req = axum::http::Request::new(());
        let ids: Vec<String> = (0..100)
            .map(|_| {
                let id = RandomRequestId.make_request_id(&req).expect("an id");
                id.header_value().to_str().unwrap().to_string()
            })
            .collect();
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4, "{id}");
            assert_eq!(id, &parsed.hyphenated().to_string());
        }
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
