//! logto-portal: a self-hosted admin and self-service portal for Logto.
//!
//! `router(state)` is the whole application; `main` serves it and the tests drive it over
//! real HTTP against the fake Logto.
// Templates name their escaper `::logto_portal::web::escape::Html` (askama.toml), in this
// crate as in its tests and examples.
extern crate self as logto_portal;

pub mod audit;
pub mod auth;
pub mod avatars;
pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod jobs;
pub mod lang;
pub mod leases;
pub mod limits;
pub mod logto;
pub mod password_policy;
pub mod security;
pub mod startup;
pub mod state;
pub mod web;

pub use state::AppState;
pub use web::router;
