//! `/api/users/**` (core/routes/admin-user/*.ts).

use crate::http::*;
use crate::search;
use crate::store::{now_ms, FakeState, NewUser, Store, User};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use regex::Regex;
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

pub static USERNAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z_a-z][A-Za-z0-9_]*$").expect("regex"));
pub static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S+@\S+\.\S+$").expect("regex"));
pub static PHONE_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+$").expect("regex"));

const USER_SEARCH_FIELDS: &[&str] = &["id", "primary_email", "primary_phone", "username", "name"];
const PROFILE_KEYS: &[&str] = &[
    "familyName",
    "givenName",
    "middleName",
    "nickname",
    "preferredUsername",
    "profile",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
];
const ADDRESS_KEYS: &[&str] = &[
    "formatted",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
];

pub fn user_field<'a>(u: &'a User, f: &str) -> Option<&'a str> {
    match f {
        "id" => Some(u.id.as_str()),
        "primary_email" => u.primary_email.as_deref(),
        "primary_phone" => u.primary_phone.as_deref(),
        "username" => u.username.as_deref(),
        "name" => u.name.as_deref(),
        _ => None,
    }
}

pub(super) fn get_user<'a>(s: &'a Store, id: &str) -> Result<&'a User, ApiError> {
    s.users.get(id).ok_or_else(ApiError::not_found)
}

/// Validate a profile object the way `userProfileGuard` does (unknown keys stripped).
fn validate_profile(p: &Map<String, Value>, base: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (k, v) in p {
        if PROFILE_KEYS.contains(&k.as_str()) {
            match v {
                Value::String(_) => {
                    out.insert(k.clone(), v.clone());
                }
                other => {
                    let mut path = base.to_vec();
                    path.push(k);
                    return Err(body_error(Issue::invalid_type(
                        &path,
                        "string",
                        type_name(Some(other)),
                    )));
                }
            }
        } else if k == "address" {
            let mut path = base.to_vec();
            path.push("address");
            match v {
                Value::Object(a) => {
                    let mut addr = Map::new();
                    for (ak, av) in a {
                        if ADDRESS_KEYS.contains(&ak.as_str()) {
                            match av {
                                Value::String(_) => {
                                    addr.insert(ak.clone(), av.clone());
                                }
                                other => {
                                    let mut p2 = path.clone();
                                    p2.push(ak);
                                    return Err(body_error(Issue::invalid_type(
                                        &p2,
                                        "string",
                                        type_name(Some(other)),
                                    )));
                                }
                            }
                        }
                    }
                    out.insert("address".into(), Value::Object(addr));
                }
                other => {
                    return Err(body_error(Issue::invalid_type(
                        &path,
                        "object",
                        type_name(Some(other)),
                    )))
                }
            }
        }
    }
    Ok(out)
}

/// An identifier field: a regex-valid value, `""` (when `allow_empty`) or null.
fn ident(
    m: &Map<String, Value>,
    key: &str,
    re: &Regex,
    allow_empty: bool,
) -> Result<Opt<String>, ApiError> {
    let v = f_str(m, &[key])?;
    if let Opt::Val(s) = &v {
        if !(re.is_match(s) || (allow_empty && s.is_empty())) {
            return Err(body_error(Issue::invalid_string(&[key], "regex")));
        }
    }
    Ok(v)
}

fn avatar(m: &Map<String, Value>) -> Result<Opt<String>, ApiError> {
    let v = f_str(m, &["avatar"])?;
    if let Opt::Val(s) = &v {
        if !s.is_empty() && url::Url::parse(s).is_err() {
            return Err(body_error(Issue::invalid_string(&["avatar"], "url")));
        }
    }
    Ok(v)
}

fn name_field(m: &Map<String, Value>) -> Result<Opt<String>, ApiError> {
    let v = f_str(m, &["name"])?;
    if let Opt::Val(s) = &v {
        if s.chars().count() > 128 {
            return Err(body_error(Issue::too_big_string(&["name"], 128)));
        }
    }
    Ok(v)
}

fn email_in_use() -> ApiError {
    ApiError::new(
        422,
        "user.email_already_in_use",
        "This email is associated with an existing account.",
    )
}
fn username_in_use() -> ApiError {
    ApiError::new(
        422,
        "user.username_already_in_use",
        "This username is already in use.",
    )
}
fn phone_in_use() -> ApiError {
    ApiError::new(
        422,
        "user.phone_already_in_use",
        "This phone number is associated with an existing account.",
    )
}

// ----------------------------------------------------------------------------------------

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, false)?;
    let exclude_role = ctx.get_nonempty("excludeRoleId");
    let exclude_org = ctx.get_nonempty("excludeOrganizationId");
    if exclude_role.is_some() && exclude_org.is_some() {
        return Err(ApiError::invalid_input(
            400,
            "Parameter `excludeRoleId` and `excludeOrganizationId` cannot be used at the same time.",
        ));
    }
    let search = search::parse(&ctx.pairs, USER_SEARCH_FIELDS)
        .map_err(|e| ApiError::invalid_input(400, &e).with_data(json!({})))?;
    let s = st.lock();
    if search.is_empty() && exclude_role.is_none() && exclude_org.is_none() {
        let order = s.user_order();
        let ids: Vec<&String> = order.iter().collect();
        return Ok(paged_map(&ctx, page, ids, |id| {
            s.users
                .get(id)
                .map_or(Value::Null, |u| s.user_json(u, true))
        }));
    }
    if let (Some(ids), None, None) = (search.only_exact_ids(), exclude_role, exclude_org) {
        // Logto's ids are lowercase, as the case-insensitive values are.
        let mut found: Vec<&User> = ids.iter().filter_map(|id| s.users.get(id)).collect();
        found.sort_unstable_by(|a, b| b.created_at.cmp(&a.created_at).then(b.seq.cmp(&a.seq)));
        found.dedup_by(|a, b| a.id == b.id);
        return Ok(paged_map(&ctx, page, found, |u| s.user_json(u, true)));
    }
    let items: Vec<&User> = s.users_sorted_where(|u| {
        search.matches(|f| user_field(u, f))
            && exclude_role.is_none_or(|r| !s.user_roles.contains(&(u.id.clone(), r.to_string())))
            && exclude_org.is_none_or(|o| !s.is_member(o, &u.id))
    });
    Ok(paged_map(&ctx, page, items, |u| s.user_json(u, true)))
}

pub async fn get_one(State(st): State<FakeState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let u = get_user(&s, &id)?;
    let mut v = s.user_json(u, true);
    if ctx.is_true("includeSsoIdentities") {
        v["ssoIdentities"] = json!([]);
    }
    Ok(ok(&v))
}

pub async fn create(State(st): State<FakeState>, Body(body): Body) -> ApiResult {
    let m = body_object(&body)?;
    let phone = ident(m, "primaryPhone", &PHONE_RE, false)?;
    let email = ident(m, "primaryEmail", &EMAIL_RE, false)?;
    let username = ident(m, "username", &USERNAME_RE, false)?;
    let password = f_str(m, &["password"])?;
    if let Opt::Val(p) = &password {
        if p.is_empty() {
            return Err(body_error(Issue::too_small_string(&["password"], 1)));
        }
    }
    let digest = f_str(m, &["passwordDigest"])?;
    let name = name_field(m)?;
    let avatar = avatar(m)?;
    let custom_data = f_obj(m, &["customData"])?;
    let profile = match f_obj(m, &["profile"])? {
        Some(p) => Some(validate_profile(&p, &["profile"])?),
        None => None,
    };
    if matches!(password, Opt::Val(_)) && matches!(digest, Opt::Val(_)) {
        return Err(ApiError::new(
            400,
            "user.password_and_digest",
            "You cannot set both plain text password and password digest.",
        ));
    }
    let mut s = st.lock();
    if let Opt::Val(u) = &username {
        if s.find_user_by_username(u).is_some() {
            return Err(username_in_use());
        }
    }
    if let Opt::Val(e) = &email {
        if s.find_user_by_email(e).is_some() {
            return Err(email_in_use());
        }
    }
    if let Opt::Val(p) = &phone {
        if s.find_user_by_phone(p).is_some() {
            return Err(phone_in_use());
        }
    }
    let id = s.insert_user(
        NewUser {
            username: username.into_option(),
            primary_email: email.into_option(),
            primary_phone: phone.into_option(),
            name: name.into_option(),
            password: password.into_option().or(digest.into_option()),
            avatar: avatar.into_option(),
            custom_data: custom_data.map(Value::Object).unwrap_or(json!({})),
            profile: profile.map(Value::Object).unwrap_or(json!({})),
            identities: json!({}),
        },
        now_ms(),
    );
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}

pub async fn patch(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let username = ident(m, "username", &USERNAME_RE, true)?;
    let email = ident(m, "primaryEmail", &EMAIL_RE, true)?;
    let phone = ident(m, "primaryPhone", &PHONE_RE, true)?;
    let name = name_field(m)?;
    let avatar = avatar(m)?;
    let custom_data = f_obj(m, &["customData"])?;
    let profile = match f_obj(m, &["profile"])? {
        Some(p) => Some(validate_profile(&p, &["profile"])?),
        None => None,
    };
    let mut s = st.lock();
    get_user(&s, &id)?;
    let nothing = username.is_absent()
        && email.is_absent()
        && phone.is_absent()
        && name.is_absent()
        && avatar.is_absent()
        && custom_data.is_none()
        && profile.is_none();
    if nothing {
        return Err(ApiError::new(
            422,
            "entity.invalid_input",
            "Invalid input. Value list must not be empty.",
        ));
    }
    if let Opt::Val(e) = &email {
        if !e.is_empty() && s.find_user_by_email(e).is_some_and(|u| u.id != id) {
            return Err(email_in_use());
        }
    }
    if let Opt::Val(p) = &phone {
        if !p.is_empty() && s.find_user_by_phone(p).is_some_and(|u| u.id != id) {
            return Err(phone_in_use());
        }
    }
    if let Opt::Val(un) = &username {
        if !un.is_empty() && s.find_user_by_username(un).is_some_and(|u| u.id != id) {
            return Err(username_in_use());
        }
    }
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    let apply = |slot: &mut Option<String>, v: Opt<String>| match v {
        Opt::Absent => {}
        Opt::Null => *slot = None,
        Opt::Val(x) => *slot = Some(x),
    };
    apply(&mut u.username, username);
    apply(&mut u.primary_email, email);
    apply(&mut u.primary_phone, phone);
    apply(&mut u.name, name);
    apply(&mut u.avatar, avatar);
    if let Some(c) = custom_data {
        u.custom_data = c;
    }
    if let Some(p) = profile {
        u.profile = p;
    }
    u.updated_at = now_ms().max(u.updated_at + 1);
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}

pub async fn delete(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    if st.lock().delete_user(&id) {
        Ok(no_content())
    } else {
        Err(ApiError::not_found())
    }
}

pub async fn patch_profile(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let p = f_obj(m, &["profile"])?
        .ok_or_else(|| body_error(Issue::invalid_type(&["profile"], "object", "undefined")))?;
    let p = validate_profile(&p, &["profile"])?;
    let mut s = st.lock();
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    for (k, v) in p {
        u.profile.insert(k, v);
    }
    u.updated_at = now_ms().max(u.updated_at + 1);
    Ok(ok(&Value::Object(u.profile.clone())))
}

pub async fn get_custom_data(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let u = get_user(&s, &id)?;
    Ok(ok(&Value::Object(u.custom_data.clone())))
}

pub async fn patch_custom_data(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let c = f_obj(m, &["customData"])?
        .ok_or_else(|| body_error(Issue::invalid_type(&["customData"], "object", "undefined")))?;
    let mut s = st.lock();
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    for (k, v) in c {
        u.custom_data.insert(k, v);
    }
    u.updated_at = now_ms().max(u.updated_at + 1);
    Ok(ok(&Value::Object(u.custom_data.clone())))
}

pub async fn set_password(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let p = f_str_req(m, &["password"])?;
    if p.is_empty() {
        return Err(body_error(Issue::too_small_string(&["password"], 1)));
    }
    let mut s = st.lock();
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    u.password = Some(p);
    u.updated_at = now_ms().max(u.updated_at + 1);
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}

pub async fn verify_password(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let p = f_str_req(m, &["password"])?;
    let s = st.lock();
    let u = get_user(&s, &id)?;
    if u.password.as_deref() == Some(p.as_str()) {
        Ok(no_content())
    } else {
        Err(ApiError::new(
            422,
            "session.invalid_credentials",
            "Incorrect account or password. Please check your input.",
        ))
    }
}

pub async fn has_password(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let u = get_user(&s, &id)?;
    Ok(ok(&json!({"hasPassword": u.password.is_some()})))
}

pub async fn set_suspended(
    State(st): State<FakeState>,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let flag = f_bool(m, &["isSuspended"])?.ok_or_else(|| {
        body_error(Issue::invalid_type(
            &["isSuspended"],
            "boolean",
            "undefined",
        ))
    })?;
    let mut s = st.lock();
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    u.is_suspended = flag;
    u.updated_at = now_ms().max(u.updated_at + 1);
    if flag {
        s.sign_out_user(&id);
    }
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}

fn identity_not_exist() -> ApiError {
    ApiError::new(
        404,
        "user.identity_not_exist",
        "The social account has not been registered yet.",
    )
}

pub async fn get_identity(
    State(st): State<FakeState>,
    Path((id, target)): Path<(String, String)>,
) -> ApiResult {
    let s = st.lock();
    let u = get_user(&s, &id)?;
    let identity = u.identities.get(&target).ok_or_else(identity_not_exist)?;
    Ok(ok(&json!({"identity": identity})))
}

pub async fn put_identity(
    State(st): State<FakeState>,
    Path((id, target)): Path<(String, String)>,
    Body(body): Body,
) -> ApiResult {
    let m = body_object(&body)?;
    let social_id = f_str_req(m, &["userId"])?;
    let details = f_obj(m, &["details"])?;
    let mut s = st.lock();
    get_user(&s, &id)?;
    if super::social::identity_taken(&s, &target, &social_id, &id) {
        return Err(super::social::identity_in_use());
    }
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    let existed = u.identities.contains_key(&target);
    let mut identity = json!({"userId": social_id});
    if let Some(d) = details {
        identity["details"] = Value::Object(d);
    }
    u.identities.insert(target, identity);
    u.updated_at = now_ms().max(u.updated_at + 1);
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &Value::Object(u.identities.clone())))
}

pub async fn delete_identity(
    State(st): State<FakeState>,
    Path((id, target)): Path<(String, String)>,
) -> ApiResult {
    let mut s = st.lock();
    let u = s.users.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if u.identities.remove(&target).is_none() {
        return Err(identity_not_exist());
    }
    u.updated_at = now_ms().max(u.updated_at + 1);
    let u = &s.users[&id];
    Ok(ok(&s.user_json(u, true)))
}

pub async fn organizations(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    get_user(&s, &id)?;
    let items: Vec<Value> = s
        .orgs_sorted()
        .into_iter()
        .filter(|o| s.is_member(&o.id, &id))
        .map(|o| {
            let mut v = s.org_json(o);
            v["organizationRoles"] = Value::Array(s.member_role_refs(&o.id, &id));
            v
        })
        .collect();
    Ok(ok(&Value::Array(items)))
}

/// `GET /api/users/:id/all-identities` (no SSO in the fake).
pub async fn all_identities(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let s = st.lock();
    let u = get_user(&s, &id)?;
    let social: Vec<Value> = u
        .identities
        .iter()
        .map(|(target, i)| json!({"target": target, "identity": i}))
        .collect();
    Ok(ok(
        &json!({"socialIdentities": social, "ssoIdentities": []}),
    ))
}
