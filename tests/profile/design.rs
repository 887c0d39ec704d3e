//! How the page reads (issue 20).

use super::*;

// ---------------------------------------------------------------------------------------
// How the page reads (issue 20)

/// Point 3: the confirmation is inside the saved section, announced as a status, with htmx and
/// without; the page-top alert stays empty, and the message shows once.
#[tokio::test]
async fn a_saved_change_is_confirmed_inside_its_section() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let form = [("nickname", "Mimi"), ("was_nickname", "")];
    let (status, fragment) = body(member.post_htmx("/profile/details", &form).await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(
        attr(&fragment, "section#details #details-status", "role").as_deref(),
        Some("status")
    );
    assert!(text(&fragment, "#details-status").contains("Your profile was saved."));
    assert!(
        !exists(&fragment, "#alerts"),
        "no flash at the top of the page"
    );
    assert!(!fragment.contains("hx-swap-oob"), "{fragment}");
    // The answer keeps the saved card in view.
    let (_, editor) = body(member.get_htmx("/profile/details/edit").await).await;
    assert_eq!(
        attr(&editor, "#details form", "hx-swap").as_deref(),
        Some("outerHTML show:#details:top")
    );

    // Without JavaScript: post, redirect to the section, the message inside it.
    let form = [("nickname", "Mims"), ("was_nickname", "Mimi")];
    let r = member.post_form("/profile/details", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile#details");
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, "#details #details-status").contains("Your profile was saved."));
    assert_eq!(text(&html, "#alerts"), "");
    assert_eq!(
        text(&html, "#basics-status"),
        "",
        "only the saved section speaks"
    );
    let (_, html) = member.get_text("/profile").await;
    assert_eq!(text(&html, "#details-status"), "", "said once");

    // A refusal is said in the section too, with the page around it for plain forms.
    let form = [("website", "javascript:alert(1)"), ("was_website", "")];
    let (status, html) = body(member.post_form("/profile/details", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exists(&html, "#details-website-error"));
    assert!(exists(&html, "section#basics"), "the whole page");
}

/// Point 6: without a way to send codes the sections say so before asking for anything,
/// in plain words; with one, they offer the change.
#[tokio::test]
async fn email_and_phone_say_up_front_when_they_cannot_be_changed() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let (_, html) = member.get_text("/profile").await;
    for (id, words) in [("email", "email"), ("phone", "text messages")] {
        let section = text(&html, &format!("section#{id}"));
        assert!(
            !exists(&html, &format!("#{id}-edit")),
            "{id}: no change button"
        );
        assert!(
            !exists(&html, &format!("section#{id} input")),
            "{id}: asks nothing"
        );
        assert!(section.contains("cannot be changed here"), "{section}");
        assert!(section.contains(words), "{section}");
        for jargon in ["Logto", "connector", "SMS"] {
            assert!(!section.contains(jargon), "{id}: {section}");
        }
        // Even the editor's own address says so, without a form.
        let (_, fragment) = body(member.get_htmx(&format!("/profile/{id}/edit")).await).await;
        assert!(!exists(&fragment, "form"), "{fragment}");
        assert!(text(&fragment, &format!("#{id}")).contains("cannot be changed here"));
    }
    assert!(
        audit_of(&app, "profile.email_change").await.is_empty(),
        "nothing was tried"
    );

    app.fake.state().set_email_connector(true);
    // The portal keeps the tenant's connectors for a minute; the change shows after that.
    let (_, html) = member.get_text("/profile").await;
    assert!(!exists(&html, "#email-edit"), "kept for a minute");
    app.state.connectors.forget();
    let (_, html) = member.get_text("/profile").await;
    assert!(exists(&html, "#email-edit"));
    assert!(
        !exists(&html, "#phone-edit"),
        "text messages still cannot go out"
    );
    let (_, fragment) = body(member.get_htmx("/profile/email/edit").await).await;
    assert!(exists(&fragment, "#email-address"));
}

/// Point 8: the basics editor starts with its fields: no empty preview or message above them.
#[tokio::test]
async fn the_basics_editor_starts_with_its_fields() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    app.fake.state().clear_requests();
    let (_, fragment) = body(member.get_htmx("/profile/basics/edit").await).await;
    assert!(
        app.fake
            .state()
            .api_requests()
            .iter()
            .all(|r| r.path != "/api/connectors"),
        "only the email and phone sections ask about connectors"
    );
    assert!(
        !exists(&fragment, ".avatar-preview"),
        "no avatar: no preview box"
    );
    assert!(!exists(&fragment, "#basics form .alert"), "{fragment}");
    let doc = Html::parse_fragment(&fragment);
    let first = doc
        .select(&Selector::parse("#basics form > *").unwrap())
        .find(|e| e.value().name() != "input")
        .unwrap();
    assert_eq!(
        first.value().attr("class"),
        Some("field"),
        "{}",
        first.html()
    );
    assert_eq!(text(&fragment, "#basics-status"), "");
}

/// Point 10: language and time zone from lists, the rest behind "More details", real
/// birthdates only.
#[tokio::test]
async fn details_offer_lists_and_keep_the_rest_behind_more_details() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let (_, fragment) = body(member.get_htmx("/profile/details/edit").await).await;
    let options = texts(&fragment, "select#details-locale option");
    assert_eq!(&options[..3], ["Not set", "English", "繁體中文"]);
    assert!(exists(
        &fragment,
        "select#details-zoneinfo option[value=\"Europe/Berlin\"]"
    ));
    for field in ["middle-name", "gender", "birthdate", "website", "locality"] {
        assert!(
            exists(&fragment, &format!("details#details-more #details-{field}")),
            "{field} is behind More details"
        );
    }
    assert!(!exists(&fragment, "details#details-more[open]"));
    assert_eq!(
        text(&fragment, "details#details-more > summary"),
        "More details"
    );
    assert!(!exists(&fragment, "details#details-more #details-locale"));

    for bad in ["2999-01-01", "1899-12-31", "1990-02-30", "yesterday"] {
        let form = [("birthdate", bad), ("was_birthdate", "")];
        let (status, fragment) = body(member.post_htmx("/profile/details", &form).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            text(&fragment, "#details-birthdate-error").contains("between 1900 and today"),
            "{bad}: {fragment}"
        );
        assert!(exists(&fragment, "details#details-more[open]"), "{bad}");
    }
    assert_eq!(user(&app, &id)["profile"].get("birthdate"), None);

    let form = [
        ("locale", "zh-TW"),
        ("was_locale", ""),
        ("zoneinfo", "America/Argentina/Buenos_Aires"),
        ("was_zoneinfo", ""),
        ("birthdate", "1990-04-01"),
        ("was_birthdate", ""),
    ];
    let (status, fragment) = body(member.post_htmx("/profile/details", &form).await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#details dl.facts").contains("繁體中文"));
    assert!(text(&fragment, "#details dl.facts").contains("America/Argentina/Buenos Aires"));
    assert!(text(&fragment, "details#details-more").contains("1990-04-01"));
    assert_eq!(user(&app, &id)["profile"]["locale"], "zh-TW");

    // A value set elsewhere that is not listed stays chosen.
    let mut other = serde_json::Map::new();
    other.insert("zoneinfo".into(), json!("Antarctica/Troll"));
    app.state
        .logto
        .update_user_profile(&id, &other)
        .await
        .unwrap();
    let (_, fragment) = body(member.get_htmx("/profile/details/edit").await).await;
    assert_eq!(
        attr(&fragment, "#details-zoneinfo option[selected]", "value").as_deref(),
        Some("Antarctica/Troll")
    );
}

/// Point 10: password fields can be shown with app.js (they stay password fields without it),
/// and deleting the account starts behind a button.
#[tokio::test]
async fn password_fields_can_be_shown_and_deleting_starts_behind_a_button() {
    let app = Spawn::default()
        .env("PORTAL_ALLOW_SELF_DELETE", "true")
        .start()
        .await;
    let member = app.member().await;
    let (_, fragment) = body(member.get_htmx("/profile/password/edit").await).await;
    for field in ["current-password", "new-password", "confirm-password"] {
        let css = format!("input#password-{field}");
        assert_eq!(attr(&fragment, &css, "type").as_deref(), Some("password"));
        assert_eq!(
            attr(&fragment, &css, "data-reveal").as_deref(),
            Some("Show password")
        );
        assert_eq!(
            attr(&fragment, &css, "data-conceal").as_deref(),
            Some("Hide password")
        );
    }
    let (_, html) = member.get_text("/profile").await;
    assert!(exists(
        &html,
        "section#delete details#delete-open:not([open]) form"
    ));
    assert_eq!(text(&html, "#delete-open > summary"), "Delete my account…");
    let (status, fragment) = body(
        member
            .post_htmx("/profile/delete", &[("confirm", "nope")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exists(
        &fragment,
        "details#delete-open[open] #delete-confirm-error"
    ));
}

/// The forms' CSRF field (`_csrf`) with a placeholder: the token differs per session.
pub(crate) fn without_csrf(markup: &str) -> String {
    let re = regex::Regex::new(r#"name="_csrf" value="[^"]*""#).unwrap();
    re.replace_all(markup, r#"name="_csrf" value="[csrf]""#)
        .into_owned()
}

/// The page and a section's htmx answer, in both languages, as reviewed snapshots.
#[tokio::test]
async fn the_page_and_a_section_are_snapshots_in_both_languages() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    for lang in ["en", "zh-TW"] {
        let r = member
            .get(&format!("/lang/{lang}?return_to=/profile"))
            .await;
        assert!(r.status().is_redirection());
        let (status, html) = member.get_text("/profile").await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_snapshot!(
            format!("profile_page_{lang}"),
            without_csrf(&common::snapshot::main_markup(&html))
        );
        let fragment = member.get_htmx("/profile/details/edit").await;
        assert_eq!(
            fragment.headers().get("vary").map(|v| v.to_str().unwrap()),
            Some("hx-request")
        );
        let body = fragment.text().await.unwrap();
        assert!(!body.contains("<main"), "htmx gets the section alone");
        insta::assert_snapshot!(
            format!("profile_details_editor_{lang}"),
            without_csrf(&common::snapshot::normalize(&body))
        );
    }
}
