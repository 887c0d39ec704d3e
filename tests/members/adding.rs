//! Adding members: the picker, exact and substring search, its limit.

use super::*;

// ---------------------------------------------------------------------------------------
// Actions

#[tokio::test]
async fn adding_an_existing_user_with_roles() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Add Co", 3);
    let url = members_url(&org.id);
    let newcomer = person(&app, "zoe_newcomer", "Zoe Newcomer");
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let member_role = role_id(&html, "member");

    // The picker finds only people who are not members yet; an admin types the exact
    // username or email address (the substring search is for operators, see below).
    app.fake.state().clear_requests();
    let r = b
        .get_htmx(&format!("{url}/candidates?q=zoe_newcomer"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(
        attrs(&html, "input[name=user_id]", "value"),
        vec![newcomer.clone()]
    );
    let calls = app.fake.state().api_requests();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/api/users");
    assert!(
        calls[0]
            .query
            .contains(&format!("excludeOrganizationId={}", org.id)),
        "{}",
        calls[0].query
    );
    assert!(
        calls[0]
            .query
            .contains("search.username=zoe_newcomer&mode.username=exact"),
        "{}",
        calls[0].query
    );
    for q in ["pm_000", "pm_000%40members.test"] {
        let (_, html) = b.get_text(&format!("{url}/add?q={q}")).await;
        assert!(
            attrs(&html, "input[name=user_id]", "value").is_empty(),
            "members are not offered: {q}"
        );
    }
    let (_, html) = b.get_text(&format!("{url}/add?q=z")).await;
    assert!(html.contains("full email address or username"));

    // Nobody chosen: the form comes back with a message.
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[("role_ids", &member_role), ("q", "zoe_newcomer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        texts(&html, "#add-error"),
        vec!["Choose the person to add."]
    );
    assert_eq!(
        attrs(&html, "input[name=user_id]", "value"),
        vec![newcomer.clone()],
        "the search is kept"
    );

    // Plain form: added, with the role, then back to the list with a message.
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[
                ("user_id", &newcomer),
                ("role_ids", &member_role),
                ("q", "zoe_newcomer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), url);
    assert_eq!(
        member_roles(&app, &org.id, &newcomer).await,
        Some(vec!["member".to_string()])
    );
    let (_, html) = b.get_text(&url).await;
    assert_eq!(
        texts(&html, "#members-table .alert-success"),
        vec!["Zoe Newcomer was added to Add Co."]
    );
    let entries = audit(&app, &org.id, "member.add").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].actor_id.as_deref(), Some(org.admin_id.as_str()));
    assert_eq!(entries[0].target_id.as_deref(), Some(newcomer.as_str()));
    assert!(entries[0].details.contains("member"));

    // htmx: the panel answers, and the table is told to reload itself.
    let other = person(&app, "yann_other", "Yann Other");
    let r = b
        .post_htmx(&format!("{url}/add"), &[("user_id", &other)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("hx-trigger").unwrap(), "members-changed");
    let html = r.text().await.unwrap();
    assert_eq!(
        texts(&html, "#add-panel .alert-success"),
        vec!["Yann Other was added to Add Co."]
    );
    assert_eq!(member_roles(&app, &org.id, &other).await, Some(vec![]));

    // An unknown role is refused before anything changes.
    let third = person(&app, "xena_third", "Xena Third");
    let r = b
        .post_form(
            &format!("{url}/add"),
            &[("user_id", &third), ("role_ids", "no-such-role")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("does not exist"));
    assert_eq!(member_roles(&app, &org.id, &third).await, None);
    let failed: Vec<_> = audit(&app, &org.id, "member.add")
        .await
        .into_iter()
        .filter(|e| e.result == "failure")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("unknown_role"));
}

/// The picker's answer for `q`: status, offered user ids, and the markup with `q` blanked.
pub(crate) async fn pick(b: &Browser, url: &str, q: &str) -> (StatusCode, Vec<String>, String) {
    let r = b
        .get_htmx(&format!("{url}/candidates?q={}", common::urlencode(q)))
        .await;
    let status = r.status();
    let html = r.text().await.unwrap();
    let ids = attrs(&html, "input[name=user_id]", "value");
    let shape = html.replace(&format!("value=\"{q}\""), "value=\"…\"");
    (status, ids, shape)
}

#[tokio::test]
async fn admins_find_people_only_by_exact_email_or_username() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Exact Co", 2);
    let url = members_url(&org.id);
    let zoe = person(&app, "zoe_outsider", "Zoe Outsider");
    let b = signed_in(&app, &app.seed.admin_username, &url).await;

    // The hint says what to type.
    let (_, html) = b.get_text(&format!("{url}/add")).await;
    assert!(
        texts(&html, "#add-q-hint")[0].contains("full email address or the exact username"),
        "{html}"
    );
    // Parts of a name, username or address find nobody.
    for partial in [
        "zoe",
        "Zoe Outsider",
        "outsider",
        "zoe_outsider@members",
        "members.test",
    ] {
        let (status, ids, _) = pick(&b, &url, partial).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ids.is_empty(), "{partial}: {ids:?}");
    }
    // The exact address or username finds the one person.
    for exact in ["zoe_outsider@members.test", "zoe_outsider"] {
        let (_, ids, _) = pick(&b, &url, exact).await;
        assert_eq!(ids, vec![zoe.clone()], "{exact}");
    }
    // A member, an unknown address and a malformed one all answer the same markup.
    let (_, ids, member_shape) = pick(&b, &url, "pm_001@members.test").await;
    assert!(ids.is_empty());
    let (_, _, unknown_shape) = pick(&b, &url, "nobody@members.test").await;
    let (_, _, malformed_shape) = pick(&b, &url, "no@body@members.test").await;
    assert_eq!(member_shape, unknown_shape);
    assert_eq!(member_shape, malformed_shape);
    // No substring search ever reached Logto for the admin.
    let substring = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path == "/api/users" && r.query.contains("%25"))
        .count();
    assert_eq!(substring, 0);
}

#[tokio::test]
async fn operators_and_the_tenant_setting_keep_the_substring_search() {
    for tenant in [false, true] {
        let app = if tenant {
            common::Spawn::default()
                .env("PORTAL_ADMIN_USER_SEARCH", "tenant")
                .start()
                .await
        } else {
            common::spawn_app().await
        };
        let org = org_with_members(&app, "Wide Co", 1);
        let url = members_url(&org.id);
        let zoe = person(&app, "zoe_wide", "Zoe Wide");
        let who = if tenant {
            app.seed.admin_username.clone()
        } else {
            app.seed.operator_username.clone()
        };
        let b = signed_in(&app, &who, &url).await;
        app.fake.state().clear_requests();
        let (status, ids, html) = pick(&b, &url, "zoe").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ids, vec![zoe.clone()], "tenant={tenant}: {html}");
        let calls = app.fake.state().api_requests();
        assert!(
            calls[0].query.contains("search.primaryEmail=%25zoe%25"),
            "{}",
            calls[0].query
        );
        let (_, _, html) = pick(&b, &url, "z").await;
        assert!(html.contains("at least 2 characters"), "{html}");
        let (_, html) = b.get_text(&format!("{url}/add")).await;
        assert!(texts(&html, "#add-q-hint")[0].contains("at least 2 characters"));
    }
}

#[tokio::test]
async fn the_picker_is_rate_limited_for_admins() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Limit Co", 1);
    let url = members_url(&org.id);
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    app.fake.state().clear_requests();
    // 30 look-ups per 10 minutes (src/limits.rs), then a clear refusal without a call.
    for i in 0..30 {
        let (status, _, _) = pick(&b, &url, &format!("guess{i}@example.com")).await;
        assert_eq!(status, StatusCode::OK, "look-up {i}");
    }
    let (status, ids, html) = pick(&b, &url, "zoe@example.com").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(ids.is_empty());
    assert!(
        texts(&html, "#candidates-message")[0].starts_with("Too many attempts. Try again in"),
        "{html}"
    );
    let lookups = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.path == "/api/users")
        .count();
    assert_eq!(lookups, 30);
    let refused = audit(&app, &org.id, "security.rate_limited").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].error_code.as_deref(),
        Some("directory_searches_throttled")
    );
    // Operators are not counted (they read the whole directory on /users anyway).
    let op = signed_in(&app, &app.seed.operator_username, &url).await;
    let (status, _, _) = pick(&op, &url, "zoe").await;
    assert_eq!(status, StatusCode::OK);
}
