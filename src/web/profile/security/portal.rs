//! The person's portal sessions one by one ("Portal sessions"): browser and system, address,
//! signed in, last active; this one marked, each other one signed out after a confirmation in
//! place.
//!
//! A portal session id is the value of the session cookie: it never appears in a page, an
//! address or the audit trail. Rows are named by a [`handle`] (a one-way hash of the id).

use axum::{response::Response, Form};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::facts::device;
use super::sessions::IdForm;
use super::view::{enc, BODY};
use super::{Act, Part};
use crate::db::PortalSession;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::format::{Dates, Moment};
use crate::web::parts::MenuItem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalRow {
    /// The row's [`handle`], never the session id.
    pub id: String,
    /// "Chrome on macOS".
    pub device: String,
    pub ip: Option<String>,
    pub signed_in: Option<Moment>,
    pub last_active: Option<Moment>,
    /// The session this page is read with ("This session": signing out is the way to end it).
    pub current: bool,
    pub menu: Vec<MenuItem>,
}

/// A portal session's name on the page: the first 16 hex digits of SHA-256 of its id. The
/// id (the cookie's value) cannot be recovered from it.
pub fn handle(session_id: &str) -> String {
    let digest = Sha256::digest(session_id.as_bytes());
    hex::encode(&digest[..8])
}

/// The person's live portal sessions, this one first. Sessions idle or signed in longer than
/// the portal allows (by the portal's clock) are left out: their next request is signed out.
pub fn rows(
    ctx: &PageCtx,
    dates: &Dates,
    live: &LiveRules,
    sessions: Vec<PortalSession>,
    current: Option<&str>,
) -> Vec<PortalRow> {
    let mut rows: Vec<PortalRow> = sessions
        .into_iter()
        .filter(|s| live.admits(s))
        .map(|s| {
            let is_current = current == Some(s.id.as_str());
            let id = handle(&s.id);
            let menu = if is_current {
                Vec::new()
            } else {
                vec![MenuItem::link(
                    ctx.t.t("security.sessions.end_menu"),
                    format!("/profile/security?confirm=portal&id={}", enc(&id)),
                )
                .swapping(BODY)
                .danger()]
            };
            PortalRow {
                device: device(ctx, s.user_agent.as_deref()),
                ip: s.ip,
                signed_in: s.signed_in_at.map(|ms| dates.moment(ms)),
                last_active: s.last_active_at.map(|ms| dates.moment(ms)),
                current: is_current,
                menu,
                id,
            }
        })
        .collect();
    rows.sort_by_key(|r| !r.current);
    rows
}

/// The lifetime rules a listed session must still meet (see [`crate::auth::session`]).
pub struct LiveRules {
    pub now: i64,
    pub idle: std::time::Duration,
    pub absolute: std::time::Duration,
}

impl LiveRules {
    fn admits(&self, s: &PortalSession) -> bool {
        use crate::auth::session::{idle_too_long, outlived};
        let idle = s
            .last_active_at
            .is_some_and(|t| idle_too_long(t, self.now, self.idle));
        let old = s
            .signed_in_at
            .is_some_and(|t| outlived(t, self.now, self.absolute));
        !idle && !old
    }
}

/// `POST /profile/security/portal-sessions/end`: signs one of the person's other portal
/// sessions out. Its next request, on any replica, is signed out.
pub async fn end(act: Act, Form(form): Form<IdForm>) -> AppResult<Response> {
    let audit = act
        .entry("security.session_end")
        .details(json!({"sessionId": form.id, "kind": "portal"}));
    let current = act.me.session.id().map(|id| id.to_string());
    let mine = act
        .state
        .db
        .sessions_of(&act.user.id)
        .await
        .map_err(anyhow::Error::from)?;
    let target = mine
        .into_iter()
        .map(|s| s.id)
        .filter(|id| current.as_deref() != Some(id.as_str()))
        .find(|id| handle(id) == form.id);
    let ended = match target {
        Some(id) => act
            .state
            .sessions
            .end_session_of(&act.user.id, &id, act.state.clock.now_ms())
            .await
            .map_err(anyhow::Error::from)?,
        None => false,
    };
    if !ended {
        act.record(audit.failed("session_not_found")).await;
        let msg = act.ctx.t.t("security.err.gone");
        return act.fail(Part::Portal, msg).await;
    }
    act.record(audit).await;
    let msg = act.ctx.t.t("security.portal.ended");
    act.done(Part::Portal, msg).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, signed_in_at: i64, last_active_at: i64) -> PortalSession {
        PortalSession {
            id: id.into(),
            user_agent: None,
            ip: Some("192.0.2.1".into()),
            signed_in_at: Some(signed_in_at),
            last_active_at: Some(last_active_at),
        }
    }

    #[test]
    fn this_session_comes_first_and_sessions_past_their_time_are_left_out() {
        let ctx = PageCtx::for_tests();
        let hour = 3_600_000;
        let now = 100 * hour;
        let dates = Dates::new(ctx.t, now);
        let live = LiveRules {
            now,
            idle: std::time::Duration::from_secs(3600),
            absolute: std::time::Duration::from_secs(24 * 3600),
        };
        let rows = rows(
            &ctx,
            &dates,
            &live,
            vec![
                session("other", now - 2 * hour, now - 60_000),
                session("idle", now - 3 * hour, now - 2 * hour),
                session("old", now - 25 * hour, now - 60_000),
                session("mine", now - hour, now - 120_000),
            ],
            Some("mine"),
        );
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [handle("mine"), handle("other")]);
        assert!(rows[0].current && rows[0].menu.is_empty());
        assert!(!rows[1].current && rows[1].menu[0].href.contains(&handle("other")));
    }

    #[test]
    fn a_handle_does_not_show_the_session_id() {
        let h = handle("Zm9vYmFyYmF6cXV1eDEyMzQ1Njc4OTA");
        assert_eq!(h.len(), 16);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(!"Zm9vYmFyYmF6cXV1eDEyMzQ1Njc4OTA".contains(&h));
        assert_ne!(h, handle("another"));
    }
}
