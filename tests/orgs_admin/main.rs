//! Operators run organizations end to end (issue 18): creating one, its settings (name,
//! description, logos, the deployer's organization fields, two-step verification), what an
//! organization's admin may change (`PORTAL_ADMINS_EDIT_ORG`), just-in-time membership
//! (verified email domains, default roles, SSO connectors) and deletion, each in the audit
//! trail. Through real HTTP against the fake Logto; run with `FAKE_LOGTO_VERSION=1.37` and
//! `1.42`.

#[path = "../common/mod.rs"]
mod common;

use common::{attrs, location, texts, Browser, Spawn, TestApp};
use logto_portal::audit::{Entry, Filter};
use reqwest::StatusCode;
use serde_json::Value;

mod create;
mod delete;
mod jit;
mod settings;

/// Signs in and takes the CSRF token from `page`.
async fn signed_in(app: &TestApp, username: &str, page: &str) -> Browser {
    let mut b = app.sign_in(username).await;
    let (status, html) = b.get_text(page).await;
    assert_eq!(status, StatusCode::OK, "{page}: {html}");
    b.csrf = common::hidden_value(&html, "_csrf");
    assert!(b.csrf.is_some(), "CSRF token on {page}");
    b
}

async fn operator(app: &TestApp) -> Browser {
    signed_in(app, &app.seed.operator_username.clone(), "/orgs").await
}

fn settings_url(org_id: &str) -> String {
    format!("/orgs/{org_id}/settings")
}

/// The seeded admin's organization (Acme Corp).
fn acme(app: &TestApp) -> String {
    app.fake
        .state()
        .find_org_id_by_name("Acme Corp")
        .expect("seeded Acme Corp")
}

fn org_json(app: &TestApp, org_id: &str) -> Value {
    app.fake
        .state()
        .organization_json(org_id)
        .expect("organization in the fake")
}

/// Entries of one action, newest first.
async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    let (entries, _) = app
        .state
        .audit
        .list(
            &Filter {
                action: Some(action.to_string()),
                ..Default::default()
            },
            1,
            100,
        )
        .await
        .unwrap();
    entries
}

fn details(e: &Entry) -> Value {
    serde_json::from_str(&e.details).unwrap()
}

/// The text of the element with this id (empty when it is not there).
fn text_of(html: &str, id: &str) -> String {
    texts(html, &format!("#{id}")).join(" ")
}
