//! Whether Logto can send codes of a kind: a 501 (no email/SMS connector) is remembered for
//! ten minutes per process, as Logto offers no cheap way to ask.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

use super::ContactKind;
use crate::audit::now_ms;
use crate::web::AppState;

/// How long a 501 (no connector) is believed before the portal tries again.
const MISSING_CONNECTOR_MS: i64 = 10 * 60_000;

/// Logto endpoint + kind → when a 501 was last seen.
static MISSING_CONNECTOR: LazyLock<Mutex<HashMap<(String, ContactKind), i64>>> =
    LazyLock::new(Default::default);

fn connector_key(state: &AppState, kind: ContactKind) -> (String, ContactKind) {
    (state.config.logto_endpoint.to_string(), kind)
}

pub(super) fn connector_missing(state: &AppState, kind: ContactKind) -> bool {
    let seen = MISSING_CONNECTOR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&connector_key(state, kind))
        .copied();
    seen.is_some_and(|at| now_ms() - at < MISSING_CONNECTOR_MS)
}

pub(super) fn remember_connector(state: &AppState, kind: ContactKind, missing: bool) {
    let mut memo = MISSING_CONNECTOR.lock().unwrap_or_else(|p| p.into_inner());
    if missing {
        memo.insert(connector_key(state, kind), now_ms());
    } else {
        memo.remove(&connector_key(state, kind));
    }
}
