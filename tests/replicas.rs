//! Several replicas behind a load balancer (issue 9): two portal processes on different ports
//! share one PostgreSQL and one Logto; a person signed in on one is signed in on the other,
//! and what they do on either lands in one consistent audit trail.

mod common;

use std::time::Duration;

use common::{all_at_once, heard_all, texts, two_listening_replicas, until};
use logto_portal::audit::{Filter, Verification};
use reqwest::StatusCode;

#[tokio::test]
async fn two_instances_share_sessions_and_one_audit_chain() {
    let (first, second) = two_listening_replicas().await;

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
    // Signed out on the second: the first no longer knows the session either, once it has
    // heard (its copy of the session is forgotten).
    heard_all(&second, &first).await;
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
    let (first, second) = common::two_replicas().await;
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

/// Access changed through one replica applies on the other as soon as the other hears of it
/// (issue 15; issue 19 keeps sessions and access generations in memory, and the change's
/// notification is sent before the change is answered). Without the notification, the
/// other replica's copy would still serve the old access: the test proves the copy exists.
#[tokio::test]
async fn access_changed_on_one_replica_applies_on_the_other_as_soon_as_it_hears() {
    let (first, second) = two_listening_replicas().await;
    let st = first.fake.state();
    let acme = first.seed.org_ids[0].clone();
    let members = format!("/orgs/{acme}/members");

    // A second admin of Acme, signed in and working through the second replica.
    let mia_id = first.user_id(&first.seed.member_username);
    st.add_member(&acme, &mia_id, &["admin"]);
    let mut mia = first.member().await;
    mia.base = second.url.clone();
    assert_eq!(mia.get(&members).await.status(), StatusCode::OK);
    assert!(
        second.state.sessions.cache().generation(&mia_id).is_some(),
        "the second replica keeps her access generation in memory"
    );

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
    heard_all(&first, &second).await;
    assert_eq!(second.state.sessions.cache().generation(&mia_id), None);
    assert_eq!(mia.get(&members).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(mia.get("/profile").await.status(), StatusCode::OK);

    // An operator suspends her through the first replica: the second signs her out.
    let op = first.operator().await;
    assert!(second.state.sessions.cache().sessions_held() > 0);
    let r = op.post_form(&format!("/users/{mia_id}/suspend"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    heard_all(&first, &second).await;
    let r = mia.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(common::location(&r).starts_with("/sign-in"));
}

/// The heading of an organization's member page and the organizations the directory's
/// filter offers, as an operator on `base` sees them.
async fn names_seen(op: &common::Browser, org_id: &str) -> (String, Vec<String>) {
    let (status, html) = op.get_text(&format!("/orgs/{org_id}/members")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let heading = texts(&html, "h1").join(" ");
    let (status, html) = op.get_text("/users").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    (heading, texts(&html, "#users-exclude option"))
}

/// Issue 19: a rename through one replica shows on the other at once, not when the other's
/// copy of the name expires (5 minutes for headings, 1 for the directory's filter).
#[tokio::test]
async fn a_rename_through_one_replica_shows_on_the_other_at_once() {
    let (first, second) = two_listening_replicas().await;
    let acme = first.seed.org_ids[0].clone();
    let op_first = first.operator().await;
    let mut op_second = op_first.fork();
    op_second.base = second.url.clone();
    // Both replicas keep the name now.
    for op in [&op_first, &op_second] {
        let (heading, offered) = names_seen(op, &acme).await;
        assert!(heading.contains("Acme Corp"), "{heading}");
        assert!(offered.iter().any(|o| o == "Acme Corp"), "{offered:?}");
    }
    let sent_before = first.state.cache_bus.stats().sent;

    let r = op_first
        .post_form(
            &format!("/orgs/{acme}/settings"),
            &[("name", "Acme Anvils")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The heading's name and the directory's choices: two notifications (and the session's,
    // when the request saved it).
    assert!(first.state.cache_bus.stats().sent >= sent_before + 2);
    heard_all(&first, &second).await;
    for op in [&op_second, &op_first] {
        let (heading, offered) = names_seen(op, &acme).await;
        assert!(heading.contains("Acme Anvils"), "{heading}");
        assert!(offered.iter().any(|o| o == "Acme Anvils"), "{offered:?}");
        assert!(!offered.iter().any(|o| o == "Acme Corp"), "{offered:?}");
    }
    // The sender cleared its own copies directly and skipped its own notifications: what it
    // heard is exactly what the other sent (its sessions' saves).
    heard_all(&second, &first).await;
    let (sender, other) = (
        first.state.cache_bus.stats(),
        second.state.cache_bus.stats(),
    );
    assert_eq!(sender.received, other.sent);
}

/// Issue 19's budget: with warm caches a member page costs at most 2 Management API calls on
/// either replica, for an organization's admin (names from the session) and for an operator
/// (name from the cache).
#[tokio::test]
async fn a_warm_member_page_costs_at_most_two_calls_on_each_replica() {
    let (first, second) = two_listening_replicas().await;
    let acme = first.seed.org_ids[0].clone();
    let members = format!("/orgs/{acme}/members");
    let people = [first.admin().await, first.operator().await];
    let mut calls = Vec::new();
    for replica in [&first, &second] {
        for person in &people {
            let mut b = person.fork();
            b.base = replica.url.clone();
            assert_eq!(b.get(&members).await.status(), StatusCode::OK, "warm-up");
            first.fake.state().clear_requests();
            assert_eq!(b.get(&members).await.status(), StatusCode::OK);
            let made: Vec<String> = first
                .fake
                .state()
                .api_requests()
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect();
            assert!(made.len() <= 2, "{} calls: {made:?}", made.len());
            calls.push(made.len());
        }
    }
    eprintln!("Management API calls per warm member page view (admin, operator on each replica): {calls:?}");
}

/// The listener survives its connection being killed: it listens again, and because a
/// notification may have been missed meanwhile, the replica forgets what it kept.
#[tokio::test]
async fn the_listener_listens_again_after_its_connection_is_killed_and_forgets_its_copies() {
    use sqlx::Connection;
    let (first, second) = two_listening_replicas().await;
    let acme = first.seed.org_ids[0].clone();
    let mut op = first.operator().await;
    op.base = second.url.clone();
    let (heading, _) = names_seen(&op, &acme).await;
    assert!(heading.contains("Acme Corp"), "{heading}");

    // Renamed outside the portal's pages (as in the Console: no notification), and the
    // listener's connection killed.
    let patch = logto_portal::logto::OrganizationPatch {
        name: Some("Acme Console".into()),
        ..Default::default()
    };
    first
        .state
        .logto
        .update_organization(&acme, &patch)
        .await
        .unwrap();
    let before = second.state.cache_bus.stats();
    let pid = before.listener_pid.expect("listening");
    let mut admin = sqlx::PgConnection::connect(common::PG_ADMIN_URL)
        .await
        .unwrap();
    let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(pid as i32)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert!(killed);
    until("the listener listens again", || {
        let now = second.state.cache_bus.stats();
        now.listening && now.connections == before.connections + 1
    })
    .await;
    assert_ne!(second.state.cache_bus.stats().listener_pid, Some(pid));
    // Sessions too: the operator's copy is gone, it is read from the database again.
    assert_eq!(second.state.sessions.cache().sessions_held(), 0);
    let (heading, offered) = names_seen(&op, &acme).await;
    assert!(heading.contains("Acme Console"), "{heading}");
    assert!(offered.iter().any(|o| o == "Acme Console"), "{offered:?}");

    // The new connection hears the next rename (and whatever else the first sends now).
    let heard_before = second.state.cache_bus.stats().received;
    let sent_before = first.state.cache_bus.stats().sent;
    let mut op_first = op.fork();
    op_first.base = first.url.clone();
    let r = op_first
        .post_form(&format!("/orgs/{acme}/settings"), &[("name", "Acme Again")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sent = first.state.cache_bus.stats().sent - sent_before;
    assert!(sent >= 2, "the rename's two notifications");
    until("the second replica hears of the rename", || {
        second.state.cache_bus.stats().received >= heard_before + sent
    })
    .await;
    let (heading, _) = names_seen(&op, &acme).await;
    assert!(heading.contains("Acme Again"), "{heading}");
}

/// Large organizations: where Logto cannot filter members by role (before 1.41) each replica
/// keeps a member index; a role change through one replica shows in the other's role filter
/// at once, not when the other's index expires.
#[tokio::test]
async fn a_role_change_through_one_replica_shows_in_the_others_role_filter_at_once() {
    let (first, second) = two_listening_replicas().await;
    let acme = first.seed.org_ids[0].clone();
    let mia = first.user_id(&first.seed.member_username);
    let roles = first.state.logto.list_org_roles().await.unwrap();
    let role = |name: &str| roles.iter().find(|r| r.name == name).unwrap().id.clone();
    let (admin_role, member_role) = (role("admin"), role("member"));
    let mut op_first = first.operator().await;
    let mut op_second = op_first.fork();
    op_second.base = second.url.clone();
    let admins_seen = |html: &str| common::attrs(html, "#members-table tbody tr", "id");
    let filter = format!("/orgs/{acme}/members?role={admin_role}");
    // Both replicas hold the organization's index now.
    for op in [&op_first, &op_second] {
        let (status, html) = op.get_text(&filter).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !admins_seen(&html).contains(&format!("member-{mia}")),
            "{html}"
        );
    }
    let heard_before = second.state.cache_bus.stats().received;

    let (_, html) = op_first.get_text(&format!("/orgs/{acme}/members")).await;
    op_first.csrf = common::hidden_value(&html, "_csrf");
    let r = op_first
        .post_form(
            &format!("/orgs/{acme}/members/{mia}/roles"),
            &[("role_ids", &admin_role), ("role_ids", &member_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    until("the second replica hears of the role change", || {
        second.state.cache_bus.stats().received > heard_before
    })
    .await;
    for op in [&op_second, &op_first] {
        let (_, html) = op.get_text(&filter).await;
        assert!(
            admins_seen(&html).contains(&format!("member-{mia}")),
            "{html}"
        );
    }
}
