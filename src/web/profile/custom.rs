//! Custom fields: the deployer's own fields ([`super::fields`]), stored in `customData` with
//! the merging `PATCH /api/users/:id/custom-data`. Only editable, defined keys whose value
//! changed are sent; keys not defined in the file are never touched.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde_json::{json, Map, Value};

use super::form::{focus_first, touched, Input};
use super::page::words;
use super::{entry, record_refusal, FieldErrors, PageData, Reply, View};
use crate::config::custom_fields::{FieldDef, FieldKind, Problem};
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::refusal::Refusal;
use crate::web::AppState;

const SECTION: &str = "custom";
const ACTION: &str = "profile.update_custom";

/// The deployer's fields (`templates/profile/_custom.html`).
pub struct CustomView {
    pub(crate) editing: bool,
    pub(crate) inputs: Vec<Input>,
    /// `(label, value)` of every field (view) or of the read-only ones (editor).
    pub(crate) facts: Vec<(String, String)>,
    pub(crate) any_editable: bool,
}

impl CustomView {
    pub fn id(&self) -> &'static str {
        SECTION
    }

    /// "Edit" in the view when a field can be edited; none while editing.
    pub fn edit_label(&self, ctx: &PageCtx) -> String {
        if self.editing || !self.any_editable {
            String::new()
        } else {
            ctx.t.t("profile.edit")
        }
    }
}

fn form_name(def: &FieldDef) -> String {
    format!("cf_{}", def.key)
}

fn shown(ctx: &PageCtx, def: &FieldDef, stored: Option<&Value>) -> String {
    if def.kind == FieldKind::Checkbox {
        ctx.t.t(if def.is_checked(stored) {
            "common.yes"
        } else {
            "common.no"
        })
    } else {
        def.display_value(stored, ctx.lang)
    }
}

/// The stored value as form text (a ticked box is `on`), to compare submissions with.
fn stored_text(def: &FieldDef, stored: Option<&Value>) -> String {
    if def.kind == FieldKind::Checkbox {
        if def.is_checked(stored) {
            "on".into()
        } else {
            String::new()
        }
    } else {
        def.form_value(stored)
    }
}

fn input(
    ctx: &PageCtx,
    def: &FieldDef,
    value: &str,
    original: &str,
    errors: &FieldErrors,
) -> Input {
    let name = form_name(def);
    let mut i = Input::new(SECTION, &name, def.label(ctx.lang), def.input_type())
        .value(value)
        .checked(!value.is_empty())
        .original(original)
        .required(def.required)
        .maybe_hint(def.help(ctx.lang))
        .errors(errors);
    match def.kind {
        FieldKind::Select => {
            let blank = if def.required {
                "profile.custom.choose"
            } else {
                "profile.not_set"
            };
            let mut options = vec![(String::new(), ctx.t.t(blank))];
            options.extend(
                def.options
                    .iter()
                    .map(|o| (o.value.clone(), o.label(ctx.lang))),
            );
            i = i.options(options);
        }
        FieldKind::Number => i = i.inputmode("decimal"),
        FieldKind::Text => i = i.max_length(def.max_length),
        FieldKind::Date | FieldKind::Checkbox => {}
    }
    i
}

/// Submitted form text per key, and what the form was opened with.
#[derive(Default)]
struct Submitted {
    values: HashMap<String, String>,
    originals: HashMap<String, String>,
}

/// `submitted`: what the person sent, shown again when it is refused.
fn section(
    ctx: &PageCtx,
    state: &AppState,
    data: &Map<String, Value>,
    submitted: Option<&Submitted>,
    editing: bool,
    errors: &FieldErrors,
) -> CustomView {
    let defs = &state.config.custom_fields.fields;
    let mut inputs = Vec::new();
    let mut facts = Vec::new();
    for def in defs {
        let stored = data.get(&def.key);
        if editing && def.editable {
            let stored = stored_text(def, stored);
            let value = submitted
                .and_then(|s| s.values.get(&def.key))
                .cloned()
                .unwrap_or_else(|| stored.clone());
            let original = submitted
                .and_then(|s| s.originals.get(&def.key))
                .cloned()
                .unwrap_or(stored);
            inputs.push(input(ctx, def, &value, &original, errors));
        } else {
            facts.push((def.label(ctx.lang), shown(ctx, def, stored)));
        }
    }
    if editing {
        focus_first(&mut inputs);
    }
    CustomView {
        editing,
        inputs,
        facts,
        any_editable: defs.iter().any(|d| d.editable),
    }
}

fn object(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub fn view_of(ctx: &PageCtx, state: &AppState, data: &PageData, editing: bool) -> CustomView {
    section(
        ctx,
        state,
        &object(&data.user.custom_data),
        None,
        editing,
        &FieldErrors::new(),
    )
}

pub(crate) fn problem_text(ctx: &PageCtx, p: &Problem) -> String {
    let t = &ctx.t;
    match p {
        Problem::Required => t.t("profile.custom.required"),
        Problem::Pattern => t.t("profile.custom.pattern"),
        Problem::NotANumber => t.t("profile.custom.number"),
        Problem::BelowMin(m) => t.f("profile.custom.min", &[("min", m)]),
        Problem::AboveMax(m) => t.f("profile.custom.max", &[("max", m)]),
        Problem::NotADate => t.t("profile.custom.date"),
        Problem::UnknownOption => t.t("profile.custom.option"),
        Problem::TooLong(n) => t.count("profile.too_long", *n as i64),
    }
}

/// Whether `new` differs from what is stored (an unticked box equals a missing key).
fn differs(def: &FieldDef, stored: Option<&Value>, new: &Value) -> bool {
    match def.kind {
        FieldKind::Checkbox => def.is_checked(stored) != new.as_bool().unwrap_or(false),
        _ => stored.unwrap_or(&Value::Null) != new,
    }
}

/// `POST /profile/custom`. Checkboxes come with a hidden empty twin, so "unticked" and "not in
/// the form" differ (the last value of a name wins). A field equal to the value the form was
/// opened with (`was_cf_<key>`) is left alone.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let defs = &state.config.custom_fields;
    if defs.is_empty() {
        return Err(AppError::NotFound);
    }
    let user = state.logto.get_user(me.id()).await?;
    let stored = object(&user.custom_data);
    let mut submitted = Submitted::default();
    for (k, v) in pairs {
        if let Some(key) = k.strip_prefix("was_cf_") {
            submitted.originals.insert(key.to_string(), v);
        } else if let Some(key) = k.strip_prefix("cf_") {
            submitted.values.insert(key.to_string(), v);
        }
    }
    let mut errors = FieldErrors::new();
    let mut patch = Map::new();
    for def in defs.editable() {
        let Some(text) = submitted.values.get(&def.key) else {
            continue;
        };
        let was = submitted.originals.get(&def.key).map(String::as_str);
        if !touched(text.trim(), was, &stored_text(def, stored.get(&def.key))) {
            continue;
        }
        match def.parse(Some(text)) {
            Ok(value) => {
                if differs(def, stored.get(&def.key), &value) {
                    patch.insert(def.key.clone(), value);
                }
            }
            Err(p) => {
                errors.insert(form_name(def), problem_text(&ctx, &p));
            }
        }
    }
    if !errors.is_empty() {
        let view = section(&ctx, &state, &stored, Some(&submitted), true, &errors);
        return Reply::new(View::Custom(view))
            .refused(&state, &ctx, &me, user)
            .await;
    }
    if patch.is_empty() {
        return Reply::new(View::Custom(section(
            &ctx, &state, &stored, None, false, &errors,
        )))
        .message(ctx.t.t("profile.nothing_changed"))
        .done(&ctx, &me.session)
        .await;
    }
    let fields: Vec<String> = patch.keys().cloned().collect();
    match state.logto.update_custom_data(&user.id, &patch).await {
        Ok(merged) => {
            state
                .audit
                .record_or_log(entry(ACTION, &ctx, &user).details(json!({ "fields": fields })))
                .await;
            Reply::new(View::Custom(section(
                &ctx,
                &state,
                &object(&merged),
                None,
                false,
                &errors,
            )))
            .message(ctx.t.t("profile.custom.saved"))
            .done(&ctx, &me.session)
            .await
        }
        Err(e) if e.is_input_refusal() => {
            let refusal = Refusal::from(e);
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "fields": fields }));
            record_refusal(&state, attempt, &refusal).await;
            let view = section(&ctx, &state, &stored, Some(&submitted), true, &errors);
            Reply::new(View::Custom(view))
                .message(words(&ctx.t, &refusal))
                .refused(&state, &ctx, &me, user)
                .await
        }
        Err(e) => Err(e.into()),
    }
}
