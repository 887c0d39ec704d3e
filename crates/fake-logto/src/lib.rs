//! An in-memory fake of a Logto server (Management API under `/api`, OIDC under `/oidc`) on a
//! loopback port, for the portal's integration tests and its `demo` command.
//!
//! ```no_run
//! # async fn demo() {
//! use fake_logto::{FakeLogto, FakeLogtoConfig};
//! let logto = FakeLogto::start(FakeLogtoConfig::default()).await;
//! let seed = logto.state().seed_demo();
//! println!("{} — sign in as {} / {}", logto.url(), seed.admin_username, seed.password);
//! # }
//! ```
//!
//! # Which Logto
//!
//! The fake imitates one Logto release, [`FakeLogtoConfig::version`]: 1.37 (1.37.1, the release
//! the recordings in `../shared` come from) or 1.42 (1.42.0, the default).
//! [`FakeLogtoConfig::default`] reads env `FAKE_LOGTO_VERSION` (`1.37`, `1.37.1`, `1.42`,
//! `1.42.0`; an unknown value panics), so a whole test suite runs once per release:
//! `FAKE_LOGTO_VERSION=1.37 cargo test`. [`FakeLogtoConfig::for_version`] pins one. The
//! `fake-logto` binary and `logto-portal demo` follow the same variable.
//!
//! Each release serves its Management API description anonymously at
//! `GET /api/.well-known/management.openapi.json` (and `/api/swagger.json`): 1.37.1's real
//! document, or 1.42.0's generated from `@logto/api@1.42.0`'s `management.d.ts` by
//! `scripts/openapi-from-dts.py` (paths, operationIds, path and query parameters). A `/api/…`
//! path that document does not declare answers `404 Not Found` before authentication, like a
//! real Logto's router; `/api/.well-known/*`, `/oidc/*` and `/user-assets/*` are not guarded.
//!
//! What differs (behaviours gate on the minor number, [`LogtoVersion::at_least`]):
//!
//! | from | what |
//! |---|---|
//! | 1.38 | user sessions `GET /api/users/{id}/sessions[/{sessionId}]`, `DELETE …/sessions/{sessionId}?revokeGrantsTarget=all\|firstParty`; grants `GET /api/users/{id}/grants?appType=firstParty\|thirdParty`, `DELETE …/grants/{grantId}` (404 before) |
//! | 1.39 | `POST /api/organizations/{id}/users` answers 201 `{userIds}`, `POST …/users/{userId}/roles` 201 `{organizationRoleIds}` (the text `Created` before, as recorded on 1.37.1) |
//! | 1.40 | `GET /api/logs` honours `start_time`/`end_time` (both inclusive, 400 when start > end; ignored before); `PUT /api/organizations/{id}/users` keeps the roles of members who stay (dropped before) |
//! | 1.41 | `organizationRoleId` filters `GET /api/organizations/{id}/users` (silently ignored before: every member); `PATCH /api/users/{id}/password/expiration {isExpired}` (404 before; 400 `sign_in_experiences.password_expiration_not_enabled` unless [`FakeState::set_password_expiration_policy`]; the flag is not in user bodies, read it with [`FakeState::password_expired`]) |
//! | 1.42 | applications no longer show internal secrets (1.37: `secret: "#internal:…"`); they gain `appLevelAccessControlEnabled` |
//!
//! Signing in through the fake's `/oidc/auth` form starts a session (IP and user agent in
//! `lastSubmission.signInContext`) and a grant for the app; tests add more with
//! [`FakeState::add_user_session`] and [`FakeState::add_user_grant`].
//! `GET /api/applications[/{id}]` lists the configured M2M and Traditional web apps; the web
//! app's redirect URIs are set with [`FakeState::set_web_app_redirect_uris`] (empty by default,
//! when any http(s) `redirect_uri` is accepted).
//!
//! Organizations, the same on every release: `POST /api/organizations`, `PATCH`/`DELETE
//! /api/organizations/{id}` (`customData` and `branding` replaced whole, as Logto's default
//! `jsonbMode: 'replace'`), and just-in-time provisioning: `GET/POST/PUT …/jit/email-domains`,
//! `DELETE …/jit/email-domains/{emailDomain}` (any non-empty text accepted, as Logto does; 422
//! `entity.unique_integrity_violation` for a domain the organization already has; 404 for one
//! it has not), `GET/POST/PUT …/jit/roles`, `DELETE …/jit/roles/{organizationRoleId}` (422 for an
//! unknown role, 404 for a relation that does not exist) and `GET …/jit/sso-connectors`
//! (connectors bound with [`FakeState::bind_sso_connector`]); read back with
//! [`FakeState::organization_json`], [`FakeState::jit_domains`], [`FakeState::jit_role_names`].
//! `GET /api/sso-connectors` lists the enterprise SSO connectors (pagination optional, in
//! creation order, `config` and the provider's details included) added with
//! [`FakeState::add_sso_connector`]; the demo seed has Acme's "Acme Okta" (OIDC, `acme.test`,
//! bound to Acme) and "Globex SAML". [`FakeState::withdraw_path`] imitates a Logto whose
//! document lacks a path (left out of the document, answered 404).
//!
//! Account security, the same on every release: `GET/POST /api/users/{id}/mfa-verifications`
//! and `DELETE …/{verificationId}` (TOTP, backup codes, passkeys added with
//! [`FakeState::add_passkey`]; Logto's rules: one TOTP, backup codes never alone and replaced
//! only once used up), the `personal-access-tokens` family, `GET /api/connectors[/{id}]` (one
//! seeded GitHub-like social connector, [`FakeState::social_connector_id`]),
//! `POST /api/connectors/{id}/authorization-uri` (a URL on the fake's own origin,
//! `/social/{id}/authorize`, that redirects back at once with a code and the state; who signs
//! in there is set with [`FakeState::set_next_social_profile`]) and
//! `POST /api/users/{id}/identities` (exchanges that code once; 422
//! `user.identity_already_in_use` when another user has the identity). A user with a TOTP
//! factor is asked at sign-in, after the password, for an authenticator code (±1 step of 30 s)
//! or one of their backup codes (each works once).

mod api;
mod http;
mod jwt;
mod oidc;
mod oidc_mfa;
mod scale;
mod search;
mod security;
mod seed;
mod server;
mod store;
mod version;

pub use api::resources::{DEMO_API_INDICATOR, DEMO_API_NAME, DEMO_API_SCOPES};
pub use api::social::EMAIL_CONNECTOR_API_KEY;
pub use api::sso::SSO_CONNECTOR_CLIENT_SECRET;
pub use scale::{ScaleSeed, MEMBERS_PER_ADMIN, SCALE_ADMIN_USERNAME, SCALE_ORG_NAME};
pub use store::{
    DemoSeed, FakeState, MessageKind, NewUser, RecordedRequest, SentMessage, SessionSeed,
};
pub use version::LogtoVersion;

use std::net::SocketAddr;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Credentials and settings of the fake tenant.
#[derive(Debug, Clone)]
pub struct FakeLogtoConfig {
    /// The machine-to-machine app (client_credentials).
    pub m2m_app_id: String,
    pub m2m_app_secret: String,
    /// The "traditional web" app used for sign-in (authorization code + PKCE).
    pub web_app_id: String,
    pub web_app_secret: String,
    /// The Management API resource indicator.
    pub resource: String,
    /// Lifetime of M2M access tokens.
    pub access_token_ttl_secs: u64,
    /// The Logto release imitated (default: env `FAKE_LOGTO_VERSION`, else 1.42).
    pub version: LogtoVersion,
}

impl Default for FakeLogtoConfig {
    /// The test tenant's apps, imitating the release named by env `FAKE_LOGTO_VERSION`
    /// (`1.37`, `1.37.1`, `1.42`, `1.42.0`; 1.42 when unset).
    ///
    /// # Panics
    /// When `FAKE_LOGTO_VERSION` names no supported release.
    fn default() -> Self {
        FakeLogtoConfig {
            version: LogtoVersion::from_env(),
            ..FakeLogtoConfig::default_apps()
        }
    }
}

/// A running fake Logto. Dropping it stops the server.
pub struct FakeLogto {
    state: FakeState,
    addr: SocketAddr,
    app: axum::Router,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl FakeLogtoConfig {
    /// The default tenant imitating a given release (ignores `FAKE_LOGTO_VERSION`).
    pub fn for_version(version: LogtoVersion) -> Self {
        FakeLogtoConfig {
            version,
            ..FakeLogtoConfig::default_apps()
        }
    }

    fn default_apps() -> Self {
        FakeLogtoConfig {
            m2m_app_id: "portal-m2m".into(),
            m2m_app_secret: "m2m-secret".into(),
            web_app_id: "portal-web".into(),
            web_app_secret: "web-secret".into(),
            resource: "https://default.logto.app/api".into(),
            access_token_ttl_secs: 3600,
            version: LogtoVersion::V1_42,
        }
    }
}

impl FakeLogto {
    /// Start on `127.0.0.1` with a free port.
    pub async fn start(config: FakeLogtoConfig) -> FakeLogto {
        Self::start_on(config, 0)
            .await
            .expect("fake-logto: cannot bind 127.0.0.1:0")
    }

    /// Start on a given port of `127.0.0.1` (0 = any free port).
    pub async fn start_on(config: FakeLogtoConfig, port: u16) -> std::io::Result<FakeLogto> {
        let state = FakeState::new(config);
        let listener = server::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
        let addr = listener.local_addr()?;
        state.lock().base_url = format!("http://{addr}");
        let app = server::app(state.clone());
        let task = tokio::spawn(server::serve(listener, app.clone()));
        Ok(FakeLogto {
            state,
            addr,
            app,
            task: Mutex::new(Some(task)),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The state handle (seeding, observation, fault injection).
    pub fn state(&self) -> FakeState {
        self.state.clone()
    }

    /// Stop listening and drop every open connection: the port refuses connections.
    pub async fn stop(&self) {
        if let Some(task) = self.task.lock().await.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listen again on the same port, with the same state.
    pub async fn resume(&self) {
        let mut guard = self.task.lock().await;
        if guard.is_some() {
            return;
        }
        let mut last_err = None;
        for _ in 0..100 {
            match server::bind(self.addr) {
                Ok(listener) => {
                    *guard = Some(tokio::spawn(server::serve(listener, self.app.clone())));
                    return;
                }
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }
        panic!(
            "fake-logto: cannot listen on {} again: {last_err:?}",
            self.addr
        );
    }
}

impl Drop for FakeLogto {
    fn drop(&mut self) {
        if let Some(task) = self.task.get_mut().take() {
            task.abort();
        }
    }
}
