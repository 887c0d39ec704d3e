//! The Logto client against the fake Logto (real HTTP on loopback), plus a
//! tiny stub server for answers the fake cannot give (a token without `all`).

use std::time::{Duration, Instant};

use fake_logto::{FakeLogto, FakeLogtoConfig, FakeState};
use futures::TryStreamExt;
use logto_portal::clock::ManualClock;
use logto_portal::logto::{
    CodeTarget, InvitationFilter, InvitationStatus, Joint, LogQuery, LogtoClient,
    LogtoClientConfig, LogtoError, MemberQuery, NewInvitation, NewUser, OrgQuery, SearchField,
    Secret, UserPatch, UserQuery, UserSearch,
};
use serde_json::{json, Map, Value};

const RESOURCE: &str = "https://default.logto.app/api";

fn config(url: &str) -> LogtoClientConfig {
    LogtoClientConfig::new(
        url.parse().unwrap(),
        "portal-m2m",
        Secret::new("m2m-secret"),
        RESOURCE,
    )
}

async fn setup() -> (FakeLogto, LogtoClient) {
    setup_with(FakeLogtoConfig::default(), |_| {}).await
}

async fn setup_with(
    fake_cfg: FakeLogtoConfig,
    tweak: impl FnOnce(&mut LogtoClientConfig),
) -> (FakeLogto, LogtoClient) {
    let fake = FakeLogto::start(fake_cfg).await;
    let mut cfg = config(&fake.url());
    tweak(&mut cfg);
    let client = LogtoClient::new(cfg).unwrap();
    (fake, client)
}

fn user(state: &FakeState, username: &str, name: &str) -> String {
    state.create_user(fake_logto::NewUser {
        username: Some(username.into()),
        primary_email: Some(format!("{username}@example.com")),
        name: Some(name.into()),
        ..Default::default()
    })
}

/// Requests the fake received for one method and path.
fn received(state: &FakeState, method: &str, path: &str) -> Vec<fake_logto::RecordedRequest> {
    state
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

mod calls;
mod check;
mod paging;
mod retries;
mod security;
mod tokens;

/// A minimal Logto stand-in: fixed token answer and a fixed `/api/users` answer.
async fn stub_logto(token: Value, api_status: u16, api_body: Value) -> String {
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use axum::Json;
    let app = axum::Router::new()
        .route("/oidc/token", post(move || async move { Json(token) }))
        .route(
            "/api/users",
            get(move || async move { (StatusCode::from_u16(api_status).unwrap(), Json(api_body)) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}
