//! `/healthz` (the process is alive) and `/readyz` (database reachable and a Management API
//! token obtainable).

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use crate::web::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (db_ok, token) = tokio::join!(state.db.ping(), state.logto.token_is_obtainable());
    let logto_ok = token.is_ok();
    let status = if db_ok && logto_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let logto = match &token {
        Ok(()) => json!({ "status": "ok" }),
        // The error text names the cause (unreachable, refused credentials), never a secret.
        Err(e) => json!({ "status": "error", "error": e.to_string() }),
    };
    (
        status,
        Json(json!({
            "status": if status == StatusCode::OK { "ok" } else { "unavailable" },
            "database": { "status": if db_ok { "ok" } else { "error" }, "kind": state.db.kind() },
            "logto": logto,
        })),
    )
}
