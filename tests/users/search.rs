//! Search: exact query strings and refusals shown in place.

use super::*;

// ---------------------------------------------------------------------------------------
// Search: exact query strings

#[tokio::test]
async fn quick_search_is_a_contains_search_with_wildcards_escaped() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let st = app.fake.state();
    st.create_user(user("50%_off Deal", "deal_one", "deal1@shop.test"));
    st.create_user(user("500 offers", "deal_two", "deal2@shop.test"));
    st.create_user(user("Back\\slash", "slashy", "slash@shop.test"));

    let (status, html, sent) = sent_for(&app, &b, "q=50%25_off").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent, ["search=%2550%5C%25%5C_off%25&page=1&page_size=20"]);
    assert_eq!(names(&html), ["50%_off Deal"], "% and _ match literally");

    let (_, html, sent) = sent_for(&app, &b, "q=k%5Cs").await;
    assert_eq!(sent, ["search=%25k%5C%5Cs%25&page=1&page_size=20"]);
    assert_eq!(names(&html), ["Back\\slash"]);

    // Case-insensitive unless asked; surrounding spaces are dropped.
    let (_, html, sent) = sent_for(&app, &b, "q=++LOVELACE++").await;
    assert_eq!(sent, ["search=%25LOVELACE%25&page=1&page_size=20"]);
    assert_eq!(names(&html).len(), 20);
    let (_, html, sent) = sent_for(&app, &b, "q=LOVELACE&cs=1").await;
    assert_eq!(
        sent,
        ["search=%25LOVELACE%25&isCaseSensitive=true&page=1&page_size=20"]
    );
    assert!(names(&html).is_empty());
    assert!(text_of(&html, "#users-results").contains("No users match"));
    // The form shows what was searched.
    assert_eq!(
        attr(&html, "#users-q", "value").as_deref(),
        Some("LOVELACE")
    );
    assert!(attr(&html, "#users-cs", "checked").is_some());
}

#[tokio::test]
async fn every_advanced_mode_sends_logtos_grammar() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let acme = app.seed.org_ids[0].clone();
    let cases: Vec<(String, String)> = vec![
        // contains on one field
        (
            "f1=name&m1=contains&v1=Lov".into(),
            "search.name=%25Lov%25&page=1&page_size=20".into(),
        ),
        // starts with, wildcard escaped
        (
            "f1=username&m1=starts&v1=alice_".into(),
            "search.username=alice%5C_%25&page=1&page_size=20".into(),
        ),
        // exact values on one field repeat the key; match all is `joint=and`
        (
            "f1=email&m1=exact&v1=Alice.Lovelace%40acme.test&f2=email&m2=exact&v2=bruno.lovelace%40globex.test".into(),
            "search.primaryEmail=Alice.Lovelace%40acme.test&search.primaryEmail=bruno.lovelace%40globex.test&mode.primaryEmail=exact&joint=and&page=1&page_size=20".into(),
        ),
        // regex: POSIX, verbatim; case rules come from the one global flag
        (
            "f1=username&m1=regex&v1=%5Ea.*_lovelace%24".into(),
            "search.username=%5Ea.*_lovelace%24&mode.username=posix&page=1&page_size=20".into(),
        ),
        (
            "f1=username&m1=regex&v1=%5EA&cs=1".into(),
            "search.username=%5EA&mode.username=posix&isCaseSensitive=true&page=1&page_size=20".into(),
        ),
        // match any is Logto's default: no `joint`
        (
            "q=okafor&f1=phone&m1=starts&v1=1555&joint=any".into(),
            "search=%25okafor%25&search.primaryPhone=1555%25&page=1&page_size=20".into(),
        ),
        // blank values are never sent
        (
            "q=&f1=name&m1=contains&v1=&f2=email&m2=exact&v2=+++&joint=any&cs=".into(),
            "page=1&page_size=20".into(),
        ),
        // filters
        (
            format!("org={acme}&page_size=100"),
            format!("excludeOrganizationId={acme}&page=1&page_size=100"),
        ),
        (
            "role=r0le&page_size=100".into(),
            "excludeRoleId=r0le&page=1&page_size=100".into(),
        ),
    ];
    for (portal, logto) in &cases {
        let (status, html, sent) = sent_for(&app, &b, portal).await;
        assert_eq!(status, StatusCode::OK, "{portal}: {html}");
        assert_eq!(sent, std::slice::from_ref(logto), "{portal}");
        assert!(!sent[0].contains("similar_to"));
    }

    // The results are what those searches mean.
    let (_, html, _) = sent_for(&app, &b, &cases[2].0).await;
    assert_eq!(names(&html), ["Alice Lovelace", "Bruno Lovelace"]);
    let (_, html, _) = sent_for(&app, &b, &cases[3].0).await;
    assert_eq!(names(&html), ["Alice Lovelace"]);
    let (_, html, _) = sent_for(&app, &b, &cases[4].0).await;
    assert!(
        names(&html).is_empty(),
        "case-sensitive ^A matches no lowercase username"
    );
    let (_, html, _) = sent_for(&app, &b, &cases[7].0).await;
    assert!(
        !names(&html).iter().any(|n| n == "Mia Member"),
        "Acme members are left out"
    );
    assert!(names(&html).iter().any(|n| n == "Olivia Operator"));
}

#[tokio::test]
async fn the_url_reproduces_the_view_and_the_form() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let url = "/users?q=a&f1=name&m1=starts&v1=Al&f2=email&m2=exact&v2=x%40y.z&joint=any&cs=1&page_size=50";
    let (status, html) = b.get_text(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr(&html, "#v1", "value").as_deref(), Some("Al"));
    assert_eq!(
        attr(&html, "#f1 option[selected]", "value").as_deref(),
        Some("name")
    );
    assert_eq!(
        attr(&html, "#m1 option[selected]", "value").as_deref(),
        Some("starts")
    );
    assert_eq!(
        attr(&html, "#f2 option[selected]", "value").as_deref(),
        Some("email")
    );
    assert_eq!(
        attr(&html, "#m2 option[selected]", "value").as_deref(),
        Some("exact")
    );
    assert_eq!(
        attr(&html, "#users-joint option[selected]", "value").as_deref(),
        Some("any")
    );
    assert_eq!(
        attr(&html, "#users-search input[name=page_size]", "value").as_deref(),
        Some("50")
    );
    assert!(attr(&html, "#users-advanced", "open").is_some());
    // The export covers every page of the same search.
    assert_eq!(
        attr(&html, "#users-export", "href").unwrap(),
        "/users/export.csv?q=a&f1=name&m1=starts&v1=Al&f2=email&m2=exact&v2=x%40y.z&joint=any&cs=1"
    );

    // htmx: only the results come back, and the address bar gets the canonical URL.
    let resp = b
        .get_htmx("/users?q=lovelace&f1=name&m1=contains&v1=&joint=all")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("hx-push-url").unwrap().to_str().unwrap(),
        "/users?q=lovelace"
    );
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<html"));
    assert!(
        !html.contains("id=\"users-search\""),
        "the form being typed in is not replaced"
    );
    assert_eq!(names(&html).len(), 20);
    assert!(html.contains("id=\"users-status\" hx-swap-oob=\"innerHTML\""));
    assert_eq!(
        attr(&html, ".pager a[rel=next]", "href").unwrap(),
        "/users?q=lovelace&page=2&page_size=20"
    );
    assert_eq!(
        attr(&html, ".pager a[rel=next]", "hx-target").unwrap(),
        "#users-results"
    );
}

#[tokio::test]
async fn add_and_remove_condition_work_as_plain_submits() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;

    // "Add condition" keeps the filled and blank rows and adds one, focused.
    let (status, html) = b
        .get_text("/users?q=&f1=name&m1=contains&v1=Lov&add=1")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(attr(&html, "#v1", "value").as_deref(), Some("Lov"));
    assert_eq!(attr(&html, "#v2", "value").as_deref(), Some(""));
    assert!(attr(&html, "#v2", "data-autofocus").is_some());
    assert_eq!(names(&html).len(), 20, "the search still runs");
    // The first submit button is the plain search, so Enter never removes a row.
    let first_submit = attr(&html, "#users-search button[type=submit]", "name");
    assert_eq!(first_submit, None);

    // "Remove" drops that row and renumbers the rest.
    let (_, html) = b
        .get_text("/users?f1=name&m1=contains&v1=zzz&f2=username&m2=starts&v2=alice_love&remove=1")
        .await;
    assert_eq!(
        attr(&html, "#f1 option[selected]", "value").as_deref(),
        Some("username")
    );
    assert_eq!(attr(&html, "#v1", "value").as_deref(), Some("alice_love"));
    assert!(attr(&html, "#v2", "value").is_none());
    assert_eq!(names(&html).len(), 1);

    // With htmx the whole panel is swapped, since its shape changed: the add and remove
    // buttons target it themselves (no retargeting by the server).
    let (_, page) = b.get_text("/users?f1=name&m1=contains&v1=Lov").await;
    assert_eq!(
        attr(&page, "button[name=add]", "hx-target").as_deref(),
        Some("#users-view")
    );
    assert_eq!(
        attr(&page, "button[name=add]", "hx-swap").as_deref(),
        Some("outerHTML")
    );
    let resp = b.get_htmx("/users?f1=name&m1=contains&v1=Lov&add=1").await;
    assert!(resp.headers().get("hx-retarget").is_none());
    assert_eq!(
        resp.headers().get("hx-push-url").unwrap(),
        "/users?f1=name&m1=contains&v1=Lov"
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"users-view\""));
    assert!(html.contains("id=\"v2\""));
}

// ---------------------------------------------------------------------------------------
// Search: refusals shown in place

#[tokio::test]
async fn logtos_400_is_shown_beside_the_search_and_no_stale_rows() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;

    let (status, html, sent) = sent_for(
        &app,
        &b,
        "f1=name&m1=contains&v1=Lov&f2=username&m2=regex&v2=(",
    )
    .await;
    assert_eq!(sent.len(), 1, "Logto was asked");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = text_of(&html, "#users-search-error");
    assert!(
        message.contains("a pattern in the conditions is not valid"),
        "{message}"
    );
    assert!(
        !message.contains("Invalid regular expression"),
        "never Logto's own text: {message}"
    );
    assert!(
        !message.contains("request.invalid_input"),
        "in words, not codes"
    );
    assert_eq!(attr(&html, "#v2", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        attr(&html, "#v2", "aria-describedby").as_deref(),
        Some("users-search-error")
    );
    assert!(attr(&html, "#v1", "aria-invalid").is_none());
    assert!(names(&html).is_empty());
    assert!(
        attr(&html, "#users-table", "id").is_none(),
        "no table at all"
    );
    assert!(attr(&html, "#users-export", "href").is_none());
    assert_eq!(
        attr(&html, "#v2", "value").as_deref(),
        Some("("),
        "the input is kept"
    );

    // The same through htmx: results emptied, message out of band next to the panel.
    let resp = b.get_htmx("/users?f1=username&m1=regex&v1=(").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.headers().get("hx-retarget").is_none(),
        "not an error page"
    );
    let html = resp.text().await.unwrap();
    assert!(attr(&html, "#users-table", "id").is_none());
    assert_eq!(
        attr(&html, "#users-search-error", "hx-swap-oob").as_deref(),
        Some("innerHTML")
    );
    assert!(
        text_of(&html, "#users-search-error").contains("a pattern in the conditions is not valid")
    );
    // A later good search clears the message.
    let html = b.get_htmx("/users?q=alice").await.text().await.unwrap();
    assert_eq!(text_of(&html, "#users-search-error"), "");

    // Both filters at once (only by address: the form offers one choice): not sent to
    // Logto, which would refuse; the filter is marked and says why in words.
    let acme = &app.seed.org_ids[0];
    let (status, html, sent) = sent_for(&app, &b, &format!("org={acme}&role=abc")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sent.is_empty(), "nothing was sent to Logto");
    let message = text_of(&html, "#users-exclude-error");
    assert!(message.contains("Choose only one"), "{message}");
    assert!(!html.contains("excludeRoleId"));
    assert_eq!(
        attr(&html, "#users-exclude", "aria-invalid").as_deref(),
        Some("true")
    );
}

#[tokio::test]
async fn leaving_out_is_one_choice_of_organization_or_role() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let acme = app.seed.org_ids[0].clone();
    let html = b.get("/users").await.text().await.unwrap();
    // One select: organizations and roles as its groups, so only one can be chosen.
    assert_eq!(select_all(&html, "select[name=exclude]").len(), 1);
    assert!(select_all(&html, "select[name=org], select[name=role]").is_empty());
    let groups = select_all(&html, "#users-exclude optgroup");
    assert_eq!(groups.len(), 2);
    assert_eq!(
        attr(
            &html,
            &format!("#users-exclude option[value='org:{acme}']"),
            "value"
        ),
        Some(format!("org:{acme}"))
    );
    // The choice reaches Logto as its one filter, and the address says it plainly.
    let (status, html, sent) = sent_for(&app, &b, &format!("exclude=org%3A{acme}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sent,
        [format!("excludeOrganizationId={acme}&page=1&page_size=20")]
    );
    assert_eq!(
        attr(&html, "#users-exclude option[selected]", "value"),
        Some(format!("org:{acme}"))
    );
    let resp = b.get_htmx(&format!("/users?exclude=org%3A{acme}")).await;
    assert_eq!(
        resp.headers().get("hx-push-url").unwrap(),
        &format!("/users?org={acme}")
    );
    // The hint reads as words for people.
    let html = b.get("/users").await.text().await.unwrap();
    let hint = text_of(&html, "#users-q-hint");
    assert!(hint.contains("exactly as you type"), "{hint}");
    assert!(!hint.contains('%') && !hint.contains("literal"), "{hint}");
}

#[tokio::test]
async fn conditions_logto_cannot_combine_are_explained_before_asking() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let (status, html, sent) =
        sent_for(&app, &b, "f1=name&m1=contains&v1=a&f2=name&m2=starts&v2=b").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sent.is_empty(), "nothing was sent to Logto");
    let message = text_of(&html, "#users-search-error");
    assert!(message.contains("Condition 2 (Name)"), "{message}");
    assert_eq!(attr(&html, "#v2", "aria-invalid").as_deref(), Some("true"));
    assert!(attr(&html, "#v1", "aria-invalid").is_none());
    assert!(text_of(&html, "#users-results").contains("Correct the search"));
}

#[tokio::test]
async fn logto_down_gives_a_clear_message() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    app.fake.state().fail_next_api(50, 503);
    let (status, html) = b.get_text("/users?q=alice").await;
    assert!(status.is_server_error(), "{status}");
    assert!(html.contains("Logto"), "{html}");
    app.fake.state().fail_next_api(50, 503);
    let resp = b.get_htmx("/users?q=alice").await;
    assert!(resp.status().is_server_error());
    assert_eq!(resp.headers().get("hx-retarget").unwrap(), "#alerts");
    app.fake.state().fail_next_api(0, 503);
}
