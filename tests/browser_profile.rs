//! The profile page in headless Chromium. With JavaScript a person edits their name inline and
//! changes their email with the code from the (fake) message, and the page updates without a
//! full reload (a marker set on `window` survives). Without JavaScript the same editor works as
//! plain links and forms.

mod common;

use std::time::Duration;

use common::browser::Chrome;
use thirtyfour::prelude::*;

/// The text of the element, once it satisfies `ok` (up to 10 s).
async fn wait_text(chrome: &Chrome, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(el) = chrome.driver.find(By::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let html = chrome.driver.source().await.unwrap_or_default();
    panic!("{css} never matched; last text {last:?}\n{html}");
}

async fn type_into(chrome: &Chrome, css: &str, text: &str) {
    let el = chrome.wait_for(css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(chrome: &Chrome, css: &str) {
    chrome.wait_for(css).await.click().await.unwrap();
}

#[tokio::test]
async fn edit_name_inline_and_change_email_with_the_code_without_reloading() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let id = app.user_id(&app.seed.member_username);
    let chrome = Chrome::start(true).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    chrome.wait_for("#basics-edit").await;
    chrome.mark_page().await;

    // Name, inline.
    click(&chrome, "#basics-edit").await;
    type_into(&chrome, "#basics-name", "Mia Browser").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-name-value", |t| t == "Mia Browser").await;
    wait_text(&chrome, ".topbar .who", |t| t.contains("Mia Browser")).await;
    wait_text(&chrome, "#basics #basics-status", |t| t.contains("saved")).await;
    assert!(
        chrome.page_was_not_reloaded().await,
        "the name was saved without a reload"
    );
    assert_eq!(
        app.fake.state().user_json(&id).unwrap()["name"],
        "Mia Browser"
    );

    // Email, with the code the fake "sent".
    let new = "mia.browser@acme.test";
    click(&chrome, "#email-edit").await;
    type_into(&chrome, "#email-address", new).await;
    type_into(&chrome, "#email-current-password", &app.seed.password).await;
    click(&chrome, "#email-send").await;
    wait_text(&chrome, "#email-pending", |t| t.contains(new)).await;
    let code = app
        .fake
        .state()
        .last_verification_code(new)
        .expect("a code was sent");
    // A wrong code first: the message appears at the field.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_into(&chrome, "#email-code", wrong).await;
    click(&chrome, "#email-verify").await;
    wait_text(&chrome, "#email-code-error", |t| t.contains("not right")).await;
    type_into(&chrome, "#email-code", &code).await;
    click(&chrome, "#email-verify").await;
    wait_text(&chrome, "#email-current", |t| t == new).await;
    wait_text(&chrome, "#email #email-status", |t| t.contains(new)).await;
    assert!(
        chrome.page_was_not_reloaded().await,
        "the email changed without a reload"
    );
    assert_eq!(
        app.fake.state().user_json(&id).unwrap()["primaryEmail"],
        new
    );
    chrome.quit().await;
}

#[tokio::test]
async fn without_javascript_the_editor_is_plain_links_and_forms() {
    let app = common::spawn_app().await;
    let id = app.user_id(&app.seed.member_username);
    let chrome = Chrome::start(false).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;
    click(&chrome, "#basics-edit").await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile/basics/edit", app.url))
        .await;
    type_into(&chrome, "#basics-name", "Mia Plain").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-name-value", |t| t == "Mia Plain").await;
    wait_text(&chrome, "#basics #basics-status", |t| t.contains("saved")).await;
    let url = chrome.driver.current_url().await.unwrap();
    assert_eq!(url.path(), "/profile", "post → redirect → page");
    assert_eq!(
        app.fake.state().user_json(&id).unwrap()["name"],
        "Mia Plain"
    );

    // Password fields stay password fields, with no toggle.
    chrome
        .driver
        .goto(format!("{}/profile/password/edit", app.url))
        .await
        .unwrap();
    let field = chrome.wait_for("#password-new-password").await;
    assert_eq!(
        field.attr("type").await.unwrap().as_deref(),
        Some("password")
    );
    assert!(chrome.driver.find(By::Css("button.reveal")).await.is_err());
    chrome
        .driver
        .goto(format!("{}/profile", app.url))
        .await
        .unwrap();

    // A refused value comes back at its field.
    click(&chrome, "#basics-edit").await;
    type_into(&chrome, "#basics-username", "9lives").await;
    click(&chrome, "#basics-save").await;
    wait_text(&chrome, "#basics-username-error", |t| {
        t.contains("underscores")
    })
    .await;
    chrome.quit().await;
}

#[tokio::test]
async fn every_editor_passes_the_accessibility_audit() {
    let fields = std::env::temp_dir().join(format!("a11y-fields-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(
        &fields,
        "[[field]]\nkey = \"team\"\nlabel = \"Team\"\ntype = \"select\"\noptions = [\"red\", \"blue\"]\nrequired = true\n\n[[field]]\nkey = \"news\"\nlabel = \"Newsletter\"\ntype = \"checkbox\"\n\n[[field]]\nkey = \"badge\"\nlabel = \"Badge\"\ntype = \"text\"\neditable = false\n",
    )
    .unwrap();
    let app = common::Spawn::default()
        .env("PORTAL_PROFILE_FIELDS", fields.display().to_string())
        .env("PORTAL_ALLOW_SELF_DELETE", "true")
        .start()
        .await;
    app.fake.state().set_email_connector(true);
    app.fake.state().set_storage_configured(true);
    app.fake.state().create_user(fake_logto::NewUser {
        username: Some("a11y_sam".into()),
        password: Some(app.seed.password.clone()),
        identities: serde_json::json!({"github": {"userId": "1", "details": {"email": "sam@gh.test"}}}),
        ..Default::default()
    });
    let mut problems = Vec::new();
    for dark in [false, true] {
        let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
        chrome.sign_in(&app, "a11y_sam").await;
        for path in [
            "/profile",
            "/profile/basics/edit",
            "/profile/details/edit",
            "/profile/custom/edit",
            "/profile/password/edit",
            "/profile/email/edit",
            "/profile/phone/edit",
        ] {
            chrome.load(&format!("{}{path}", app.url), "main").await;
            for v in chrome.accessibility_violations().await {
                problems.push(format!("dark={dark} {path}: {v}"));
            }
        }
        // Fields with errors, and the code form.
        chrome
            .driver
            .goto(format!("{}/profile/basics/edit", app.url))
            .await
            .unwrap();
        type_into(&chrome, "#basics-username", "9 lives").await;
        type_into(&chrome, "#basics-avatar", "http://x").await;
        click(&chrome, "#basics-save").await;
        chrome.wait_for("#basics-username-error").await;
        for v in chrome.accessibility_violations().await {
            problems.push(format!("dark={dark} basics errors: {v}"));
        }
        if !dark {
            chrome
                .driver
                .goto(format!("{}/profile/email/edit", app.url))
                .await
                .unwrap();
            type_into(&chrome, "#email-address", "sam.new@a11y.test").await;
            type_into(&chrome, "#email-current-password", &app.seed.password).await;
            click(&chrome, "#email-send").await;
            chrome.wait_for("#email-code").await;
            click(&chrome, "#email-verify").await;
            chrome.wait_for("#email-code-error").await;
            for v in chrome.accessibility_violations().await {
                problems.push(format!("dark={dark} email code: {v}"));
            }
        }
        chrome.quit().await;
    }
    assert!(
        problems.is_empty(),
        "accessibility violations:\n{}",
        problems.join("\n")
    );
}

/// Whether the element is entirely inside the viewport.
async fn in_view(chrome: &Chrome, css: &str) -> bool {
    let script = format!(
        "var r = document.querySelector({css:?}).getBoundingClientRect(); \
         return r.top >= 0 && r.bottom <= window.innerHeight;"
    );
    let ret = chrome.driver.execute(&script, vec![]).await.unwrap();
    ret.json().as_bool().unwrap_or(false)
}

#[tokio::test]
async fn passwords_can_be_shown_and_a_saved_card_stays_in_view() {
    let app = common::spawn_app().await;
    let chrome = Chrome::start_with(true, false, (1280, 700)).await;
    chrome.sign_in(&app, &app.seed.member_username).await;
    chrome
        .wait_until_url_starts_with(&format!("{}/profile", app.url))
        .await;

    // The toggle next to a password field (static/app.js), added to swapped-in editors too.
    click(&chrome, "#password-edit").await;
    let field = chrome.wait_for("#password-current-password").await;
    let toggle = chrome
        .wait_for("#password-current-password + button.reveal")
        .await;
    assert_eq!(toggle.text().await.unwrap(), "Show password");
    toggle.click().await.unwrap();
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("text"));
    assert_eq!(
        toggle.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(toggle.text().await.unwrap(), "Hide password");
    toggle.click().await.unwrap();
    assert_eq!(
        field.attr("type").await.unwrap().as_deref(),
        Some("password")
    );

    // A long editor, saved from its bottom: the card's confirmation is in view afterwards.
    chrome
        .driver
        .goto(format!("{}/profile", app.url))
        .await
        .unwrap();
    click(&chrome, "#details-edit").await;
    click(&chrome, "#details form #details-more > summary").await;
    type_into(&chrome, "#details-nickname", "Mimi").await;
    let save = chrome.wait_for("#details button.primary").await;
    save.scroll_into_view().await.unwrap();
    save.click().await.unwrap();
    wait_text(&chrome, "#details #details-status", |t| t.contains("saved")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        in_view(&chrome, "#details-status").await,
        "the confirmation is where the person is"
    );
    chrome.quit().await;
}

/// The profile page as people see it: light and dark, desktop and phone (390 px, nothing
/// wider than the screen).
#[tokio::test]
async fn profile_screenshots_light_dark_desktop_phone() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    for (dark, theme) in [(false, "light"), (true, "dark")] {
        // The theme is the browser's from its start; the width changes in the same browser.
        let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
        chrome.sign_in(&app, &app.seed.member_username).await;
        chrome
            .wait_until_url_starts_with(&format!("{}/profile", app.url))
            .await;
        let page = format!("{}/profile", app.url);
        for (window, width) in [((1280, 1000), "1280"), ((390, 844), "390")] {
            chrome.view_at(window, &page, "#basics-edit").await;
            assert!(
                chrome.page_width().await <= i64::from(window.0),
                "{theme} {width}: wider than the screen"
            );
            chrome
                .assert_screenshot(&format!("profile_{theme}_{width}"))
                .await;
        }
        chrome.quit().await;
    }
}

/// The natural width of the image `css` once it has loaded (0 when it never does, in 10 s).
async fn loaded_width(chrome: &Chrome, css: &str) -> i64 {
    let script = format!(
        "const i = document.querySelector({css:?}); return i && i.complete ? i.naturalWidth : 0;"
    );
    for _ in 0..200 {
        let width = chrome.driver.execute(&script, vec![]).await.unwrap();
        let width = width.json().as_i64().unwrap_or(0);
        if width > 0 {
            return width;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    0
}

/// Without storage in Logto the portal keeps the avatar: a person picks a wide photo, and the
/// page shows it back from the portal cropped square at 256 px (with and without JavaScript).
#[tokio::test]
async fn an_uploaded_avatar_comes_back_square_from_the_portal() {
    let app = common::spawn_app().await;
    let id = app.user_id(&app.seed.member_username);
    let mut photo = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(900, 500, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }))
    .write_to(&mut photo, image::ImageFormat::Jpeg)
    .unwrap();
    let file = std::env::temp_dir().join(format!("avatar-{}.jpg", uuid::Uuid::new_v4()));
    std::fs::write(&file, photo.into_inner()).unwrap();

    for js in [true, false] {
        let before = app.fake.state().user_json(&id).unwrap()["avatar"].clone();
        let chrome = Chrome::start(js).await;
        chrome.sign_in(&app, &app.seed.member_username).await;
        chrome
            .driver
            .goto(format!("{}/profile/basics/edit", app.url))
            .await
            .unwrap();
        chrome
            .wait_for("#basics-file")
            .await
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        click(&chrome, "form.avatar-upload button[type=submit]").await;
        wait_text(&chrome, "#basics #basics-status", |t| {
            t.contains("uploaded")
        })
        .await;
        let img = chrome.wait_for("#basics img.avatar").await;
        let src = img.attr("src").await.unwrap().unwrap_or_default();
        assert!(
            src.starts_with("/avatars/u/") && src.ends_with("-256.png"),
            "js={js}: {src}"
        );
        assert_eq!(
            loaded_width(&chrome, "#basics img.avatar").await,
            256,
            "js={js}"
        );
        let height = chrome
            .driver
            .execute(
                "return document.querySelector('#basics img.avatar').naturalHeight;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(height.json().as_i64(), Some(256), "js={js}: square");
        let after = app.fake.state().user_json(&id).unwrap()["avatar"].clone();
        assert!(after.as_str().unwrap().ends_with(&src), "js={js}: {after}");
        // The same image twice is the same address; the first run set it already.
        if !js {
            assert_eq!(after, before);
        }
        chrome.quit().await;
    }
    let _ = std::fs::remove_file(file);
}
