//! The end user's own profile at `/profile`, through real HTTP against the fake Logto: every
//! section's success and failure paths, the merge behaviour of `profile` and `customData`, the
//! email/phone change with a code read from the fake, the password policy and the wrong-password
//! throttle, that nobody can touch another user id, and that secrets never reach the audit
//! trail or the logs.

#[path = "../common/mod.rs"]
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

mod accounts;
mod boundaries;
mod contact;
mod design;
mod fields;
mod page_and_basics;
mod password;

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
