//! The last-admin guard under real concurrency (issue 15, item 3): two admins demoting or
//! removing each other at the same instant, on one portal and on two replicas sharing
//! PostgreSQL, never leave an organization without an admin.

mod common;

use std::sync::Arc;

use common::{attrs, texts, Browser, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::Filter;
use logto_portal::leases::{Lease, LEASE_WAIT};
use logto_portal::logto::MemberQuery;
use reqwest::StatusCode;
use tokio::sync::Barrier;

struct TwoAdmins {
    org_id: String,
    first_id: String,
    second_id: String,
    second_username: String,
}

fn two_admins(app: &TestApp, org_name: &str) -> TwoAdmins {
    let st = app.fake.state();
    let org_id = st.create_organization(org_name, None);
    let first_id = app.user_id(&app.seed.admin_username);
    st.add_member(&org_id, &first_id, &["admin"]);
    let second_username = format!("co_admin_{}", org_name.len());
    let second_id = st.create_user(NewUser {
        username: Some(second_username.clone()),
        primary_email: Some(format!("{second_username}@guard.test")),
        name: Some("Cora Admin".into()),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    });
    st.add_member(&org_id, &second_id, &["admin"]);
    // Some plain members too, so counting cannot stop at the first page by luck.
    for i in 0..25 {
        let uid = st.create_user(NewUser {
            username: Some(format!("plain_{i:02}_{}", org_name.len())),
            name: Some(format!("Plain {i:02}")),
            ..Default::default()
        });
        st.add_member(&org_id, &uid, &["member"]);
    }
    TwoAdmins {
        org_id,
        first_id,
        second_id,
        second_username,
    }
}

/// Signs in on `app` and reads the CSRF token and the `member` role id from the member page.
async fn admin_on(app: &TestApp, username: &str, org_id: &str) -> (Browser, String) {
    let mut b = app.sign_in(username).await;
    let page = format!("/orgs/{org_id}/members");
    let (status, html) = b.get_text(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    b.csrf = common::hidden_value(&html, "_csrf");
    let ids = attrs(&html, "#members-role option", "value");
    let names = texts(&html, "#members-role option");
    let member_role = ids
        .into_iter()
        .zip(names)
        .find(|(_, n)| n == "member")
        .expect("member role in the filter")
        .0;
    (b, member_role)
}

/// How many of `ids` hold the admin role in the organization, as Logto says.
async fn admins_left(app: &TestApp, org_id: &str, ids: &[&str]) -> usize {
    let members = app
        .state
        .logto
        .list_org_members(
            org_id,
            &MemberQuery {
                page_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    members
        .items
        .iter()
        .filter(|m| ids.contains(&m.id.as_str()))
        .filter(|m| m.organization_roles.iter().any(|r| r.name == "admin"))
        .count()
}

/// The organization's audited member role changes.
async fn role_changes(app: &TestApp, org_id: &str) -> Vec<logto_portal::audit::Entry> {
    let filter = Filter {
        org_id: Some(org_id.to_string()),
        action: Some("member.roles_change".into()),
        ..Default::default()
    };
    app.state.audit.list(&filter, 1, 50).await.unwrap().0
}

/// Both admins act at one barrier; returns the two statuses.
async fn at_once(
    first: &Browser,
    first_action: (String, Vec<(&'static str, String)>),
    second: &Browser,
    second_action: (String, Vec<(&'static str, String)>),
) -> (StatusCode, StatusCode) {
    let barrier = Arc::new(Barrier::new(2));
    let go = |b: &Browser, (path, fields): (String, Vec<(&'static str, String)>)| {
        let barrier = barrier.clone();
        let client = b.client.clone();
        let url = b.url(&path);
        let csrf = b.csrf.clone().unwrap_or_default();
        async move {
            let mut form: Vec<(&str, String)> = fields;
            form.push(("_csrf", csrf));
            barrier.wait().await;
            client.post(url).form(&form).send().await.unwrap().status()
        }
    };
    tokio::join!(go(first, first_action), go(second, second_action))
}

async fn demote_each_other(first_app: &TestApp, second_app: &TestApp) {
    let t = two_admins(first_app, "Mutual Demotion Co");
    let (a, member_role) = admin_on(first_app, &first_app.seed.admin_username, &t.org_id).await;
    // Signed in through the first replica (its fake Logto); acting through the second.
    let (mut b, _) = admin_on(first_app, &t.second_username, &t.org_id).await;
    b.base = second_app.url.clone();
    let roles = |user: &str| {
        (
            format!("/orgs/{}/members/{user}/roles", t.org_id),
            vec![("role_ids", member_role.clone())],
        )
    };
    let (sa, sb) = at_once(&a, roles(&t.second_id), &b, roles(&t.first_id)).await;
    let outcomes = [sa, sb];
    let refusals = assert_one_wins(&outcomes);
    assert_eq!(
        admins_left(first_app, &t.org_id, &[&t.first_id, &t.second_id]).await,
        1
    );
    let entries = role_changes(first_app, &t.org_id).await;
    assert_eq!(entries.iter().filter(|e| e.result == "success").count(), 1);
    // A refusal after the door is audited with the rule that said no; one at the door is a
    // denial (`not_org_admin`), not a role change.
    let ruled: Vec<_> = entries.iter().filter(|e| e.result != "success").collect();
    assert_eq!(ruled.len(), refusals.after_door, "{entries:?}");
    for e in ruled {
        assert!(
            matches!(
                e.error_code.as_deref(),
                Some("last_admin_guard" | "actor_no_longer_admin")
            ),
            "{e:?}"
        );
    }
}

struct Refusals {
    after_door: usize,
}

/// Exactly one of two mutual actions goes through. The other is refused either at the door
/// (404: the loser's access was re-read after the winner's change) or under the lease (422:
/// the loser is no longer an admin, or the target is the last one); which depends on timing.
fn assert_one_wins(outcomes: &[StatusCode; 2]) -> Refusals {
    let won = outcomes
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(won, 1, "exactly one goes through: {outcomes:?}");
    let loser = outcomes
        .iter()
        .find(|s| **s != StatusCode::SEE_OTHER)
        .copied()
        .unwrap();
    assert!(
        loser == StatusCode::UNPROCESSABLE_ENTITY || loser == StatusCode::NOT_FOUND,
        "the other is refused: {outcomes:?}"
    );
    Refusals {
        after_door: usize::from(loser == StatusCode::UNPROCESSABLE_ENTITY),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let app = common::spawn_app().await;
    demote_each_other(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_serialize_admin_changes_through_postgres() {
    let (first, second) = common::two_replicas().await;
    demote_each_other(&first, &second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_removing_each_other_at_once_leave_one_admin() {
    let app = common::spawn_app().await;
    let t = two_admins(&app, "Mutual Removal Co");
    let (a, _) = admin_on(&app, &app.seed.admin_username, &t.org_id).await;
    let (b, _) = admin_on(&app, &t.second_username, &t.org_id).await;
    let remove = |user: &str| (format!("/orgs/{}/members/{user}/remove", t.org_id), vec![]);
    let (sa, sb) = at_once(&a, remove(&t.second_id), &b, remove(&t.first_id)).await;
    assert_one_wins(&[sa, sb]);
    assert_eq!(
        admins_left(&app, &t.org_id, &[&t.first_id, &t.second_id]).await,
        1
    );
}

/// Both admins are let in while the test holds the organization's lease, so both pass the
/// door before either change; whoever takes the lease second is no longer an admin and is
/// refused under the lease (the check at the door alone would let them through).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_demoted_while_waiting_is_refused_under_the_lease() {
    let app = common::spawn_app().await;
    let t = two_admins(&app, "Held Lease Co");
    let (a, member_role) = admin_on(&app, &app.seed.admin_username, &t.org_id).await;
    let (b, _) = admin_on(&app, &t.second_username, &t.org_id).await;
    let roles = |user: &str| {
        (
            format!("/orgs/{}/members/{user}/roles", t.org_id),
            vec![("role_ids", member_role.clone())],
        )
    };
    let lease = Lease::acquire(
        &app.state.db,
        &format!("org-admins:{}", t.org_id),
        LEASE_WAIT,
    )
    .await
    .unwrap();
    let requests_before = app.fake.state().requests().len();
    let both = {
        let (a_action, b_action) = (roles(&t.second_id), roles(&t.first_id));
        async move { at_once(&a, a_action, &b, b_action).await }
    };
    let both = tokio::spawn(both);
    // Both requests are past the door once Logto was asked for both targets.
    let looked_up = |id: &str| {
        app.fake.state().requests()[requests_before..]
            .iter()
            .any(|r| r.query.contains(id))
    };
    for _ in 0..500 {
        if looked_up(&t.first_id) && looked_up(&t.second_id) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(looked_up(&t.first_id) && looked_up(&t.second_id));
    lease.release().await;
    let (sa, sb) = both.await.unwrap();
    let mut outcomes = [sa, sb];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    assert_eq!(
        admins_left(&app, &t.org_id, &[&t.first_id, &t.second_id]).await,
        1
    );
    let entries = role_changes(&app, &t.org_id).await;
    let codes: Vec<_> = entries.iter().map(|e| e.error_code.as_deref()).collect();
    assert_eq!(entries.len(), 2, "{codes:?}");
    assert!(codes.contains(&None), "{codes:?}");
    assert!(codes.contains(&Some("actor_no_longer_admin")), "{codes:?}");
}
