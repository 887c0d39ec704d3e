//! The signed-in person's own profile at `/profile`.

pub mod fields;

use axum::Router;

use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
