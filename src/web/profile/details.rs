//! Profile fields: the OIDC standard claims Logto keeps in `profile` (given, middle and family
//! name, nickname, website, gender, birthdate, locale, time zone, address). Saved with the
//! merging `PATCH /api/users/:id/profile`, sending only what changed, so keys the form does not
//! show (e.g. `preferredUsername`, `profile`) and fields changed elsewhere meanwhile survive.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde_json::{json, Map, Value};

use super::form::{focus_first, touched as touched_field, Input};
use super::{entry, record_refusal, FieldErrors, PageData, Reply, Section};
use crate::config::custom_fields::is_iso_date;
use crate::logto::UserProfile;
use crate::web::context::PageCtx;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::AppState;

const SECTION: &str = "details";
const ACTION: &str = "profile.update_profile";
const MAX_CLAIM: usize = 256;

/// How a claim is edited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Url,
    Date,
    Gender,
    Locale,
    Zone,
    Multiline,
}

struct Claim {
    /// Form field name.
    name: &'static str,
    /// Key in Logto's `profile` (or in `profile.address`).
    key: &'static str,
    kind: Kind,
    autocomplete: &'static str,
}

const fn claim(
    name: &'static str,
    key: &'static str,
    kind: Kind,
    autocomplete: &'static str,
) -> Claim {
    Claim {
        name,
        key,
        kind,
        autocomplete,
    }
}

const CLAIMS: &[Claim] = &[
    claim("given_name", "givenName", Kind::Text, "given-name"),
    claim("middle_name", "middleName", Kind::Text, "additional-name"),
    claim("family_name", "familyName", Kind::Text, "family-name"),
    claim("nickname", "nickname", Kind::Text, "nickname"),
    claim("website", "website", Kind::Url, "url"),
    claim("gender", "gender", Kind::Gender, "sex"),
    claim("birthdate", "birthdate", Kind::Date, "bday"),
    claim("locale", "locale", Kind::Locale, "language"),
    claim("zoneinfo", "zoneinfo", Kind::Zone, "off"),
];

const ADDRESS: &[Claim] = &[
    claim(
        "address_formatted",
        "formatted",
        Kind::Multiline,
        "street-address",
    ),
    claim(
        "street_address",
        "streetAddress",
        Kind::Text,
        "address-line1",
    ),
    claim("locality", "locality", Kind::Text, "address-level2"),
    claim("region", "region", Kind::Text, "address-level1"),
    claim("postal_code", "postalCode", Kind::Text, "postal-code"),
    claim("country", "country", Kind::Text, "country-name"),
];

const GENDERS: &[&str] = &["female", "male", "other"];

/// Suggestions only; any well-formed tag is accepted.
pub const LOCALES: &[&str] = &[
    "en", "en-US", "en-GB", "zh-TW", "zh-CN", "zh-HK", "ja-JP", "ko-KR", "de-DE", "fr-FR", "es-ES",
    "it-IT", "nl-NL", "pt-BR", "pt-PT", "sv-SE", "pl-PL", "tr-TR", "ru-RU", "ar", "hi-IN", "th-TH",
    "vi-VN", "id-ID",
];

/// Suggestions only; any well-formed IANA name is accepted.
pub const ZONES: &[&str] = &[
    "UTC",
    "Asia/Taipei",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

#[derive(Template)]
#[template(path = "profile/details.html")]
struct DetailsSection<'a> {
    ctx: &'a PageCtx,
    editing: bool,
    inputs: Vec<Input>,
    address: Vec<Input>,
    /// `(label, value)` for the view.
    facts: Vec<(String, String)>,
    locales: &'static [&'static str],
    zones: &'static [&'static str],
}

/// The stored claims as `name → text` (address keys flattened under their form names).
fn current_values(profile: &UserProfile) -> HashMap<&'static str, String> {
    let as_map = |v: Value| match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let top = as_map(serde_json::to_value(profile).unwrap_or(Value::Null));
    let address = as_map(top.get("address").cloned().unwrap_or(Value::Null));
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k).and_then(Value::as_str).unwrap_or("").to_string()
    };
    CLAIMS
        .iter()
        .map(|c| (c.name, text(&top, c.key)))
        .chain(ADDRESS.iter().map(|c| (c.name, text(&address, c.key))))
        .collect()
}

fn label(ctx: &PageCtx, c: &Claim) -> String {
    ctx.t.t(&format!("profile.details.{}", c.name))
}

fn input(ctx: &PageCtx, c: &Claim, value: &str, original: &str, errors: &FieldErrors) -> Input {
    let (kind, base) = match c.kind {
        Kind::Url => ("url", None),
        Kind::Date => ("date", None),
        Kind::Gender => ("select", None),
        Kind::Multiline => ("textarea", None),
        Kind::Locale => ("text", Some("profile-locales")),
        Kind::Zone => ("text", Some("profile-zones")),
        Kind::Text => ("text", None),
    };
    let mut i = Input::new(SECTION, c.name, label(ctx, c), kind)
        .value(value)
        .original(original)
        .autocomplete(c.autocomplete)
        .max_length(MAX_CLAIM)
        .errors(errors);
    if let Some(list) = base {
        i = i.list(list);
    }
    match c.kind {
        Kind::Gender => {
            let mut options = vec![(String::new(), ctx.t.t("profile.not_set"))];
            options.extend(GENDERS.iter().map(|g| {
                (
                    g.to_string(),
                    ctx.t.t(&format!("profile.details.gender_{g}")),
                )
            }));
            // A value set elsewhere stays selectable, so saving does not lose it.
            if !value.is_empty() && !GENDERS.contains(&value) {
                options.push((value.to_string(), value.to_string()));
            }
            i.options(options)
        }
        Kind::Url => i.hint(ctx.t.t("profile.details.website_hint")),
        Kind::Locale => i.hint(ctx.t.t("profile.details.locale_hint")),
        Kind::Zone => i.hint(ctx.t.t("profile.details.zoneinfo_hint")),
        _ => i,
    }
}

/// `values` fill the fields; `originals` are what the form was opened with.
fn section(
    ctx: &PageCtx,
    values: &HashMap<&'static str, String>,
    originals: &HashMap<&'static str, String>,
    editing: bool,
    errors: &FieldErrors,
) -> AppResult<String> {
    let get = |n: &str| values.get(n).cloned().unwrap_or_default();
    let was = |n: &str| originals.get(n).cloned().unwrap_or_default();
    let (inputs, address, facts) = if editing {
        let mut inputs: Vec<Input> = CLAIMS
            .iter()
            .map(|c| input(ctx, c, &get(c.name), &was(c.name), errors))
            .collect();
        let mut address: Vec<Input> = ADDRESS
            .iter()
            .map(|c| input(ctx, c, &get(c.name), &was(c.name), errors))
            .collect();
        if errors.is_empty() || inputs.iter().any(|i| i.error.is_some()) {
            focus_first(&mut inputs);
        } else {
            focus_first(&mut address);
        }
        (inputs, address, Vec::new())
    } else {
        let facts = CLAIMS
            .iter()
            .chain(ADDRESS.iter())
            .map(|c| {
                let v = get(c.name);
                let shown = match c.kind {
                    Kind::Gender if GENDERS.contains(&v.as_str()) => {
                        ctx.t.t(&format!("profile.details.gender_{v}"))
                    }
                    _ => v,
                };
                (label(ctx, c), shown)
            })
            .filter(|(_, shown)| !shown.is_empty())
            .collect();
        (Vec::new(), Vec::new(), facts)
    };
    DetailsSection {
        ctx,
        editing,
        inputs,
        address,
        facts,
        locales: LOCALES,
        zones: ZONES,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

pub fn render(ctx: &PageCtx, data: &PageData, editing: bool) -> AppResult<String> {
    let values = current_values(&data.user.profile);
    section(ctx, &values, &values, editing, &FieldErrors::new())
}

/// A BCP 47-shaped tag: `en`, `zh-TW`, `sr-Latn-RS`.
fn valid_locale(s: &str) -> bool {
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An IANA zone name: `UTC`, `Asia/Taipei`, `America/Argentina/Buenos_Aires`, `Etc/GMT+8`.
fn valid_zone(s: &str) -> bool {
    s.len() <= 64
        && s.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
}

fn valid_website(s: &str) -> bool {
    url::Url::parse(s)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(false)
}

/// Checks one submitted value; `Err` is the message.
fn check(ctx: &PageCtx, c: &Claim, v: &str, current: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    if v.chars().count() > MAX_CLAIM {
        return Err(ctx.t.count("profile.too_long", MAX_CLAIM as i64));
    }
    let ok = match c.kind {
        Kind::Url => valid_website(v),
        Kind::Date => is_iso_date(v),
        Kind::Gender => GENDERS.contains(&v) || v == current,
        Kind::Locale => valid_locale(v),
        Kind::Zone => valid_zone(v),
        Kind::Text | Kind::Multiline => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ctx.t.t(&format!("profile.details.{}_invalid", c.name)))
    }
}

/// `POST /profile/details`. Only fields the person changed are sent: a field absent from the
/// submission, or equal to the value the form was opened with (`was_<name>`), is left as Logto
/// has it, even if someone changed it meanwhile.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    me: CurrentUser,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = state.logto.get_user(me.id()).await?;
    let current = current_values(&user.profile);
    // What the fields will show if the form comes back, and what it was opened with.
    let mut shown = current.clone();
    let mut originals = current.clone();
    let mut touched: Vec<&'static str> = Vec::new();
    let mut errors = FieldErrors::new();
    for c in CLAIMS.iter().chain(ADDRESS.iter()) {
        let Some(v) = form.get(c.name) else { continue };
        let v = v.trim().to_string();
        let was = form.get(&format!("was_{}", c.name)).map(String::as_str);
        if let Some(w) = was {
            originals.insert(c.name, w.trim().to_string());
        }
        let now = current.get(c.name).map_or("", String::as_str);
        if !touched_field(&v, was, now) {
            continue;
        }
        if let Err(message) = check(&ctx, c, &v, now) {
            errors.insert(c.name.to_string(), message);
        }
        touched.push(c.name);
        shown.insert(c.name, v);
    }
    if !errors.is_empty() {
        let html = section(&ctx, &shown, &originals, true, &errors)?;
        return Reply::new(Section::Details, html)
            .refused(&state, &ctx, &me, user)
            .await;
    }
    let mut patch = Map::new();
    for c in CLAIMS.iter().filter(|c| touched.contains(&c.name)) {
        if shown.get(c.name) != current.get(c.name) {
            patch.insert(c.key.to_string(), Value::String(shown[c.name].clone()));
        }
    }
    // Logto replaces `address` as one key: send it whole (the person's parts over the current
    // ones) when any part changed.
    if ADDRESS
        .iter()
        .any(|c| touched.contains(&c.name) && shown.get(c.name) != current.get(c.name))
    {
        let address: Map<String, Value> = ADDRESS
            .iter()
            .filter(|c| !shown[c.name].is_empty())
            .map(|c| (c.key.to_string(), Value::String(shown[c.name].clone())))
            .collect();
        patch.insert("address".into(), Value::Object(address));
    }
    if patch.is_empty() {
        return Reply::new(
            Section::Details,
            section(&ctx, &current, &current, false, &errors)?,
        )
        .message(ctx.t.t("profile.nothing_changed"))
        .done(&ctx, &me.session)
        .await;
    }
    let fields: Vec<&String> = patch.keys().collect();
    match state.logto.update_user_profile(&user.id, &patch).await {
        Ok(profile) => {
            state
                .audit
                .record_or_log(entry(ACTION, &ctx, &user).details(json!({ "fields": fields })))
                .await;
            let saved = current_values(&serde_json::from_value(profile).unwrap_or_default());
            Reply::new(
                Section::Details,
                section(&ctx, &saved, &saved, false, &errors)?,
            )
            .message(ctx.t.t("profile.details.saved"))
            .done(&ctx, &me.session)
            .await
        }
        Err(e) if e.is_input_refusal() => {
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "fields": fields }));
            record_refusal(&state, attempt, &e).await;
            let html = section(&ctx, &shown, &originals, true, &errors)?;
            Reply::new(Section::Details, html)
                .message(ctx.t.t("profile.logto_refused"))
                .refused(&state, &ctx, &me, user)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(valid_locale("zh-TW"));
        assert!(valid_locale("sr-Latn-RS"));
        assert!(!valid_locale("english"));
        assert!(!valid_locale("e"));
        assert!(valid_zone("Asia/Taipei"));
        assert!(valid_zone("America/Argentina/Buenos_Aires"));
        assert!(valid_zone("Etc/GMT+8"));
        assert!(!valid_zone("Asia//Taipei"));
        assert!(!valid_zone("<script>"));
        assert!(valid_website("https://example.com/me"));
        assert!(!valid_website("javascript:alert(1)"));
    }

    #[test]
    fn flattens_address() {
        let p: UserProfile = serde_json::from_value(json!({
            "givenName": "Mia", "address": {"locality": "Taipei"}, "preferredUsername": "m"
        }))
        .unwrap();
        let v = current_values(&p);
        assert_eq!(v["given_name"], "Mia");
        assert_eq!(v["locality"], "Taipei");
        assert_eq!(v["country"], "");
    }
}
