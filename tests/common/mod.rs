//! Test harness: each test gets its own fake Logto (seeded with the demo data), its own
//! database, and the real portal on a random loopback port, driven over real HTTP.
#![allow(dead_code)]

pub mod browser;
pub mod process;
pub mod snapshot;

use std::collections::HashMap;

use fake_logto::{DemoSeed, FakeLogto, FakeLogtoConfig};
use logto_portal::clock::{Clock, ManualClock};
use logto_portal::{config::Config, startup::Application, AppState};
use reqwest::{redirect::Policy, StatusCode};

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub url: String,
    pub fake: FakeLogto,
    pub seed: DemoSeed,
    pub state: AppState,
    pub database_url: String,
    /// The portal's clock when the test asked for one it can move ([`Spawn::manual_clock`]).
    pub clock: Option<ManualClock>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A fresh SQLite file under the system temp folder.
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("logto-portal-tests");
    std::fs::create_dir_all(&dir).unwrap();
    format!(
        "sqlite://{}",
        dir.join(format!("{}.db", uuid::Uuid::new_v4())).display()
    )
}

/// A fresh PostgreSQL database on the machine's server.
pub async fn postgres_url() -> String {
    use sqlx::Connection;
    let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL)
        .await
        .expect("PostgreSQL at 127.0.0.1:5432 (database test) must be running for these tests");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    format!("postgres://postgres@127.0.0.1:5432/{name}")
}

pub async fn database_url(kind: DbKind) -> String {
    match kind {
        DbKind::Sqlite => sqlite_url(),
        DbKind::Postgres => postgres_url().await,
    }
}

/// Builder for a test portal.
pub struct Spawn {
    pub db: DbKind,
    pub env: Vec<(&'static str, String)>,
    pub database_url: Option<String>,
    pub fake: Option<FakeLogto>,
    pub clock: Option<ManualClock>,
}

impl Default for Spawn {
    fn default() -> Self {
        Spawn {
            db: DbKind::Sqlite,
            env: Vec::new(),
            database_url: None,
            fake: None,
            clock: None,
        }
    }
}

impl Spawn {
    pub fn db(mut self, kind: DbKind) -> Self {
        self.db = kind;
        self
    }

    pub fn env(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.env.push((key, value.into()));
        self
    }

    /// The portal's time stands still until the test calls [`TestApp::advance_clock`]
    /// (otherwise it runs on the system clock).
    pub fn manual_clock(mut self) -> Self {
        self.clock = Some(ManualClock::starting_now());
        self
    }

    /// Share a database with another instance (replica tests).
    pub fn database_url(mut self, url: String) -> Self {
        self.database_url = Some(url);
        self
    }

    pub async fn start(self) -> TestApp {
        let (fake, seed) = match self.fake {
            Some(f) => {
                let seed = f.state().seed_demo();
                (f, seed)
            }
            None => {
                let f = FakeLogto::start(FakeLogtoConfig::default()).await;
                let seed = f.state().seed_demo();
                (f, seed)
            }
        };
        let database_url = match self.database_url {
            Some(u) => u,
            None => database_url(self.db).await,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://127.0.0.1:{}", addr.port());
        let defaults = FakeLogtoConfig::default();
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("LOGTO_ENDPOINT", fake.url()),
            ("LOGTO_M2M_APP_ID", defaults.m2m_app_id.clone()),
            ("LOGTO_M2M_APP_SECRET", defaults.m2m_app_secret.clone()),
            ("LOGTO_APP_ID", defaults.web_app_id.clone()),
            ("LOGTO_APP_SECRET", defaults.web_app_secret.clone()),
            ("PORTAL_PUBLIC_URL", url.clone()),
            ("PORTAL_LISTEN", addr.to_string()),
            ("DATABASE_URL", database_url.clone()),
        ]);
        for (k, v) in self.env {
            vars.insert(k, v);
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let clock = self
            .clock
            .as_ref()
            .map_or_else(Clock::system, ManualClock::clock);
        let app = Application::with_listener_and_clock(config, listener, clock)
            .await
            .expect("portal starts");
        let state = app.state.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            url,
            fake,
            seed,
            state,
            database_url,
            clock: self.clock,
            shutdown: Some(tx),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    Spawn::default().start().await
}

/// A browser-like HTTP client: keeps cookies, does not follow redirects (tests look at them).
pub struct Browser {
    pub client: reqwest::Client,
    /// The cookie jar, shared by [`Browser::fork`]ed connections.
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub base: String,
    pub csrf: Option<String>,
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// `n` requests by the same person, each on its own connection opened beforehand, all
/// released at once by one barrier; request `i` goes to `bases[i % bases.len()]` (several
/// replicas) and `send` makes it. Status and body of each, in order.
pub async fn all_at_once<F, Fut>(
    person: &Browser,
    bases: &[&str],
    n: usize,
    send: F,
) -> Vec<(StatusCode, String)>
where
    F: Fn(Browser, usize) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let mut b = person.fork();
            b.base = bases[i % bases.len()].to_string();
            let barrier = barrier.clone();
            let warm = b.client.get(b.url("/healthz"));
            // Not started yet: a future runs when awaited, on `b`'s own connection pool.
            let request = send(b, i);
            tokio::spawn(async move {
                // The connection is open before anyone starts.
                assert!(warm.send().await.unwrap().status().is_success());
                barrier.wait().await;
                let r = request.await;
                let status = r.status();
                (status, r.text().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

/// A client on its own connection pool that shares `jar` (the same signed-in session).
pub fn client_with_jar(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Finds `name="<field>" value="…"` in a page.
pub fn hidden_value(html: &str, field: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input[name=\"{field}\"]")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_string)
}

/// The `Location` header, or "" when the response is not a redirect.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The text of every element matching `css`, whitespace collapsed.
pub fn texts(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The value of `attr` on every element matching `css`.
pub fn attrs(html: &str, css: &str, attr: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_string()
    } else {
        format!("{base}{location}")
    }
}

impl TestApp {
    /// The Management API calls the fake recorded since it was last cleared, as
    /// `METHOD path?query`.
    pub fn recorded_calls(&self) -> Vec<String> {
        self.fake
            .state()
            .api_requests()
            .into_iter()
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect()
    }

    /// Lets `by` pass for the portal, without waiting (needs [`Spawn::manual_clock`]).
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.clock
            .as_ref()
            .expect("Spawn::manual_clock() gives the portal a clock a test can move")
            .advance(by);
    }

    pub fn browser(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Browser {
            client: client_with_jar(jar.clone()),
            jar,
            base: self.url.clone(),
            csrf: None,
        }
    }

    /// Signs in through the fake Logto's form, as a person would; returns the browser and
    /// where the portal sent it at the end.
    pub async fn sign_in_to(
        &self,
        username: &str,
        password: &str,
        return_to: &str,
    ) -> (Browser, String) {
        self.sign_in_with(self.browser(), username, password, return_to)
            .await
    }

    /// A browser that sends `user_agent` with every request (a phone, another computer).
    pub fn browser_with_agent(&self, user_agent: &str) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Browser {
            client: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(Policy::none())
                .user_agent(user_agent)
                .build()
                .unwrap(),
            jar,
            base: self.url.clone(),
            csrf: None,
        }
    }

    /// Signs `b` in as `username` (see [`TestApp::sign_in_to`]).
    pub async fn sign_in_with(
        &self,
        b: Browser,
        username: &str,
        password: &str,
        return_to: &str,
    ) -> (Browser, String) {
        let query = format!("return_to={}", urlencode(return_to));
        self.sign_in_query(b, username, password, &query).await
    }

    /// Signs `b` in through `/sign-in?{query}` (e.g. with `prompt=login`).
    pub async fn sign_in_query(
        &self,
        b: Browser,
        username: &str,
        password: &str,
        query: &str,
    ) -> (Browser, String) {
        sign_in_at(&self.url, &self.fake.url(), b, username, password, query).await
    }

    pub async fn sign_in(&self, username: &str) -> Browser {
        let password = self.seed.password.clone();
        self.sign_in_to(username, &password, "/").await.0
    }

    pub async fn operator(&self) -> Browser {
        self.sign_in(&self.seed.operator_username.clone()).await
    }

    pub async fn admin(&self) -> Browser {
        self.sign_in(&self.seed.admin_username.clone()).await
    }

    pub async fn member(&self) -> Browser {
        self.sign_in(&self.seed.member_username.clone()).await
    }

    /// Looks a seeded user's id up by username.
    pub fn user_id(&self, username: &str) -> String {
        self.fake
            .state()
            .find_user_id_by_username(username)
            .unwrap_or_else(|| panic!("no user {username}"))
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The same person (same cookies, same CSRF token) on a separate connection, for truly
    /// parallel requests.
    pub fn fork(&self) -> Browser {
        Browser {
            client: client_with_jar(self.jar.clone()),
            jar: self.jar.clone(),
            base: self.base.clone(),
            csrf: self.csrf.clone(),
        }
    }

    /// Reads the CSRF token from the profile page (every signed-in page carries it).
    pub async fn refresh_csrf(&mut self) {
        for page in ["/profile", "/signed-out"] {
            let html = self.get(page).await.text().await.unwrap();
            if let Some(token) = hidden_value(&html, "_csrf") {
                self.csrf = Some(token);
                return;
            }
        }
        self.csrf = None;
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.unwrap())
    }

    /// As htmx would ask: `HX-Request: true`.
    pub async fn get_htmx(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("HX-Request", "true")
            .header("HX-Current-URL", self.url(path))
            .send()
            .await
            .unwrap()
    }

    /// A plain form post with the CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        all.push(("_csrf", &csrf));
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// A form post as htmx sends it: CSRF in the header.
    pub async fn post_htmx(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", self.csrf.clone().unwrap_or_default())
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// A form post without any CSRF token (must be refused).
    pub async fn post_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

/// Signs `b` in to the portal at `portal` through `/sign-in?{query}` and the fake Logto at
/// `logto`'s form, as a person would (also for a portal run as a separate process).
pub async fn sign_in_at(
    portal: &str,
    logto: &str,
    mut b: Browser,
    username: &str,
    password: &str,
    query: &str,
) -> (Browser, String) {
    let start = b
        .client
        .get(format!("{}/sign-in?{query}", portal))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "sign-in redirects to Logto"
    );
    let auth_url = location(&start);
    let form = b.client.get(&auth_url).send().await.unwrap();
    let landing = if form.status().is_redirection() {
        // Logto already knows this browser.
        location(&form)
    } else {
        let html = form.text().await.unwrap();
        let interaction = hidden_value(&html, "interaction").expect("fake Logto sign-in form");
        let submitted = b
            .client
            .post(format!("{}/oidc/auth/submit", logto))
            .form(&[
                ("interaction", interaction.as_str()),
                ("identifier", username),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            submitted.status().is_redirection(),
            "fake Logto accepted the credentials of {username}"
        );
        location(&submitted)
    };
    let callback = b
        .client
        .get(absolute(portal, &landing))
        .send()
        .await
        .unwrap();
    assert_eq!(
        callback.status(),
        StatusCode::SEE_OTHER,
        "callback succeeds: {}",
        callback.text().await.unwrap_or_default()
    );
    let dest = location(&callback);
    b.refresh_csrf().await;
    (b, dest)
}

/// Waits until `at` has heard every notification `from` has sent (both listening since
/// they started: [`two_listening_replicas`]).
pub async fn heard_all(from: &TestApp, at: &TestApp) {
    until("every notification heard", || {
        at.state.cache_bus.stats().received >= from.state.cache_bus.stats().sent
    })
    .await;
}

/// Waits for something the portal does in the background (a notification arriving, a
/// listener connecting), failing after a few seconds.
pub async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Two replicas on one PostgreSQL and one Logto (the second started after the first).
pub async fn two_replicas() -> (TestApp, TestApp) {
    let first = Spawn::default().db(DbKind::Postgres).start().await;
    let second = Spawn::default()
        .database_url(first.database_url.clone())
        .env("LOGTO_ENDPOINT", first.fake.url())
        .start()
        .await;
    (first, second)
}

/// Two replicas on one PostgreSQL and one Logto, both listening for the other's cache
/// invalidations (the listener connects in the background after start).
pub async fn two_listening_replicas() -> (TestApp, TestApp) {
    let (first, second) = two_replicas().await;
    for app in [&first, &second] {
        until("the cache bus listens", || {
            app.state.cache_bus.stats().listening
        })
        .await;
    }
    (first, second)
}
