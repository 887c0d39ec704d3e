//! Large organizations (issue 19): the role filter and the last-admin guard stay correct and
//! cheap when an organization has thousands of members, also on a Logto that cannot filter
//! members by role (1.37), where the portal keeps a member→roles index.

use super::*;

use fake_logto::SCALE_ADMIN_USERNAME;

/// Member ids holding `role` in Logto's order, from the fake itself.
fn holders(app: &TestApp, org_id: &str, role: &str) -> Vec<String> {
    let st = app.fake.state();
    st.member_ids(org_id)
        .into_iter()
        .filter(|id| st.member_role_names(org_id, id).iter().any(|r| r == role))
        .collect()
}

/// The member ids a member page lists, in order (each row is `member-<id>`).
fn listed_ids(html: &str) -> Vec<String> {
    attrs(html, "#members-table tbody tr", "id")
        .into_iter()
        .filter_map(|id| id.strip_prefix("member-").map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_role_filter_of_a_large_organization_is_right_and_warm_views_cost_at_most_two_calls() {
    let app = common::spawn_app().await;
    let seed = app.fake.state().seed_scale(3_000, 3_000);
    let org = seed.org_id.clone();
    let url = members_url(&org);
    let b = signed_in(&app, SCALE_ADMIN_USERNAME, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    // Every admin, wherever they sit in the member list (3,000 members: beyond the 2,000 the
    // portal used to read per view).
    let admins = holders(&app, &org, "admin");
    assert_eq!(admins.len(), seed.admins);
    let (status, html) = b.get_text(&format!("{url}?role={admin_role}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_ids(&html), admins);
    assert_eq!(
        texts(&html, "#members-status"),
        vec![format!("{} members found.", admins.len())]
    );
    assert!(!html.contains("were checked for this role"), "{html}");

    // A page deep into the most common role: the same people as Logto's own order, and a warm
    // view costs at most two Management API calls (one on 1.37: the page's people by id).
    let members = holders(&app, &org, "member");
    let page = format!("{url}?role={member_role}&page=40&page_size=50");
    app.fake.state().clear_requests();
    let (status, html) = b.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_ids(&html), members[1950..2000].to_vec());
    let warm = app.recorded_calls();
    assert!(warm.len() <= 2, "{warm:?}");
    if !server_filters_by_role(&app) {
        assert!(
            warm.iter().all(|c| !c.contains("/users?page")),
            "no member pages read on a warm view: {warm:?}"
        );
    }
}

#[tokio::test]
async fn an_admin_far_down_the_member_list_is_found_and_a_stale_index_never_lets_the_last_admin_go()
{
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let seed = st.seed_scale(2_500, 2_500);
    let org = seed.org_id.clone();
    let url = members_url(&org);
    let me = app.user_id(SCALE_ADMIN_USERNAME);
    // Exactly two admins: this one and the member last in Logto's order (past the 2,000
    // members the guard used to read, so it refused this change).
    let ids = st.member_ids(&org);
    let far = ids.iter().rev().find(|id| **id != me).unwrap().clone();
    for id in holders(&app, &org, "admin") {
        st.set_member_roles(&org, &id, &["member"]);
    }
    st.set_member_roles(&org, &me, &["admin"]);
    st.set_member_roles(&org, &far, &["admin"]);

    let b = signed_in(&app, SCALE_ADMIN_USERNAME, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");
    let (_, html) = b.get_text(&format!("{url}?role={admin_role}")).await;
    let mut listed = listed_ids(&html);
    listed.sort();
    let mut both = vec![me.clone(), far.clone()];
    both.sort();
    assert_eq!(listed, both);

    // Outside the portal (Logto Console) the far admin steps down: the portal's copy is stale,
    // yet it must not let this admin go, leaving nobody.
    st.set_member_roles(&org, &far, &["member"]);
    let roles = format!("{url}/{me}/roles");
    let r = b
        .post_form(&roles, &[("role_ids", &member_role), ("back", &url)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is the last admin"));
    assert_eq!(st.member_role_names(&org, &me), ["admin"]);

    // Back as an admin outside the portal; now this admin may step down.
    st.set_member_roles(&org, &far, &["admin"]);
    let r = b
        .post_form(&roles, &[("role_ids", &member_role), ("back", &url)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    assert_eq!(st.member_role_names(&org, &me), ["member"]);
    assert_eq!(st.member_role_names(&org, &far), ["admin"]);

    // The change shows at once in the role filter (an operator's view: this person is no
    // longer an admin), warm, at most two calls.
    let op = app.operator().await;
    op.get_text(&format!("{url}?role={admin_role}")).await;
    app.fake.state().clear_requests();
    let (_, html) = op.get_text(&format!("{url}?role={admin_role}")).await;
    assert_eq!(listed_ids(&html), vec![far.clone()]);
    let warm = app.recorded_calls();
    assert!(warm.len() <= 2, "{warm:?}");
}
