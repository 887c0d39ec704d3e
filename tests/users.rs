//! The operators' user directory (`/users`) against the fake Logto, over real HTTP: the exact
//! search query strings sent to Logto, paging from its headers, Logto's refusals shown in
//! place, the CSV export, the account actions and their audit trail, and operator-only access.

mod common;

use common::location;

use common::{hidden_value, Browser, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use reqwest::StatusCode;
use scraper::{Html, Selector};

// ---------------------------------------------------------------------------------------
// Helpers

async fn operator(app: &TestApp) -> Browser {
    let mut b = app.operator().await;
    if b.csrf.is_none() {
        // Every signed-in page carries the token in its sign-out form.
        let html = b.get("/users").await.text().await.unwrap();
        b.csrf = hidden_value(&html, "_csrf");
    }
    assert!(b.csrf.is_some(), "the operator's pages carry a CSRF token");
    b
}

fn select_all(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_string)
}

fn text_of(html: &str, css: &str) -> String {
    select_all(html, css).join(" ")
}

/// Names in the users table, in order.
fn names(html: &str) -> Vec<String> {
    select_all(html, "#users-table tbody tr th .users-name")
}

/// Query strings of the `GET /api/users` requests the fake received since the last clear.
fn user_queries(app: &TestApp) -> Vec<String> {
    app.fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/users")
        .map(|r| r.query)
        .collect()
}

/// Loads `/users?{query}` and returns the one query string sent to Logto for the list.
async fn sent_for(app: &TestApp, b: &Browser, query: &str) -> (StatusCode, String, Vec<String>) {
    app.fake.state().clear_requests();
    let (status, html) = b.get_text(&format!("/users?{query}")).await;
    (status, html, user_queries(app))
}

async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    let filter = Filter {
        action: Some(action.to_string()),
        ..Default::default()
    };
    app.state.audit.list(&filter, 1, 100).await.unwrap().0
}

fn user(name: &str, username: &str, email: &str) -> NewUser {
    NewUser {
        name: Some(name.into()),
        username: Some(username.into()),
        primary_email: Some(email.into()),
        ..Default::default()
    }
}

fn is_suspended(app: &TestApp, id: &str) -> bool {
    app.fake.state().user_json(id).unwrap()["isSuspended"]
        .as_bool()
        .unwrap()
}

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

// ---------------------------------------------------------------------------------------
// CSV export

#[tokio::test]
async fn csv_export_streams_every_page_of_the_search() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let st = app.fake.state();
    for i in 0..130 {
        st.create_user(user(
            &format!("Csv Person {i:03}"),
            &format!("csvperson_{i:03}"),
            &format!("csv{i:03}@export.test"),
        ));
    }
    st.create_user(user(
        "=HYPERLINK(\"http://evil\")",
        "csvperson_evil",
        "-evil@export.test",
    ));

    st.clear_requests();
    let resp = b.get("/users/export.csv?q=csvperson").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"users-"),
        "{disposition}"
    );
    let body = resp.text().await.unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\u{feff}id,username,name,primary_email,primary_phone,created_at,last_sign_in_at,is_suspended,has_password"
    );
    assert_eq!(lines.len(), 1 + 131);
    assert_eq!(
        user_queries(&app),
        [
            "search=%25csvperson%25&page=1&page_size=100",
            "search=%25csvperson%25&page=2&page_size=100"
        ]
    );
    // Newest first; formulas neutralized.
    assert!(
        lines[1].contains(
            ",\"csvperson_evil\",\"'=HYPERLINK(\"\"http://evil\"\")\",\"'-evil@export.test\","
        ),
        "{}",
        lines[1]
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(",\"csvperson_000\",\"Csv Person 000\",\"csv000@export.test\",\"\",")));

    let entries = audit(&app, "user.export").await;
    assert_eq!(entries.len(), 1);
    assert!(entries[0].details.contains("q=csvperson"));

    // An invalid search explains itself instead of downloading.
    let resp = b.get("/users/export.csv?f1=id&m1=regex&v1=(").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = resp.text().await.unwrap();
    assert!(
        text_of(&html, "#users-search-error").contains("a pattern in the conditions is not valid")
    );
}

// ---------------------------------------------------------------------------------------
// One user

#[tokio::test]
async fn user_page_shows_profile_memberships_roles_and_events() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let st = app.fake.state();
    let member_id = app.user_id(&app.seed.member_username);
    let role = st.create_role("support", "Helps customers");
    st.assign_role(&member_id, &role);
    // An hour ago: newer than the demo's own entries.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let base = now - 3_600_000;
    for i in 0..25 {
        st.add_log(
            Some(&member_id),
            "Interaction.SignIn.Submit",
            if i == 24 { "Error" } else { "Success" },
            &format!("10.0.0.{i}"),
            "TestAgent/1.0",
            base + i * 1000,
        );
    }

    st.clear_requests();
    let (status, html) = b.get_text(&format!("/users/{member_id}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text_of(&html, "h1").contains("Mia Member"));
    assert!(text_of(&html, "dl.facts").contains("mia.member@acme.test"));
    assert_eq!(
        select_all(&html, "#user-orgs tbody td:first-child"),
        ["Acme Corp"]
    );
    assert!(text_of(&html, "#user-orgs").contains("member"));
    assert_eq!(
        select_all(&html, "#user-roles tbody td:first-child"),
        ["support"]
    );
    let events = select_all(&html, "#user-events-table tbody tr");
    assert_eq!(events.len(), 20);
    assert!(
        events[0].contains("10.0.0.24") && events[0].contains("Failed"),
        "{}",
        events[0]
    );
    assert!(events[1].contains("Succeeded") && events[1].contains("TestAgent/1.0"));
    let logs: Vec<String> = st
        .api_requests()
        .into_iter()
        .filter(|r| r.path == "/api/logs")
        .map(|r| r.query)
        .collect();
    assert_eq!(logs, [format!("userId={member_id}&page=1&page_size=20")]);
    // Logto's total (seeded 4 + 25) drives the events pager.
    assert!(text_of(&html, "#user-events .pager .summary").contains("1–20 of 29"));

    // The events pager swaps only the events, and the address follows.
    let resp = b
        .get_htmx(&format!("/users/{member_id}?page=2&page_size=20"))
        .await;
    assert_eq!(
        resp.headers().get("hx-push-url").unwrap().to_str().unwrap(),
        format!("/users/{member_id}?page=2&page_size=20")
    );
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<h1"));
    assert_eq!(select_all(&html, "#user-events-table tbody tr").len(), 9);

    // Unknown and malformed ids are 404.
    assert_eq!(
        b.get("/users/nosuchuser12").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/users/bad%20id").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn suspend_and_unsuspend_explain_apply_and_audit() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = app.user_id("alice_lovelace");

    let (status, html) = b.get_text(&format!("/users/{id}/suspend")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("revokes all their sessions"),
        "the effect is explained first"
    );
    assert!(
        !is_suspended(&app, &id),
        "looking at the confirmation changes nothing"
    );
    // With htmx the confirmation is a fragment for the page's action panel.
    let frag = b
        .get_htmx(&format!("/users/{id}/suspend"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!frag.contains("<html") && frag.contains("data-autofocus"));

    let resp = b.post_form(&format!("/users/{id}/suspend"), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("/users/{id}"));
    assert!(is_suspended(&app, &id));
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("is suspended"));
    assert!(text_of(&html, "h1").contains("Suspended"));

    let resp = b.post_form(&format!("/users/{id}/unsuspend"), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(!is_suspended(&app, &id));

    let s = audit(&app, "user.suspend").await;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].result, "success");
    assert_eq!(s[0].target_id.as_deref(), Some(id.as_str()));
    assert_eq!(s[0].target_label.as_deref(), Some("Alice Lovelace"));
    assert_eq!(
        s[0].actor_id.as_deref(),
        Some(app.user_id(&app.seed.operator_username).as_str())
    );
    assert_eq!(audit(&app, "user.unsuspend").await.len(), 1);

    // A missing user: Logto's 404 is a 404 page, and nothing is recorded as done.
    let resp = b.post_form("/users/nosuchuser12/suspend", &[]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // Without the CSRF token nothing happens.
    let resp = b
        .post_without_csrf(&format!("/users/{id}/suspend"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!is_suspended(&app, &id));
}

#[tokio::test]
async fn operators_cannot_suspend_delete_or_demote_themselves() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let me = app.user_id(&app.seed.operator_username);

    let html = b.get(&format!("/users/{me}")).await.text().await.unwrap();
    assert!(text_of(&html, "#account-h + p").contains("your own account"));
    assert!(!html.contains(&format!("href=\"/users/{me}/suspend\"")));
    assert!(!html.contains(&format!("href=\"/users/{me}/delete\"")));
    let confirm = b
        .get(&format!("/users/{me}/suspend"))
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("cannot suspend your own account"));
    assert!(!confirm.contains(&format!("action=\"/users/{me}/suspend\"")));

    let resp = b.post_form(&format!("/users/{me}/suspend"), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(!is_suspended(&app, &me));
    let resp = b
        .post_form(
            &format!("/users/{me}/delete"),
            &[("confirm", &app.seed.operator_username)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(app.fake.state().user_json(&me).is_some());
    let roles = app.state.logto.user_roles(&me).await.unwrap();
    let operator_role = roles.iter().find(|r| r.name == "portal-operator").unwrap();
    let resp = b
        .post_form(
            &format!("/users/{me}/roles/{}/remove", operator_role.id),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.logto.user_roles(&me).await.unwrap().len(), 1);
    let html = b.get(&format!("/users/{me}")).await.text().await.unwrap();
    assert!(
        text_of(&html, "#alerts").contains("operator role"),
        "{}",
        text_of(&html, "#alerts")
    );

    for action in ["user.suspend", "user.delete", "user.role_remove"] {
        let entries = audit(&app, action).await;
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0].result, "failure");
        assert_eq!(entries[0].error_code.as_deref(), Some("self_guard"));
    }
}

#[tokio::test]
async fn delete_needs_the_typed_word() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = app.user_id("bruno_lovelace");

    let html = b
        .get(&format!("/users/{id}/delete"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("cannot be undone"));
    assert!(text_of(&html, "label[for=confirm-word]").contains("bruno_lovelace"));

    let resp = b
        .post_form(&format!("/users/{id}/delete"), &[("confirm", "bruno")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert_eq!(
        attr(&html, "#confirm-word", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(text_of(&html, "#confirm-word-error").contains("bruno_lovelace"));
    assert!(app.fake.state().user_json(&id).is_some());
    assert!(
        audit(&app, "user.delete").await.is_empty(),
        "a typing slip is not an attempt"
    );

    let resp = b
        .post_form(
            &format!("/users/{id}/delete"),
            &[("confirm", " bruno_lovelace ")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/users");
    assert!(app.fake.state().user_json(&id).is_none());
    let html = b.get("/users").await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("Bruno Lovelace was deleted"));
    let entries = audit(&app, "user.delete").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert!(entries[0].details.contains("bruno_lovelace"));
}

#[tokio::test]
async fn organizations_can_be_joined_with_roles_and_left() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = app.user_id(&app.seed.member_username);
    let initech = app.seed.org_ids[2].clone();
    let org_roles = app.state.logto.list_org_roles().await.unwrap();
    let admin_role = org_roles.iter().find(|r| r.name == "admin").unwrap();

    // The add form offers the organizations the user is not in.
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    let offered = select_all(&html, "#org-add option");
    assert!(offered.contains(&"Initech".to_string()));
    assert!(!offered.contains(&"Acme Corp".to_string()));

    let resp = b
        .post_form(
            &format!("/users/{id}/orgs"),
            &[("org_id", &initech), ("role_ids", &admin_role.id)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let orgs = app.state.logto.user_organizations(&id).await.unwrap();
    let joined = orgs.iter().find(|o| o.id == initech).unwrap();
    assert_eq!(joined.organization_roles.len(), 1);
    assert_eq!(joined.organization_roles[0].name, "admin");
    let entries = audit(&app, "user.org_add").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].org_id.as_deref(), Some(initech.as_str()));
    assert!(entries[0].details.contains("Initech") && entries[0].details.contains("admin"));

    // Leaving: explained first, then done.
    let confirm = b
        .get(&format!("/users/{id}/orgs/{initech}/remove"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        confirm.contains("leaves Initech") && confirm.contains("(admin)"),
        "{confirm}"
    );
    let resp = b
        .post_form(&format!("/users/{id}/orgs/{initech}/remove"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let orgs = app.state.logto.user_organizations(&id).await.unwrap();
    assert!(!orgs.iter().any(|o| o.id == initech));

    // Leaving again: Logto's 404 is explained on the page and recorded as a failure.
    assert_eq!(
        b.get(&format!("/users/{id}/orgs/{initech}/remove"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = b
        .post_form(&format!("/users/{id}/orgs/{initech}/remove"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    let alert = text_of(&html, "#alerts .alert-error");
    assert!(alert.contains("no longer has this"), "{alert}");
    assert!(
        !alert.contains("entity.not_found"),
        "words, not Logto's codes"
    );
    let entries = audit(&app, "user.org_remove").await;
    assert_eq!(entries.len(), 2);
    let results: Vec<&str> = entries.iter().map(|e| e.result.as_str()).collect();
    assert!(results.contains(&"success") && results.contains(&"failure"));
    assert!(entries
        .iter()
        .any(|e| e.error_code.as_deref() == Some("entity.not_found")));

    // An organization that does not exist.
    let resp = b
        .post_form(&format!("/users/{id}/orgs"), &[("org_id", "nosuchorg123")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("no longer exists"));
}

#[tokio::test]
async fn global_roles_can_be_assigned_and_removed() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let st = app.fake.state();
    let id = app.user_id("chloe_lovelace");
    let support = st.create_role("support", "Helps customers");

    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(select_all(&html, "#role-assign option").contains(&"support".to_string()));
    let resp = b
        .post_form(&format!("/users/{id}/roles"), &[("role_id", &support)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let roles = app.state.logto.user_roles(&id).await.unwrap();
    assert_eq!(
        roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["support"]
    );
    let html = b.get(&format!("/users/{id}")).await.text().await.unwrap();
    assert!(text_of(&html, "#alerts").contains("now has the role support"));
    assert!(!select_all(&html, "#role-assign option").contains(&"support".to_string()));

    let confirm = b
        .get(&format!("/users/{id}/roles/{support}/remove"))
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("loses the global role support"));
    let resp = b
        .post_form(&format!("/users/{id}/roles/{support}/remove"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(app.state.logto.user_roles(&id).await.unwrap().is_empty());

    // A role that cannot be given to users is refused and recorded.
    let resp = b
        .post_form(&format!("/users/{id}/roles"), &[("role_id", "nosuchrole1")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let assigned = audit(&app, "user.role_assign").await;
    assert_eq!(assigned.len(), 2);
    assert!(assigned
        .iter()
        .any(|e| e.result == "failure" && e.error_code.as_deref() == Some("role_not_assignable")));
    assert!(assigned
        .iter()
        .any(|e| e.result == "success" && e.details.contains("support")));
    let removed = audit(&app, "user.role_remove").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].result, "success");
}

// ---------------------------------------------------------------------------------------
// Access changed through the portal takes effect at once (issue 15)

fn details(entry: &Entry) -> serde_json::Value {
    serde_json::from_str(&entry.details).unwrap()
}

#[tokio::test]
async fn suspending_through_the_portal_signs_the_person_out_at_once() {
    let app = common::spawn_app().await;
    let member_id = app.user_id(&app.seed.member_username);
    // The person in two browsers, and a bystander who stays signed in.
    let laptop = app.member().await;
    let phone = app.member().await;
    let bystander = app.admin().await;
    for b in [&laptop, &phone, &bystander] {
        assert_eq!(b.get("/profile").await.status(), StatusCode::OK);
    }
    let op = app.operator().await;
    let r = op
        .post_form(&format!("/users/{member_id}/suspend"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(is_suspended(&app, &member_id));

    // The very next request of either browser (no clock moved) is signed out, without
    // asking Logto: the sessions are gone.
    app.fake.state().clear_requests();
    for b in [&laptop, &phone] {
        let r = b.get("/profile").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(location(&r).starts_with("/sign-in"), "{}", location(&r));
    }
    assert!(app.fake.state().api_requests().is_empty());
    assert_eq!(bystander.get("/profile").await.status(), StatusCode::OK);
    assert_eq!(op.get("/users").await.status(), StatusCode::OK);

    let entries = audit(&app, "user.suspend").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(details(&entries[0])["sessionsEnded"], 2);
}

#[tokio::test]
async fn deleting_ends_sessions_and_removing_the_operator_role_applies_at_once() {
    let app = common::spawn_app().await;
    // A second operator, signed in, loses the operator role through the portal.
    let other_op = app.user_id(&app.seed.admin_username);
    let operator_role = app
        .state
        .logto
        .find_role_by_name(&app.state.config.operator_role)
        .await
        .unwrap()
        .expect("operator role");
    app.fake.state().assign_role(&other_op, &operator_role.id);
    let demoted = app.admin().await;
    assert_eq!(demoted.get("/users").await.status(), StatusCode::OK);
    let op = app.operator().await;
    let r = op
        .post_form(
            &format!("/users/{other_op}/roles/{}/remove", operator_role.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Still signed in, no longer an operator: refused on the very next request.
    assert_eq!(demoted.get("/users").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(demoted.get("/profile").await.status(), StatusCode::OK);
    let entries = audit(&app, "user.role_remove").await;
    assert_eq!(details(&entries[0])["sessionsRefreshed"], 1);

    // Deletion ends the person's sessions.
    let member_id = app.user_id(&app.seed.member_username);
    let mia = app.member().await;
    assert_eq!(mia.get("/profile").await.status(), StatusCode::OK);
    let r = op
        .post_form(
            &format!("/users/{member_id}/delete"),
            &[("confirm", &app.seed.member_username)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = mia.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/sign-in"));
    let entries = audit(&app, "user.delete").await;
    assert_eq!(details(&entries[0])["sessionsEnded"], 1);
}

#[tokio::test]
async fn csv_formulas_behind_separators_are_neutralized() {
    let app = common::spawn_app().await;
    app.fake
        .state()
        .create_user(user("Mia;=1+1;-2+3", "formula_mia", "a,@b@formula.test"));
    let b = app.operator().await;
    let body = b
        .get("/users/export.csv?q=formula_mia")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(
        lines[1].contains(",\"formula_mia\",\"Mia;'=1+1;'-2+3\",\"a,'@b@formula.test\","),
        "{}",
        lines[1]
    );
}

/// Taking a role away: on Logto 1.38 and later the operator may also end the person's Logto
/// sessions (every app they signed in to), so their next tokens carry the change; on older
/// releases the choice is replaced by a sentence naming 1.38.
#[tokio::test]
async fn removing_a_role_can_also_end_the_persons_logto_sessions() {
    let app = common::spawn_app().await;
    let member_id = app.user_id(&app.seed.member_username);
    let role_id = app.fake.state().create_role("auditor", "Reads reports");
    app.fake.state().assign_role(&member_id, &role_id);
    let _signed_in = app.member().await;
    let op = app.operator().await;
    let confirm = format!("/users/{member_id}/roles/{role_id}/remove");
    let (status, html) = op.get_text(&confirm).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let has_sessions = app.fake.state().version().at_least(38);
    let checkbox = common::attrs(&html, "input[name=end_logto_sessions]", "type");
    if !has_sessions {
        assert!(checkbox.is_empty(), "{html}");
        assert!(html.contains("needs Logto 1.38 or later"), "{html}");
        return;
    }
    assert_eq!(checkbox, vec!["checkbox"]);
    assert_eq!(app.fake.state().user_session_ids(&member_id).len(), 1);
    let r = op
        .post_form(&confirm, &[("end_logto_sessions", "on")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.fake.state().user_session_ids(&member_id).is_empty());
    let entries = audit(&app, "user.role_remove").await;
    assert_eq!(details(&entries[0])["logtoSessionsEnded"], 1);
    assert_eq!(details(&entries[0])["sessionsRefreshed"], 1);
}

/// Issue 20, point 9: the directory's rows name people with links and two-letter initials;
/// Search is a secondary button (no primary action in the directory).
#[tokio::test]
async fn rows_are_cards_with_linked_names_and_two_letter_initials() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    app.fake
        .state()
        .create_user(user("mia", "mia", "mia@x.test"));
    let html = b.get("/users").await.text().await.unwrap();
    assert!(select_all(&html, "#users-search button.primary").is_empty());
    assert_eq!(
        attr(&html, "#users-table", "class").as_deref(),
        Some("users table-cards")
    );
    let mia = app.user_id("mia");
    let link = format!("#users-table tbody th a[href='/users/{mia}']");
    assert!(attr(&html, &link, "href").is_some(), "names are links");
    for initials in select_all(&html, "#users-table .avatar-initials") {
        assert_eq!(initials.chars().count(), 2, "{initials}");
    }
    assert_eq!(
        select_all(&html, "#users-table tbody tr th .users-name").len(),
        select_all(&html, "#users-table tbody tr").len()
    );
    // Each card says what its cells are.
    let labels = select_all(&html, "#users-table tbody tr:first-child .cell-label");
    assert_eq!(labels, ["Username", "Primary email", "Status"]);
    assert_eq!(
        select_all(&html, "#users-table tbody tr:first-child .avatar-initials"),
        ["MI"]
    );
}

/// The directory and a user's page, in both languages, as reviewed snapshots.
#[tokio::test]
async fn directory_and_user_page_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    let b = operator(&app).await;
    let id = app.user_id(&app.seed.member_username);
    // Run-specific values the shared normalizer leaves: the session's CSRF token, and ids
    // that happen to be all letters.
    let stable = |html: &str| {
        let csrf = regex::Regex::new(r#"name="_csrf" value="[^"]*""#).unwrap();
        let ids = regex::Regex::new(r#"([/>"-])[0-9a-z]{12}([/<"?])"#).unwrap();
        let markup = common::snapshot::main_markup(html);
        let markup = csrf.replace_all(&markup, r#"name="_csrf" value="[csrf]""#);
        // Twice: neighbouring ids share a separator (`/users/{id}/orgs/{id}/remove`).
        let markup = ids.replace_all(&markup, "$1[id]$2");
        ids.replace_all(&markup, "$1[id]$2").into_owned()
    };
    for lang in ["en", "zh-TW"] {
        let r = b.get(&format!("/lang/{lang}?return_to=/users")).await;
        assert!(r.status().is_redirection());
        let (status, html) = b.get_text("/users").await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(format!("users_directory_{lang}"), stable(&html));
        let (status, html) = b.get_text(&format!("/users/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        // Organization names lead to their members.
        let org = attr(&html, "#user-orgs tbody td:first-child a", "href").unwrap();
        assert!(
            org.starts_with("/orgs/") && org.ends_with("/members"),
            "{org}"
        );
        insta::assert_snapshot!(format!("users_detail_{lang}"), stable(&html));
    }
}
