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

// ---------------------------------------------------------------------------
// tokens

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let id = user(&st, "alice", "Alice");
    // Slow answers make the 50 calls really overlap the token request.
    st.set_latency(Duration::from_millis(30));
    let calls = (0..50).map(|_| {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move { client.get_user(&id).await })
    });
    for c in futures::future::join_all(calls).await {
        assert_eq!(c.unwrap().unwrap().username.as_deref(), Some("alice"));
    }
    assert_eq!(st.token_requests(), 1);
    let stats = client.stats();
    assert_eq!(stats.token_refreshes, 1);
    assert_eq!(stats.calls_with_status("GET /api/users/{userId}", 200), 50);
    assert_eq!(stats.calls_with_status("POST /oidc/token", 200), 1);
}

#[tokio::test]
async fn token_request_is_client_credentials_with_basic_auth() {
    let (fake, client) = setup().await;
    client.token_is_obtainable().await.unwrap();
    let req = received(&fake.state(), "POST", "/oidc/token")
        .pop()
        .unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(req.body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("grant_type"), Some("client_credentials"));
    assert_eq!(get("scope"), Some("all"));
    assert_eq!(get("resource"), Some(RESOURCE));
    // Credentials travel in the Basic header, never in the form.
    assert_eq!(get("client_secret"), None);
    assert_eq!(get("client_id"), None);
}

/// Headers as the stub saw them, and a gzip-compressed answer to decode.
#[tokio::test]
async fn sends_bearer_and_accepts_gzip() {
    use axum::http::HeaderMap;
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let users: Vec<Value> = (0..30)
        .map(|i| json!({"id": format!("u{i}"), "username": format!("user{i}"), "createdAt": 1, "updatedAt": 1}))
        .collect();
    let app = {
        let seen = seen.clone();
        axum::Router::new()
            .route(
                "/oidc/token",
                axum::routing::post(|| async {
                    axum::Json(json!({"access_token": "tok-123", "expires_in": 3600, "token_type": "Bearer", "scope": "all"}))
                }),
            )
            .route(
                "/api/users",
                axum::routing::get(move |headers: HeaderMap| async move {
                    seen.lock().unwrap().push(headers);
                    ([("total-number", "30")], axum::Json(Value::Array(users)))
                }),
            )
            .layer(tower_http::compression::CompressionLayer::new())
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = LogtoClient::new(config(&format!("http://{addr}"))).unwrap();
    let page = client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 30);
    assert_eq!(page.total, 30);
    let headers = seen.lock().unwrap().pop().unwrap();
    assert_eq!(headers["authorization"], "Bearer tok-123");
    assert!(headers["accept-encoding"]
        .to_str()
        .unwrap()
        .contains("gzip"));
}

#[tokio::test]
async fn token_is_cached_and_refreshed_before_expiry() {
    let fake_cfg = FakeLogtoConfig {
        access_token_ttl_secs: 2,
        ..Default::default()
    };
    let time = ManualClock::starting_now();
    let (fake, client) = setup_with(fake_cfg, |c| c.clock = time.clock()).await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    client.list_users(&UserQuery::default()).await.unwrap();
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 1);
    // A 2 s token is replaced after half its life, while still valid:
    // no call ever meets a 401.
    time.advance(Duration::from_millis(1200));
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 2);
    assert_eq!(client.stats().auth_retries, 0);
    assert!(st.api_requests().iter().all(|r| r.path == "/api/users"));
}

#[tokio::test]
async fn failed_early_refresh_keeps_the_valid_token() {
    let fake_cfg = FakeLogtoConfig {
        access_token_ttl_secs: 2,
        ..Default::default()
    };
    let time = ManualClock::starting_now();
    let (fake, client) = setup_with(fake_cfg, |c| c.clock = time.clock()).await;
    let st = fake.state();
    client.list_users(&UserQuery::default()).await.unwrap();
    // 500 is not retried, so each refresh attempt is one quick request.
    st.set_token_endpoint_failure(Some(500));
    time.advance(Duration::from_millis(1200));
    // Refresh is due and fails, but the token has ~0.8 s left: the call works.
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(st.token_requests(), 2);
    time.advance(Duration::from_millis(1000));
    // Now it has expired: the refresh error surfaces.
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    st.set_token_endpoint_failure(None);
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(client.stats().auth_retries, 0);
}

#[tokio::test]
async fn revoked_token_is_dropped_and_the_call_retried_once() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.list_users(&UserQuery::default()).await.unwrap();
    st.revoke_access_tokens();
    st.clear_requests();
    let page = client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(page.total, 0);
    assert_eq!(st.token_requests(), 2);
    assert_eq!(received(&st, "GET", "/api/users").len(), 2);
    assert_eq!(client.stats().auth_retries, 1);
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(5, 401);
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("auth.unauthorized"));
    assert_eq!(received(&st, "GET", "/api/users").len(), 2);
    assert_eq!(st.token_requests(), 2);
}

#[tokio::test]
async fn token_without_scope_all_is_a_config_error() {
    let url = stub_logto(
        json!({"access_token": "opaque", "expires_in": 3600, "token_type": "Bearer"}),
        403,
        json!({"code": "auth.forbidden", "message": "Forbidden."}),
    )
    .await;
    let client = LogtoClient::new(config(&url)).unwrap();
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Config(msg) = &err else {
        panic!("expected Config, got {err:?}");
    };
    assert!(msg.contains("scope `all`"), "{msg}");
    assert!(msg.contains("Management API"), "{msg}");
    assert!(matches!(
        client.token_is_obtainable().await,
        Err(LogtoError::Config(_))
    ));
    assert_eq!(client.stats().token_failures, 2);

    let report = client.check().await;
    assert!(!report.ok);
    assert!(report.lines[0].ok, "{report}");
    assert!(!report.lines[1].ok);
    assert!(report.lines[1].text.contains("role"), "{report}");
}

#[tokio::test]
async fn token_endpoint_failures_map_to_errors() {
    let (fake, client) = setup().await;
    let st = fake.state();
    st.set_token_endpoint_failure(Some(500));
    let err = client.token_is_obtainable().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    // 500 is not retried.
    assert_eq!(st.token_requests(), 1);
    st.set_token_endpoint_failure(None);
    client.token_is_obtainable().await.unwrap();
    assert_eq!(st.token_requests(), 2);
}

#[tokio::test]
async fn wrong_credentials_are_config_errors() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let mut cfg = config(&fake.url());
    cfg.app_secret = Secret::new("wrong");
    let client = LogtoClient::new(cfg).unwrap();
    let err = client.get_user("x").await.unwrap_err();
    match &err {
        LogtoError::Config(m) => assert!(m.contains("secret"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err:?}").contains("wrong"));
}

// ---------------------------------------------------------------------------
// retries

#[tokio::test]
async fn get_backs_off_on_429_then_succeeds() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(2, 429);
    client.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(received(&st, "GET", "/api/users").len(), 3);
    let stats = client.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.calls_with_status("GET /api/users", 429), 2);
    assert_eq!(stats.calls_with_status("GET /api/users", 200), 1);
}

#[tokio::test]
async fn retry_after_is_respected() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.set_retry_after(Some(1));
    st.fail_next_api(1, 429);
    let t = Instant::now();
    client.list_users(&UserQuery::default()).await.unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
}

#[tokio::test]
async fn persistent_429_ends_as_rate_limited_after_three_retries() {
    let (fake, client) = setup().await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();
    st.fail_next_api(10, 429);
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    assert!(matches!(err, LogtoError::RateLimited), "{err:?}");
    assert_eq!(received(&st, "GET", "/api/users").len(), 4);
}

#[tokio::test]
async fn gateway_errors_are_retried_for_get_put_delete() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let u = user(&st, "bob", "Bob");
    let role = st.create_org_role("admin", "Admin");
    st.add_member(&org, &u, &[]);
    client.token_is_obtainable().await.unwrap();

    st.fail_next_api(3, 503);
    client.get_user(&u).await.unwrap();
    st.fail_next_api(1, 502);
    client
        .set_member_roles(&org, &u, std::slice::from_ref(&role))
        .await
        .unwrap();
    st.fail_next_api(1, 504);
    client.remove_org_member(&org, &u).await.unwrap();
    assert_eq!(client.stats().retries, 5);
}

#[tokio::test]
async fn post_and_patch_are_never_retried_on_503() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let id = user(&st, "carol", "Carol");
    client.token_is_obtainable().await.unwrap();

    st.fail_next_api(1, 503);
    let new = NewUser {
        username: Some("dave".into()),
        ..Default::default()
    };
    let err = client.create_user(&new).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(received(&st, "POST", "/api/users").len(), 1);

    st.fail_next_api(1, 503);
    let patch = UserPatch {
        name: Some(Some("C".into())),
        ..Default::default()
    };
    assert_eq!(
        client.update_user(&id, &patch).await.unwrap_err().status(),
        Some(503)
    );
    assert_eq!(received(&st, "PATCH", &format!("/api/users/{id}")).len(), 1);

    st.fail_next_api(1, 429);
    assert!(matches!(
        client.create_user(&new).await,
        Err(LogtoError::RateLimited)
    ));
    assert_eq!(received(&st, "POST", "/api/users").len(), 2);
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn unreachable_and_slow_logto_are_unavailable() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.timeout = Duration::from_millis(500);
    })
    .await;
    let st = fake.state();
    client.token_is_obtainable().await.unwrap();

    st.set_latency(Duration::from_secs(3));
    let t = Instant::now();
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Unavailable(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("no answer"), "{msg}");
    // A read timeout is not retried: one timeout, not four.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    st.set_latency(Duration::ZERO);

    fake.stop().await;
    let err = client.list_users(&UserQuery::default()).await.unwrap_err();
    let LogtoError::Unavailable(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("cannot connect"), "{msg}");
    // The text never carries the query (search terms are personal data).
    assert!(!msg.contains("page_size"), "{msg}");
    fake.resume().await;
    client.list_users(&UserQuery::default()).await.unwrap();
}

// ---------------------------------------------------------------------------
// throttle and concurrency

#[tokio::test]
async fn throttle_waits_instead_of_failing() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.requests_per_window = 4;
        c.window = Duration::from_secs(1);
    })
    .await;
    let t = Instant::now();
    // 1 token request + 7 calls = 8 requests: 4 at once, then 4 per second.
    for _ in 0..7 {
        client.list_users(&UserQuery::default()).await.unwrap();
    }
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    let stats = client.stats();
    assert_eq!(stats.throttle_waits, 4);
    assert!(stats.throttle_wait_time > Duration::ZERO);
    assert_eq!(fake.state().token_requests(), 1);
}

#[tokio::test]
async fn in_flight_requests_are_bounded() {
    let (fake, client) = setup_with(FakeLogtoConfig::default(), |c| {
        c.max_in_flight = 2;
    })
    .await;
    client.token_is_obtainable().await.unwrap();
    fake.state().set_latency(Duration::from_millis(150));
    let t = Instant::now();
    let calls = (0..6).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_users(&UserQuery::default()).await })
    });
    for c in futures::future::join_all(calls).await {
        c.unwrap().unwrap();
    }
    // 6 calls, 2 at a time, 150 ms each: at least 3 rounds.
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "{:?}",
        t.elapsed()
    );
}

// ---------------------------------------------------------------------------
// pagination and search

#[tokio::test]
async fn pages_read_total_and_every_link_line() {
    let (fake, client) = setup().await;
    let st = fake.state();
    for i in 0..7 {
        st.create_user_at(
            fake_logto::NewUser {
                username: Some(format!("user{i}")),
                ..Default::default()
            },
            1_700_000_000_000 + i,
        );
    }
    let q = UserQuery {
        page: 2,
        page_size: 2,
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(page.total, 7);
    assert_eq!((page.page, page.page_size), (2, 2));
    assert_eq!(page.last_page(), 4);
    assert_eq!((page.first_item_index(), page.last_item_index()), (3, 4));
    // Newest first.
    let names: Vec<_> = page
        .items
        .iter()
        .map(|u| u.username.clone().unwrap())
        .collect();
    assert_eq!(names, ["user4", "user3"]);
    let mut rels = page.links.clone();
    rels.sort();
    assert_eq!(
        rels,
        [
            ("first".to_owned(), 1),
            ("last".to_owned(), 4),
            ("next".to_owned(), 3),
            ("prev".to_owned(), 1)
        ]
    );
    assert_eq!(page.link("next"), page.next_page());

    let beyond = client
        .list_users(&UserQuery {
            page: 9,
            page_size: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 7);
    assert!(!beyond.has_next());
    assert_eq!(beyond.prev_page(), Some(4));

    // Oversized and zero sizes are clamped before sending (Logto would 400).
    client
        .list_users(&UserQuery {
            page: 0,
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let last = received(&st, "GET", "/api/users").pop().unwrap();
    assert_eq!(last.query, "page=1&page_size=100");
}

#[tokio::test]
async fn users_stream_walks_every_page() {
    let (fake, client) = setup().await;
    let st = fake.state();
    for i in 0..230 {
        st.create_user(fake_logto::NewUser {
            username: Some(format!("u{i:03}")),
            ..Default::default()
        });
    }
    let all: Vec<_> = client
        .users_stream(UserQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 230);
    let mut ids: Vec<_> = all.iter().map(|u| u.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 230);
    let queries: Vec<_> = received(&st, "GET", "/api/users")
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            "page=1&page_size=100",
            "page=2&page_size=100",
            "page=3&page_size=100"
        ]
    );
}

#[tokio::test]
async fn search_is_escaped_end_to_end() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let pct = user(&st, "pct", "50% off");
    user(&st, "plain", "500 off");
    let under = user(&st, "a_b", "Under");
    user(&st, "axb", "Other");

    let q = UserQuery {
        search: UserSearch::new().contains("50%"),
        ..Default::default()
    };
    assert_eq!(
        q.query_string(),
        "search=%2550%5C%25%25&page=1&page_size=20"
    );
    let page = client.list_users(&q).await.unwrap();
    let last = received(&st, "GET", "/api/users").pop().unwrap();
    assert_eq!(last.query, "search=%2550%5C%25%25&page=1&page_size=20");
    assert_eq!(page.items.iter().map(|u| &u.id).collect::<Vec<_>>(), [&pct]);

    let q = UserQuery {
        search: UserSearch::new().field_starts_with(SearchField::Username, "a_"),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "search.username=a%5C_%25&page=1&page_size=20"
    );
    assert_eq!(
        page.items.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&under]
    );

    // Exact with repeated values, AND-ed with a contains on another field.
    let q = UserQuery {
        search: UserSearch::new()
            .field_exact_any(SearchField::Username, ["pct", "plain", "a_b"])
            .field_contains(SearchField::Name, "off")
            .joint(Joint::And),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "search.username=pct&search.username=plain&search.username=a_b&search.name=%25off%25\
         &mode.username=exact&joint=and&page=1&page_size=20"
    );
    assert_eq!(page.total, 2);

    // Empty conditions are dropped, never sent.
    let q = UserQuery {
        search: UserSearch::new()
            .contains("  ")
            .field_exact(SearchField::Id, ""),
        ..Default::default()
    };
    assert_eq!(client.list_users(&q).await.unwrap().total, 4);
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        "page=1&page_size=20"
    );
}

#[tokio::test]
async fn exclude_organization_members() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let member = user(&st, "in", "In");
    let outsider = user(&st, "out", "Out");
    st.add_member(&org, &member, &[]);
    let q = UserQuery {
        exclude_organization_id: Some(org.clone()),
        ..Default::default()
    };
    let page = client.list_users(&q).await.unwrap();
    assert_eq!(
        page.items.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&outsider]
    );
    assert_eq!(
        received(&st, "GET", "/api/users").pop().unwrap().query,
        format!("excludeOrganizationId={org}&page=1&page_size=20")
    );
}

// ---------------------------------------------------------------------------
// error mapping and typed calls

#[tokio::test]
async fn errors_keep_logto_codes() {
    let (fake, client) = setup().await;
    let st = fake.state();
    user(&st, "erin", "Erin");
    let dup = NewUser {
        username: Some("erin2".into()),
        primary_email: Some("ERIN@example.com".into()),
        ..Default::default()
    };
    let err = client.create_user(&dup).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.code(), Some("user.email_already_in_use"));
    assert!(err.is_conflict());
    assert!(err.request_id().is_some(), "Logto-Core-Request-Id kept");

    let err = client.get_user("nosuchuser").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some("entity.not_found"));
    let err = client
        .delete_identity("nosuchuser", "github")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn user_lifecycle() {
    let (_fake, client) = setup().await;
    let created = client
        .create_user(&NewUser {
            username: Some("frank".into()),
            primary_email: Some("frank@example.com".into()),
            name: Some("Frank".into()),
            password: Some(Secret::new("Passw0rd!long")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.has_password, Some(true));
    assert!(created.created_at > 1_600_000_000_000, "epoch ms");
    let id = created.id;

    assert!(client.verify_password(&id, "Passw0rd!long").await.unwrap());
    assert!(!client.verify_password(&id, "wrong").await.unwrap());
    client.set_password(&id, "Another1!").await.unwrap();
    assert!(client.verify_password(&id, "Another1!").await.unwrap());

    let patched = client
        .update_user(
            &id,
            &UserPatch {
                name: Some(Some("Franky".into())),
                primary_email: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(patched.name.as_deref(), Some("Franky"));
    assert_eq!(patched.primary_email, None);
    // An empty patch is not sent (Logto would answer 422).
    assert_eq!(
        client
            .update_user(&id, &UserPatch::default())
            .await
            .unwrap(),
        patched
    );

    let mut data = Map::new();
    data.insert("a".into(), json!(1));
    client.update_custom_data(&id, &data).await.unwrap();
    let mut data = Map::new();
    data.insert("b".into(), json!(2));
    let merged = client.update_custom_data(&id, &data).await.unwrap();
    assert_eq!(merged, json!({"a": 1, "b": 2}));
    assert_eq!(client.get_custom_data(&id).await.unwrap(), merged);

    let mut p = Map::new();
    p.insert("givenName".into(), json!("Frank"));
    client.update_user_profile(&id, &p).await.unwrap();
    let mut p = Map::new();
    p.insert("familyName".into(), json!("F"));
    let profile = client.update_user_profile(&id, &p).await.unwrap();
    assert_eq!(profile, json!({"givenName": "Frank", "familyName": "F"}));
    let u = client.get_user(&id).await.unwrap();
    assert_eq!(u.profile.given_name.as_deref(), Some("Frank"));

    assert!(client.set_suspended(&id, true).await.unwrap().is_suspended);
    assert!(!client.set_suspended(&id, false).await.unwrap().is_suspended);
    assert!(client.has_password(&id).await.unwrap());

    let err = client.delete_identity(&id, "github").await.unwrap_err();
    assert_eq!(err.code(), Some("user.identity_not_exist"));

    client.delete_user(&id).await.unwrap();
    assert!(client.get_user(&id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn global_roles() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let u = user(&st, "gina", "Gina");
    let viewer = st.create_role("portal-viewer", "Viewer");
    let editor = st.create_role("portal-editor", "Editor");
    for i in 0..120 {
        st.create_role(&format!("bulk-{i:03}"), "bulk");
    }
    client
        .assign_user_roles(&u, &[viewer.clone(), editor.clone()])
        .await
        .unwrap();
    let mut names: Vec<_> = client
        .user_roles(&u)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    names.sort();
    assert_eq!(names, ["portal-editor", "portal-viewer"]);
    client.remove_user_role(&u, &editor).await.unwrap();
    assert_eq!(client.user_roles(&u).await.unwrap().len(), 1);

    let found = client.find_role_by_name("portal-viewer").await.unwrap();
    assert_eq!(found.map(|r| r.id), Some(viewer));
    assert!(client.find_role_by_name("portal").await.unwrap().is_none());
    let page = client.list_roles(1, 20, Some("bulk-1")).await.unwrap();
    assert_eq!(page.total, 20);
    assert_eq!(
        client.list_roles(2, 100, None).await.unwrap().items.len(),
        22
    );
}

#[tokio::test]
async fn organizations_members_and_roles() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", Some("Acme Inc."));
    st.create_organization("Beta", None);
    let admin_role = st.create_org_role("admin", "Admin");
    let member_role = st.create_org_role("member", "Member");
    let alice = user(&st, "alice", "Alice");
    let bob = user(&st, "bob", "Bob");
    st.add_member(&org, &alice, &["admin"]);

    let orgs = client
        .list_organizations(&OrgQuery {
            q: Some("acm".into()),
            show_featured: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(orgs.total, 1);
    assert_eq!(orgs.items[0].users_count, Some(1));
    assert_eq!(
        client
            .get_organization(&org)
            .await
            .unwrap()
            .description
            .as_deref(),
        Some("Acme Inc.")
    );

    client
        .add_org_members(&org, std::slice::from_ref(&bob))
        .await
        .unwrap();
    client
        .add_member_roles(&org, &bob, std::slice::from_ref(&member_role))
        .await
        .unwrap();
    let members = client
        .list_org_members(&org, &MemberQuery::default())
        .await
        .unwrap();
    assert_eq!(members.total, 2);
    let bob_m = members.items.iter().find(|m| m.id == bob).unwrap();
    assert!(bob_m.has_role("member"));
    let filtered = client
        .list_org_members(
            &org,
            &MemberQuery {
                q: Some("ali".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.items[0].organization_roles[0].id, admin_role);

    client
        .set_member_roles(&org, &bob, &[admin_role.clone(), member_role.clone()])
        .await
        .unwrap();
    let mut roles: Vec<_> = client
        .member_roles(&org, &bob)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    roles.sort();
    assert_eq!(roles, ["admin", "member"]);
    client
        .remove_member_role(&org, &bob, &admin_role)
        .await
        .unwrap();

    let orgs_of_bob = client.user_organizations(&bob).await.unwrap();
    assert_eq!(orgs_of_bob.len(), 1);
    assert_eq!(orgs_of_bob[0].id, org);
    assert_eq!(orgs_of_bob[0].organization_roles[0].name, "member");

    let all_roles = client.list_org_roles().await.unwrap();
    assert_eq!(all_roles.len(), 2);

    client.remove_org_member(&org, &bob).await.unwrap();
    let err = client.remove_org_member(&org, &bob).await.unwrap_err();
    assert!(err.is_not_found());
    let err = client.member_roles(&org, &bob).await.unwrap_err();
    assert_eq!(err.code(), Some("organization.require_membership"));

    let exported: Vec<_> = client
        .org_members_stream(&org, MemberQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(exported.len(), 1);

    let stats = client.stats();
    assert!(stats.calls_with_status("GET /api/organizations/{id}/users", 200) >= 3);
    assert_eq!(
        stats.calls_with_status("DELETE /api/organizations/{id}/users/{userId}", 404),
        1
    );
}

#[tokio::test]
async fn invitations() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let org = st.create_organization("Acme", None);
    let role = st.create_org_role("member", "Member");
    let inviter = user(&st, "ivy", "Ivy");
    let expires_at = (time::OffsetDateTime::now_utc().unix_timestamp() + 86_400) * 1000;
    let new = NewInvitation {
        inviter_id: Some(inviter.clone()),
        invitee: "newbie@example.com".into(),
        organization_id: org.clone(),
        expires_at,
        organization_role_ids: vec![role.clone()],
        message_payload: None,
    };
    let inv = client.create_invitation(&new).await.unwrap();
    assert_eq!(inv.status, InvitationStatus::Pending);
    assert_eq!(inv.organization_roles[0].name, "member");
    let body: Value =
        serde_json::from_str(&received(&st, "POST", "/api/organization-invitations")[0].body)
            .unwrap();
    assert_eq!(body["messagePayload"], json!(false));

    let dup = client.create_invitation(&new).await.unwrap_err();
    assert_eq!(dup.code(), Some("entity.unique_integrity_violation"));

    let listed = client
        .list_invitations(&InvitationFilter {
            organization_id: Some(org.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(client.get_invitation(&inv.id).await.unwrap().id, inv.id);

    // No email connector: Logto answers 501 `connector.not_found`.
    st.set_email_connector(false);
    let err = client
        .send_invitation_message(&inv.id, &json!({"link": "https://portal/x"}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(501));

    let newbie = st.create_user(fake_logto::NewUser {
        primary_email: Some("newbie@example.com".into()),
        ..Default::default()
    });
    let accepted = client
        .set_invitation_status(&inv.id, InvitationStatus::Accepted, Some(&newbie))
        .await
        .unwrap();
    assert_eq!(accepted.status, InvitationStatus::Accepted);
    assert_eq!(accepted.accepted_user_id.as_deref(), Some(newbie.as_str()));
    assert_eq!(
        client.member_roles(&org, &newbie).await.unwrap()[0].id,
        role
    );
    let again = client
        .set_invitation_status(&inv.id, InvitationStatus::Revoked, None)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("request.invalid_input"));

    client.delete_invitation(&inv.id).await.unwrap();
    assert!(client
        .get_invitation(&inv.id)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn verification_codes() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let to = CodeTarget::Email("new@example.com".into());
    st.set_email_connector(false);
    let err = client.send_verification_code(&to).await.unwrap_err();
    assert_eq!(err.code(), Some("connector.not_found"));

    st.set_email_connector(true);
    client.send_verification_code(&to).await.unwrap();
    let code = st.last_verification_code("new@example.com").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = client.verify_code(&to, wrong).await.unwrap_err();
    assert!(err.code().unwrap().starts_with("verification_code."));
    client.verify_code(&to, &code).await.unwrap();
}

#[tokio::test]
async fn logs_and_assets() {
    let (fake, client) = setup().await;
    let st = fake.state();
    let u = user(&st, "lena", "Lena");
    st.add_log(
        Some(&u),
        "Interaction.SignIn.Submit",
        "Success",
        "10.0.0.1",
        "UA/1",
        1_700_000_000_000,
    );
    st.add_log(
        None,
        "Interaction.SignIn.Verification.Password.Submit",
        "Error",
        "10.0.0.2",
        "UA/2",
        1_700_000_000_500,
    );
    let page = client
        .list_logs(&LogQuery {
            user_id: Some(u.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let log = &page.items[0];
    assert_eq!(log.ip(), Some("10.0.0.1"));
    assert_eq!(log.user_agent(), Some("UA/1"));
    assert!(!log.is_error());
    assert_eq!(
        received(&st, "GET", "/api/logs").pop().unwrap().query,
        format!("userId={u}&page=1&page_size=20")
    );

    st.set_storage_configured(false);
    assert!(!client.user_assets_ready().await.unwrap());
    st.set_storage_configured(true);
    assert!(client.user_assets_ready().await.unwrap());
    let url = client
        .upload_user_asset(b"\x89PNG fake".to_vec(), "me.png", "image/png")
        .await
        .unwrap();
    assert!(url.starts_with("http"), "{url}");
}

// ---------------------------------------------------------------------------
// check()

#[tokio::test]
async fn check_reports_success() {
    let (fake, client) = setup().await;
    user(&fake.state(), "x", "X");
    let report = client.check().await;
    assert!(report.ok, "{report}");
    assert_eq!(report.lines.len(), 3);
    assert!(report.lines[2].text.contains("1 users"), "{report}");
    assert!(received(&fake.state(), "GET", "/api/users")
        .iter()
        .any(|r| r.query == "page=1&page_size=1"));
}

#[tokio::test]
async fn check_explains_wrong_settings() {
    let fake = FakeLogto::start(FakeLogtoConfig::default()).await;
    let run = |tweak: fn(&mut LogtoClientConfig)| {
        let mut cfg = config(&fake.url());
        tweak(&mut cfg);
        async move { LogtoClient::new(cfg).unwrap().check().await }
    };

    let r = run(|c| c.app_secret = Secret::new("nope")).await;
    assert!(!r.ok);
    assert!(r.lines[0].text.contains("401 invalid_client"), "{r}");
    assert!(r.lines[0].text.contains("secret"), "{r}");

    let r = run(|c| c.app_id = "nosuchapp".into()).await;
    assert!(r.lines[0].text.contains("400 invalid_client"), "{r}");
    assert!(r.lines[0].text.contains("app id"), "{r}");

    let r = run(|c| c.resource = "https://nope.example/api".into()).await;
    assert!(r.lines[0].text.contains("invalid_target"), "{r}");
    assert!(r.lines[0].text.contains("resource indicator"), "{r}");
    assert_eq!(r.lines.len(), 1);

    // The app lacks the Management API role: 403 auth.forbidden from the API.
    fake.state().fail_next_api(1, 403);
    let r = run(|_| {}).await;
    assert!(!r.ok);
    assert!(r.lines[0].ok && r.lines[1].ok);
    assert!(r.lines[2].text.contains("403 auth.forbidden"), "{r}");
    assert!(r.lines[2].text.contains("role"), "{r}");
}

#[tokio::test]
async fn check_explains_unreachable_endpoint() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = LogtoClient::new(config(&format!("http://127.0.0.1:{port}"))).unwrap();
    let r = client.check().await;
    assert!(!r.ok);
    assert_eq!(r.lines.len(), 1);
    assert!(r.lines[0].text.contains("unreachable"), "{r}");
    assert!(r.lines[0].text.contains(&port.to_string()), "{r}");

    let client = LogtoClient::new(config("http://no-such-host.invalid")).unwrap();
    let r = client.check().await;
    assert!(r.lines[0].text.contains("unreachable"), "{r}");
}

// ---------------------------------------------------------------------------

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
