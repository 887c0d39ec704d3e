//! Sign-in with Logto, sessions, the access rules and page protection (issue 3), through real
//! HTTP against the fake Logto.

#[path = "../common/mod.rs"]
mod common;

use common::location;

use common::{hidden_value, new_client, spawn_app, Spawn};
use logto_portal::audit::Filter;
use reqwest::StatusCode;

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

async fn home_location(b: &common::Browser) -> (StatusCode, String) {
    let r = b.get("/").await;
    (r.status(), location(&r))
}

mod hygiene;
mod lifetimes;
mod protection;
mod sign_in;
