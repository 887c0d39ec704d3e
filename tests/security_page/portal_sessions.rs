//! The person's portal sessions listed one by one ("Portal sessions") and ended one at a time,
//! on every replica; "This device" among Logto's sessions when Logto tells the portal its
//! session (`sid`).

use super::*;
use common::DbKind;
use tower_sessions::{session::Id, session::Record, SessionStore};

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
const MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// The portal session cookie's value in `b` (the session id, a secret).
fn session_cookie(app_url: &str, b: &Browser) -> String {
    use reqwest::cookie::CookieStore;
    let url = reqwest::Url::parse(app_url).unwrap();
    let header = b.jar.cookies(&url).expect("a session cookie");
    header
        .to_str()
        .unwrap()
        .split(';')
        .find_map(|c| c.trim().strip_prefix("portal_session="))
        .expect("the portal's cookie")
        .to_string()
}

/// Signed in as `username` with a browser that names itself `user_agent`, page proven.
async fn device(app: &TestApp, username: &str, user_agent: &str) -> Browser {
    let (b, _) = app
        .sign_in_with(
            app.browser_with_agent(user_agent),
            username,
            &app.seed.password,
            "/",
        )
        .await;
    let r = b
        .post_form(
            "/profile/security/proof",
            &[("current_password", &app.seed.password)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    b
}

fn new_person(app: &TestApp, username: &str) -> String {
    app.fake.state().create_user(NewUser {
        username: Some(username.into()),
        name: Some(format!("{username} person")),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    })
}

#[tokio::test]
async fn portal_sessions_are_listed_and_another_one_is_signed_out() {
    let app = app().await;
    new_person(&app, "portal_pia");
    let mac = device(&app, "portal_pia", MAC).await;
    app.advance_clock(Duration::from_secs(120));
    let phone = device(&app, "portal_pia", IPHONE).await;
    let phone_id = session_cookie(&app.url, &phone);

    let (status, html) = mac.get_text("/profile/security").await;
    assert_eq!(status, StatusCode::OK);
    let rows = texts(&html, "#security-portal .security-list > li");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].contains("Chrome on macOS") && rows[0].contains("This session"));
    assert!(rows[0].contains("127.0.0.1") && rows[0].contains("last active"));
    assert!(rows[1].contains("Safari on iOS") && !rows[1].contains("This session"));
    assert!(rows[1].contains("signed in"), "{}", rows[1]);
    assert!(text(&html, "#security-portal-sessions").contains("1 other browser"));
    // This session has no "Sign out" of its own; the other one has.
    let links = common::attrs(
        &html,
        "#security-portal li a[href*='confirm=portal']",
        "href",
    );
    assert_eq!(links.len(), 1, "{links:?}");
    // The page never shows a session id (the value of the other browser's cookie).
    assert!(!html.contains(&phone_id));
    assert!(!html.contains(&session_cookie(&app.url, &mac)));

    let (_, html) = mac.get_text(&links[0]).await;
    assert!(
        text(&html, "#security-portal .confirm-question").contains("Safari on iOS"),
        "{html}"
    );
    let handle = common::attrs(&html, "#security-portal form input[name='id']", "value")
        .pop()
        .expect("the confirmation's form");
    let (status, html) = body(
        mac.post_form("/profile/security/portal-sessions/end", &[("id", &handle)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text(&html, "#security-portal .alert-success").contains("signed out of this portal"));
    assert_eq!(
        texts(&html, "#security-portal .security-list > li").len(),
        1
    );
    assert!(text(&html, "#security-portal-sessions").contains("only in this browser"));

    // The phone's next request is signed out; the Mac stays signed in.
    let r = phone.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(common::location(&r).starts_with("/sign-in"));
    assert_eq!(mac.get("/profile").await.status(), StatusCode::OK);

    let e = &audit_of(&app, "security.session_end").await[0];
    assert_eq!(e.result, "success");
    assert_eq!(details(e)["kind"], "portal");
    assert_eq!(details(e)["sessionId"], handle.as_str());
    assert!(!e.details.contains(&phone_id), "no session id in the trail");

    // Again: it is gone. This session cannot be ended here (signing out is the way).
    let (status, html) = body(
        mac.post_form("/profile/security/portal-sessions/end", &[("id", &handle)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#security-portal .alert-error").contains("no longer there"));
    let own = logto_portal_handle(&session_cookie(&app.url, &mac));
    let (status, _) = body(
        mac.post_form("/profile/security/portal-sessions/end", &[("id", &own)])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mac.get("/profile").await.status(), StatusCode::OK);
    let failed = audit_of(&app, "security.session_end").await;
    assert!(failed
        .iter()
        .any(|e| e.error_code.as_deref() == Some("session_not_found")));
}

/// The page's name for a session: SHA-256 of its id, 16 hex digits.
fn logto_portal_handle(session_id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(session_id.as_bytes())[..8])
}

#[tokio::test]
async fn someone_elses_session_cannot_be_ended() {
    let app = app().await;
    new_person(&app, "own_olga");
    new_person(&app, "other_otto");
    let olga = device(&app, "own_olga", MAC).await;
    let otto = device(&app, "other_otto", IPHONE).await;
    let otto_handle = logto_portal_handle(&session_cookie(&app.url, &otto));
    let (status, _) = body(
        olga.post_form(
            "/profile/security/portal-sessions/end",
            &[("id", &otto_handle)],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(otto.get("/profile").await.status(), StatusCode::OK);
}

/// A request of the ended session that was in flight writes the session back after the
/// deletion: the store finds the mark and deletes it again, so it stays ended.
#[tokio::test]
async fn an_ended_session_written_back_stays_ended() {
    for kind in [DbKind::Sqlite, DbKind::Postgres] {
        let app = Spawn::default().db(kind).manual_clock().start().await;
        let id = new_person(&app, "late_lena");
        let phone = device(&app, "late_lena", IPHONE).await;
        let sid = session_cookie(&app.url, &phone);
        let store = app.state.sessions.clone();
        let session_id: Id = sid.parse().unwrap();
        // What the request in flight read before the session was ended.
        let stale: Record = store.load(&session_id).await.unwrap().expect("live");
        assert!(app
            .state
            .sessions
            .end_session_of(&id, &sid, 0)
            .await
            .unwrap());
        store.save(&stale).await.unwrap();
        assert!(store.load(&session_id).await.unwrap().is_none(), "{kind:?}");
        assert!(app.state.db.sessions_of(&id).await.unwrap().is_empty());
        let r = phone.get("/profile").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind:?}");
    }
}

/// Two replicas share one PostgreSQL: a session ended through one is signed out on the other
/// as soon as the other hears of it, also when its requests race the ending.
#[tokio::test]
async fn a_session_ended_on_one_replica_is_signed_out_on_the_other() {
    let (first, second) = common::two_listening_replicas().await;
    new_person(&first, "replica_rae");
    let laptop = device(&first, "replica_rae", MAC).await;
    let phone = device(&first, "replica_rae", IPHONE).await;
    let handle = logto_portal_handle(&session_cookie(&first.url, &phone));
    // The phone is signed in on the second replica too.
    let on_second = |b: &Browser| b.client.get(format!("{}/profile", second.url)).send();
    assert_eq!(on_second(&phone).await.unwrap().status(), StatusCode::OK);

    // The phone's requests to the second replica and the ending on the first, at once.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(5));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let b = phone.fork();
        let url = format!("{}/profile/security", second.url);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            b.client.get(url).send().await.unwrap().status()
        }));
    }
    barrier.wait().await;
    let r = laptop
        .post_form("/profile/security/portal-sessions/end", &[("id", &handle)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for t in tasks {
        t.await.unwrap();
    }
    // The second replica's copy of the session goes when it hears of the ending (sent
    // before the ending was answered).
    common::heard_all(&first, &second).await;
    let r = on_second(&phone).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(common::location(&r).starts_with("/sign-in"));
    let r = phone.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(on_second(&laptop).await.unwrap().status(), StatusCode::OK);
}

/// With a back-channel logout URI that requires the session, Logto puts `sid` in the portal's
/// ID tokens: the portal marks that Logto session "This device", offers no "Sign out" for it,
/// and "Sign out everywhere else" keeps it. Without, nothing is marked.
#[tokio::test]
async fn this_device_is_marked_when_logto_gives_the_session_id() {
    let app = app().await;
    if fake_logto::LogtoVersion::from_env().minor() < 38 {
        return; // no Logto sessions to list before 1.38 (covered by the 1.37 snapshot)
    }
    let id = new_person(&app, "device_dora");
    let unmarked = device(&app, "device_dora", MAC).await;
    let (_, html) = unmarked.get_text("/profile/security").await;
    assert_eq!(
        texts(&html, "#security-sessions .security-list > li").len(),
        1
    );
    assert!(!text(&html, "#security-sessions").contains("This device"));

    app.fake
        .state()
        .set_web_app_backchannel_logout(Some("https://portal.example/backchannel"), true);
    let b = device(&app, "device_dora", IPHONE).await;
    let other = app.fake.state().add_user_session(
        &id,
        fake_logto::SessionSeed {
            ip: Some("198.51.100.4".into()),
            user_agent: Some(MAC.into()),
            ..Default::default()
        },
    );
    let (_, html) = b.get_text("/profile/security").await;
    let rows = texts(&html, "#security-sessions .security-list > li");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("Safari on iOS") && rows[0].contains("This device"));
    assert!(rows[1..].iter().all(|r| !r.contains("This device")));
    let ends = common::attrs(
        &html,
        "#security-sessions li a[href*='confirm=session']",
        "href",
    );
    assert_eq!(
        ends.len(),
        2,
        "no sign-out offered for this device: {ends:?}"
    );
    // Which one is it: the one whose authorization for the portal's app carries the sid.
    let mine: Vec<String> = app
        .fake
        .state()
        .user_session_ids(&id)
        .into_iter()
        .filter(|s| {
            app.fake.state().session_sid(s).is_some()
                && !ends.iter().any(|e| e.contains(s.as_str()))
        })
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    let (_, html) = b
        .get_text(&format!("/profile/security?confirm=session&id={}", mine[0]))
        .await;
    assert!(texts(&html, "#security-sessions .confirm-question").is_empty());

    let r = b
        .post_form("/profile/security/sessions/end-others", &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.fake.state().user_session_ids(&id), mine);
    assert!(!app.fake.state().user_session_ids(&id).contains(&other));
    let e = &audit_of(&app, "security.sessions_end_others").await[0];
    assert_eq!(details(e)["logtoSessionsEnded"], 2);
    assert_eq!(details(e)["sessionsEnded"], 1);
    assert_eq!(
        unmarked.get("/profile").await.status(),
        StatusCode::SEE_OTHER
    );
}
