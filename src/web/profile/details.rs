//! Profile fields: the OIDC standard claims Logto keeps in `profile` (given, middle and family
//! name, nickname, website, gender, birthdate, locale, time zone, address). Saved with the
//! merging `PATCH /api/users/:id/profile`, sending only what changed, so keys the form does not
//! show (e.g. `preferredUsername`, `profile`) and fields changed elsewhere meanwhile survive.
//! Language and time zone are chosen from lists ([`super::choices`]); the rest sits behind
//! "More details".

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde_json::{json, Map, Value};

use super::choices;
use super::form::{focus_first, touched as touched_field, Input};
use super::page::words;
use super::{entry, record_refusal, FieldErrors, PageData, Reply, View};
use crate::config::custom_fields::is_iso_date;
use crate::logto::UserProfile;
use crate::web::context::PageCtx;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::refusal::Refusal;
use crate::web::AppState;

const SECTION: &str = "details";
/// The earliest birthdate accepted.
const EARLIEST_BIRTHDATE: &str = "1900-01-01";
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

/// The claims shown first; the others are "More details".
const FIRST: &[&str] = &["locale", "zoneinfo"];

fn is_first(c: &Claim) -> bool {
    FIRST.contains(&c.name)
}

/// The details section (`templates/profile/_details.html`).
pub struct DetailsView {
    pub(crate) editing: bool,
    /// Language and time zone.
    pub(crate) first: Vec<Input>,
    /// The other claims, behind "More details".
    pub(crate) more: Vec<Input>,
    pub(crate) address: Vec<Input>,
    /// "More details" starts open (a refused field is inside).
    pub(crate) more_open: bool,
    /// `(label, value)` for the view: language and time zone, then the others that are set.
    pub(crate) first_facts: Vec<(String, String)>,
    pub(crate) more_facts: Vec<(String, String)>,
}

impl DetailsView {
    pub fn id(&self) -> &'static str {
        SECTION
    }

    /// "Edit" in the view; none while editing.
    pub fn edit_label(&self, ctx: &PageCtx) -> String {
        if self.editing {
            String::new()
        } else {
            ctx.t.t("profile.edit")
        }
    }
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
    let kind = match c.kind {
        Kind::Url => "url",
        Kind::Date => "date",
        Kind::Gender | Kind::Locale | Kind::Zone => "select",
        Kind::Multiline => "textarea",
        Kind::Text => "text",
    };
    let i = Input::new(SECTION, c.name, label(ctx, c), kind)
        .value(value)
        .original(original)
        .autocomplete(c.autocomplete)
        .max_length(MAX_CLAIM)
        .errors(errors);
    let not_set = || ctx.t.t("profile.not_set");
    match c.kind {
        Kind::Gender => {
            let list = GENDERS
                .iter()
                .map(|g| {
                    (
                        g.to_string(),
                        ctx.t.t(&format!("profile.details.gender_{g}")),
                    )
                })
                .collect();
            i.options(choices::options(not_set(), list, value))
        }
        Kind::Locale => i.options(choices::options(not_set(), choices::languages(), value)),
        Kind::Zone => i.options(choices::options(not_set(), choices::zones(), value)),
        Kind::Url => i.hint(ctx.t.t("profile.details.website_hint")),
        Kind::Date => i.hint(ctx.t.t("profile.details.birthdate_hint")),
        _ => i,
    }
}

/// How a stored value reads in the view.
fn shown(ctx: &PageCtx, c: &Claim, v: String) -> String {
    match c.kind {
        Kind::Gender if GENDERS.contains(&v.as_str()) => {
            ctx.t.t(&format!("profile.details.gender_{v}"))
        }
        Kind::Locale if !v.is_empty() => choices::language_name(&v),
        Kind::Zone => v.replace('_', " "),
        _ => v,
    }
}

/// `values` fill the fields; `originals` are what the form was opened with.
fn section(
    ctx: &PageCtx,
    values: &HashMap<&'static str, String>,
    originals: &HashMap<&'static str, String>,
    editing: bool,
    errors: &FieldErrors,
) -> DetailsView {
    let get = |n: &str| values.get(n).cloned().unwrap_or_default();
    let was = |n: &str| originals.get(n).cloned().unwrap_or_default();
    let field = |c: &Claim| input(ctx, c, &get(c.name), &was(c.name), errors);
    let mut view = DetailsView {
        editing,
        first: Vec::new(),
        more: Vec::new(),
        address: Vec::new(),
        more_open: false,
        first_facts: Vec::new(),
        more_facts: Vec::new(),
    };
    if editing {
        view.first = CLAIMS.iter().filter(|c| is_first(c)).map(field).collect();
        view.more = CLAIMS.iter().filter(|c| !is_first(c)).map(field).collect();
        view.address = ADDRESS.iter().map(field).collect();
        let refused = |list: &[Input]| list.iter().any(|i| i.error.is_some());
        view.more_open = refused(&view.more) || refused(&view.address);
        if view.more_open && !refused(&view.more) {
            focus_first(&mut view.address);
        } else if view.more_open {
            focus_first(&mut view.more);
        } else {
            focus_first(&mut view.first);
        }
    } else {
        view.first_facts = CLAIMS
            .iter()
            .filter(|c| is_first(c))
            .map(|c| (label(ctx, c), shown(ctx, c, get(c.name))))
            .collect();
        view.more_facts = CLAIMS
            .iter()
            .filter(|c| !is_first(c))
            .chain(ADDRESS.iter())
            .map(|c| (label(ctx, c), shown(ctx, c, get(c.name))))
            .filter(|(_, shown)| !shown.is_empty())
            .collect();
    }
    view
}

pub fn view_of(ctx: &PageCtx, _state: &AppState, data: &PageData, editing: bool) -> DetailsView {
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

/// A real date between 1900 and `today` (both `YYYY-MM-DD`).
fn valid_birthdate(v: &str, today: &str) -> bool {
    is_iso_date(v) && (EARLIEST_BIRTHDATE..=today).contains(&v)
}

/// Checks one submitted value; `Err` is the message.
fn check(ctx: &PageCtx, c: &Claim, v: &str, current: &str, today: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    if v.chars().count() > MAX_CLAIM {
        return Err(ctx.t.count("profile.too_long", MAX_CLAIM as i64));
    }
    let ok = match c.kind {
        Kind::Url => valid_website(v),
        Kind::Date => valid_birthdate(v, today),
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
    let today = crate::web::format::iso(state.clock.now_ms())[..10].to_string();
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
        if let Err(message) = check(&ctx, c, &v, now, &today) {
            errors.insert(c.name.to_string(), message);
        }
        touched.push(c.name);
        shown.insert(c.name, v);
    }
    if !errors.is_empty() {
        let view = section(&ctx, &shown, &originals, true, &errors);
        return Reply::new(View::Details(view))
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
        return Reply::new(View::Details(section(
            &ctx, &current, &current, false, &errors,
        )))
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
            Reply::new(View::Details(section(&ctx, &saved, &saved, false, &errors)))
                .message(ctx.t.t("profile.details.saved"))
                .done(&ctx, &me.session)
                .await
        }
        Err(e) if e.is_input_refusal() => {
            let refusal = Refusal::from(e);
            let attempt = entry(ACTION, &ctx, &user).details(json!({ "fields": fields }));
            record_refusal(&state, attempt, &refusal).await;
            let view = section(&ctx, &shown, &originals, true, &errors);
            Reply::new(View::Details(view))
                .message(words(&ctx.t, &refusal))
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
    fn birthdates_are_real_past_dates_since_1900() {
        let today = "2026-12-01";
        assert!(valid_birthdate("1990-02-28", today));
        assert!(valid_birthdate("2026-12-01", today));
        assert!(valid_birthdate("1900-01-01", today));
        assert!(!valid_birthdate("2026-12-02", today), "the future");
        assert!(!valid_birthdate("1899-12-31", today), "before 1900");
        assert!(!valid_birthdate("1990-02-30", today), "not a real day");
        assert!(!valid_birthdate("1990-2-3", today));
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
