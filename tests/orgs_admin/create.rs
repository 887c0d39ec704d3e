//! The list with its "New organization" button, and creating an organization.

use super::*;

#[tokio::test]
async fn operators_search_page_and_count_members() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    for i in 0..23 {
        st.create_organization(&format!("Paging Org {i:02}"), None);
    }
    let op = operator(&app).await;
    let (status, html) = op.get_text("/orgs?q=Paging&page=2&page_size=20").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "table.orgs tbody tr").len(), 3, "{html}");
    assert!(text_of(&html, "orgs-status").contains("23"), "{html}");
    // Member counts come from Logto's `usersCount` (showFeatured=true).
    let (_, html) = op.get_text("/orgs?q=Acme").await;
    let acme = acme(&app);
    let count = texts(&html, &format!("#org-{acme} .org-members"));
    assert_eq!(count, vec![st.member_ids(&acme).len().to_string()]);
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .any(|r| r.path == "/api/organizations" && r.query.contains("showFeatured=true")));
    // The button, for operators only.
    assert_eq!(attrs(&html, "#org-new", "href"), vec!["/orgs/new"]);
    let admin = app.admin().await;
    let (_, html) = admin.get_text("/orgs").await;
    assert!(attrs(&html, "#org-new", "href").is_empty());
}

#[tokio::test]
async fn an_operator_creates_an_organization_and_lands_on_its_settings() {
    let app = common::spawn_app().await;
    let op = operator(&app).await;

    // Without JavaScript the form is a page; for htmx the panel alone.
    let (status, page) = op.get_text("/orgs/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html") && page.contains("id=\"org-new-panel\""));
    let r = op.get_htmx("/orgs/new").await;
    let panel = r.text().await.unwrap();
    assert!(!panel.contains("<html") && panel.contains("id=\"org-new-panel\""));
    let r = op.get_htmx("/orgs/new?close=1").await;
    assert_eq!(r.text().await.unwrap(), r#"<div id="org-new-panel"></div>"#);

    // A name is required: the message sits at the field, nothing reaches Logto.
    app.fake.state().clear_requests();
    let r = op
        .post_form("/orgs/new", &[("name", "  "), ("description", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(text_of(&html, "org-new-name-error"), "Enter a name.");
    assert_eq!(attrs(&html, "#org-new-name", "aria-invalid"), vec!["true"]);
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));

    let r = op
        .post_form(
            "/orgs/new",
            &[("name", " Wile Co "), ("description", "Rockets, mostly")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = app
        .fake
        .state()
        .find_org_id_by_name("Wile Co")
        .expect("created in Logto");
    assert_eq!(location(&r), settings_url(&id));
    let org = org_json(&app, &id);
    assert_eq!(org["description"], "Rockets, mostly");
    let (status, html) = op.get_text(&settings_url(&id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Wile Co was created"), "{html}");

    let entries = audit(&app, "org.create").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));
    assert_eq!(entries[0].target_label.as_deref(), Some("Wile Co"));
    assert_eq!(entries[0].org_id.as_deref(), Some(id.as_str()));
    // The audit page says it in words.
    let (_, html) = op.get_text("/audit?action=org.create").await;
    assert!(html.contains("created the organization Wile Co"), "{html}");

    // htmx: the browser is sent on with HX-Redirect.
    let r = op
        .post_htmx("/orgs/new", &[("name", "Road Runner Inc")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let id2 = app
        .fake
        .state()
        .find_org_id_by_name("Road Runner Inc")
        .unwrap();
    assert_eq!(
        r.headers()["hx-redirect"].to_str().unwrap(),
        settings_url(&id2)
    );
}

#[tokio::test]
async fn only_operators_create_organizations() {
    let app = common::spawn_app().await;
    let admin = signed_in(&app, &app.seed.admin_username.clone(), "/orgs").await;
    let member = signed_in(&app, &app.seed.member_username.clone(), "/orgs").await;
    for b in [&admin, &member] {
        assert_eq!(b.get("/orgs/new").await.status(), StatusCode::FORBIDDEN);
        let r = b.post_form("/orgs/new", &[("name", "Sneaky Co")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    assert!(app.fake.state().find_org_id_by_name("Sneaky Co").is_none());
}
