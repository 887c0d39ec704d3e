//! Organization invitations (issue 5).
//!
//! Admin side, `/orgs/{org_id}/invitations`: invite one or many people (typed addresses or a
//! CSV upload), list the organization's invitations with their status, resend, revoke, delete.
//! Invitee side, `/invitations/{id}`: a public landing page and the acceptance, which needs the
//! signed-in person's email to match the invitee.
//!
//! Logto stores invitations but sends no link of its own: the portal creates each invitation
//! without a message, then asks Logto to email the portal's acceptance link (the link holds the
//! invitation id, which only exists once the invitation does). When the tenant has no email
//! connector the invitation stays and the page shows the link to share instead.

mod accept;
mod admin;
pub mod batch;
mod input;
mod landing;
mod present;
mod send;

use axum::{
    routing::{get, post},
    Router,
};

use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{org_id}/invitations",
            get(admin::list).post(admin::invite),
        )
        .route(
            "/orgs/{org_id}/invitations/batches/{job_id}",
            get(admin::batch),
        )
        .merge(admin::action_routes())
        .route("/invitations/{invitation_id}", get(landing::show))
        .route("/invitations/{invitation_id}/accept", post(accept::accept))
}

/// The acceptance link mailed to (or shared with) the invitee.
pub fn acceptance_link(state: &AppState, invitation_id: &str) -> String {
    format!("{}/invitations/{invitation_id}", state.config.public_base())
}
