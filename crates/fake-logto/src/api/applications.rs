//! `GET /api/applications` and `GET /api/applications/:id`: the tenant's two configured apps
//! (the M2M app the portal calls the Management API with, the Traditional web app people sign in
//! through). Read-only: the fake's apps come from [`crate::FakeLogtoConfig`].

use crate::http::*;
use crate::store::{FakeState, TENANT};
use axum::extract::{Path, State};
use serde_json::{json, Value};

pub const WEB_APP_NAME: &str = "Portal web";
pub const M2M_APP_NAME: &str = "Portal M2M";
const APP_TYPES: &[&str] = &[
    "Native",
    "SPA",
    "Traditional",
    "MachineToMachine",
    "Protected",
    "SAML",
];

/// Newest first, as Logto orders them (the web app is "created" after the M2M app).
fn apps(st: &FakeState) -> Vec<Value> {
    let cfg = st.config();
    let version = st.version();
    let s = st.lock();
    let one = |id: &str, name: &str, kind: &str, redirects: &[String], post_logout: &[String]| {
        let mut v = json!({
            "tenantId": TENANT,
            "id": id,
            "name": name,
            "description": null,
            "type": kind,
            "oidcClientMetadata": {
                "redirectUris": redirects,
                "postLogoutRedirectUris": post_logout,
            },
            "customClientMetadata": {},
            "protectedAppMetadata": null,
            "customData": {},
            "isThirdParty": false,
            "createdAt": s.apps_created_at + i64::from(kind == "Traditional"),
        });
        if let Some(b) = s
            .web_backchannel_logout
            .as_ref()
            .filter(|b| b.client_id == id)
        {
            v["oidcClientMetadata"]["backchannelLogoutUri"] = json!(b.uri);
            v["oidcClientMetadata"]["backchannelLogoutSessionRequired"] = json!(b.session_required);
        }
        if version.at_least(42) {
            // 1.42 no longer shows internal secrets; it describes app-level access control
            v["appLevelAccessControlEnabled"] = json!(false);
        } else if let Some(secret) = s.internal_secrets.get(id) {
            v["secret"] = json!(secret);
        }
        v
    };
    vec![
        one(
            &cfg.web_app_id,
            WEB_APP_NAME,
            "Traditional",
            &s.web_redirect_uris,
            &s.web_post_logout_redirect_uris,
        ),
        one(&cfg.m2m_app_id, M2M_APP_NAME, "MachineToMachine", &[], &[]),
    ]
}

pub async fn list(State(st): State<FakeState>, ctx: Ctx) -> ApiResult {
    let page = pagination(&ctx, true)?;
    let types: Vec<String> = ctx
        .pairs
        .iter()
        .filter(|(k, _)| k == "types")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(bad) = types.iter().find(|t| !APP_TYPES.contains(&t.as_str())) {
        return Err(types_error(bad, types.len() > 1));
    }
    let third_party = ctx.get("isThirdParty").map(|v| v == "true");
    let items: Vec<Value> = apps(&st)
        .into_iter()
        .filter(|a| types.is_empty() || types.iter().any(|t| a["type"] == t.as_str()))
        .filter(|a| third_party.is_none_or(|want| a["isThirdParty"] == want))
        .collect();
    Ok(paged(&ctx, page, items))
}

/// zod's answer for `types` (an array of app types, or one): both union branches failed.
fn types_error(bad: &str, repeated: bool) -> ApiError {
    let branch = |issue: Value| json!({"issues": [issue], "name": "ZodError"});
    let (as_array, as_string) = if repeated {
        // an array: its bad element fails the enum; the string branch sees an array
        let i = Issue::invalid_enum(&["types", "0"], bad, APP_TYPES).json;
        let s = json!({"code": "invalid_type", "expected": "string", "received": "array",
            "path": ["types"], "message": "Expected string, received array"});
        (i, s)
    } else {
        let a = json!({"code": "invalid_type", "expected": "array", "received": "string",
            "path": ["types"], "message": "Expected array, received string"});
        (a, Issue::invalid_enum(&["types"], bad, APP_TYPES).json)
    };
    guard_error(
        "query",
        vec![Issue {
            json: json!({
                "code": "invalid_union",
                "unionErrors": [branch(as_array), branch(as_string)],
                "path": ["types"],
                "message": "Invalid input",
            }),
            detail: "Error in key path \"types\": (invalid_union) Invalid input".into(),
        }],
    )
}

pub async fn get_one(State(st): State<FakeState>, Path(id): Path<String>) -> ApiResult {
    let mut app = apps(&st)
        .into_iter()
        .find(|a| a["id"] == id.as_str())
        .ok_or_else(|| ApiError::not_exists_with_id("applications", &id))?;
    app["isAdmin"] = json!(false);
    Ok(ok(&app))
}
