//! The floor for one page view on this machine: a minimal axum server that, for every request,
//! makes the same Management API call as the member page (reqwest, a kept-alive connection),
//! reads the members' names and answers a small askama page. No session, no middleware, no
//! compression. `scripts/bench` runs it beside the portal, so the portal's CPU per view is
//! read against what any server in this stack spends on the sockets and the runtime.
//!
//! `floor_server <listen> <upstream URL> <bearer token>`

use std::sync::Arc;

use askama::Template;
use axum::{extract::State, response::Html, routing::get, Router};

#[derive(serde::Deserialize)]
struct Member {
    name: Option<String>,
}

#[derive(Template)]
#[template(
    source = "<!doctype html><title>Members</title><ul>{% for n in names %}<li>{{ n }}</li>{% endfor %}</ul>",
    ext = "html"
)]
struct Page {
    names: Vec<String>,
}

struct Upstream {
    client: reqwest::Client,
    url: String,
    authorization: String,
}

async fn page(State(up): State<Arc<Upstream>>) -> Result<Html<String>, String> {
    let body = up
        .client
        .get(&up.url)
        .header("authorization", &up.authorization)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .bytes()
        .await
        .map_err(|e| e.to_string())?;
    let members: Vec<Member> = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let names = members.into_iter().filter_map(|m| m.name).collect();
    Page { names }.render().map(Html).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen, url, token] = args.as_slice() else {
        eprintln!("usage: floor_server <listen> <upstream URL> <bearer token>");
        std::process::exit(2);
    };
    let upstream = Arc::new(Upstream {
        client: reqwest::Client::new(),
        url: url.clone(),
        authorization: format!("Bearer {token}"),
    });
    let app = Router::new().route("/", get(page)).with_state(upstream);
    let listener = tokio::net::TcpListener::bind(listen).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
