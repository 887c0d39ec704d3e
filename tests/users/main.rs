//! The operators' user directory (`/users`) against the fake Logto, over real HTTP: the exact
//! search query strings sent to Logto, paging from its headers, Logto's refusals shown in
//! place, the CSV export, the account actions and their audit trail, and operator-only access.

#[path = "../common/mod.rs"]
mod common;

use common::location;

use common::{hidden_value, Browser, TestApp};
use fake_logto::NewUser;
use logto_portal::audit::{Entry, Filter};
use reqwest::StatusCode;
use scraper::{Html, Selector};

mod access_changes;
mod detail;
mod exports;
mod list;
mod password_expiry;
mod search;
mod security;

// ---------------------------------------------------------------------------------------
// Helpers

async fn operator(app: &TestApp) -> Browser {
    let mut b = app.operator().await;
    if b.csrf.is_none() {
        // Every signed-in page carries the token in its sign-out form.
        let html = b.get("/users").await.text().await.unwrap();
        b.csrf = hidden_value(&html, "_csrf");
    }
    assert!(b.csrf.is_some(), "the operator's pages carry a CSRF token");
    b
}

fn select_all(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_string)
}

fn text_of(html: &str, css: &str) -> String {
    select_all(html, css).join(" ")
}

/// Names in the users table, in order.
fn names(html: &str) -> Vec<String> {
    select_all(html, "#users-table tbody tr th .users-name")
}

/// Query strings of the `GET /api/users` requests the fake received since the last clear.
fn user_queries(app: &TestApp) -> Vec<String> {
    app.fake
        .state()
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/users")
        .map(|r| r.query)
        .collect()
}

/// Loads `/users?{query}` and returns the one query string sent to Logto for the list.
async fn sent_for(app: &TestApp, b: &Browser, query: &str) -> (StatusCode, String, Vec<String>) {
    app.fake.state().clear_requests();
    let (status, html) = b.get_text(&format!("/users?{query}")).await;
    (status, html, user_queries(app))
}

async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    let filter = Filter {
        action: Some(action.to_string()),
        ..Default::default()
    };
    app.state.audit.list(&filter, 1, 100).await.unwrap().0
}

fn user(name: &str, username: &str, email: &str) -> NewUser {
    NewUser {
        name: Some(name.into()),
        username: Some(username.into()),
        primary_email: Some(email.into()),
        ..Default::default()
    }
}

fn is_suspended(app: &TestApp, id: &str) -> bool {
    app.fake.state().user_json(id).unwrap()["isSuspended"]
        .as_bool()
        .unwrap()
}
