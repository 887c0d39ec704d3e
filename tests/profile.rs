//! The end user's own profile at `/profile`, through real HTTP against the fake Logto: every
//! section's success and failure paths, the merge behaviour of `profile` and `customData`, the
//! email/phone change with a code read from the fake, the password policy and the wrong-password
//! throttle, that nobody can touch another user id, and that secrets never reach the audit
//! trail or the logs.

mod common;

use common::{location, texts};

use std::io::Write as _;
use std::sync::{Arc, LazyLock, Mutex, Once};
use std::time::Duration;

use common::{all_at_once, Browser, Spawn, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use logto_portal::logto::UserPatch;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Helpers

fn text(html: &str, selector: &str) -> String {
    texts(html, selector).join(" | ")
}

fn attr(html: &str, selector: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_string))
}

fn exists(html: &str, selector: &str) -> bool {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel).next().is_some()
}

async fn body(r: reqwest::Response) -> (StatusCode, String) {
    let s = r.status();
    (s, r.text().await.unwrap())
}

fn user(app: &TestApp, id: &str) -> Value {
    app.fake.state().user_json(id).expect("user exists")
}

async fn audit(app: &TestApp) -> Vec<Entry> {
    app.state
        .audit
        .list(&Filter::default(), 1, 500)
        .await
        .unwrap()
        .0
}

async fn audit_of(app: &TestApp, action: &str) -> Vec<Entry> {
    audit(app)
        .await
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn details(e: &Entry) -> Value {
    serde_json::from_str(&e.details).unwrap()
}

/// A person of our own with a password, signed in.
async fn person(app: &TestApp, u: NewUser) -> (String, Browser) {
    let username = u.username.clone();
    let email = u.primary_email.clone();
    let id = app.fake.state().create_user(NewUser {
        password: Some(app.seed.password.clone()),
        ..u
    });
    let identifier = username
        .or(email)
        .expect("a username or an email to sign in with");
    let b = app.sign_in(&identifier).await;
    (id, b)
}

/// Paths of the Management API requests about single users (`/api/users/<id>…`).
fn user_paths(app: &TestApp) -> Vec<String> {
    app.fake
        .state()
        .api_requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/api/users/"))
        .collect()
}

fn profile_fields_file(text: &str) -> String {
    let dir = std::env::temp_dir().join("logto-portal-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("fields-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const FIELDS: &str = r#"
[[field]]
key = "employee_id"
label = { en = "Employee ID", zh-TW = "員工編號" }
type = "text"
required = true
pattern = "E[0-9]{5}"

[[field]]
key = "department"
label = "Department"
type = "select"
options = ["sales", "engineering", "support"]
editable = false

[[field]]
key = "shoe_size"
label = "Shoe size"
type = "number"
min = 30
max = 50

[[field]]
key = "newsletter"
label = "Send me the newsletter"
type = "checkbox"

[[field]]
key = "start_date"
label = "Start date"
type = "date"
"#;

// ---------------------------------------------------------------------------------------
// Log capture for the secrets test: every test in this binary logs into one buffer.

static LOGS: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(Default::default);

#[derive(Clone, Copy)]
struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        Capture
    }
}

fn capture_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_writer(Capture)
            .with_ansi(false)
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,h2=info,rustls=info,hyper_util=debug",
            ))
            .try_init();
    });
}

/// `needle` appears as a whole token (not inside a longer run of letters or digits, as a
/// six-digit code could inside a timestamp or a hash).
fn contains_token(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

// ---------------------------------------------------------------------------------------
// The page

#[tokio::test]
async fn profile_page_shows_the_signed_in_persons_sections() {
    let app = common::spawn_app().await;
    let anon = app.browser();
    let r = anon.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/sign-in?return_to=%2Fprofile");

    let member = app.member().await;
    let (status, html) = member.get_text("/profile").await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "basics",
        "details",
        "password",
        "email",
        "phone",
        "identities",
    ] {
        assert!(exists(&html, &format!("section#{id}")), "section {id}");
    }
    // Not configured: no custom fields, no self-deletion.
    assert!(!exists(&html, "section#custom"));
    assert!(!exists(&html, "section#delete"));
    assert_eq!(text(&html, "#basics-name-value"), "Mia Member");
    assert_eq!(text(&html, "#basics-username-value"), "mia_member");
    assert_eq!(text(&html, "#email-current"), "mia.member@acme.test");
    assert!(!html.contains("Adam Admin"), "only the person's own data");
    // Every section works without JavaScript: plain links to the editors.
    assert_eq!(
        attr(&html, "#basics-edit", "href").as_deref(),
        Some("/profile/basics/edit#basics")
    );
    let (status, html) = member.get_text("/profile/basics/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html"), "a whole page without htmx");
    assert_eq!(
        attr(&html, "#basics-name", "value").as_deref(),
        Some("Mia Member")
    );
    assert_eq!(
        attr(&html, "form[action='/profile/basics']", "method").as_deref(),
        Some("post")
    );

    // Traditional Chinese.
    let zh = member
        .client
        .get(member.url("/profile"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("我的個人資料"));
    assert!(!zh.contains("profile.basics.title"), "no missing keys");
}

// ---------------------------------------------------------------------------------------
// Basics

#[tokio::test]
async fn basics_inline_edit_saves_name_and_refreshes_the_header() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member.get_htmx("/profile/basics/edit").await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!fragment.contains("<html"), "a fragment for htmx");
    assert_eq!(
        attr(&fragment, "form", "hx-post").as_deref(),
        Some("/profile/basics")
    );
    assert_eq!(
        attr(&fragment, "#basics-name", "data-autofocus").as_deref(),
        Some("")
    );
    assert_eq!(
        attr(&fragment, "input[name=was_name]", "value").as_deref(),
        Some("Mia Member")
    );

    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia M. Renamed"),
                ("was_name", "Mia Member"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", ""),
                ("was_avatar", ""),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#basics-name-value"), "Mia M. Renamed");
    assert_eq!(
        attr(&fragment, "#basics #basics-status", "role").as_deref(),
        Some("status")
    );
    assert!(text(&fragment, "#basics #basics-status").contains("saved"));
    assert_eq!(
        attr(&fragment, "span.who", "hx-swap-oob").as_deref(),
        Some("outerHTML:.topbar .who")
    );
    assert!(text(&fragment, "span.who").contains("Mia M. Renamed"));
    assert_eq!(user(&app, &id)["name"], "Mia M. Renamed");
    // Only the name was sent, to the person's own id.
    let patches: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].path, format!("/api/users/{id}"));
    assert_eq!(
        serde_json::from_str::<Value>(&patches[0].body).unwrap(),
        json!({"name": "Mia M. Renamed"})
    );
    // The session's display name follows.
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, ".topbar .who").contains("Mia M. Renamed"));

    let entries = audit_of(&app, "profile.update_basics").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));
    assert_eq!(details(&entries[0]), json!({"fields": ["name"]}));

    // Saving an unchanged form changes nothing.
    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia M. Renamed"),
                ("username", "mia_member"),
                ("avatar", ""),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&fragment, "#basics #basics-status").contains("Nothing changed"));
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
}

#[tokio::test]
async fn basics_plain_form_redirects_with_a_message_and_keeps_others_changes() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member
        .post_form(
            "/profile/basics",
            &[
                ("name", "Mia Plain"),
                ("was_name", "Mia Member"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", "https://cdn.example.com/mia.png"),
                ("was_avatar", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile#basics");
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, "#basics #basics-status").contains("Your basics were saved."));
    assert_eq!(text(&html, "#basics-name-value"), "Mia Plain");
    // Shown through the portal, never from the other host (issue 15).
    let src = attr(&html, "#basics img.avatar", "src").unwrap();
    assert!(src.starts_with(&format!("/avatars/{id}?v=")), "{src}");
    assert_eq!(user(&app, &id)["avatar"], "https://cdn.example.com/mia.png");

    // Someone else renames the person while their form is open: saving the avatar alone
    // does not put the old name back.
    app.state
        .logto
        .update_user(
            &id,
            &UserPatch {
                name: Some(Some("Renamed Elsewhere".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = member
        .post_form(
            "/profile/basics",
            &[
                ("name", "Mia Plain"),
                ("was_name", "Mia Plain"),
                ("username", "mia_member"),
                ("was_username", "mia_member"),
                ("avatar", ""),
                ("was_avatar", "https://cdn.example.com/mia.png"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = user(&app, &id);
    assert_eq!(u["name"], "Renamed Elsewhere");
    assert_eq!(u["avatar"], Value::Null);
}

#[tokio::test]
async fn basics_refuses_bad_input_at_the_field() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let long = "x".repeat(129);

    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", &long),
                ("username", "1bad"),
                ("avatar", "http://not-https.example/a.png"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "username", "avatar"] {
        assert_eq!(
            attr(&fragment, &format!("#basics-{field}"), "aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        let described = attr(&fragment, &format!("#basics-{field}"), "aria-describedby").unwrap();
        assert!(
            described.contains(&format!("basics-{field}-error")),
            "{described}"
        );
        assert!(
            exists(&fragment, &format!("#basics-{field}-error")),
            "{field}"
        );
    }
    assert!(text(&fragment, "#basics-username-error").contains("letters, digits and underscores"));
    assert!(text(&fragment, "#basics-avatar-error").contains("https://"));
    // What the person typed is kept.
    assert_eq!(
        attr(&fragment, "#basics-username", "value").as_deref(),
        Some("1bad")
    );

    // Without htmx: the whole page, with the form open and the messages.
    let r = member
        .post_form(
            "/profile/basics",
            &[("name", "Ok"), ("username", "a b"), ("avatar", "")],
        )
        .await;
    let (status, html) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<html"));
    assert!(exists(&html, "#basics-username-error"));
    assert!(
        exists(&html, "section#details"),
        "the rest of the page is there"
    );

    let u = user(&app, &id);
    assert_eq!(u["name"], "Mia Member");
    assert_eq!(u["username"], "mia_member");
}

#[tokio::test]
async fn username_change_needs_the_password_and_reports_taken() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let pw = app.seed.password.clone();

    // The editor asks for the password (only needed for the username).
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#basics-current-password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[("name", "Mia Member"), ("username", "adam_admin")],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-current-password-error").contains("current password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "wrong_pw_try"),
                ("current_password", "nope"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-current-password-error").contains("not your current password"));

    // Right password, but Logto answers 422 username_already_in_use.
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "adam_admin"),
                ("current_password", &pw),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-username-error").contains("taken"));
    // Proven a moment ago: the form no longer asks for the password.
    assert!(!exists(&fragment, "#basics-current-password"));

    let r = member
        .post_htmx(
            "/profile/basics",
            &[("name", "Mia Member"), ("username", "mia_renamed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &id)["username"], "mia_renamed");

    let entries = audit_of(&app, "profile.update_basics").await;
    let codes: Vec<_> = entries.iter().map(|e| e.error_code.clone()).collect();
    assert!(
        codes.contains(&Some("invalid_current_password".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&Some("user.username_already_in_use".into())),
        "{codes:?}"
    );
    assert!(codes.contains(&None), "{codes:?}");
}

// ---------------------------------------------------------------------------------------
// Profile fields

#[tokio::test]
async fn profile_fields_merge_keeps_untouched_keys() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    // Keys the page does not show, set by another application.
    let mut seed = serde_json::Map::new();
    seed.insert("preferredUsername".into(), json!("mia-pref"));
    seed.insert("familyName".into(), json!("Member"));
    app.state
        .logto
        .update_user_profile(&id, &seed)
        .await
        .unwrap();

    let fragment = member
        .get_htmx("/profile/details/edit")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        attr(&fragment, "#details-given-name", "value").as_deref(),
        Some("Mia")
    );
    assert_eq!(
        attr(&fragment, "#details-family-name", "value").as_deref(),
        Some("Member")
    );
    // Language and time zone are chosen from lists (issue 20, point 10).
    assert!(exists(
        &fragment,
        "select#details-locale option[value=\"zh-TW\"]"
    ));
    assert!(exists(
        &fragment,
        "select#details-zoneinfo option[value=\"Asia/Taipei\"]"
    ));

    // Someone else sets the middle name while the form is open.
    let mut other = serde_json::Map::new();
    other.insert("middleName".into(), json!("Elsewhere"));
    app.state
        .logto
        .update_user_profile(&id, &other)
        .await
        .unwrap();

    app.fake.state().clear_requests();
    let mut form: Vec<(&str, &str)> = vec![
        ("given_name", "Mia"),
        ("was_given_name", "Mia"),
        ("middle_name", ""),
        ("was_middle_name", ""),
        ("family_name", "Member"),
        ("was_family_name", "Member"),
        ("nickname", "Mimi"),
        ("was_nickname", ""),
        ("birthdate", "1990-04-01"),
        ("was_birthdate", ""),
        ("zoneinfo", "Asia/Taipei"),
        ("was_zoneinfo", ""),
        ("locality", "Taipei"),
        ("was_locality", ""),
        ("country", "TW"),
        ("was_country", ""),
    ];
    let r = member.post_htmx("/profile/details", &form).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(fragment.contains("Mimi"));
    assert!(text(&fragment, "#details #details-status").contains("Your profile was saved."));

    let profile = user(&app, &id)["profile"].clone();
    assert_eq!(profile["nickname"], "Mimi");
    assert_eq!(profile["birthdate"], "1990-04-01");
    assert_eq!(profile["zoneinfo"], "Asia/Taipei");
    assert_eq!(
        profile["address"],
        json!({"locality": "Taipei", "country": "TW"})
    );
    assert_eq!(
        profile["preferredUsername"], "mia-pref",
        "a key the page does not show survives"
    );
    assert_eq!(
        profile["middleName"], "Elsewhere",
        "a field the person did not touch survives"
    );
    assert_eq!(profile["givenName"], "Mia");

    // Only the merging route, only the changed keys.
    let reqs: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, format!("/api/users/{id}/profile"));
    let sent: Value = serde_json::from_str(&reqs[0].body).unwrap();
    let mut keys: Vec<_> = sent["profile"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, ["address", "birthdate", "nickname", "zoneinfo"]);

    let entries = audit_of(&app, "profile.update_profile").await;
    assert_eq!(entries.len(), 1);
    let mut fields: Vec<String> =
        serde_json::from_value(details(&entries[0])["fields"].clone()).unwrap();
    fields.sort();
    assert_eq!(fields, ["address", "birthdate", "nickname", "zoneinfo"]);

    // Bad values come back at their fields, nothing is sent.
    app.fake.state().clear_requests();
    form = vec![
        ("birthdate", "2023-02-30"),
        ("website", "javascript:alert(1)"),
        ("locale", "not a locale"),
        ("zoneinfo", "Asia//Taipei"),
    ];
    let r = member.post_htmx("/profile/details", &form).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["birthdate", "website", "locale", "zoneinfo"] {
        assert!(exists(&fragment, &format!("#details-{f}-error")), "{f}");
    }
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));
}

// ---------------------------------------------------------------------------------------
// Custom fields

#[tokio::test]
async fn custom_fields_validate_and_touch_only_defined_keys() {
    let app = Spawn::default()
        .env("PORTAL_PROFILE_FIELDS", profile_fields_file(FIELDS))
        .start()
        .await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let mut seed = serde_json::Map::new();
    seed.insert("department".into(), json!("sales"));
    seed.insert("other_app".into(), json!({"keep": true}));
    app.state
        .logto
        .update_custom_data(&id, &seed)
        .await
        .unwrap();

    let (_, html) = member.get_text("/profile").await;
    assert!(exists(&html, "section#custom"));
    let shown = text(&html, "#custom dl");
    assert!(shown.contains("Department sales"), "{shown}");
    assert!(shown.contains("Employee ID"));

    let fragment = member
        .get_htmx("/profile/custom/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#custom-cf-employee-id[required]"));
    assert!(exists(&fragment, "input#custom-cf-shoe-size[type=number]"));
    assert!(exists(
        &fragment,
        "input#custom-cf-newsletter[type=checkbox]"
    ));
    // The read-only field is shown, not editable.
    assert!(!exists(&fragment, "[name=cf_department]"));
    assert!(text(&fragment, "#custom dl").contains("read-only"));

    app.fake.state().clear_requests();
    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "X1"),
                ("cf_shoe_size", "12"),
                ("cf_start_date", "2024-13-01"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#custom-cf-employee-id-error").contains("format"));
    assert!(text(&fragment, "#custom-cf-shoe-size-error").contains("at least 30"));
    assert!(exists(&fragment, "#custom-cf-start-date-error"));
    assert!(app
        .fake
        .state()
        .api_requests()
        .iter()
        .all(|r| r.method == "GET"));

    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "E12345"),
                ("cf_shoe_size", "42"),
                ("cf_newsletter", ""),
                ("cf_newsletter", "on"),
                ("cf_start_date", ""),
                // Tampering: a read-only field and an undefined key.
                ("cf_department", "engineering"),
                ("cf_other_app", "hacked"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let data = user(&app, &id)["customData"].clone();
    assert_eq!(data["employee_id"], "E12345");
    assert_eq!(data["shoe_size"], 42);
    assert_eq!(data["newsletter"], true);
    assert_eq!(
        data["department"], "sales",
        "read-only fields are never written"
    );
    assert_eq!(
        data["other_app"],
        json!({"keep": true}),
        "undefined keys are never touched"
    );
    let reqs: Vec<_> = app
        .fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, format!("/api/users/{id}/custom-data"));
    let sent: Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"customData": {"employee_id": "E12345", "shoe_size": 42, "newsletter": true}})
    );

    // Unticking the box stores false; the other fields are untouched.
    let r = member
        .post_htmx(
            "/profile/custom",
            &[
                ("cf_employee_id", "E12345"),
                ("was_cf_employee_id", "E12345"),
                ("cf_newsletter", ""),
                ("was_cf_newsletter", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let data = user(&app, &id)["customData"].clone();
    assert_eq!(data["newsletter"], false);
    assert_eq!(data["shoe_size"], 42);

    let entries = audit_of(&app, "profile.update_custom").await;
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .any(|e| details(e) == json!({"fields": ["newsletter"]})));
}

#[tokio::test]
async fn a_broken_profile_fields_file_stops_start_up() {
    let path = profile_fields_file("[[field]]\nkey = \"x\"\ntype = \"select\"\n");
    let vars = |k: &str| match k {
        "LOGTO_ENDPOINT" => Some("http://127.0.0.1:1".to_string()),
        "LOGTO_M2M_APP_ID" | "LOGTO_M2M_APP_SECRET" | "LOGTO_APP_ID" | "LOGTO_APP_SECRET" => {
            Some("x".to_string())
        }
        "PORTAL_PROFILE_FIELDS" => Some(path.clone()),
        _ => None,
    };
    let e = logto_portal::config::Config::from_lookup(vars).unwrap_err();
    assert_eq!(e.var, "PORTAL_PROFILE_FIELDS");
    assert!(e.to_string().contains("needs options"), "{e}");
}

// ---------------------------------------------------------------------------------------
// Password

#[tokio::test]
async fn password_policy_refuses_weak_passwords_without_asking_logto() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let pw = app.seed.password.clone();
    let fragment = member
        .get_htmx("/profile/password/edit")
        .await
        .text()
        .await
        .unwrap();
    let hint = text(&fragment, "#password-new-password-hint");
    assert!(hint.contains("At least 10 characters"), "{hint}");

    app.fake.state().clear_requests();
    for (new, expect) in [
        ("Sh0rt!", "at least 10 characters"),
        ("alllowercaseletters", "at least 3 of"),
        ("Qwertyuiop123!", "too common"),
        ("Monkey2024!!", "too common"),
        ("xMia_Member99!", "username or email"),
        ("Mia.Member@Acme1", "username or email"),
    ] {
        let r = member
            .post_htmx(
                "/profile/password",
                &[
                    ("current_password", &pw),
                    ("new_password", new),
                    ("confirm_password", new),
                ],
            )
            .await;
        let (status, fragment) = body(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        let msg = text(&fragment, "#password-new-password-error");
        assert!(msg.contains(expect), "{new}: {msg}");
    }
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &pw),
                ("new_password", "Violet-Harbor-93"),
                ("confirm_password", "Violet-Harbor-39"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#password-confirm-password-error").contains("not the same"));
    assert!(
        app.fake
            .state()
            .api_requests()
            .iter()
            .all(|r| !r.path.contains("/password")),
        "nothing was verified or changed"
    );
    let policy = audit_of(&app, "profile.password_change").await;
    assert!(policy
        .iter()
        .all(|e| e.error_code.as_deref() == Some("password_policy")));
    assert!(policy
        .iter()
        .any(|e| details(e)["rules"] == json!(["common"])));
}

#[tokio::test]
async fn password_change_checks_the_current_password() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let new = "Violet-Harbor-93";

    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&fragment, "#password-current-password-error").contains("not your current password")
    );
    assert!(!app.state.logto.verify_password(&id, new).await.unwrap());

    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#password #password-status").contains("Your password was changed."));
    assert!(app.state.logto.verify_password(&id, new).await.unwrap());

    // Even right after a proof, a password change asks for the current password again.
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("new_password", "Another-Harbor-77"),
                ("confirm_password", "Another-Harbor-77"),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exists(&fragment, "#password-current-password-error"));

    let entries = audit_of(&app, "profile.password_change").await;
    let results: Vec<_> = entries
        .iter()
        .map(|e| (e.result.as_str(), e.error_code.as_deref()))
        .collect();
    assert!(
        results.contains(&("failure", Some("invalid_current_password"))),
        "{results:?}"
    );
    assert!(results.contains(&("success", None)), "{results:?}");
}

#[tokio::test]
async fn wrong_current_passwords_are_slowed_down_per_user() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let new = "Violet-Harbor-93";
    let attempt = |pw: String| {
        let member = &member;
        async move {
            member
                .post_htmx(
                    "/profile/password",
                    &[
                        ("current_password", pw.as_str()),
                        ("new_password", new),
                        ("confirm_password", new),
                    ],
                )
                .await
        }
    };
    app.fake.state().clear_requests();
    // Five tries per quarter of an hour (src/limits.rs); the fifth wrong one says so.
    for i in 1..=5 {
        let (status, fragment) = body(attempt("wrong-guess".into()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let msg = text(&fragment, "#password-current-password-error");
        assert!(msg.contains("not your current password"), "{msg}");
        assert_eq!(msg.contains("wait 15 minutes"), i == 5, "try {i}: {msg}");
    }
    // Now even the right password waits, and Logto is not asked.
    let (status, fragment) = body(attempt(app.seed.password.clone()).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&fragment, "#password-current-password-error"),
        "Too many attempts. Try again in 15 minutes."
    );
    assert_eq!(verify_calls(&app), 5);
    assert!(audit_of(&app, "profile.password_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("password_attempts_throttled")));

    // Another person is not slowed down.
    let admin = app.admin().await;
    let r = admin
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// How many `POST /api/users/{id}/password/verify` reached the fake Logto.
fn verify_calls(app: &TestApp) -> usize {
    app.fake
        .state()
        .api_requests()
        .iter()
        .filter(|r| r.path.ends_with("/password/verify"))
        .count()
}

#[tokio::test]
async fn parallel_wrong_passwords_reach_logto_at_most_the_limit() {
    let app = common::spawn_app().await;
    // Logto takes a moment per answer, as a real one does: without an atomic reservation
    // every request would pass the check before the first failure is counted.
    app.fake.state().set_latency(Duration::from_millis(20));
    let member = app.member().await;
    app.fake.state().clear_requests();
    let answers = all_at_once(&member, &[&app.url], 30, |b, i| async move {
        b.post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "mia_guessed"),
                ("current_password", &format!("guess-{i}")),
            ],
        )
        .await
    })
    .await;
    let verifies = verify_calls(&app);
    assert!(
        (1..=5).contains(&verifies),
        "{verifies} guesses reached Logto"
    );
    let refused = answers
        .iter()
        .filter(|(status, fragment)| {
            *status == StatusCode::UNPROCESSABLE_ENTITY
                && text(fragment, "#basics-current-password-error")
                    .starts_with("Too many attempts. Try again in")
        })
        .count();
    assert_eq!(refused, 30 - verifies, "every other guess was refused");

    // The right password now is refused as well, without asking Logto.
    app.fake.state().set_latency(Duration::ZERO);
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Mia Member"),
                ("username", "mia_guessed"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&fragment, "#basics-current-password-error"),
        "Too many attempts. Try again in 15 minutes."
    );
    assert_eq!(verify_calls(&app), verifies);
    let id = app.user_id(&app.seed.member_username);
    assert_eq!(user(&app, &id)["username"], "mia_member");
    let throttled = audit_of(&app, "profile.update_basics")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("password_attempts_throttled"))
        .count();
    assert_eq!(
        throttled,
        30 - verifies + 1,
        "every refusal is in the trail"
    );
}

#[tokio::test]
async fn the_code_cooldown_holds_across_sessions_and_parallel_requests() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let pw = app.seed.password.clone();
    let first = app.member().await;
    let r = first
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.first@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // A second sign-in is a new session: it waits all the same.
    let second = app.member().await;
    let r = second
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.second@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&fragment, "#email-address-error").contains("before asking for another code"),
        "{fragment}"
    );
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // Another person, ten parallel requests to ten addresses: one code goes out.
    let (_, other) = person(
        &app,
        NewUser {
            username: Some("paula_parallel".into()),
            primary_email: Some("paula@acme.test".into()),
            ..Default::default()
        },
    )
    .await;
    // Proven once (the address is taken, so nothing is sent), then no password is needed.
    let r = other
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.member@acme.test"),
                ("current_password", &pw),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap(), "#email-address-error").contains("already used"));
    let answers = all_at_once(&other, &[&app.url], 10, |b, i| async move {
        b.post_htmx(
            "/profile/email",
            &[("address", &format!("paula.{i}@acme.test"))],
        )
        .await
    })
    .await;
    let sent: Vec<String> = app
        .fake
        .state()
        .sent_messages()
        .into_iter()
        .map(|m| m.to)
        .filter(|to| to.starts_with("paula."))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .count(),
        1
    );
    // A resend waits too.
    let r = other.post_htmx("/profile/email/resend", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.fake.state().sent_messages().len(), 2);
    let throttled = audit_of(&app, "profile.email_change")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("code_sends_throttled"))
        .count();
    assert!(throttled >= 9, "{throttled} refusals in the trail");
}

// ---------------------------------------------------------------------------------------
// Email and phone

#[tokio::test]
async fn one_address_receives_a_few_codes_an_hour_whoever_asks() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let target = "inbox.of.someone@elsewhere.test";
    // Five people may each ask for a code to the same address (src/limits.rs)…
    for i in 0..6 {
        let (_, b) = person(
            &app,
            NewUser {
                username: Some(format!("sender_{i}")),
                primary_email: Some(format!("sender.{i}@acme.test")),
                ..Default::default()
            },
        )
        .await;
        let r = b
            .post_htmx(
                "/profile/email",
                &[
                    ("address", target),
                    ("current_password", &app.seed.password),
                ],
            )
            .await;
        let (status, fragment) = body(r).await;
        if i < 5 {
            assert_eq!(status, StatusCode::OK, "sender {i}: {fragment}");
        } else {
            // …the sixth is refused before Logto sends anything.
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                text(&fragment, "#email-address-error").starts_with("Too many attempts."),
                "{fragment}"
            );
        }
    }
    let sent = app
        .fake
        .state()
        .sent_messages()
        .into_iter()
        .filter(|m| m.to == target)
        .count();
    assert_eq!(sent, 5);
    let refused = audit_of(&app, "profile.email_change")
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("code_sends_throttled"))
        .collect::<Vec<_>>();
    assert_eq!(refused.len(), 1);
    assert_eq!(details(&refused[0])["limit"], "codes_per_address");
}

#[tokio::test]
async fn email_change_with_a_code_from_the_fake() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let new = "mia.new@acme.test";

    let fragment = member
        .get_htmx("/profile/email/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(&fragment, "#email-address[type=email]"));
    assert!(exists(&fragment, "#email-current-password"));

    let r = member
        .post_htmx(
            "/profile/email",
            &[("address", new), ("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#email-pending").contains(new));
    assert_eq!(
        attr(&fragment, "#email-code", "autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert!(text(&fragment, "#email #email-status").contains("A code was sent"));
    let code = app
        .fake
        .state()
        .last_verification_code(new)
        .expect("a code was sent");
    assert_eq!(
        user(&app, &id)["primaryEmail"],
        "mia.member@acme.test",
        "not saved yet"
    );

    // The pending change survives a reload (it lives in the session).
    let (_, html) = member.get_text("/profile").await;
    assert!(text(&html, "#email-pending").contains(new));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = member
        .post_htmx("/profile/email/verify", &[("code", wrong)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("not right"));
    let r = member
        .post_htmx("/profile/email/verify", &[("code", "12ab")])
        .await;
    let (_, fragment) = body(r).await;
    assert!(text(&fragment, "#email-code-error").contains("digits"));

    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#email-current"), new);
    assert!(text(&fragment, "#email #email-status")
        .contains(&format!("Your email address is now {new}")));
    assert_eq!(user(&app, &id)["primaryEmail"], new);

    let steps: Vec<(String, Option<String>)> = audit_of(&app, "profile.email_change")
        .await
        .iter()
        .rev()
        .map(|e| {
            (
                details(e)["step"].as_str().unwrap().to_string(),
                e.error_code.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("code_sent".to_string(), None),
            (
                "verify".to_string(),
                Some("verification_code.code_mismatch".to_string())
            ),
            ("saved".to_string(), None),
        ]
    );
    // The session's email follows (shown as the actor's email from now on).
    member
        .post_htmx("/profile/basics", &[("name", "Mia Again")])
        .await;
    let last = audit_of(&app, "profile.update_basics").await;
    assert_eq!(last[0].actor_email.as_deref(), Some(new));
}

#[tokio::test]
async fn email_change_refusals() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let pw = app.seed.password.clone();

    for (address, expect) in [
        ("not-an-email", "such as name@example.com"),
        ("MIA.member@acme.test", "already your email"),
        ("ADAM.ADMIN@acme.test", "already used by another account"),
    ] {
        let r = member
            .post_htmx(
                "/profile/email",
                &[("address", address), ("current_password", &pw)],
            )
            .await;
        let (status, fragment) = body(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{address}");
        assert!(
            text(&fragment, "#email-address-error").contains(expect),
            "{address}: {fragment}"
        );
        assert_eq!(
            attr(&fragment, "#email-address", "aria-invalid").as_deref(),
            Some("true")
        );
    }
    assert!(
        app.fake.state().sent_messages().is_empty(),
        "no code to a taken address"
    );
    assert!(audit_of(&app, "profile.email_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("user.email_already_in_use")));

    // A code is sent; asking again within a minute is refused, to any address.
    let r = member
        .post_htmx("/profile/email", &[("address", "mia.two@acme.test")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member.post_htmx("/profile/email/resend", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("before asking for another code"));
    let r = member
        .post_htmx("/profile/email", &[("address", "mia.three@acme.test")])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-address-error").contains("before asking for another code"));
    assert_eq!(app.fake.state().sent_messages().len(), 1);

    // An expired code says so.
    let code = app
        .fake
        .state()
        .last_verification_code("mia.two@acme.test")
        .unwrap();
    app.fake
        .state()
        .age_verification_codes(Duration::from_secs(601));
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-code-error").contains("expired"));

    // Cancelled: nothing waits any more.
    let r = member.post_htmx("/profile/email/cancel", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email #email-status").contains("no change waiting"));
    let id = app.user_id(&app.seed.member_username);
    assert_eq!(user(&app, &id)["primaryEmail"], "mia.member@acme.test");
}

#[tokio::test]
async fn email_section_is_read_only_without_a_connector() {
    let app = common::spawn_app().await;
    // Text messages can go out; email cannot.
    app.fake.state().set_sms_connector(true);
    let member = app.member().await;
    let r = member
        .post_htmx(
            "/profile/email",
            &[
                ("address", "mia.new@acme.test"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email").contains("cannot be changed here"));
    assert!(!exists(&fragment, "#email form"), "read-only");
    assert!(audit_of(&app, "profile.email_change")
        .await
        .iter()
        .any(|e| e.error_code.as_deref() == Some("connector.not_found")));
    // The page remembers it: no change button, the explanation instead.
    let (_, html) = member.get_text("/profile").await;
    assert!(!exists(&html, "#email-edit"));
    assert!(text(&html, "#email").contains("cannot be changed here"));
    assert_eq!(text(&html, "#email-current"), "mia.member@acme.test");
    // Phone has its own connector and is not affected.
    assert!(exists(&html, "#phone-edit"));
}

#[tokio::test]
async fn phone_change_and_removal() {
    let app = common::spawn_app().await;
    app.fake.state().set_sms_connector(true);
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);

    let r = member
        .post_htmx(
            "/profile/phone",
            &[
                ("address", "+886 912-345 678"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let code = app
        .fake
        .state()
        .last_verification_code("886912345678")
        .unwrap();
    let r = member
        .post_htmx("/profile/phone/verify", &[("code", &code)])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert_eq!(text(&fragment, "#phone-current"), "+886912345678");
    assert_eq!(user(&app, &id)["primaryPhone"], "886912345678");

    // Removing it: the person still has a username and an email, so it is allowed.
    let r = member.post_htmx("/profile/phone/remove", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(text(&fragment, "#phone #phone-status").contains("removed"));
    assert_eq!(user(&app, &id)["primaryPhone"], Value::Null);
    let steps: Vec<String> = audit_of(&app, "profile.phone_change")
        .await
        .iter()
        .map(|e| details(e)["step"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(steps, ["removed", "saved", "code_sent"]);

    // A number taken by another person (a seeded user has 15550100000).
    let r = member
        .post_htmx("/profile/phone", &[("address", "+1 555 010 0000")])
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#phone-address-error").contains("already used"));
    let r = member
        .post_htmx("/profile/phone", &[("address", "12ab")])
        .await;
    let (_, fragment) = body(r).await;
    assert!(text(&fragment, "#phone-address-error").contains("country code"));
}

#[tokio::test]
async fn removing_the_last_sign_in_identifier_is_refused() {
    let app = common::spawn_app().await;
    // Email and password only.
    let (mail_id, mail) = person(
        &app,
        NewUser {
            primary_email: Some("only.mail@solo.test".into()),
            ..Default::default()
        },
    )
    .await;
    let r = mail
        .post_htmx(
            "/profile/email/remove",
            &[("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#email-address-error").contains("last way you can sign in"));
    assert_eq!(user(&app, &mail_id)["primaryEmail"], "only.mail@solo.test");

    // Username and password only: clearing the username is refused.
    let (name_id, named) = person(
        &app,
        NewUser {
            username: Some("only_name".into()),
            ..Default::default()
        },
    )
    .await;
    let r = named
        .post_htmx(
            "/profile/basics",
            &[
                ("name", ""),
                ("username", ""),
                ("avatar", ""),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-username-error").contains("last way"));
    assert_eq!(user(&app, &name_id)["username"], "only_name");

    let failures: Vec<_> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("last_sign_in_method"))
        .map(|e| e.action)
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
}

// ---------------------------------------------------------------------------------------
// Linked accounts

#[tokio::test]
async fn linked_accounts_unlink_and_last_method_guard() {
    let app = common::spawn_app().await;
    let (id, b) = person(
        &app,
        NewUser {
            username: Some("social_sam".into()),
            identities: json!({
                "github": {"userId": "gh-42", "details": {"email": "sam@github.test"}},
                "google": {"userId": "g-7"}
            }),
            ..Default::default()
        },
    )
    .await;
    let (_, html) = b.get_text("/profile").await;
    let rows = texts(&html, "#identities tbody tr th");
    assert_eq!(rows, ["GitHub", "Google"]);
    assert!(text(&html, "#identities tbody").contains("sam@github.test"));

    // Not the person's own connector: 404, whoever has it.
    let r = b.post_htmx("/profile/identities/apple/unlink", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = b.post_htmx("/profile/identities/github/unlink", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#identities").contains("current password"));
    let r = b
        .post_htmx(
            "/profile/identities/github/unlink",
            &[("current_password", &app.seed.password)],
        )
        .await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    assert!(
        text(&fragment, "#identities #identities-status").contains("GitHub account was unlinked")
    );
    assert_eq!(texts(&fragment, "#identities tbody tr th"), ["Google"]);
    assert!(user(&app, &id)["identities"].get("github").is_none());

    // Google becomes the only way in once the username is gone (changed elsewhere).
    app.state
        .logto
        .update_user(
            &id,
            &UserPatch {
                username: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = b.post_htmx("/profile/identities/google/unlink", &[]).await;
    let (status, fragment) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#identities .field-error").contains("last way you can sign in"));
    assert!(user(&app, &id)["identities"].get("google").is_some());

    let entries = audit_of(&app, "profile.identity_unlink").await;
    let summary: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                details(e)["target"].as_str().unwrap_or("").to_string(),
                e.error_code.clone(),
            )
        })
        .collect();
    assert!(
        summary.contains(&("github".to_string(), None)),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("google".to_string(), Some("last_sign_in_method".into()))),
        "{summary:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Avatar upload

fn multipart(bytes: &[u8], content_type: &str) -> (Vec<u8>, String) {
    let boundary = "portal-test-boundary-7f3a";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.png\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (body, format!("multipart/form-data; boundary={boundary}"))
}

async fn upload(b: &Browser, bytes: &[u8], content_type: &str) -> reqwest::Response {
    let (body, ct) = multipart(bytes, content_type);
    b.client
        .post(b.url("/profile/avatar"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", b.csrf.clone().unwrap())
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn avatar_upload_when_storage_is_configured() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let png: Vec<u8> = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        &[0u8; 64][..],
    ]
    .concat();

    // No storage: no upload form, and an upload is refused with a clear message.
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(!exists(&fragment, "#basics-file"));
    let (status, fragment) = body(upload(&member, &png, "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("not available"));

    app.fake.state().set_storage_configured(true);
    // The portal keeps the storage status for 5 minutes; the deployer's change shows after that.
    app.state.storage_ready.clear();
    let fragment = member
        .get_htmx("/profile/basics/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(exists(
        &fragment,
        "form[enctype='multipart/form-data'] #basics-file"
    ));
    // Plain forms carry the token in the body, never in the address.
    let action = attr(&fragment, "form.avatar-upload", "action").unwrap();
    assert_eq!(action, "/profile/avatar");
    assert_eq!(
        attr(&fragment, "form.avatar-upload input[name=_csrf]", "value"),
        member.csrf
    );

    let (status, fragment) =
        body(upload(&member, b"<svg onload=alert(1)>", "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("not a PNG"));

    let (status, fragment) = body(upload(&member, &png, "application/octet-stream").await).await;
    assert_eq!(status, StatusCode::OK, "{fragment}");
    let avatar = user(&app, &id)["avatar"].as_str().unwrap().to_string();
    assert!(
        avatar.starts_with(&app.fake.url()) && avatar.ends_with(".png"),
        "{avatar}"
    );
    // Shown through the portal (issue 15), which serves only what it can decode and
    // re-encode: this file is a PNG signature and zeros, so the initials show instead.
    let src = attr(&fragment, "#basics img.avatar", "src").unwrap();
    assert!(src.starts_with(&format!("/avatars/{id}?v=")), "{src}");
    assert_eq!(member.get(&src).await.status(), StatusCode::NOT_FOUND);

    let too_big = vec![0x89u8; 3 * 1024 * 1024];
    let (status, fragment) = body(upload(&member, &too_big, "image/png").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&fragment, "#basics-file-error").contains("too large"));
    let uploads = audit_of(&app, "profile.update_basics").await;
    assert!(uploads
        .iter()
        .any(|e| e.result == "success" && details(e)["upload"] == json!(true)));
    assert!(uploads
        .iter()
        .any(|e| e.error_code.as_deref() == Some("storage.not_configured")));
}

// ---------------------------------------------------------------------------------------
// Delete my account

#[tokio::test]
async fn delete_account_needs_confirmation_and_signs_out() {
    let app = Spawn::default()
        .env("PORTAL_ALLOW_SELF_DELETE", "true")
        .start()
        .await;
    let (id, b) = person(
        &app,
        NewUser {
            username: Some("leaving_lee".into()),
            primary_email: Some("lee@leaving.test".into()),
            ..Default::default()
        },
    )
    .await;
    let (_, html) = b.get_text("/profile").await;
    assert!(exists(&html, "section#delete"));
    assert!(text(&html, "label[for=delete-confirm]").contains("leaving_lee"));

    let r = b
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "leaving"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    let (status, html) = body(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html, "#delete-confirm-error").contains("leaving_lee"));
    let r = b
        .post_form(
            "/profile/delete",
            &[("confirm", "leaving_lee"), ("current_password", "wrong")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.fake.state().user_json(&id).is_some());

    let r = b
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "leaving_lee"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/signed-out");
    assert!(
        app.fake.state().user_json(&id).is_none(),
        "deleted in Logto"
    );
    let r = b.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with("/sign-in"),
        "signed out of the portal"
    );
    let entries = audit_of(&app, "profile.delete_account").await;
    assert_eq!(entries[0].result, "success");
    assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));

    // htmx: the browser is sent to the signed-out page.
    let (_, other) = person(
        &app,
        NewUser {
            username: Some("leaving_too".into()),
            ..Default::default()
        },
    )
    .await;
    let r = other
        .post_htmx(
            "/profile/delete",
            &[
                ("confirm", "leaving_too"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["hx-redirect"], "/signed-out");
}

#[tokio::test]
async fn delete_is_absent_unless_allowed() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let r = member
        .post_form(
            "/profile/delete",
            &[
                ("confirm", "mia_member"),
                ("current_password", &app.seed.password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(app
        .fake
        .state()
        .user_json(&app.user_id(&app.seed.member_username))
        .is_some());
}

// ---------------------------------------------------------------------------------------
// Only oneself

#[tokio::test]
async fn another_user_id_in_forms_or_urls_has_no_effect() {
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let me = app.user_id(&app.seed.member_username);
    let admin = app.user_id(&app.seed.admin_username);
    let other_gh = app.fake.state().create_user(NewUser {
        username: Some("other_gh".into()),
        identities: json!({"github": {"userId": "99"}}),
        ..Default::default()
    });
    app.fake.state().clear_requests();

    // Forms carrying someone else's id.
    let r = member
        .post_htmx(
            "/profile/basics",
            &[
                ("name", "Tampered"),
                ("id", &admin),
                ("user_id", &admin),
                ("userId", &admin),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &me)["name"], "Tampered");
    assert_eq!(user(&app, &admin)["name"], "Adam Admin");
    let r = member
        .post_htmx(
            "/profile/details",
            &[("nickname", "Nick"), ("user_id", &admin)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(user(&app, &admin)["profile"].get("nickname"), None);
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &app.seed.password),
                ("new_password", "Violet-Harbor-93"),
                ("confirm_password", "Violet-Harbor-93"),
                ("user_id", &admin),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = member
        .post_htmx(
            "/profile/email",
            &[("address", "x.new@acme.test"), ("userId", &admin)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Someone else's social account: not on the person's own account, so 404.
    let r = member
        .post_htmx(
            "/profile/identities/github/unlink",
            &[("user_id", &other_gh)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(user(&app, &other_gh)["identities"].get("github").is_some());

    // URLs with an id.
    for path in [
        format!("/profile/{admin}"),
        format!("/profile/{admin}/basics"),
        format!("/profile/basics/{admin}"),
    ] {
        assert_eq!(
            member.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let r = member.post_htmx(&path, &[("name", "X")]).await;
        assert!(
            matches!(
                r.status(),
                StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
            ),
            "{path}: {}",
            r.status()
        );
    }
    let (_, html) = member
        .get_text(&format!("/profile?user_id={admin}&id={admin}"))
        .await;
    assert_eq!(text(&html, "#basics-name-value"), "Tampered");

    // Every single-user request the portal made was about the person themselves.
    let paths = user_paths(&app);
    assert!(!paths.is_empty());
    for p in &paths {
        assert!(p.starts_with(&format!("/api/users/{me}")), "{p}");
    }
    assert_eq!(user(&app, &admin)["name"], "Adam Admin");
    // (Checked last: this call is the test's own request about the admin.)
    assert!(app
        .state
        .logto
        .verify_password(&admin, &app.seed.password)
        .await
        .unwrap());
}

#[tokio::test]
async fn state_changes_need_csrf_and_logto_failures_read_clearly() {
    let app = common::spawn_app().await;
    let member = app.member().await;
    let id = app.user_id(&app.seed.member_username);
    let r = member
        .post_without_csrf("/profile/basics", &[("name", "No Token")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(user(&app, &id)["name"], "Mia Member");

    app.fake.stop().await;
    let r = member
        .post_htmx("/profile/basics", &[("name", "While Down")])
        .await;
    let status = r.status();
    let retarget = r
        .headers()
        .get("hx-retarget")
        .map(|v| v.to_str().unwrap().to_string());
    let fragment = r.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(retarget.as_deref(), Some("#alerts"));
    assert!(fragment.contains("did not answer"), "{fragment}");
    app.fake.resume().await;
    assert_eq!(user(&app, &id)["name"], "Mia Member");
}

// ---------------------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn secrets_never_reach_the_audit_trail_or_logs() {
    capture_logs();
    let app = common::spawn_app().await;
    app.fake.state().set_email_connector(true);
    let member = app.member().await;
    let old = app.seed.password.clone();
    let wrong = "Wrong-Secret-Guess-4417";
    let new = "Secret-Lantern-Zebra-8812";

    member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", wrong),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    let r = member
        .post_htmx(
            "/profile/password",
            &[
                ("current_password", &old),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    member
        .post_htmx("/profile/email", &[("address", "secret.mia@acme.test")])
        .await;
    let code = app
        .fake
        .state()
        .last_verification_code("secret.mia@acme.test")
        .unwrap();
    let r = member
        .post_htmx("/profile/email/verify", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let trail = serde_json::to_string(&audit(&app).await).unwrap();
    assert!(trail.contains("profile.password_change") && trail.contains("profile.email_change"));
    let logs = logs();
    assert!(
        logs.contains("/profile/password"),
        "the capture sees this test's requests"
    );
    for secret in [old.as_str(), wrong, new, code.as_str()] {
        assert!(
            !contains_token(&trail, secret),
            "audit trail holds {secret:?}"
        );
        assert!(!contains_token(&logs, secret), "logs hold {secret:?}");
    }
    assert!(contains_token("x=123456&", "123456") && !contains_token("a1234567", "123456"));
}

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
fn without_csrf(markup: &str) -> String {
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
