//! Deleting an organization: typed confirmation, members keep their accounts.

use super::*;

#[tokio::test]
async fn deleting_needs_the_typed_name_and_members_keep_their_accounts() {
    let app = common::spawn_app().await;
    let st = app.fake.state();
    let org = st.create_organization("Doomed Co", None);
    let member = app.user_id(&app.seed.member_username);
    st.add_member(&org, &member, &["member"]);
    // Its admin is using it in another browser.
    let admin_id = app.user_id(&app.seed.admin_username);
    st.add_member(&org, &admin_id, &["admin"]);
    let admin = app.admin().await;
    let members_page = format!("/orgs/{org}/members");
    assert_eq!(admin.get(&members_page).await.status(), StatusCode::OK);
    let url = format!("/orgs/{org}/delete");
    let op = signed_in(
        &app,
        &app.seed.operator_username.clone(),
        &settings_url(&org),
    )
    .await;

    // The confirmation: a page, or the danger zone swapped in place.
    let (status, html) = op.get_text(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html"));
    assert!(html.contains("The members keep their accounts"), "{html}");
    let r = op.get_htmx(&url).await;
    let html = r.text().await.unwrap();
    assert!(!html.contains("<html") && html.contains("id=\"org-danger\""));

    for wrong in ["", "doomed co", "Doomed"] {
        let r = op.post_form(&url, &[("confirm_name", wrong)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong:?}");
        let html = r.text().await.unwrap();
        assert!(text_of(&html, "org-delete-name-error").contains("does not match"));
    }
    assert!(st.organization_json(&org).is_some());
    assert!(audit(&app, "org.delete").await.is_empty());

    let r = op.post_form(&url, &[("confirm_name", " Doomed Co ")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/orgs");
    assert!(st.organization_json(&org).is_none());
    assert!(
        st.user_json(&member).is_some(),
        "the member keeps the account"
    );
    let (_, html) = op.get_text("/orgs").await;
    assert!(html.contains("Doomed Co was deleted. Its members keep their accounts."));
    let entries = audit(&app, "org.delete").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target_label.as_deref(), Some("Doomed Co"));
    assert_eq!(details(&entries[0])["members"], 2);
    assert!(details(&entries[0])["sessionsRefreshed"].as_u64().unwrap() >= 1);
    // The admin's very next request reads the access again: the organization is gone.
    assert_eq!(
        admin.get(&members_page).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(admin.get("/profile").await.status(), StatusCode::OK);
    let (_, html) = op.get_text("/audit?action=org.delete").await;
    assert!(html.contains("deleted the organization Doomed Co"));

    // htmx: sent back to the list.
    let other = st.create_organization("Also Doomed", None);
    let r = op
        .post_htmx(
            &format!("/orgs/{other}/delete"),
            &[("confirm_name", "Also Doomed")],
        )
        .await;
    assert_eq!(r.headers()["hx-redirect"], "/orgs");
    assert!(st.organization_json(&other).is_none());
}

#[tokio::test]
async fn only_operators_delete() {
    let app = Spawn::default()
        .env("PORTAL_ADMINS_EDIT_ORG", "true")
        .start()
        .await;
    let acme = acme(&app);
    let admin = signed_in(&app, &app.seed.admin_username.clone(), &settings_url(&acme)).await;
    let url = format!("/orgs/{acme}/delete");
    assert_eq!(admin.get(&url).await.status(), StatusCode::FORBIDDEN);
    let r = admin
        .post_form(&url, &[("confirm_name", "Acme Corp")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.fake.state().organization_json(&acme).is_some());
}
