//! Building the application from configuration, serving it, and shutting down gracefully.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::cache::{CacheBus, Invalidation};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::logto::{
    CapabilitySource, Feature, LogtoClient, LogtoClientConfig, SharedBudget, OLDEST_SUPPORTED,
};
use crate::state::AppState;
use crate::web::router;

/// The Management API client configured from the settings; its token cache reads `clock`.
/// Its outgoing budget is counted in `shared_budget` (every replica's calls) when given.
pub fn logto_client(
    config: &Config,
    clock: Clock,
    shared_budget: Option<Arc<dyn SharedBudget>>,
) -> anyhow::Result<LogtoClient> {
    Ok(LogtoClient::new(LogtoClientConfig {
        endpoint: config.logto_endpoint.clone(),
        app_id: config.m2m_app_id.clone(),
        app_secret: config.m2m_app_secret.clone(),
        resource: config.management_resource.clone(),
        requests_per_window: config.throttle_requests,
        window: config.throttle_window,
        shared_budget,
        max_in_flight: config.max_in_flight,
        timeout: config.logto_timeout,
        clock,
        member_index_limit: crate::logto::INDEX_LIMIT,
    })?)
}

/// Connects the database, applies migrations and builds the state; every rule about time
/// (sessions, access re-checks, the Logto token) reads `clock`.
pub async fn build_state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot apply database migrations: {e}"))?;
    let logto = logto_client(&config, clock.clone(), db.shared_logto_budget())?;
    read_capabilities(&logto).await;
    AppState::new(config, logto, db, clock)
}

/// How often the server's capabilities are read again: after a success, and after a failure.
const CAPABILITIES_REFRESH: std::time::Duration = std::time::Duration::from_secs(6 * 3600);
const CAPABILITIES_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

/// Reads what this Logto declares; on failure the oldest supported release is assumed and
/// the portal tries again soon. Returns whether it succeeded.
async fn read_capabilities(logto: &LogtoClient) -> bool {
    match logto.refresh_capabilities().await {
        Ok(caps) => {
            let missing: Vec<&str> = Feature::ALL
                .iter()
                .filter(|f| !caps.has(**f))
                .map(|f| f.label())
                .collect();
            tracing::info!(
                operations = caps.operation_count(),
                missing = ?missing,
                "read Logto's capabilities from its OpenAPI document"
            );
            true
        }
        Err(e) => {
            tracing::warn!(
                error = %e,
                "cannot read Logto's OpenAPI document; assuming Logto {OLDEST_SUPPORTED} until it can be read"
            );
            false
        }
    }
}

/// What the capability facts say, to tell whether a read changed them.
fn declared(caps: &crate::logto::Capabilities) -> (usize, Vec<Feature>) {
    let features = Feature::ALL.into_iter().filter(|f| caps.has(*f)).collect();
    (caps.operation_count(), features)
}

/// Keeps the capabilities current (a Logto may be upgraded while the portal runs); when they
/// changed, the other replicas read them again at once instead of at their next refresh.
fn spawn_capability_refresh(logto: LogtoClient, bus: CacheBus) {
    tokio::spawn(async move {
        let mut ok = !matches!(logto.capabilities().source(), CapabilitySource::Baseline);
        loop {
            tokio::time::sleep(if ok {
                CAPABILITIES_REFRESH
            } else {
                CAPABILITIES_RETRY
            })
            .await;
            let before = declared(&logto.capabilities());
            ok = read_capabilities(&logto).await;
            if ok && declared(&logto.capabilities()) != before {
                bus.notify_others(Invalidation::Capabilities).await;
            }
        }
    });
}

/// A bound, ready-to-run portal (tests bind port 0 and read `addr`).
pub struct Application {
    pub state: AppState,
    pub listener: TcpListener,
    pub addr: SocketAddr,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listen = config.listen;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        Self::with_listener(config, listener).await
    }

    /// Tests bind port 0 first, so the public URL can name the port.
    pub async fn with_listener(
        config: Config,
        listener: TcpListener,
    ) -> anyhow::Result<Application> {
        Self::with_listener_and_clock(config, listener, Clock::system()).await
    }

    /// As [`Self::with_listener`], on `clock` (tests move a manual one instead of sleeping).
    pub async fn with_listener_and_clock(
        config: Config,
        listener: TcpListener,
        clock: Clock,
    ) -> anyhow::Result<Application> {
        let state = build_state(config, clock).await?;
        let addr = listener.local_addr()?;
        Ok(Application {
            state,
            listener,
            addr,
        })
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        spawn_housekeeping(self.state.clone());
        crate::web::jobs::spawn_worker(self.state.clone());
        self.state.cache_bus.spawn_listener();
        spawn_capability_refresh(self.state.logto.clone(), self.state.cache_bus.clone());
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

/// Expired sessions, ended attempt-limit windows and (when configured) old audit entries are
/// removed hourly.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = state.db.delete_expired_sessions().await {
                tracing::warn!(error = %e, "could not remove expired sessions");
            }
            let before = state.clock.now_ms() - crate::db::ENDED_KEPT_MS;
            if let Err(e) = state.db.forget_ended_sessions(before).await {
                tracing::warn!(error = %e, "could not forget ended sessions");
            }
            crate::web::jobs::forget_old(&state).await;
            if let Err(e) = state.limits.delete_expired().await {
                tracing::warn!(error = %e, "could not remove ended attempt-limit windows");
            }
            if let Some(days) = state.config.audit_retention_days {
                match state.audit.prune_older_than(days).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "audit retention applied"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "audit retention failed"),
                }
            }
        }
    });
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTAL_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_sessions=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    let _ = result;
}
