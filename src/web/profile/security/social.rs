//! Linking a social account: the connector's authorization URI with a portal callback
//! (`/profile/security/social/callback`), a `state` kept in the person's session, then
//! `POST /api/users/{id}/identities` with what the provider sent back. When the account belongs
//! to someone else the part says so. Unlinking stays on the profile page, with its guard for
//! the last way to sign in.

use axum::{
    extract::RawQuery,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Act, Part};
use crate::logto::{SocialConnector, User, IDENTITY_IN_USE};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;

/// Session key: the link under way (state and connector).
const PENDING_KEY: &str = "security_social_pending";
const CALLBACK: &str = "/profile/security/social/callback";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialRow {
    pub id: String,
    pub name: String,
    pub linked: bool,
    /// "Link GitHub".
    pub link_label: String,
}

pub fn rows(ctx: &PageCtx, user: &User, connectors: Vec<SocialConnector>) -> Vec<SocialRow> {
    connectors
        .into_iter()
        .map(|c| {
            let name = c.display_name(ctx.lang.code()).to_owned();
            SocialRow {
                linked: user.identities.contains_key(&c.target),
                link_label: ctx.t.f("security.social.link", &[("name", &name)]),
                id: c.id,
                name,
            }
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    connector_id: String,
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    connector: String,
}

fn redirect_uri(act: &Act) -> String {
    format!(
        "{}{CALLBACK}",
        act.state.config.public_url.as_str().trim_end_matches('/')
    )
}

/// `POST /profile/security/social/link`: off to the provider.
pub async fn start(act: Act, Form(form): Form<LinkForm>) -> AppResult<Response> {
    let connectors = act.state.logto.list_social_connectors().await?;
    let Some(connector) = connectors.into_iter().find(|c| c.id == form.connector) else {
        let msg = act.ctx.t.t("security.err.gone");
        return act.fail(Part::Social, msg).await;
    };
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let state: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let uri = act
        .state
        .logto
        .social_authorization_uri(&connector.id, &state, &redirect_uri(&act))
        .await;
    let uri = match uri {
        Ok(uri) => uri,
        Err(e) => {
            let audit = act
                .entry("security.identity_link")
                .details(json!({"target": connector.target, "connectorId": connector.id}));
            return act.refused(audit, Part::Social, e).await;
        }
    };
    let pending = Pending {
        state,
        connector_id: connector.id,
    };
    act.me.session.insert(PENDING_KEY, &pending).await?;
    Ok(Redirect::to(&uri).into_response())
}

/// `GET /profile/security/social/callback?code=…&state=…`: links what the provider proved.
pub async fn callback(mut act: Act, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let query: serde_json::Map<String, serde_json::Value> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect();
    let pending: Option<Pending> = act.me.session.remove(PENDING_KEY).await?;
    let state_matches = pending
        .as_ref()
        .is_some_and(|p| query.get("state").and_then(|s| s.as_str()) == Some(p.state.as_str()));
    let Some(pending) = pending.filter(|_| state_matches) else {
        let msg = act.ctx.t.t("security.social.expired");
        return act.fail(Part::Social, msg).await;
    };
    let connectors = act.state.logto.list_social_connectors().await?;
    let target = connectors
        .iter()
        .find(|c| c.id == pending.connector_id)
        .map(|c| c.target.clone());
    let audit = act
        .entry("security.identity_link")
        .details(json!({"target": target, "connectorId": pending.connector_id}));
    let mut data = query;
    data.insert("redirectUri".into(), json!(redirect_uri(&act)));
    let linked = act
        .state
        .logto
        .link_identity(&act.user.id, &pending.connector_id, &data)
        .await;
    match linked {
        Ok(_) => {
            act.record(audit).await;
            act.user = act.state.logto.get_user(&act.user.id).await?;
            let msg = act.ctx.t.t("security.social.linked");
            act.done(Part::Social, msg).await
        }
        Err(e) if e.code() == Some(IDENTITY_IN_USE) => {
            act.record(audit.failed(IDENTITY_IN_USE)).await;
            let msg = act.ctx.t.t("security.social.in_use");
            act.fail(Part::Social, msg).await
        }
        Err(e) => act.refused(audit, Part::Social, e).await,
    }
}
