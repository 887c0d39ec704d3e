//! Access, the list and paging.

use super::*;

// ---------------------------------------------------------------------------------------
// Access

#[tokio::test]
async fn only_operators_may_use_the_directory() {
    let app = common::spawn_app().await;
    let member_id = app.user_id(&app.seed.member_username);

    let anonymous = app.browser();
    let resp = anonymous.get("/users").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/sign-in"));

    let acme = &app.seed.org_ids[0];
    for mut b in [app.admin().await, app.member().await] {
        for page in ["/profile".to_string(), format!("/orgs/{acme}/members")] {
            if b.csrf.is_none() {
                let html = b.get(&page).await.text().await.unwrap();
                b.csrf = hidden_value(&html, "_csrf");
            }
        }
        for path in [
            "/users".to_string(),
            "/users?q=a".to_string(),
            "/users/export.csv".to_string(),
            format!("/users/{member_id}"),
            format!("/users/{member_id}/suspend"),
            format!("/users/{member_id}/delete"),
        ] {
            assert_eq!(b.get(&path).await.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let htmx = b.get_htmx("/users?q=a").await;
        assert_eq!(htmx.status(), StatusCode::FORBIDDEN);
        for path in [
            format!("/users/{member_id}/suspend"),
            format!("/users/{member_id}/delete"),
            format!("/users/{member_id}/roles"),
        ] {
            let resp = b
                .post_form(&path, &[("confirm", "mia_member"), ("role_id", "x")])
                .await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert!(!is_suspended(&app, &member_id));
    assert!(app.fake.state().user_json(&member_id).is_some());
}

// ---------------------------------------------------------------------------------------
// The list and paging

#[tokio::test]
async fn list_is_newest_first_and_pages_from_logto_headers() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let newest = app
        .fake
        .state()
        .create_user(user("Zed Newest", "zed_newest", "zed@new.test"));

    let (status, html, sent) = sent_for(&app, &b, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent, ["page=1&page_size=20"]);
    let total = app
        .state
        .logto
        .list_users(&Default::default())
        .await
        .unwrap()
        .total;
    assert!(total > 60, "the demo has many users");
    let rows = names(&html);
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0], "Zed Newest", "newest first, as Logto returns them");
    assert!(html.contains(&format!("href=\"/users/{newest}\"")));
    assert!(text_of(&html, ".pager .summary").contains(&format!("1–20 of {total}")));
    assert!(text_of(&html, "#users-status").contains(&format!("{total}")));
    // One suspended user in the demo: the badge shows somewhere across the pages.
    let last = total.div_ceil(50);
    let (_, html, sent) = sent_for(&app, &b, &format!("page={last}&page_size=50")).await;
    assert_eq!(sent, [format!("page={last}&page_size=50")]);
    let shown = names(&html).len() as u64;
    assert_eq!(shown, total - (last - 1) * 50);
    assert!(text_of(&html, ".pager .summary")
        .contains(&format!("{}–{total} of {total}", (last - 1) * 50 + 1)));
    // First and previous are links on the last page; next and last are not.
    let links = select_all(&html, ".pager a");
    assert_eq!(links, ["First", "Previous"]);
    assert_eq!(
        attr(&html, ".pager a[rel=prev]", "href").unwrap(),
        format!("/users?page={}&page_size=50", last - 1)
    );

    // Sizes other than 20/50/100 fall back to 20; page 0 to 1.
    let (_, _, sent) = sent_for(&app, &b, "page=0&page_size=7").await;
    assert_eq!(sent, ["page=1&page_size=20"]);

    // Past the end: no stale rows, a way back.
    let (status, html, _) = sent_for(&app, &b, "page=99").await;
    assert_eq!(status, StatusCode::OK);
    assert!(names(&html).is_empty());
    let back = attr(&html, "#users-results p.empty a", "href").unwrap();
    assert_eq!(
        back,
        format!("/users?page={}&page_size=20", total.div_ceil(20))
    );
}

#[tokio::test]
async fn suspended_users_carry_a_badge() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    // The demo suspends exactly one user; find them through an exact id search.
    let all = app
        .state
        .logto
        .list_users(&logto_portal::logto::UserQuery {
            page_size: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let suspended = all.items.iter().find(|u| u.is_suspended).unwrap();
    let (_, html, _) = sent_for(&app, &b, &format!("f1=id&m1=exact&v1={}", suspended.id)).await;
    assert_eq!(names(&html), [suspended.display_name()]);
    assert_eq!(text_of(&html, "#users-table .badge-danger"), "Suspended");
}
