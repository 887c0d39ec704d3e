//! CSV export and what a person sees when Logto fails.

use super::*;

// ---------------------------------------------------------------------------------------
// Export

pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark");
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn csv_export_matches_the_member_set_and_is_safe() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Export Co", 230);
    let st = app.fake.state();
    let evil = st.create_user(NewUser {
        username: Some("evil".into()),
        name: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
        primary_email: Some("@evil.test".into()),
        ..Default::default()
    });
    st.add_member(&org.id, &evil, &["member"]);
    let url = members_url(&org.id);
    let b = app.admin().await;

    app.fake.state().clear_requests();
    let r = b.get(&format!("{url}/export.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(r
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert!(r.headers().get("content-length").is_none(), "streamed");
    let rows = parse_csv(&r.text().await.unwrap());
    assert_eq!(rows[0][0], "id");
    let ids: BTreeSet<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    let mut expected: BTreeSet<String> = org.member_ids.iter().cloned().collect();
    expected.insert(org.admin_id.clone());
    expected.insert(evil.clone());
    assert_eq!(ids, expected);
    assert_eq!(rows.len() - 1, 232, "each member once");
    // 232 members, 100 per call: three pages, nothing per row.
    let calls = member_calls(&app, &org.id);
    assert_eq!(
        calls,
        vec![
            "page=1&page_size=100",
            "page=2&page_size=100",
            "page=3&page_size=100"
        ]
    );
    let evil_row = rows.iter().find(|r| r[0] == evil).unwrap();
    assert_eq!(evil_row[1], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(evil_row[3], "'@evil.test");
    assert_eq!(evil_row[5], "member");

    // The current filter applies.
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    let r = b.get(&format!("{url}/export.csv?role={admin_role}")).await;
    let rows = parse_csv(&r.text().await.unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], org.admin_id);
    assert_eq!(rows[1][5], "admin");

    // Logto down before the first row: an error page, not an empty file.
    app.fake.state().fail_next_api(1, 500);
    let r = b.get(&format!("{url}/export.csv")).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(audit(&app, &org.id, "member.export").await.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn logto_failures_show_an_error_row_with_a_retry() {
    let app = common::spawn_app().await;
    let org = org_with_members(&app, "Fail Co", 5);
    let url = members_url(&org.id);
    let b = app.admin().await;
    b.get_text(&url).await; // warms the role cache: the next call is the member list

    app.fake.state().fail_next_api(1, 500);
    let (status, html) = b.get_text(&format!("{url}?q=paging")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(html.contains("<html"), "the page around the error row");
    let error = texts(&html, "#members-table [role=alert]");
    assert_eq!(error.len(), 1, "{html}");
    assert!(error[0].starts_with("The member list could not be loaded from Logto."));
    assert!(
        !html.contains("Internal server error"),
        "never Logto's body"
    );
    assert_eq!(
        attrs(&html, "#members-retry", "href"),
        vec![format!("{url}?q=paging&page=1&page_size=20")]
    );
    assert_eq!(
        attrs(&html, "#members-q", "value"),
        vec!["paging"],
        "the search survives"
    );

    // Rate limited (after the client's own retries): said so, as a fragment for htmx.
    app.fake.state().fail_next_api(4, 429);
    let r = b.get_htmx(&url).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html"));
    assert!(html.contains("too many requests"), "{html}");
    assert_eq!(
        attrs(&html, "#members-retry", "hx-get"),
        vec![format!("{url}?page=1&page_size=20")]
    );

    // The retry works once Logto is back.
    let (status, html) = b.get_text(&format!("{url}?page=1&page_size=20")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "#members-table tbody tr").len(), 6);

    // A failing action changes nothing and says so in the alert region; the row stays.
    let target = org.member_ids[0].clone();
    let b = signed_in(&app, &app.seed.admin_username, &url).await;
    let (_, html) = b.get_text(&url).await;
    let admin_role = role_id(&html, "admin");
    app.fake.state().clear_requests();
    app.fake.state().fail_next_api(1, 500);
    let r = b
        .post_htmx(
            &format!("{url}/{target}/roles"),
            &[("role_ids", &admin_role)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(r.headers().get("hx-retarget").unwrap(), "#alerts");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Logto could not complete the request"),
        "{html}"
    );
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
    assert_eq!(
        member_roles(&app, &org.id, &target).await,
        Some(vec!["member".into()])
    );
}
