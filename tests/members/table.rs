//! The member table: paging, search, the role filter.

use super::*;

// ---------------------------------------------------------------------------------------
// The table

#[tokio::test]
async fn paging_follows_total_number_and_keeps_the_url() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Paging Co", 45);
    let url = members_url(&org.id);
    let b = app.admin().await;

    let (status, html) = b.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), vec!["Members of Paging Co"]);
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 20);
    assert!(html.contains("1–20 of 46"), "{html}");
    let next = attrs(&html, ".pager a[rel=next]", "href");
    assert_eq!(next, vec![format!("{url}?page=2&page_size=20")]);
    assert_eq!(
        attrs(&html, ".pager a[rel=next]", "hx-push-url"),
        vec!["true"]
    );
    // Compact pager: three pages are reached with previous/next, so no "Go to page" box
    // (it appears past five pages; src/web/pager.rs tests it).
    assert!(attrs(&html, ".pager input[name=page]", "max").is_empty());
    assert_eq!(
        attrs(&html, ".pager select[name=page_size]", "name"),
        vec!["page_size"]
    );
    assert!(member_calls(&app, &org.id).contains(&"page=1&page_size=20".to_string()));

    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?page=3&page_size=20")).await;
    assert!(html.contains("41–46 of 46"), "{html}");
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 6);
    assert!(attrs(&html, ".pager a[rel=next]", "href").is_empty());
    assert_eq!(member_calls(&app, &org.id), vec!["page=3&page_size=20"]);

    // Members come ordered by user id, as Logto sends them: page 1 + 2 + 3 = everyone once.
    let mut seen = BTreeSet::new();
    for page in 1..=3 {
        let (_, html) = b.get_text(&format!("{url}?page={page}")).await;
        for id in attrs(&html, "#members-table tbody tr", "id") {
            assert!(seen.insert(id));
        }
    }
    assert_eq!(seen.len(), 46);

    let (_, html) = b.get_text(&format!("{url}?page_size=50")).await;
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 46);
    assert!(html.contains("1–46 of 46"));
    // Bad paging values fall back instead of reaching Logto.
    app.fake.state().clear_requests();
    let (status, _) = b.get_text(&format!("{url}?page=0&page_size=1000")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(member_calls(&app, &org.id), vec!["page=1&page_size=20"]);

    // Past the end: an explanation and a way back, not a broken pager.
    let (_, html) = b.get_text(&format!("{url}?page=9")).await;
    assert!(html.contains("past the end"), "{html}");
    assert_eq!(
        attrs(&html, "#members-table .empty-state a", "href"),
        vec![format!("{url}?page=1&page_size=20")]
    );
}

#[tokio::test]
async fn search_and_role_filter_reach_logto_and_swap_only_the_table() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Search Co", 25);
    let url = members_url(&org.id);
    let b = app.admin().await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let member_role = role_id(&html, "member");

    app.fake.state().clear_requests();
    let r = b.get_htmx(&format!("{url}?q=member+01&page_size=50")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let push = r
        .headers()
        .get("hx-push-url")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(push, format!("{url}?q=member+01&page=1&page_size=50"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html"), "a fragment, not a page");
    let names = texts(&html, "tbody th.member-name");
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("Paging Member 01")));
    assert_eq!(
        member_calls(&app, &org.id),
        vec!["q=member+01&page=1&page_size=50"]
    );
    // The filter form's page size and the live status follow out of band.
    assert_eq!(
        attrs(&html, "#members-page-size[hx-swap-oob]", "value"),
        vec!["50"]
    );
    assert_eq!(texts(&html, "#members-status"), vec!["10 members found."]);

    // Role filter: the admin alone.
    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?role={admin_role}")).await;
    assert_eq!(texts(&html, "tbody th.member-name"), vec!["Adam Admin you"]);
    if server_filters_by_role(&app) {
        assert_eq!(
            member_calls(&app, &org.id),
            vec![format!(
                "organizationRoleId={admin_role}&page=1&page_size=20"
            )]
        );
    } else {
        // Logto before 1.41 ignores the parameter: the portal reads the members and filters.
        assert_eq!(member_calls(&app, &org.id), vec!["page=1&page_size=100"]);
    }
    assert_eq!(
        attrs(&html, "#members-role option[selected]", "value"),
        vec![admin_role.clone()]
    );
    // Paging links and the export keep the filter.
    let (_, html) = b
        .get_text(&format!("{url}?role={member_role}&q=paging"))
        .await;
    assert!(html.contains("1–20 of 25"));
    let next = attrs(&html, ".pager a[rel=next]", "href");
    assert_eq!(
        next,
        vec![format!(
            "{url}?q=paging&role={member_role}&page=2&page_size=20"
        )]
    );
    assert_eq!(
        attrs(&html, "#members-export", "href"),
        vec![format!("{url}/export.csv?q=paging&role={member_role}")]
    );
    // The search form works without JavaScript too: a plain GET to the same address.
    assert_eq!(attrs(&html, "#members-filter", "method"), vec!["get"]);
    assert_eq!(attrs(&html, "#members-filter", "action"), vec![url.clone()]);
    assert_eq!(attrs(&html, "#members-q", "value"), vec!["paging"]);

    // Nothing matches: an empty state, not an empty table.
    let (_, html) = b.get_text(&format!("{url}?q=nobody-here")).await;
    assert_eq!(
        texts(&html, "#members-table .empty-state"),
        vec!["No member matches this search or role."]
    );
    // Wildcards are escaped: `%` matches only a literal percent sign.
    app.fake.state().clear_requests();
    let (_, html) = b.get_text(&format!("{url}?q=%25")).await;
    assert!(texts(&html, "#members-table tbody tr").is_empty());
    assert_eq!(
        member_calls(&app, &org.id),
        vec!["q=%5C%25&page=1&page_size=20"]
    );
}

#[tokio::test]
async fn a_warm_member_page_costs_one_call_and_a_cold_one_at_most_two() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Cost Co", 30);
    let url = members_url(&org.id);
    let admin = app.admin().await;
    let operator = app.operator().await;

    app.fake.state().clear_requests();
    let (status, _) = admin.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    let cold = app.fake.state().api_requests();
    assert!(cold.len() <= 2, "{cold:?}");
    app.fake.state().clear_requests();
    admin.get_text(&format!("{url}?page=2")).await;
    let warm = app.fake.state().api_requests();
    assert_eq!(warm.len(), 1, "{warm:?}");
    assert_eq!(warm[0].path, format!("/api/organizations/{}/users", org.id));

    // Operators need the organization's name too; it is cached like the roles.
    operator.get_text(&url).await;
    app.fake.state().clear_requests();
    let (status, html) = operator.get_text(&format!("{url}?page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), vec!["Members of Cost Co"]);
    let warm = app.fake.state().api_requests();
    assert_eq!(warm.len(), 1, "{warm:?}");
    assert_eq!(warm[0].path, format!("/api/organizations/{}/users", org.id));
    assert_eq!(
        texts(&html, "#members-table tbody tr").len(),
        11,
        "20 + 11 = 31 members"
    );
}

#[tokio::test]
async fn the_url_alone_reproduces_the_view_without_htmx() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Bookmark Co", 30);
    let url = members_url(&org.id);
    let b = app.admin().await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");
    let view = format!("{url}?q=paging&role={member_role}&page=2&page_size=20");
    let (_, full) = b.get_text(&view).await;
    let fragment = b.get_htmx(&view).await.text().await.unwrap();
    let rows = |h: &str| attrs(h, "#members-table tbody tr, tbody tr", "id");
    assert_eq!(rows(&full), rows(&fragment));
    assert_eq!(rows(&full).len(), 10);
    assert!(full.contains("<html"));
    assert_eq!(
        attrs(&full, "#members-role option[selected]", "value"),
        vec![member_role]
    );
}
