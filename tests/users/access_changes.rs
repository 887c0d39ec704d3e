//! Access changed through the portal takes effect at once (issue 15).

use super::*;

// ---------------------------------------------------------------------------------------
// Access changed through the portal takes effect at once (issue 15)

pub(crate) fn details(entry: &Entry) -> serde_json::Value {
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
    // The shared normalizer (CSRF tokens, ids where ids stand), then any 12-character id it
    // leaves between separators.
    let stable = |html: &str| {
        let ids = regex::Regex::new(r#"([/>"-])[0-9a-z]{12}([/<"?])"#).unwrap();
        let markup = common::snapshot::main_markup(html);
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
        // The Security section follows the Logto release (sessions from 1.38).
        let version = fake_logto::LogtoVersion::from_env().minor();
        insta::assert_snapshot!(
            format!("users_detail_{lang}_logto_1_{version}"),
            stable(&html)
        );
    }
}

/// About one id in fifty is letters only; the snapshots' normalizer must still find it where
/// ids stand, or a snapshot fails by chance (it did: `value="org:dbagiudelgvr"`).
#[test]
fn ids_without_a_digit_are_normalized_where_ids_stand() {
    let markup = r#"<main><option value="org:dbagiudelgvr">Initech</option><a href="/users/qwertyuiopas/orgs">x</a><p>Organization settings</p></main>"#;
    assert_eq!(
        common::snapshot::main_markup(markup),
        r#"<main><option value="org:[id]">Initech</option><a href="/users/[id]/orgs">x</a><p>Organization settings</p></main>"#
    );
}
