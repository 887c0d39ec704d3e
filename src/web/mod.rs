//! The web layer: one module per page family, the shared state, and the router.

pub mod assets;
pub mod audit;
pub mod avatars;
pub mod cache;
pub mod context;
pub mod csv;
pub mod error;
pub mod format;
pub mod health;
pub mod htmx;
pub mod i18n;
pub mod ids;
pub mod invitations;
pub mod members;
pub mod metrics;
pub mod orgs;
pub mod pager;
pub mod pages;
pub mod profile;
pub mod security;
pub mod users;

use std::{ops::Deref, sync::Arc, time::Duration};

use axum::{
    extract::DefaultBodyLimit,
    http::HeaderName,
    middleware,
    routing::{get, post},
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::audit::AuditLog;
use crate::auth::oidc::OidcProvider;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::logto::LogtoClient;

pub struct Inner {
    pub config: Config,
    /// The one source of "now" for session lifetimes and access re-checks.
    pub clock: Clock,
    pub logto: LogtoClient,
    pub db: Db,
    pub audit: AuditLog,
    /// Attempt limits shared by every replica (current password, codes, directory look-ups).
    pub limits: crate::limits::Limiter,
    pub oidc: OidcProvider,
    pub email_connector: invitations::EmailConnectorMemo,
    /// Organizations and roles offered by the user directory's filters.
    pub directory_choices: cache::Ttl<users::FilterChoices>,
    /// Single-flight access re-checks per person.
    pub access_checks: crate::auth::access::AccessChecks,
    /// Organization roles and names, shared by the member and invitation pages.
    pub org_cache: members::MemberCache,
    /// Whether Logto has a storage provider for avatar uploads.
    pub storage_ready: cache::Ttl<bool>,
    /// Avatars fetched and re-encoded by the portal (bounded, in memory).
    pub avatars: avatars::Avatars,
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, logto: LogtoClient, db: Db, clock: Clock) -> anyhow::Result<Self> {
        let oidc = OidcProvider::new(&config.logto_endpoint, config.logto_timeout)?;
        let audit = AuditLog::new(db.clone());
        let limits = crate::limits::Limiter::new(db.clone());
        Ok(AppState(Arc::new(Inner {
            config,
            clock,
            logto,
            db,
            audit,
            limits,
            oidc,
            email_connector: Default::default(),
            org_cache: Default::default(),
            access_checks: Default::default(),
            directory_choices: cache::Ttl::new(std::time::Duration::from_secs(60)),
            storage_ready: cache::Ttl::new(std::time::Duration::from_secs(300)),
            avatars: Default::default(),
        })))
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application; `main` serves it and tests drive it over real HTTP.
pub fn router(state: AppState) -> Router {
    let session_layer = SessionManagerLayer::new(state.db.session_store())
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

    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/sign-in", get(crate::auth::oidc::sign_in))
        .route("/callback", get(crate::auth::oidc::callback))
        .route("/sign-out", post(crate::auth::oidc::sign_out))
        .route("/signed-out", get(crate::auth::oidc::signed_out))
        .route("/lang/{code}", get(pages::switch_language))
        .route("/avatars/{user_id}", get(avatars::serve))
        .route("/avatars/u/{file}", get(avatars::serve_stored))
        .merge(pages::routes())
        // Malformed ids in the path: 404 before any extractor (and so any call to Logto).
        .route_layer(middleware::from_fn(ids::refuse_malformed_ids))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::keep_session_alive,
        ))
        .layer(session_layer);

    let static_files = Router::new().route("/static/{name}", get(assets::serve));

    Router::new()
        .merge(pages)
        .merge(static_files)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(
                    |req: &axum::http::Request<axum::body::Body>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                    },
                ).on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new())
                .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    // Long enough for a 500-row invitation batch under the outgoing throttle.
                    Duration::from_secs(180),
                )),
        )
        .with_state(state)
}
