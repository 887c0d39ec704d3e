//! Management API behaviour: search grammar, pagination, users, organizations, invitations,
//! verification codes, logs and user assets.

#[path = "../common/mod.rs"]
mod common;

use common::{links, now_ms, TestLogto};
use fake_logto::{MessageKind, NewUser};
use serde_json::{json, Value};
use std::time::Duration;

mod jit;
mod messages;
mod orgs;
mod search;
mod users;

fn user(username: &str, email: Option<&str>, name: &str) -> NewUser {
    NewUser {
        username: Some(username.into()),
        primary_email: email.map(str::to_string),
        name: Some(name.into()),
        ..Default::default()
    }
}

fn usernames(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn search(t: &TestLogto, q: &str) -> Vec<String> {
    let r = t.get(&format!("/api/users?page_size=100&{q}")).await;
    assert_eq!(r.status, 200, "{q}: {}", r.text);
    let mut u = usernames(&r.json());
    u.sort();
    u
}

async fn search_error(t: &TestLogto, q: &str) -> String {
    let r = t.get(&format!("/api/users?{q}")).await;
    assert_eq!(r.status, 400, "{q}: {}", r.text);
    assert_eq!(r.code(), "request.invalid_input");
    r.json()["message"].as_str().unwrap().to_string()
}
