//! How long a session and its access last: access re-checks, the absolute and idle lifetimes,
//! keep-alive. Time passes on the portal's manual clock, not the wall clock.

use super::*;

#[tokio::test]
async fn suspended_people_cannot_sign_in_and_lose_their_session() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    let id = app.user_id(&app.seed.member_username);
    app.state.logto.set_suspended(&id, true).await.unwrap();
    app.advance_clock(std::time::Duration::from_millis(1100));
    let (status, loc) = home_location(&member).await;
    // The portal ended the session: `/` shows the welcome page again.
    assert_eq!(status, StatusCode::OK, "{loc}");
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
}

#[tokio::test]
async fn removed_admin_loses_access_within_the_recheck_interval() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let admin = app.admin().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    assert_eq!(
        home_location(&admin).await.1,
        format!("/orgs/{acme}/members")
    );
    let id = app.user_id(&app.seed.admin_username);
    let roles = app.state.logto.list_org_roles().await.unwrap();
    let member_role = roles
        .iter()
        .find(|r| r.name == "member")
        .unwrap()
        .id
        .clone();
    app.state
        .logto
        .set_member_roles(&acme, &id, &[member_role])
        .await
        .unwrap();
    app.advance_clock(std::time::Duration::from_millis(1100));
    assert_eq!(home_location(&admin).await.1, "/profile");
}

#[tokio::test]
async fn absolute_session_lifetime_ends_the_session() {
    let app = Spawn::default()
        .env("PORTAL_SESSION_MAX_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    assert_eq!(home_location(&member).await.1, "/profile");
    app.advance_clock(std::time::Duration::from_millis(1200));
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in?return_to=%2Fprofile"));
}

#[tokio::test]
async fn idle_sessions_expire_and_activity_keeps_them() {
    let app = Spawn::default()
        .env("PORTAL_SESSION_IDLE_SECS", "2")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    for _ in 0..3 {
        app.advance_clock(std::time::Duration::from_millis(900));
        assert_eq!(
            home_location(&member).await.1,
            "/profile",
            "activity keeps the session"
        );
    }
    app.advance_clock(std::time::Duration::from_millis(2600));
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
}

#[tokio::test]
async fn page_views_do_not_rewrite_the_session_every_time() {
    use sqlx::Connection;
    let app = spawn_app().await;
    let member = app.member().await;
    let snapshot = || async {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, CAST(expiry_date AS TEXT) FROM sessions ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
        rows
    };
    let before = snapshot().await;
    for _ in 0..5 {
        assert_eq!(member.get("/profile").await.status(), StatusCode::OK);
    }
    // Within the keep-alive interval (a minute by default) nothing was written.
    assert_eq!(snapshot().await, before);
}

/// Issue 19: a warm page view reads its session and the person's access generation from
/// memory, not the database; a change to the session (here: ending it from another
/// browser) is seen by the very next request.
#[tokio::test]
async fn warm_page_views_read_the_session_from_memory() {
    let app = spawn_app().await;
    let member = app.member().await;
    assert_eq!(member.get("/profile").await.status(), StatusCode::OK);
    let cache = app.state.sessions.cache();
    let before = cache.stats();
    for _ in 0..5 {
        assert_eq!(member.get("/profile").await.status(), StatusCode::OK);
    }
    let after = cache.stats();
    assert_eq!(
        after.hits - before.hits,
        5,
        "one read per view, from memory"
    );
    assert_eq!(after.misses, before.misses, "no read from the database");
    let user_id = app.user_id(&app.seed.member_username);
    assert!(cache.generation(&user_id).is_some());

    // Signed out everywhere (as an operator does): the copy is gone at once.
    logto_portal::auth::revocation::end_sessions_of(
        &app.state.sessions,
        &user_id,
        logto_portal::auth::revocation::AccessChange::SignedOut,
    )
    .await
    .unwrap();
    let r = member.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(common::location(&r).starts_with("/sign-in"));
}

#[tokio::test]
async fn concurrent_requests_share_one_access_recheck() {
    let app = Spawn::default()
        .env("PORTAL_ACCESS_RECHECK_SECS", "1")
        .manual_clock()
        .start()
        .await;
    let member = app.member().await;
    app.advance_clock(std::time::Duration::from_millis(1100));
    app.fake.state().clear_requests();
    let requests = (0..20).map(|_| member.get("/profile"));
    for r in futures::future::join_all(requests).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let rechecks = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/roles"))
        .count();
    assert_eq!(rechecks, 1, "one re-check for 20 concurrent requests");
}
