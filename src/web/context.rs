//! Request context every page needs: language, signed-in person, CSRF token, request id,
//! whether htmx asked for a fragment, and the current address.

use std::sync::Arc;

use axum::{extract::FromRequestParts, http::request::Parts};
use tower_sessions::Session;

use crate::audit::{Actor, Origin};
use crate::auth::session::{Access, Flash, SessionUser, ACCESS_KEY, CSRF_KEY, FLASH_KEY, USER_KEY};
use crate::config::TrustedProxies;
use crate::web::error::AppError;
use crate::web::i18n::{Lang, Tr};
use crate::web::AppState;

#[derive(Debug, Clone)]
pub struct PageCtx {
    pub t: Tr,
    pub lang: Lang,
    pub user: Option<SessionUser>,
    pub access: Access,
    pub csrf: String,
    pub request_id: String,
    /// Path and query of this request, for `return_to` and the language switcher.
    pub path: String,
    pub is_htmx: bool,
    pub flash: Option<Flash>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The product name in the header and the title (`PORTAL_PRODUCT_NAME` or the default).
    pub product_name: String,
    /// The deployer's accent colours, logos and favicon, or the portal's own.
    pub brand: Arc<crate::web::assets::BrandLinks>,
    /// `PORTAL_ADMINS_EDIT_ORG`: organization admins may edit their organization's settings.
    pub admins_edit_org: bool,
}

/// What every page shows the same way, built once from the configuration (the router adds
/// it to every request).
#[derive(Debug)]
pub struct PageStatics {
    brand: Arc<crate::web::assets::BrandLinks>,
    /// The product name per language ([`Lang::ALL`] order).
    product_names: Vec<String>,
    admins_edit_org: bool,
}

impl PageStatics {
    pub fn new(config: &crate::config::Config) -> Self {
        PageStatics {
            brand: Arc::new(crate::web::assets::BrandLinks::of(&config.branding)),
            product_names: Lang::ALL
                .iter()
                .map(|lang| {
                    product_name_or_default(config.product_name.as_deref(), &Tr::new(*lang))
                })
                .collect(),
            admins_edit_org: config.admins_edit_org,
        }
    }

    fn product_name(&self, lang: Lang) -> String {
        let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        self.product_names[i].clone()
    }
}

/// Who is signed in, read from the session for pages that no handler drew (error pages), so
/// they keep the navigation and the account menu.
#[derive(Debug, Clone, Default)]
pub struct SignedIn {
    pub user: Option<SessionUser>,
    pub access: Access,
    pub csrf: String,
}

impl SignedIn {
    /// Reads the session without changing it (no new CSRF token, the flash stays for later).
    pub async fn read(session: &Session) -> Result<Self, AppError> {
        Ok(SignedIn {
            user: session.get(USER_KEY).await?,
            access: session.get(ACCESS_KEY).await?.unwrap_or_default(),
            csrf: session.get(CSRF_KEY).await?.unwrap_or_default(),
        })
    }
}

impl PageCtx {
    /// A context for rendering templates in unit tests.
    #[cfg(test)]
    pub fn for_tests() -> Self {
        PageCtx {
            t: Tr::new(Lang::En),
            lang: Lang::En,
            user: None,
            access: Access::default(),
            csrf: "test-csrf".into(),
            request_id: "req-1".into(),
            path: "/".into(),
            is_htmx: false,
            flash: None,
            ip: None,
            user_agent: None,
            product_name: Tr::new(Lang::En).t("app.name"),
            brand: Arc::new(crate::web::assets::BrandLinks::of(&Default::default())),
            admins_edit_org: false,
        }
    }

    /// The context of an error page: the request's language and id, and who is signed in.
    pub fn for_error_page(
        lang: Lang,
        request_id: String,
        path: String,
        signed_in: SignedIn,
        config: &crate::config::Config,
    ) -> Self {
        let t = Tr::new(lang);
        PageCtx {
            t,
            lang,
            user: signed_in.user,
            access: signed_in.access,
            csrf: signed_in.csrf,
            request_id,
            path,
            is_htmx: false,
            flash: None,
            ip: None,
            user_agent: None,
            product_name: product_name_or_default(config.product_name.as_deref(), &t),
            brand: Arc::new(crate::web::assets::BrandLinks::of(&config.branding)),
            admins_edit_org: config.admins_edit_org,
        }
    }

    /// Whether this page belongs to the navigation section at `section` (`/orgs` covers
    /// `/orgs/{id}/members`), for `aria-current="page"` on its link.
    pub fn in_section(&self, section: &str) -> bool {
        let path = self.path.split('?').next().unwrap_or("");
        path == section
            || path
                .strip_prefix(section)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// What htmx asked for, for [`crate::web::page::Htmx::page`].
    pub fn htmx(&self) -> crate::web::page::Htmx {
        crate::web::page::Htmx {
            fragment: self.is_htmx,
        }
    }

    pub fn is_operator(&self) -> bool {
        self.access.is_operator
    }

    /// Whether the organization's settings page is open to this person: operators always,
    /// its admins when `PORTAL_ADMINS_EDIT_ORG=true` (the tab shows only then).
    pub fn may_edit_org(&self, org_id: &str) -> bool {
        self.access.is_operator || (self.admins_edit_org && self.access.is_org_admin(org_id))
    }

    pub fn admin_orgs(&self) -> Vec<&crate::auth::session::OrgMembership> {
        self.access.admin_orgs().collect()
    }

    /// JSON for `hx-headers` on `<body>`: htmx sends the CSRF token with every request.
    pub fn hx_headers(&self) -> String {
        serde_json::json!({ "X-CSRF-Token": self.csrf }).to_string()
    }

    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(u) => Actor {
                id: Some(u.id.clone()),
                name: Some(u.display_name()),
                email: u.email.clone(),
            },
            None => Actor::default(),
        }
    }

    pub fn origin(&self) -> Origin {
        Origin {
            request_id: Some(self.request_id.clone()).filter(|s| !s.is_empty()),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    /// Current path with `lang` switched, for the language links.
    pub fn lang_href(&self, lang: &Lang) -> String {
        format!(
            "/lang/{}?return_to={}",
            lang.code(),
            percent_encoding::utf8_percent_encode(&self.path, percent_encoding::NON_ALPHANUMERIC)
        )
    }

    pub fn langs(&self) -> [Lang; 2] {
        Lang::ALL
    }

    /// The organization in the address (`/orgs/{id}/…`), for the switcher's selection.
    pub fn current_org(&self) -> &str {
        self.path
            .strip_prefix("/orgs/")
            .and_then(|rest| rest.split(['/', '?']).next())
            .unwrap_or("")
    }

    pub fn signed_in_as(&self) -> String {
        let name = self
            .user
            .as_ref()
            .map(|u| u.display_name())
            .unwrap_or_default();
        self.t.f("nav.signed_in_as", &[("name", &name)])
    }

    /// How this page writes times: its language and "now" from the state's clock.
    pub fn dates(&self, clock: &crate::clock::Clock) -> crate::web::format::Dates {
        crate::web::format::Dates::new(self.t, clock.now_ms())
    }

    /// Fingerprinted URL of a static asset.
    pub fn asset(&self, name: &str) -> String {
        crate::web::assets::asset_url(name)
    }

    /// The current path, percent-encoded for a `return_to` parameter.
    pub fn return_to(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.path, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    }
}

pub fn request_id(parts: &Parts) -> String {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The client address: the socket peer, or when that peer is one of the trusted proxies
/// (`PORTAL_TRUSTED_PROXIES`), the right-most `X-Forwarded-For` hop that is not a proxy.
pub fn client_ip(parts: &Parts, trusted: &TrustedProxies) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    Some(trusted.client_address(peer, hops.into_iter()).to_string())
}

/// Request id, client address and user agent of a request, for the audit trail.
pub fn origin_of(parts: &Parts, state: &AppState) -> Origin {
    Origin {
        request_id: Some(request_id(parts)).filter(|s| !s.is_empty()),
        ip: client_ip(parts, &state.config.trusted_proxies),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    }
}

/// A fresh random token (CSRF, state), URL-safe.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new CSRF token for the session (at sign-in: nothing from before signing in stays valid).
pub async fn renew_csrf_token(session: &Session) -> Result<String, AppError> {
    let t = random_token();
    session.insert(CSRF_KEY, &t).await?;
    Ok(t)
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await? {
        return Ok(t);
    }
    let t = random_token();
    session.insert(CSRF_KEY, &t).await?;
    Ok(t)
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // Through the extractor, so the answer is marked `Vary: HX-Request`.
        let Ok(crate::web::page::Htmx { fragment: is_htmx }) =
            crate::web::page::Htmx::from_request_parts(parts, state).await;
        let lang = Lang::from_headers(&parts.headers);
        let session = parts.extensions.get::<Session>().cloned();
        // What `CurrentUser` already read (and re-checked) for this request, when it ran.
        let known = parts
            .extensions
            .get::<crate::web::extract::SignedInAs>()
            .cloned();
        let (user, access, csrf, flash) = match &session {
            Some(s) => {
                let (user, access) = match known {
                    Some(known) => (Some(known.user), known.access),
                    None => (
                        s.get::<SessionUser>(USER_KEY).await?,
                        s.get(ACCESS_KEY).await?.unwrap_or_default(),
                    ),
                };
                // Anonymous visitors get no session row just for viewing a page.
                let csrf = if user.is_some() {
                    csrf_token(s).await?
                } else {
                    s.get::<String>(CSRF_KEY).await?.unwrap_or_default()
                };
                let flash: Option<Flash> = if user.is_some() {
                    // Removing marks the session for saving: only when there is something.
                    match s.get::<Flash>(FLASH_KEY).await? {
                        Some(flash) => {
                            s.remove::<Flash>(FLASH_KEY).await?;
                            Some(flash)
                        }
                        None => None,
                    }
                } else {
                    None
                };
                (user, access, csrf, flash)
            }
            None => (None, Access::default(), String::new(), None),
        };
        let origin = origin_of(parts, state);
        let statics = match parts.extensions.get::<Arc<PageStatics>>() {
            Some(statics) => statics.clone(),
            None => Arc::new(PageStatics::new(&state.config)),
        };
        Ok(PageCtx {
            t: Tr::new(lang),
            lang,
            user,
            access,
            csrf,
            request_id: request_id(parts),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".to_string()),
            is_htmx,
            flash,
            ip: origin.ip,
            user_agent: origin.user_agent,
            product_name: statics.product_name(lang),
            brand: statics.brand.clone(),
            admins_edit_org: statics.admins_edit_org,
        })
    }
}

fn product_name_or_default(configured: Option<&str>, t: &Tr) -> String {
    configured
        .map(str::to_string)
        .unwrap_or_else(|| t.t("app.name"))
}

/// Stores a message to show on the next page (plain-form post → redirect → page).
pub async fn set_flash(session: &Session, kind: &str, message: String) -> Result<(), AppError> {
    session
        .insert(
            FLASH_KEY,
            Flash {
                kind: kind.to_string(),
                message,
            },
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_match_whole_path_segments() {
        let at = |path: &str| PageCtx {
            path: path.into(),
            ..PageCtx::for_tests()
        };
        assert!(at("/orgs").in_section("/orgs"));
        assert!(at("/orgs?q=acme").in_section("/orgs"));
        assert!(at("/orgs/abc/members").in_section("/orgs"));
        assert!(!at("/orgsx").in_section("/orgs"));
        assert!(!at("/users/orgs").in_section("/orgs"));
        assert!(!at("/").in_section("/orgs"));
    }
}
