//! The shared design parts in headless Chromium at a phone's width (390 px): the organizations
//! list turns into cards and an unknown address shows the styled page, neither wider than the
//! screen; the row menu opens and its actions are on screen, with and without JavaScript.

mod common;

use common::{browser::Chrome, spawn_app};
use thirtyfour::prelude::*;

const PHONE: (u32, u32) = (390, 844);

async fn page_width(chrome: &Chrome) -> i64 {
    chrome
        .driver
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap()
        .json()
        .as_i64()
        .unwrap()
}

/// The elements that reach past the screen's right edge, to name them when a page is too wide.
async fn too_wide(chrome: &Chrome) -> String {
    chrome
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('\\n');",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn phone_pages_fit_and_menus_work(js: bool) {
    let app = spawn_app().await;
    let chrome = Chrome::start_with(js, false, PHONE).await;
    chrome.sign_in(&app, &app.seed.operator_username).await;

    chrome.open(&app, "/orgs").await;
    let viewport = chrome
        .driver
        .execute("return document.documentElement.clientWidth;", vec![])
        .await
        .unwrap()
        .json()
        .as_i64();
    assert_eq!(
        viewport,
        Some(390),
        "the test must see a phone-wide viewport"
    );
    assert!(
        page_width(&chrome).await <= 390,
        "/orgs is too wide:\n{}",
        too_wide(&chrome).await
    );
    // Cards: the header row is gone, each cell says what it is.
    let head = chrome
        .driver
        .find(By::Css("table.orgs thead"))
        .await
        .unwrap();
    assert!(!head.is_displayed().await.unwrap());
    let label = chrome
        .driver
        .find(By::Css("table.orgs tbody tr .cell-label"))
        .await
        .unwrap();
    assert!(label.is_displayed().await.unwrap());
    assert_eq!(label.text().await.unwrap(), "Members");

    // The first row's menu: labelled, opens, its links are on the screen.
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let row = format!("#org-{acme}");
    let summary = chrome
        .driver
        .find(By::Css(format!("{row} details.row-menu > summary")))
        .await
        .unwrap();
    let name: String = chrome
        .driver
        .execute(
            "return arguments[0].textContent;",
            vec![summary.to_json().unwrap()],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert_eq!(name, "⋯Actions for Acme Corp");
    summary.click().await.unwrap();
    let invitations = chrome
        .driver
        .find(By::Css(format!(
            "{row} .row-menu-list a[href$='/invitations']"
        )))
        .await
        .unwrap();
    assert!(invitations.is_displayed().await.unwrap());
    let right: f64 = chrome
        .driver
        .execute(
            "return arguments[0].getBoundingClientRect().right;",
            vec![invitations.to_json().unwrap()],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(right <= 390.0, "the menu item ends at {right}px");
    assert!(
        page_width(&chrome).await <= 390,
        "an open menu widens the page:\n{}",
        too_wide(&chrome).await
    );
    invitations.click().await.unwrap();
    chrome
        .wait_until_url_starts_with(&format!("{}/orgs/{acme}/invitations", app.url))
        .await;

    chrome.open(&app, "/this/address/does/not/exist").await;
    let title = chrome.driver.find(By::Css("main h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "Not found");
    chrome.driver.find(By::Css("nav.mainnav")).await.unwrap();
    assert!(
        page_width(&chrome).await <= 390,
        "the 404 page is too wide:\n{}",
        too_wide(&chrome).await
    );
    chrome.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_pages_fit_and_row_menus_work_with_javascript() {
    phone_pages_fit_and_menus_work(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_pages_fit_and_row_menus_work_without_javascript() {
    phone_pages_fit_and_menus_work(false).await;
}

/// Issue 20, point 8: in every toolbar the search box, the selects and the buttons stand on one
/// baseline (their bottom edges within a pixel), and hints sit below the row, not inside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toolbar_controls_share_one_baseline() {
    let app = spawn_app().await;
    let acme = app.fake.state().find_org_id_by_name("Acme Corp").unwrap();
    let chrome = Chrome::start_with(true, false, (1280, 1000)).await;
    chrome.sign_in(&app, &app.seed.operator_username).await;
    let mut problems = Vec::new();
    for path in [
        "/orgs".to_string(),
        format!("/orgs/{acme}/members"),
        format!("/orgs/{acme}/members/add"),
        format!("/orgs/{acme}/invitations"),
        "/users".to_string(),
        "/audit".to_string(),
    ] {
        chrome
            .load(&format!("{}{}", app.url, path), "main .toolbar")
            .await;
        // For each toolbar: the bottom edge of each visible control in its first row.
        let rows: Vec<Vec<f64>> = chrome
            .driver
            .execute(
                r#"return Array.from(document.querySelectorAll('.toolbar')).map(bar => {
                     const controls = Array.from(bar.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, button, a.button'))
                       .filter(e => e.offsetParent !== null && !e.closest('details:not([open])'));
                     if (controls.length < 2) return [];
                     const top = Math.min(...controls.map(e => e.getBoundingClientRect().top));
                     return controls.filter(e => e.getBoundingClientRect().top < top + 40)
                       .map(e => e.getBoundingClientRect().bottom);
                   });"#,
                vec![],
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert!(
            rows.iter().any(|r| r.len() >= 2),
            "{path}: no toolbar with two controls found"
        );
        for bottoms in rows.iter().filter(|r| r.len() >= 2) {
            let low = bottoms.iter().cloned().fold(f64::MAX, f64::min);
            let high = bottoms.iter().cloned().fold(f64::MIN, f64::max);
            if high - low > 1.0 {
                problems.push(format!("{path}: bottoms {bottoms:?}"));
            }
        }
    }
    chrome.quit().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 20: the organizations list and the account security page, light and dark, at 1280 and
/// 390 px (the portal's clock stands still). The security page differs by Logto release (devices
/// and apps from 1.38), so its pictures are kept per release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_and_security_screenshots() {
    let app = common::Spawn::default().manual_clock().start().await;
    let release = app.fake.state().version().short().replace('.', "_");
    app.fake.state().create_user(fake_logto::NewUser {
        username: Some("sam_screens".into()),
        name: Some("Sam Screens".into()),
        password: Some(app.seed.password.clone()),
        ..Default::default()
    });
    for dark in [false, true] {
        // The theme is the browser's from its start; the width and the person change in the
        // same browser.
        let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
        for (size, width) in [((1280, 1000), "1280"), (PHONE, "390")] {
            let theme = if dark { "dark" } else { "light" };
            chrome.set_viewport(size).await;
            chrome.forget_sign_ins().await;
            chrome.sign_in(&app, &app.seed.operator_username).await;
            chrome.open(&app, "/orgs").await;
            chrome
                .assert_screenshot(&format!("orgs_{theme}_{width}"))
                .await;

            // The same browser for the next person.
            chrome.forget_sign_ins().await;
            chrome
                .sign_in_to(&app, "sam_screens", "/profile/security")
                .await;
            let password = chrome.wait_for("#security-current-password").await;
            password.send_keys(&app.seed.password).await.unwrap();
            chrome
                .driver
                .find(By::Css("#security-proof button[type=submit]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            chrome.wait_for("#security-totp").await;
            chrome
                .assert_screenshot(&format!("security_{release}_{theme}_{width}"))
                .await;
        }
        chrome.quit().await;
    }
}

/// An organization's settings as an operator sees them (details, just-in-time membership with a
/// domain, a default role and a bound SSO connector, the danger zone), light and dark, at
/// 1280 px and 390 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_settings_screenshots() {
    let app = common::Spawn::default().manual_clock().start().await;
    let st = app.fake.state();
    let org = st.create_organization("Screens Co", Some("Anvils for the screenshots"));
    let settings = format!("/orgs/{org}/settings");
    {
        let op = app.operator().await;
        let mut op = op;
        let (_, html) = op.get_text(&settings).await;
        op.csrf = common::hidden_value(&html, "_csrf");
        op.post_form(
            &format!("/orgs/{org}/jit/domains"),
            &[("domain", "screens.test")],
        )
        .await;
        let member_role = common::attrs(&html, "#jit input[name=role_ids]", "value")
            .into_iter()
            .zip(common::texts(&html, "#jit .check label"))
            .find(|(_, n)| n == "member")
            .unwrap()
            .0;
        op.post_form(
            &format!("/orgs/{org}/jit/roles"),
            &[("role_ids", &member_role)],
        )
        .await;
    }
    st.bind_sso_connector(&org, "Screens Okta", "screens.test");
    for dark in [false, true] {
        // The theme is the browser's from its start; the width changes in the same browser.
        let chrome = Chrome::start_with(true, dark, (1280, 1000)).await;
        chrome.sign_in(&app, &app.seed.operator_username).await;
        for (size, width) in [((1280, 1000), "1280"), (PHONE, "390")] {
            let theme = if dark { "dark" } else { "light" };
            chrome.set_viewport(size).await;
            chrome.open(&app, &settings).await;
            chrome
                .assert_screenshot(&format!("org_settings_{theme}_{width}"))
                .await;
            if width == "1280" {
                chrome
                    .driver
                    .execute(
                        "document.getElementById('jit').scrollIntoView(); return true;",
                        vec![],
                    )
                    .await
                    .unwrap();
                chrome
                    .assert_screenshot(&format!("org_settings_jit_{theme}_{width}"))
                    .await;
            }
        }
        chrome.quit().await;
    }
    assert_eq!(st.jit_domains(&org), vec!["screens.test"]);
}
