//! What every contact handler shares: the audit entry, the re-rendered section after a
//! refusal or a step done, the limits on checks and codes, and sending a code.

use axum::response::Response;
use serde_json::json;

use super::connector::remember_connector;
use super::view::{no_errors, section, Draft, Mode};
use super::{ContactKind, Pending, PendingContacts};
use crate::limits::{self, Limit, Reservation};
use crate::logto::User;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::profile::proof::Proof;
use crate::web::profile::{entry, FieldErrors, Reply};
use crate::web::AppState;

/// Everything a handler needs to answer.
pub(super) struct Turn<'a> {
    pub(super) state: &'a AppState,
    pub(super) ctx: &'a PageCtx,
    pub(super) me: &'a CurrentUser,
    pub(super) kind: ContactKind,
}

/// What `verify` and `resend` both start from.
pub(super) struct Waiting {
    pub(super) user: User,
    pub(super) pending: PendingContacts,
    /// The address waiting for its code.
    pub(super) waiting: Pending,
}

impl<'a> Turn<'a> {
    pub(super) fn new(
        state: &'a AppState,
        ctx: &'a PageCtx,
        me: &'a CurrentUser,
        kind: ContactKind,
    ) -> Self {
        Turn {
            state,
            ctx,
            me,
            kind,
        }
    }

    /// The opening `verify` and `resend` share: the person, and the address waiting for its
    /// code; `Ok(Err(..))` is the refusal, already rendered, when nothing waits.
    pub(super) async fn waiting(&self) -> AppResult<Result<Waiting, Response>> {
        let user = self.state.logto.get_user(self.me.id()).await?;
        let pending = PendingContacts::load(&self.me.session, self.state.clock.now_ms()).await?;
        let Some(waiting) = pending.get(self.kind).cloned() else {
            let text = self.ctx.t.t("profile.contact.nothing_pending");
            return Ok(Err(self
                .refuse(user, Mode::View, "", no_errors(), Some(text))
                .await?));
        };
        Ok(Ok(Waiting {
            user,
            pending,
            waiting,
        }))
    }

    async fn proof(&self, user: &User) -> AppResult<Proof> {
        crate::web::profile::proof::state(self.state, self.me, user).await
    }

    pub(super) async fn audit(&self, user: &User, failed: Option<&str>, step: &str) {
        let mut e = entry(self.kind.action(), self.ctx, user)
            .details(json!({ "fields": [self.kind.field()], "step": step }));
        if let Some(code) = failed {
            e = e.failed(code);
        }
        self.state.audit.record_or_log(e).await;
    }

    /// Re-renders the editor (or code form) with messages.
    pub(super) async fn refuse(
        &self,
        user: User,
        mode: Mode,
        address: &str,
        errors: &FieldErrors,
        message: Option<String>,
    ) -> AppResult<Response> {
        let proof = self.proof(&user).await?;
        let pending = PendingContacts::load(&self.me.session, self.state.clock.now_ms()).await?;
        let view = section(
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
        );
        Reply::new(view.into_view())
            .maybe_message(message)
            .refused(self.state, self.ctx, self.me, user)
            .await
    }

    /// The section in `mode` after a step went through.
    pub(super) async fn done(
        &self,
        user: &User,
        mode: Mode,
        pending: Option<&Pending>,
        message: String,
        who: Option<String>,
    ) -> AppResult<Response> {
        let proof = self.proof(user).await?;
        let view = section(
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
        );
        Reply::new(view.into_view())
            .message(message)
            .who(who)
            .done(self.ctx, &self.me.session)
            .await
    }

    pub(super) fn unavailable_text(&self) -> String {
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
    pub(super) async fn reserve(
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
    pub(super) async fn refuse_limited(
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
                &[("wait", &crate::web::profile::wait_text(self.ctx, secs))],
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
    pub(super) async fn send_code(
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
                remember_connector(self.state, self.kind, false).await;
                self.audit(user, None, step).await;
                Ok(Ok(()))
            }
            Err(e) if e.status() == Some(501) => {
                remember_connector(self.state, self.kind, true).await;
                self.audit(user, Some(&e.failure_code()), step).await;
                let mut pending =
                    PendingContacts::load(&self.me.session, self.state.clock.now_ms()).await?;
                pending.set(self.kind, None);
                pending.save(&self.me.session).await?;
                Ok(Err(self
                    .refuse(user.clone(), Mode::Unavailable, "", no_errors(), None)
                    .await?))
            }
            Err(e) if e.is_rate_limited() || e.status() == Some(400) => {
                let code = e.failure_code();
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
