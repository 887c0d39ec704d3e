//! What the security page shows: the person's factors and tokens as Logto lists them, which
//! parts this Logto has, and the one message or confirmation next to the part it is about.

use crate::logto::{Feature, MfaVerification, User};
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::format::{Dates, Moment};
use crate::web::parts::MenuItem;
use crate::web::AppState;

pub use super::facts::Backup;
use super::facts::{Method, Methods};
use super::portal::{LiveRules, PortalRow};
use super::sessions::{grant_rows, session_rows, GrantRow, SessionRow};
use super::social::SocialRow;
use super::tokens::{TokenForm, TokenRow};
use super::totp::Enrolment;
use super::PageQuery;
use crate::auth::revocation::LogtoSessionRef;

/// Where htmx puts the answer of every form on the page.
pub const BODY: &str = "#security-body";
const PAGE: &str = "/profile/security";

/// `s` for a query value.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The parts of the page, each a card with its own heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Proof,
    Totp,
    Backup,
    Passkeys,
    Tokens,
    Sessions,
    /// The person's portal sessions.
    Portal,
    Grants,
    Social,
}

/// A message next to the part it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub part: Part,
    /// `success` or `error` (the alert's style).
    pub kind: &'static str,
    pub message: String,
}

impl Notice {
    pub fn success(part: Part, message: String) -> Self {
        Notice {
            part,
            kind: "success",
            message,
        }
    }

    pub fn error(part: Part, message: String) -> Self {
        Notice {
            part,
            kind: "error",
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.kind == "error"
    }
}

/// "Remove …? [Remove] [Cancel]" in place of the row it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub part: Part,
    /// The factor id or token name.
    pub about: String,
    pub question: String,
    pub action: &'static str,
    pub button: String,
    pub fields: Vec<(&'static str, String)>,
}

/// One two-step factor as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub id: String,
    pub name: String,
    pub added: Option<Moment>,
    pub last_used: Option<Moment>,
    pub menu: Vec<MenuItem>,
}

#[derive(Debug, Clone, Default)]
pub struct View {
    /// Logto declares the two-step and token endpoints (every supported release does).
    pub has_mfa: bool,
    pub has_tokens: bool,
    /// Sentences naming the Logto release that brings a part this Logto lacks.
    pub missing: Vec<String>,
    pub totp: Option<Factor>,
    pub enrol: Option<Enrolment>,
    pub backup: Option<Backup>,
    /// Backup codes just made: shown this once.
    pub new_codes: Vec<String>,
    pub passkeys: Vec<Factor>,
    pub tokens: Vec<TokenRow>,
    pub token_form: TokenForm,
    /// `None`: this Logto has no sessions (grants) endpoint.
    pub sessions: Option<Vec<SessionRow>>,
    pub grants: Option<Vec<GrantRow>>,
    /// The person's portal sessions in other browsers.
    pub other_portal_sessions: u64,
    /// The person's portal sessions, this one first.
    pub portal: Vec<PortalRow>,
    /// The tenant's social connectors, when this Logto can link accounts.
    pub social: Option<Vec<SocialRow>>,
    pub notice: Option<Notice>,
    pub confirm: Option<Confirm>,
}

impl View {
    pub async fn load(
        state: &AppState,
        ctx: &PageCtx,
        me: &CurrentUser,
        user: &User,
    ) -> AppResult<View> {
        let caps = state.logto.capabilities();
        let dates = Dates::new(ctx.t, state.clock.now_ms());
        let mut view = View {
            has_mfa: caps.has(Feature::MfaVerifications),
            has_tokens: caps.has(Feature::PersonalAccessTokens),
            ..View::default()
        };
        for feature in [Feature::UserSessions, Feature::UserGrants] {
            if !caps.has(feature) {
                let key = match feature {
                    Feature::UserSessions => "security.sessions.missing",
                    _ => "security.grants.missing",
                };
                view.missing
                    .push(ctx.t.f(key, &[("version", &feature.since())]));
            }
        }
        let portal = state
            .db
            .sessions_of(&user.id)
            .await
            .map_err(anyhow::Error::from)?;
        let live = LiveRules {
            now: state.clock.now_ms(),
            idle: state.config.session_idle,
            absolute: state.config.session_absolute,
        };
        let current = me.session.id().map(|id| id.to_string());
        view.portal = super::portal::rows(ctx, &dates, &live, portal, current.as_deref());
        view.other_portal_sessions = view.portal.iter().filter(|r| !r.current).count() as u64;
        if caps.has(Feature::UserSessions) {
            let sessions = state.logto.list_user_sessions(&user.id).await?;
            let sid = super::sessions::this_device(me).await;
            let this_device = sid.as_deref().map(|sid| LogtoSessionRef {
                client_id: &state.config.app_id,
                sid,
            });
            view.sessions = Some(session_rows(ctx, &dates, sessions, this_device));
        }
        if caps.has(Feature::IdentityLinking) && caps.has(Feature::Connectors) {
            let connectors = state.logto.list_social_connectors().await?;
            view.social = Some(super::social::rows(ctx, user, connectors));
        }
        if caps.has(Feature::UserGrants) {
            let grants = state.logto.list_user_grants(&user.id).await?;
            view.grants = Some(grant_rows(ctx, grants));
        }
        if view.has_mfa {
            let factors = state.logto.list_mfa_verifications(&user.id).await?;
            view.add_factors(ctx, &dates, factors);
            view.enrol = super::totp::pending(me).await?;
        }
        if view.has_tokens {
            let tokens = state.logto.list_access_tokens(&user.id).await?;
            view.tokens = TokenRow::list(ctx, &dates, tokens);
        }
        Ok(view)
    }

    fn add_factors(&mut self, ctx: &PageCtx, dates: &Dates, factors: Vec<MfaVerification>) {
        let methods = Methods::new(ctx, dates, factors);
        let factor = |m: Method, kind: &str| Factor {
            menu: vec![MenuItem::link(
                ctx.t.t("security.remove_menu"),
                format!("{PAGE}?confirm={kind}&id={}", enc(&m.id)),
            )
            .swapping(BODY)
            .danger()],
            id: m.id,
            name: m.name,
            added: m.added,
            last_used: m.last_used,
        };
        self.totp = methods.totp.map(|m| factor(m, "totp"));
        self.backup = methods.backup;
        self.passkeys = methods
            .passkeys
            .into_iter()
            .map(|m| factor(m, "passkey"))
            .collect();
    }

    /// The confirmation the address asks for, when what it names is still there.
    pub fn ask(&mut self, ctx: &PageCtx, q: &PageQuery) {
        let id = q.id.clone().unwrap_or_default();
        if let Some(name) = &q.rename {
            self.token_form.renaming = self
                .tokens
                .iter()
                .any(|t| &t.name == name)
                .then(|| name.clone());
        }
        let confirm = match q.confirm.as_deref() {
            Some("totp") if self.totp.as_ref().is_some_and(|f| f.id == id) => Some(Confirm {
                part: Part::Totp,
                question: ctx.t.t("security.totp.remove_question"),
                action: "/profile/security/factors/remove",
                button: ctx.t.t("security.remove"),
                fields: vec![("id", id.clone())],
                about: id,
            }),
            Some("passkey") => self.passkeys.iter().find(|p| p.id == id).map(|p| Confirm {
                part: Part::Passkeys,
                question: ctx
                    .t
                    .f("security.passkeys.remove_question", &[("name", &p.name)]),
                action: "/profile/security/factors/remove",
                button: ctx.t.t("security.remove"),
                fields: vec![("id", id.clone())],
                about: id.clone(),
            }),
            Some("token") if self.tokens.iter().any(|t| t.name == id) => Some(Confirm {
                part: Part::Tokens,
                question: ctx.t.f("security.tokens.delete_question", &[("name", &id)]),
                action: "/profile/security/tokens/delete",
                button: ctx.t.t("security.tokens.delete"),
                fields: vec![("name", id.clone())],
                about: id,
            }),
            Some("session") => self.session_confirm(ctx, id),
            Some("portal") => self.portal_confirm(ctx, id),
            Some("grant") => self.grant_confirm(ctx, id),
            _ => None,
        };
        self.confirm = confirm;
    }

    fn portal_confirm(&self, ctx: &PageCtx, id: String) -> Option<Confirm> {
        let row = self.portal.iter().find(|s| s.id == id && !s.current)?;
        Some(Confirm {
            part: Part::Portal,
            question: ctx
                .t
                .f("security.portal.end_question", &[("device", &row.device)]),
            action: "/profile/security/portal-sessions/end",
            button: ctx.t.t("security.sessions.end"),
            fields: vec![("id", id.clone())],
            about: id,
        })
    }

    fn session_confirm(&self, ctx: &PageCtx, id: String) -> Option<Confirm> {
        let row = self
            .sessions
            .as_ref()?
            .iter()
            .find(|s| s.id == id && !s.current)?;
        Some(Confirm {
            part: Part::Sessions,
            question: ctx
                .t
                .f("security.sessions.end_question", &[("device", &row.device)]),
            action: "/profile/security/sessions/end",
            button: ctx.t.t("security.sessions.end"),
            fields: vec![("id", id.clone())],
            about: id,
        })
    }

    fn grant_confirm(&self, ctx: &PageCtx, id: String) -> Option<Confirm> {
        let row = self.grants.as_ref()?.iter().find(|g| g.id == id)?;
        Some(Confirm {
            part: Part::Grants,
            question: ctx
                .t
                .f("security.grants.revoke_question", &[("app", &row.app)]),
            action: "/profile/security/grants/revoke",
            button: ctx.t.t("security.grants.revoke"),
            fields: vec![("id", id.clone())],
            about: id,
        })
    }

    /// "You are signed in to this portal in 2 other browsers."
    pub fn elsewhere(&self, ctx: &PageCtx) -> String {
        ctx.t.count(
            "security.sessions.portal_elsewhere",
            i64::try_from(self.other_portal_sessions).unwrap_or(i64::MAX),
        )
    }

    /// The message for `part`, if there is one.
    pub fn notice_at(&self, part: Part) -> Option<&Notice> {
        self.notice.as_ref().filter(|n| n.part == part)
    }

    /// The confirmation for the row `about` of `part`.
    pub fn confirm_at(&self, part: Part, about: &str) -> Option<&Confirm> {
        self.confirm
            .as_ref()
            .filter(|c| c.part == part && c.about == about)
    }

    /// Backup codes can be made: Logto wants another factor beside them.
    pub fn can_make_codes(&self) -> bool {
        self.totp.is_some() || !self.passkeys.is_empty()
    }
}
