//! Several replicas behind a load balancer (issue 9): two portal processes on different ports
//! share one PostgreSQL and one Logto; a person signed in on one is signed in on the other,
//! and what they do on either lands in one consistent audit trail.

mod common;

use std::time::Duration;

use common::{all_at_once, texts, DbKind, Spawn};
use logto_portal::audit::{Filter, Verification};
use reqwest::StatusCode;

#[tokio::test]
async fn two_instances_share_sessions_and_one_audit_chain() {
    let first = Spawn::default().db(DbKind::Postgres).start().await;
    let second = Spawn::default()
        .database_url(first.database_url.clone())
        .env("LOGTO_ENDPOINT", first.fake.url())
        .start()
        .await;

    // Signed in through the first instance…
    let mut person = first.member().await;
    // …the cookie works on the second one (cookies are per host, not per port).
    let r = person
        .client
        .get(format!("{}/", second.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/profile");

    // A refused change on the second instance and a sign-out through it, interleaved with
    // writes from the first, all go to one chain.
    let refused = person
        .client
        .post(format!("{}/sign-out", second.url))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let _ = first.operator().await;
    person.base = second.url.clone();
    let out = person.post_form("/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    // Signed out on the second: the first no longer knows the session either.
    let r = person
        .client
        .get(format!("{}/", first.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "welcome page again");

    let (entries, _) = first
        .state
        .audit
        .list(&Filter::default(), 1, 100)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"security.csrf_refused"), "{actions:?}");
    assert!(actions.contains(&"auth.sign_out"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "auth.sign_in").count(), 2);
    // Request ids from both instances are recorded.
    assert!(entries
        .iter()
        .all(|e| e.request_id.as_deref().is_some_and(|r| !r.is_empty())));
    match second.state.audit.verify().await.unwrap() {
        Verification::Intact { entries } => assert_eq!(entries as usize, actions.len()),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn two_instances_share_one_attempt_limit() {
    let first = Spawn::default().db(DbKind::Postgres).start().await;
    let second = Spawn::default()
        .database_url(first.database_url.clone())
        .env("LOGTO_ENDPOINT", first.fake.url())
        .start()
        .await;
    // Logto answers after a moment, as a real one does.
    first.fake.state().set_latency(Duration::from_millis(20));
    let person = first.member().await;
    first.fake.state().clear_requests();
    // Thirty guesses at once, every other one through the other replica.
    let answers = all_at_once(&person, &[&first.url, &second.url], 30, |b, i| async move {
        b.post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "mia_guessed"),
                ("current_password", &format!("guess-{i}")),
            ],
        )
        .await
    })
    .await;
    let verifies = first
        .fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.path.ends_with("/password/verify"))
        .count();
    assert!(
        (1..=5).contains(&verifies),
        "{verifies} guesses reached Logto through two replicas"
    );
    let refused = answers
        .iter()
        .filter(|(status, html)| {
            *status == StatusCode::UNPROCESSABLE_ENTITY
                && texts(html, "#basics-current-password-error")
                    .concat()
                    .starts_with("Too many attempts.")
        })
        .count();
    assert_eq!(refused, 30 - verifies);
    // Locked on both replicas, for the right password too.
    first.fake.state().set_latency(Duration::ZERO);
    for base in [&first.url, &second.url] {
        let mut b = person.fork();
        b.base = base.clone();
        let r = b
            .post_htmx(
                "/profile/basics",
                &[
                    ("name", "Mia Member"),
                    ("username", "mia_guessed"),
                    ("current_password", &first.seed.password),
                ],
            )
            .await;
        let html = r.text().await.unwrap();
        assert!(
            texts(&html, "#basics-current-password-error")
                .concat()
                .starts_with("Too many attempts."),
            "{html}"
        );
    }
}

/// Access changed through one replica applies on the other at once (issue 15): nothing is
/// kept per process that could serve the old state.
#[tokio::test]
async fn access_changed_on_one_replica_applies_on_the_other_at_once() {
    let first = Spawn::default().db(DbKind::Postgres).start().await;
    let second = Spawn::default()
        .database_url(first.database_url.clone())
        .env("LOGTO_ENDPOINT", first.fake.url())
        .start()
        .await;
    let st = first.fake.state();
    let acme = first.seed.org_ids[0].clone();
    let members = format!("/orgs/{acme}/members");

    // A second admin of Acme, signed in and working through the second replica.
    let mia_id = first.user_id(&first.seed.member_username);
    st.add_member(&acme, &mia_id, &["admin"]);
    let mut mia = first.member().await;
    mia.base = second.url.clone();
    assert_eq!(mia.get(&members).await.status(), StatusCode::OK);

    // Adam demotes her through the first replica.
    let adam = first.admin().await;
    let (_, html) = adam.get_text(&members).await;
    let member_role = common::attrs(&html, "#members-role option", "value")
        .into_iter()
        .zip(common::texts(&html, "#members-role option"))
        .find(|(_, name)| name == "member")
        .unwrap()
        .0;
    let r = adam
        .post_form(
            &format!("{members}/{mia_id}/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Her very next request, on the second replica, is refused.
    assert_eq!(mia.get(&members).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(mia.get("/profile").await.status(), StatusCode::OK);

    // An operator suspends her through the first replica: the second signs her out.
    let op = first.operator().await;
    let r = op.post_form(&format!("/users/{mia_id}/suspend"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = mia.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(common::location(&r).starts_with("/sign-in"));
}
