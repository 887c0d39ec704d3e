//! Email and phone. A new address must be proven: the portal checks it is free, has Logto send
//! a code to it (`POST /api/verification-codes`), the person types the code (`…/verify`), and
//! only then is it saved (`PATCH /api/users/:id`). The address waiting for its code lives in
//! the session; the limits on checks and codes (one code a minute per person, a few an hour
//! per person and per address) live in the database (src/limits.rs), so neither a new
//! session nor parallel requests nor another replica get around them. Without an email/SMS
//! connector a change is impossible: the section says so before asking anything (from the
//! tenant's list of connectors, or a 501 to an earlier code, remembered for ten minutes). Removing an address is
//! refused when it is the last way to sign in.
//!
//! One file per thing a person does: `request` (ask for a code), `verify`, `resend`,
//! `cancel`, `remove`; `turn` holds what they share, `view` how the section looks.

use axum::{extract::State, routing::post, Form, Router};

use crate::web::context::PageCtx;
use crate::web::extract::CurrentUser;
use crate::web::profile::section_get;
use crate::web::AppState;

mod cancel;
mod connector;
mod kind;
mod pending;
mod remove;
mod request;
mod resend;
mod turn;
mod verify;
mod view;

pub use connector::CodeChannels;
pub use kind::ContactKind;
pub use pending::{Pending, PendingContacts};
pub use view::{view_of, ContactView};

pub fn routes(kind: ContactKind) -> Router<AppState> {
    let base = format!("/profile/{}", kind.id());
    let section = kind.section();
    Router::new()
        .route(
            &base,
            section_get(section, false).post(
                move |s: State<AppState>,
                      c: PageCtx,
                      m: CurrentUser,
                      f: Form<request::StartForm>| {
                    request::start(s, c, m, f, kind)
                },
            ),
        )
        .route(&format!("{base}/edit"), section_get(section, true))
        .route(
            &format!("{base}/verify"),
            post(
                move |s: State<AppState>, c: PageCtx, m: CurrentUser, f: Form<verify::CodeForm>| {
                    verify::verify(s, c, m, f, kind)
                },
            ),
        )
        .route(
            &format!("{base}/resend"),
            post(move |s: State<AppState>, c: PageCtx, m: CurrentUser| {
                resend::resend(s, c, m, kind)
            }),
        )
        .route(
            &format!("{base}/cancel"),
            post(move |s: State<AppState>, c: PageCtx, m: CurrentUser| {
                cancel::cancel(s, c, m, kind)
            }),
        )
        .route(
            &format!("{base}/remove"),
            post(
                move |s: State<AppState>,
                      c: PageCtx,
                      m: CurrentUser,
                      f: Form<request::StartForm>| {
                    remove::remove(s, c, m, f, kind)
                },
            ),
        )
}
