//! Email and phone. A new address must be proven: the portal checks it is free, has Logto send
//! a code to it (`POST /api/verification-codes`), the person types the code (`…/verify`), and
//! only then is it saved (`PATCH /api/users/:id`). The address waiting for its code lives in
//! the session; the limits on checks and codes (one code a minute per person, a few an hour
//! per person and per address) live in the database (src/limits.rs), so neither a new
//! session nor parallel requests nor another replica get around them. Without an email/SMS
//! connector Logto answers 501; the section then says so and stays read-only (remembered for
//! ten minutes per process, as Logto offers no cheap way to ask). Removing an address is
//! refused when it is the last way to sign in.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

use askama::Template;
use axum::{extract::State, response::Response, routing::post, Form, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

use super::form::{focus_first, Input};
use super::proof::Proof;
use super::{entry, refresh_session_user, sign_in_methods, FieldErrors, PageData, Reply, Section};
use crate::audit::now_ms;
use crate::auth::access::CurrentUser;
use crate::limits::{self, Limit, Reservation};
use crate::logto::{CodeTarget, LogtoError, SearchField, User, UserPatch, UserQuery, UserSearch};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::AppState;

/// Session key of the addresses waiting for their codes.
const PENDING_KEY: &str = "profile_pending_contact";
/// A change nobody finished is forgotten after this long (Logto's codes last 10 minutes).
const PENDING_TTL_MS: i64 = 30 * 60_000;
/// How long a 501 (no connector) is believed before the portal tries again.
const MISSING_CONNECTOR_MS: i64 = 10 * 60_000;
const MAX_EMAIL: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn id(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
        }
    }

    fn section(self) -> Section {
        match self {
            ContactKind::Email => Section::Email,
            ContactKind::Phone => Section::Phone,
        }
    }

    fn action(self) -> &'static str {
        match self {
            ContactKind::Email => "profile.email_change",
            ContactKind::Phone => "profile.phone_change",
        }
    }

    /// Logto's field name, for the audit trail.
    fn field(self) -> &'static str {
        match self {
            ContactKind::Email => "primaryEmail",
            ContactKind::Phone => "primaryPhone",
        }
    }

    fn current(self, user: &User) -> Option<&str> {
        match self {
            ContactKind::Email => user.primary_email.as_deref(),
            ContactKind::Phone => user.primary_phone.as_deref(),
        }
        .filter(|s| !s.is_empty())
    }

    fn target(self, address: &str) -> CodeTarget {
        match self {
            ContactKind::Email => CodeTarget::Email(address.to_string()),
            ContactKind::Phone => CodeTarget::Phone(address.to_string()),
        }
    }

    fn search_field(self) -> SearchField {
        match self {
            ContactKind::Email => SearchField::PrimaryEmail,
            ContactKind::Phone => SearchField::PrimaryPhone,
        }
    }

    fn patch(self, value: Option<String>) -> UserPatch {
        match self {
            ContactKind::Email => UserPatch {
                primary_email: Some(value),
                ..Default::default()
            },
            ContactKind::Phone => UserPatch {
                primary_phone: Some(value),
                ..Default::default()
            },
        }
    }

    /// Logto's `*_already_in_use` code for this kind.
    fn in_use_code(self) -> &'static str {
        match self {
            ContactKind::Email => "user.email_already_in_use",
            ContactKind::Phone => "user.phone_already_in_use",
        }
    }

    /// What the person typed, as Logto stores it; `Err` is the message key.
    pub fn normalize(self, input: &str) -> Result<String, &'static str> {
        let s = input.trim();
        match self {
            ContactKind::Email => {
                // Logto's rule `^\S+@\S+\.\S+$`, with one `@`.
                let ok = s.len() <= MAX_EMAIL
                    && !s.chars().any(char::is_whitespace)
                    && s.matches('@').count() == 1
                    && s.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty()
                            && domain
                                .split_once('.')
                                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                            && !domain.ends_with('.')
                    });
                if ok {
                    Ok(s.to_string())
                } else {
                    Err("profile.contact.email_invalid")
                }
            }
            ContactKind::Phone => {
                // Logto wants digits only, country code first, no `+`.
                let digits: String = s
                    .trim_start_matches('+')
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
                    .collect();
                if (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
                    Ok(digits)
                } else {
                    Err("profile.contact.phone_invalid")
                }
            }
        }
    }

    /// How an address reads on the page.
    pub fn display(self, stored: &str) -> String {
        match self {
            ContactKind::Email => stored.to_string(),
            ContactKind::Phone => format!("+{stored}"),
        }
    }

    fn same(self, a: &str, b: &str) -> bool {
        match self {
            ContactKind::Email => a.eq_ignore_ascii_case(b),
            ContactKind::Phone => a == b,
        }
    }
}

/// An address waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub address: String,
    pub sent_at: i64,
    pub sends: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PendingContacts {
    email: Option<Pending>,
    phone: Option<Pending>,
}

impl PendingContacts {
    pub async fn load(session: &Session) -> AppResult<Self> {
        let mut p: PendingContacts = session.get(PENDING_KEY).await?.unwrap_or_default();
        let now = now_ms();
        for slot in [&mut p.email, &mut p.phone] {
            if slot
                .as_ref()
                .is_some_and(|x| now - x.sent_at > PENDING_TTL_MS)
            {
                *slot = None;
            }
        }
        Ok(p)
    }

    pub fn get(&self, kind: ContactKind) -> Option<&Pending> {
        match kind {
            ContactKind::Email => self.email.as_ref(),
            ContactKind::Phone => self.phone.as_ref(),
        }
    }

    fn set(&mut self, kind: ContactKind, value: Option<Pending>) {
        match kind {
            ContactKind::Email => self.email = value,
            ContactKind::Phone => self.phone = value,
        }
    }

    async fn save(&self, session: &Session) -> AppResult<()> {
        session.insert(PENDING_KEY, self).await?;
        Ok(())
    }
}

/// Logto endpoint + kind → when a 501 was last seen.
static MISSING_CONNECTOR: LazyLock<Mutex<HashMap<(String, ContactKind), i64>>> =
    LazyLock::new(Default::default);

fn connector_key(state: &AppState, kind: ContactKind) -> (String, ContactKind) {
    (state.config.logto_endpoint.to_string(), kind)
}

fn connector_missing(state: &AppState, kind: ContactKind) -> bool {
    let seen = MISSING_CONNECTOR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&connector_key(state, kind))
        .copied();
    seen.is_some_and(|at| now_ms() - at < MISSING_CONNECTOR_MS)
}

fn remember_connector(state: &AppState, kind: ContactKind, missing: bool) {
    let mut memo = MISSING_CONNECTOR.lock().unwrap_or_else(|p| p.into_inner());
    if missing {
        memo.insert(connector_key(state, kind), now_ms());
    } else {
        memo.remove(&connector_key(state, kind));
    }
}

pub fn routes(kind: ContactKind) -> Router<AppState> {
    use super::section_get;
    let base = format!("/profile/{}", kind.id());
    let section = kind.section();
    Router::new()
        .route(
            &base,
            section_get(section, false).post(
                move |s: State<AppState>, c: PageCtx, m: CurrentUser, f: Form<StartForm>| {
                    start(s, c, m, f, kind)
                },
            ),
        )
        .route(&format!("{base}/edit"), section_get(section, true))
        .route(
            &format!("{base}/verify"),
            post(
                move |s: State<AppState>, c: PageCtx, m: CurrentUser, f: Form<CodeForm>| {
                    verify(s, c, m, f, kind)
                },
            ),
        )
        .route(
            &format!("{base}/resend"),
            post(move |s: State<AppState>, c: PageCtx, m: CurrentUser| resend(s, c, m, kind)),
        )
        .route(
            &format!("{base}/cancel"),
            post(move |s: State<AppState>, c: PageCtx, m: CurrentUser| cancel(s, c, m, kind)),
        )
        .route(
            &format!("{base}/remove"),
            post(
                move |s: State<AppState>, c: PageCtx, m: CurrentUser, f: Form<StartForm>| {
                    remove(s, c, m, f, kind)
                },
            ),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    View,
    Edit,
    Code,
    Unavailable,
}

#[derive(Template)]
#[template(path = "profile/contact.html")]
struct ContactSection<'a> {
    ctx: &'a PageCtx,
    id: &'static str,
    title: String,
    current: Option<String>,
    mode: Mode,
    inputs: Vec<Input>,
    /// "Enter the code we sent to …" (code mode).
    pending_text: String,
    unavailable_text: String,
    can_remove: bool,
    /// Messages of this kind (`profile.email.*` / `profile.phone.*`).
    change_label: String,
    remove_label: String,
    /// No password to ask for and the sign-in is old: offer a fresh sign-in.
    needs_sign_in: bool,
}

impl ContactSection<'_> {
    fn is(&self, mode: &str) -> bool {
        let m = match self.mode {
            Mode::View => "view",
            Mode::Edit => "edit",
            Mode::Code => "code",
            Mode::Unavailable => "unavailable",
        };
        m == mode
    }
}

/// What an editor shows besides its fields.
struct Draft<'a> {
    address: &'a str,
    errors: &'a FieldErrors,
    proof: Proof,
}

fn section(
    ctx: &PageCtx,
    kind: ContactKind,
    user: &User,
    mode: Mode,
    pending: Option<&Pending>,
    draft: Draft<'_>,
) -> AppResult<String> {
    let t = &ctx.t;
    let id = kind.id();
    let mut inputs = Vec::new();
    match mode {
        Mode::Edit => {
            let (kind_attr, autocomplete, label) = match kind {
                ContactKind::Email => ("email", "email", t.t("profile.email.new")),
                ContactKind::Phone => ("tel", "tel", t.t("profile.phone.new")),
            };
            inputs.push(
                Input::new(id, "address", label, kind_attr)
                    .value(draft.address)
                    .autocomplete(autocomplete)
                    .hint(t.t(&format!("profile.{id}.new_hint")))
                    .errors(draft.errors),
            );
            if draft.proof == Proof::NeedsPassword {
                inputs.push(
                    Input::new(
                        id,
                        "current_password",
                        t.t("profile.proof.current_password"),
                        "password",
                    )
                    .autocomplete("current-password")
                    .hint(t.t("profile.proof.why"))
                    .errors(draft.errors),
                );
            }
        }
        Mode::Code => {
            inputs.push(
                Input::new(id, "code", t.t("profile.contact.code"), "text")
                    .autocomplete("one-time-code")
                    .inputmode("numeric")
                    .max_length(10)
                    .hint(t.t("profile.contact.code_hint"))
                    .errors(draft.errors),
            );
        }
        Mode::View | Mode::Unavailable => {}
    }
    focus_first(&mut inputs);
    let current = kind.current(user).map(|c| kind.display(c));
    ContactSection {
        ctx,
        id,
        title: t.t(&format!("profile.{id}.title")),
        can_remove: current.is_some(),
        current,
        mode,
        inputs,
        pending_text: pending
            .map(|p| {
                t.f(
                    "profile.contact.enter_code",
                    &[("to", &kind.display(&p.address))],
                )
            })
            .unwrap_or_default(),
        unavailable_text: t.t(&format!("profile.{id}.unavailable")),
        change_label: t.t(&format!(
            "profile.{id}.{}",
            if kind.current(user).is_some() {
                "change"
            } else {
                "add"
            }
        )),
        remove_label: t.t(&format!("profile.{id}.remove")),
        needs_sign_in: mode == Mode::Edit && draft.proof == Proof::NeedsSignIn,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

fn no_errors() -> &'static FieldErrors {
    static EMPTY: FieldErrors = FieldErrors::new();
    &EMPTY
}

pub fn render(
    ctx: &PageCtx,
    state: &AppState,
    data: &PageData,
    kind: ContactKind,
    editing: bool,
) -> AppResult<String> {
    let pending = data.pending.get(kind);
    let mode = if connector_missing(state, kind) {
        Mode::Unavailable
    } else if editing {
        Mode::Edit
    } else if pending.is_some() {
        Mode::Code
    } else {
        Mode::View
    };
    section(
        ctx,
        kind,
        &data.user,
        mode,
        pending,
        Draft {
            address: "",
            errors: no_errors(),
            proof: data.proof,
        },
    )
}

#[derive(Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    current_password: String,
}

#[derive(Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Everything a handler needs to answer.
struct Turn<'a> {
    state: &'a AppState,
    ctx: &'a PageCtx,
    me: &'a CurrentUser,
    kind: ContactKind,
}

impl Turn<'_> {
    async fn proof(&self, user: &User) -> AppResult<Proof> {
        super::proof::state(&self.me.session, user, self.me.user.signed_in_at).await
    }

    async fn audit(&self, user: &User, failed: Option<&str>, step: &str) {
        let mut e = entry(self.kind.action(), self.ctx, user)
            .details(json!({ "fields": [self.kind.field()], "step": step }));
        if let Some(code) = failed {
            e = e.failed(code);
        }
        self.state.audit.record_or_log(e).await;
    }

    /// Re-renders the editor (or code form) with messages.
    async fn refuse(
        &self,
        user: User,
        mode: Mode,
        address: &str,
        errors: &FieldErrors,
        message: Option<String>,
    ) -> AppResult<Response> {
        let proof = self.proof(&user).await?;
        let pending = PendingContacts::load(&self.me.session).await?;
        let html = section(
            self.ctx,
            self.kind,
            &user,
            mode,
            pending.get(self.kind),
            Draft {
                address,
                errors,
                proof,
            },
        )?;
        let mut reply = Reply::new(self.kind.section(), html);
        reply.message = message;
        reply.refused(self.state, self.ctx, self.me, user).await
    }

    /// The section in `mode` after a step went through.
    async fn done(
        &self,
        user: &User,
        mode: Mode,
        pending: Option<&Pending>,
        message: String,
        who: Option<String>,
    ) -> AppResult<Response> {
        let proof = self.proof(user).await?;
        let html = section(
            self.ctx,
            self.kind,
            user,
            mode,
            pending,
            Draft {
                address: "",
                errors: no_errors(),
                proof,
            },
        )?;
        Reply::new(self.kind.section(), html)
            .message(message)
            .who(who)
            .done(self.ctx, &self.me.session)
            .await
    }

    fn unavailable_text(&self) -> String {
        self.ctx
            .t
            .t(&format!("profile.{}.unavailable", self.kind.id()))
    }

    /// The field a refusal at `step` belongs to, and the mode the section stays in.
    fn refusal_place(step: &str) -> (Mode, &'static str) {
        if step == "code_resent" {
            (Mode::Code, "code")
        } else {
            (Mode::Edit, "address")
        }
    }

    /// Reserves `limit` for `subject`; `Ok(Err(..))` is the refusal, audited and rendered.
    async fn reserve(
        &self,
        user: &User,
        limit: &Limit,
        subject: &str,
        step: &str,
        typed: &str,
    ) -> AppResult<Result<(), Response>> {
        let Reservation::Refused { retry_after } =
            self.state.limits.reserve(limit, subject).await?
        else {
            return Ok(Ok(()));
        };
        Ok(Err(self
            .refuse_limited(user, limit, retry_after, step, typed)
            .await?))
    }

    /// A refusal by `limit`: audited, and said at the field of `step`.
    async fn refuse_limited(
        &self,
        user: &User,
        limit: &Limit,
        retry_after: std::time::Duration,
        step: &str,
        typed: &str,
    ) -> AppResult<Response> {
        let entry = entry(self.kind.action(), self.ctx, user)
            .failed(limit.audit_code)
            .details(json!({
                "fields": [self.kind.field()],
                "step": step,
                "limit": limit.name,
                "retry_after_seconds": retry_after.as_secs().max(1),
            }));
        self.state.audit.record_or_log(entry).await;
        let message = if limit.name == limits::CODE_COOLDOWN.name {
            let secs = retry_after.as_millis().div_ceil(1000) as u64;
            self.ctx.t.f(
                "profile.contact.wait",
                &[("wait", &super::wait_text(self.ctx, secs))],
            )
        } else {
            crate::web::format::too_many_attempts(&self.ctx.t, retry_after)
        };
        let (mode, field) = Self::refusal_place(step);
        let mut errors = FieldErrors::new();
        errors.insert(field.into(), message);
        self.refuse(user.clone(), mode, typed, &errors, None).await
    }

    /// Sends a code, within the per-person and per-address limits; `Ok(Err(..))` is a
    /// refusal already rendered.
    async fn send_code(
        &self,
        user: &User,
        address: &str,
        step: &str,
    ) -> AppResult<Result<(), Response>> {
        let typed = if step == "code_resent" { "" } else { address };
        let target = format!("{}:{}", self.kind.id(), address.to_lowercase());
        for (limit, subject) in [
            (&limits::CODE_COOLDOWN, user.id.as_str()),
            (&limits::CODES_PER_USER, user.id.as_str()),
            (&limits::CODES_PER_ADDRESS, target.as_str()),
        ] {
            if let Err(refused) = self.reserve(user, limit, subject, step, typed).await? {
                return Ok(Err(refused));
            }
        }
        match self
            .state
            .logto
            .send_verification_code(&self.kind.target(address))
            .await
        {
            Ok(()) => {
                remember_connector(self.state, self.kind, false);
                self.audit(user, None, step).await;
                Ok(Ok(()))
            }
            Err(e) if e.status() == Some(501) => {
                remember_connector(self.state, self.kind, true);
                self.audit(user, Some(e.code().unwrap_or("connector.not_found")), step)
                    .await;
                let mut pending = PendingContacts::load(&self.me.session).await?;
                pending.set(self.kind, None);
                pending.save(&self.me.session).await?;
                Ok(Err(self
                    .refuse(
                        user.clone(),
                        Mode::Unavailable,
                        "",
                        no_errors(),
                        Some(self.unavailable_text()),
                    )
                    .await?))
            }
            Err(e) if e.is_rate_limited() || e.status() == Some(400) => {
                let code = e.code().unwrap_or("rate_limited").to_string();
                self.audit(user, Some(&code), step).await;
                let key = if e.is_rate_limited() {
                    "profile.contact.too_many_codes"
                } else if code.starts_with("connector.") {
                    "profile.contact.send_failed"
                } else {
                    match self.kind {
                        ContactKind::Email => "profile.contact.email_invalid",
                        ContactKind::Phone => "profile.contact.phone_invalid",
                    }
                };
                let mut errors = FieldErrors::new();
                let (mode, field) = Self::refusal_place(step);
                errors.insert(field.into(), self.ctx.t.t(key));
                Ok(Err(self
                    .refuse(user.clone(), mode, address, &errors, None)
                    .await?))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Another user has this address (Logto's exact, case-insensitive search).
async fn taken_by_other(
    state: &AppState,
    kind: ContactKind,
    address: &str,
    my_id: &str,
) -> Result<bool, LogtoError> {
    let q = UserQuery {
        page: 1,
        page_size: 5,
        search: UserSearch::new().field_exact(kind.search_field(), address),
        ..Default::default()
    };
    let found = state.logto.list_users(&q).await?;
    Ok(found.items.iter().any(|u| u.id != my_id))
}

/// `POST /profile/{email,phone}`: checks the new address and sends it a code.
async fn start(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<StartForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn {
        state: &state,
        ctx: &ctx,
        me: &me,
        kind,
    };
    let user = state.logto.get_user(me.id()).await?;
    if connector_missing(&state, kind) {
        let text = turn.unavailable_text();
        return turn
            .refuse(user, Mode::Unavailable, "", no_errors(), Some(text))
            .await;
    }
    let typed = form.address.trim().to_string();
    let t = &ctx.t;
    let mut errors = FieldErrors::new();
    let address = match kind.normalize(&typed) {
        Ok(a) => a,
        Err(key) => {
            errors.insert("address".into(), t.t(key));
            return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
        }
    };
    if kind.current(&user).is_some_and(|c| kind.same(c, &address)) {
        errors.insert(
            "address".into(),
            t.t(&format!("profile.{}.same", kind.id())),
        );
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    let mut pending = PendingContacts::load(&me.session).await?;
    // Said before the password is asked for; the reservation before the send decides.
    if let Some(wait) = state.limits.wait(&limits::CODE_COOLDOWN, &user.id).await? {
        return turn
            .refuse_limited(&user, &limits::CODE_COOLDOWN, wait, "code_sent", &typed)
            .await;
    }
    if let Err(message) = super::proof::confirm(
        &state,
        &ctx,
        &me,
        &user,
        &form.current_password,
        kind.action(),
    )
    .await?
    {
        errors.insert("current_password".into(), message);
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    // Each answer tells whether an address has an account: limited per person.
    if let Err(refused) = turn
        .reserve(&user, &limits::ADDRESS_CHECKS, &user.id, "check", &typed)
        .await?
    {
        return Ok(refused);
    }
    if taken_by_other(&state, kind, &address, &user.id).await? {
        turn.audit(&user, Some(kind.in_use_code()), "check").await;
        errors.insert(
            "address".into(),
            t.t(&format!("profile.{}.taken", kind.id())),
        );
        return turn.refuse(user, Mode::Edit, &typed, &errors, None).await;
    }
    if let Err(refused) = turn.send_code(&user, &address, "code_sent").await? {
        return Ok(refused);
    }
    let p = Pending {
        address: address.clone(),
        sent_at: now_ms(),
        sends: 1,
    };
    pending.set(kind, Some(p.clone()));
    pending.save(&me.session).await?;
    let message = t.f(
        "profile.contact.code_sent",
        &[("to", &kind.display(&address))],
    );
    turn.done(&user, Mode::Code, Some(&p), message, None).await
}

/// The code as typed, if it looks like one (digits, spaces ignored).
fn clean_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    ((4..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit())).then_some(code)
}

/// `POST /profile/{email,phone}/verify`: checks the code, then saves the address.
async fn verify(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<CodeForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn {
        state: &state,
        ctx: &ctx,
        me: &me,
        kind,
    };
    let t = &ctx.t;
    let user = state.logto.get_user(me.id()).await?;
    let mut pending = PendingContacts::load(&me.session).await?;
    let Some(p) = pending.get(kind).cloned() else {
        let text = t.t("profile.contact.nothing_pending");
        return turn
            .refuse(user, Mode::View, "", no_errors(), Some(text))
            .await;
    };
    let mut errors = FieldErrors::new();
    let Some(code) = clean_code(&form.code) else {
        errors.insert("code".into(), t.t("profile.contact.code_format"));
        return turn.refuse(user, Mode::Code, "", &errors, None).await;
    };
    match state
        .logto
        .verify_code(&kind.target(&p.address), &code)
        .await
    {
        Ok(()) => {}
        Err(e) if e.status() == Some(400) => {
            let code = e
                .code()
                .unwrap_or("verification_code.code_mismatch")
                .to_string();
            turn.audit(&user, Some(&code), "verify").await;
            let key = match code.as_str() {
                "verification_code.expired" => "profile.contact.code_expired",
                "verification_code.exceed_max_try" => "profile.contact.code_too_many_tries",
                "verification_code.not_found" => "profile.contact.code_not_found",
                _ => "profile.contact.code_wrong",
            };
            errors.insert("code".into(), t.t(key));
            return turn.refuse(user, Mode::Code, "", &errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    // The code is used up whatever happens next; a proven address ends the wait for the next
    // code (the hourly limits still count).
    pending.set(kind, None);
    pending.save(&me.session).await?;
    state.limits.clear(&limits::CODE_COOLDOWN, &user.id).await?;
    match state
        .logto
        .update_user(&user.id, &kind.patch(Some(p.address.clone())))
        .await
    {
        Ok(updated) => {
            turn.audit(&updated, None, "saved").await;
            let who = refresh_session_user(&ctx, &me, &updated).await?;
            let message = t.f(
                &format!("profile.{}.saved", kind.id()),
                &[("to", &kind.display(&p.address))],
            );
            turn.done(&updated, Mode::View, None, message, Some(who))
                .await
        }
        Err(e) if e.status() == Some(422) || e.status() == Some(400) => {
            let code = e.code().unwrap_or("invalid_input").to_string();
            turn.audit(&user, Some(&code), "save").await;
            let key = if code == kind.in_use_code() {
                format!("profile.{}.taken", kind.id())
            } else {
                format!("profile.contact.{}_invalid", kind.id())
            };
            errors.insert("address".into(), t.t(&key));
            let typed = kind.display(&p.address);
            turn.refuse(user, Mode::Edit, &typed, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /profile/{email,phone}/resend`: a new code to the waiting address, within the limits
/// (the first of them: once a minute).
async fn resend(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn {
        state: &state,
        ctx: &ctx,
        me: &me,
        kind,
    };
    let t = &ctx.t;
    let user = state.logto.get_user(me.id()).await?;
    let mut pending = PendingContacts::load(&me.session).await?;
    let Some(p) = pending.get(kind).cloned() else {
        let text = t.t("profile.contact.nothing_pending");
        return turn
            .refuse(user, Mode::View, "", no_errors(), Some(text))
            .await;
    };
    if let Err(refused) = turn.send_code(&user, &p.address, "code_resent").await? {
        return Ok(refused);
    }
    let p = Pending {
        sent_at: now_ms(),
        sends: p.sends + 1,
        ..p
    };
    pending.set(kind, Some(p.clone()));
    pending.save(&me.session).await?;
    let message = t.f(
        "profile.contact.code_resent",
        &[("to", &kind.display(&p.address))],
    );
    turn.done(&user, Mode::Code, Some(&p), message, None).await
}

/// `POST /profile/{email,phone}/cancel`: forgets the waiting address.
async fn cancel(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn {
        state: &state,
        ctx: &ctx,
        me: &me,
        kind,
    };
    let user = state.logto.get_user(me.id()).await?;
    let mut pending = PendingContacts::load(&me.session).await?;
    pending.set(kind, None);
    pending.save(&me.session).await?;
    turn.done(
        &user,
        Mode::View,
        None,
        ctx.t.t("profile.contact.cancelled"),
        None,
    )
    .await
}

/// `POST /profile/{email,phone}/remove`: unless it is the last way to sign in.
async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<StartForm>,
    kind: ContactKind,
) -> AppResult<Response> {
    let turn = Turn {
        state: &state,
        ctx: &ctx,
        me: &me,
        kind,
    };
    let t = &ctx.t;
    let user = state.logto.get_user(me.id()).await?;
    if kind.current(&user).is_none() {
        let text = t.t("profile.contact.nothing_to_remove");
        return turn
            .refuse(user, Mode::View, "", no_errors(), Some(text))
            .await;
    }
    let mut errors = FieldErrors::new();
    if let Err(message) = super::proof::confirm(
        &state,
        &ctx,
        &me,
        &user,
        &form.current_password,
        kind.action(),
    )
    .await?
    {
        errors.insert("current_password".into(), message);
        return turn.refuse(user, Mode::Edit, "", &errors, None).await;
    }
    if sign_in_methods(&user) <= 1 {
        turn.audit(&user, Some("last_sign_in_method"), "remove")
            .await;
        errors.insert("address".into(), t.t("profile.last_sign_in_method"));
        return turn.refuse(user, Mode::Edit, "", &errors, None).await;
    }
    let updated = match state.logto.update_user(&user.id, &kind.patch(None)).await {
        Ok(u) => u,
        Err(e) if e.status() == Some(422) || e.status() == Some(400) => {
            let code = e.code().unwrap_or("invalid_input").to_string();
            turn.audit(&user, Some(&code), "remove").await;
            let text = t.t("profile.logto_refused");
            return turn
                .refuse(user, Mode::Edit, "", no_errors(), Some(text))
                .await;
        }
        Err(e) => return Err(e.into()),
    };
    turn.audit(&updated, None, "removed").await;
    let who = refresh_session_user(&ctx, &me, &updated).await?;
    turn.done(
        &updated,
        Mode::View,
        None,
        t.t(&format!("profile.{}.removed", kind.id())),
        Some(who),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_addresses() {
        let e = ContactKind::Email;
        assert_eq!(e.normalize(" a.b@x.io ").unwrap(), "a.b@x.io");
        for bad in ["a@b", "a b@x.io", "@x.io", "a@@x.io", "a@x.", ""] {
            assert!(e.normalize(bad).is_err(), "{bad}");
        }
        let p = ContactKind::Phone;
        assert_eq!(p.normalize("+886 912-345 678").unwrap(), "886912345678");
        assert_eq!(p.display("886912345678"), "+886912345678");
        for bad in ["12345", "+1 (555) abc", "1234567890123456"] {
            assert!(p.normalize(bad).is_err(), "{bad}");
        }
        assert!(e.same("A@X.io", "a@x.IO"));
    }

    #[test]
    fn codes() {
        assert_eq!(clean_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(clean_code("12a456"), None);
        assert_eq!(clean_code("12"), None);
    }
}
