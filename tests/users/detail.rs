//! CSV export and one user's page.

use super::*;

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
            // One row first, for the total (a larger directory is prepared in the background).
            "search=%25csvperson%25&page=1&page_size=1",
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
