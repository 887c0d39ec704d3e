//! Validate the fake's 2xx JSON bodies against the response schemas of Logto 1.37.1's OpenAPI
//! document (a small validator for the subset used: type, nullable, properties, required,
//! items, additionalProperties, oneOf/anyOf/allOf (oneOf checked as "at least one"), enum,
//! minLength/maxLength).

mod common;

use common::{now_ms, shared_dir, TestLogto};
use fake_logto::{LogtoVersion, NewUser};
use serde_json::{json, Value};

struct Spec {
    doc: Value,
}

impl Spec {
    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let mut cur = &self.doc;
                for part in r.trim_start_matches("#/").split('/') {
                    cur = &cur[part];
                }
                self.resolve(cur)
            }
            None => s,
        }
    }

    /// The response schema for an operation (`path` is the concrete request path).
    fn schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        let paths = self.doc["paths"].as_object()?;
        let segs: Vec<&str> = path.split('?').next()?.split('/').collect();
        let (_, op) = paths.iter().find(|(tpl, _)| {
            let t: Vec<&str> = tpl.split('/').collect();
            t.len() == segs.len()
                && t.iter()
                    .zip(&segs)
                    .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
        })?;
        let resp = &op[method.to_lowercase()]["responses"][status.to_string()];
        let s = &resp["content"]["application/json"]["schema"];
        (!s.is_null()).then_some(s)
    }

    fn validate(&self, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
        let s = self.resolve(schema);
        if v.is_null() {
            if s["nullable"] != json!(true) && s.get("type").is_some() {
                errs.push(format!("{path}: null but not nullable"));
            }
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(list) = s[key].as_array() {
                let ok = list.iter().any(|alt| {
                    let mut e = Vec::new();
                    self.validate(alt, v, path, &mut e);
                    e.is_empty()
                });
                if !ok {
                    errs.push(format!("{path}: matches no {key} alternative"));
                }
                return;
            }
        }
        if let Some(list) = s["allOf"].as_array() {
            for alt in list {
                self.validate(alt, v, path, errs);
            }
            return;
        }
        if let Some(e) = s["enum"].as_array() {
            if !e.contains(v) {
                errs.push(format!("{path}: {v} not in enum"));
            }
        }
        let ty = s["type"].as_str().unwrap_or("");
        let type_ok = match ty {
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        };
        if !type_ok {
            errs.push(format!("{path}: expected {ty}, got {v}"));
            return;
        }
        if let Some(st) = v.as_str() {
            let n = st.chars().count() as u64;
            if s["minLength"].as_u64().is_some_and(|m| n < m) {
                errs.push(format!("{path}: shorter than minLength"));
            }
            if s["maxLength"].as_u64().is_some_and(|m| n > m) {
                errs.push(format!("{path}: longer than maxLength"));
            }
        }
        if let Some(items) = v.as_array() {
            if let Some(is) = s.get("items") {
                for (i, it) in items.iter().enumerate() {
                    self.validate(is, it, &format!("{path}[{i}]"), errs);
                }
            }
        }
        if let Some(obj) = v.as_object() {
            if let Some(req) = s["required"].as_array() {
                for r in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(r) {
                        errs.push(format!("{path}: missing required {r}"));
                    }
                }
            }
            let props = s["properties"].as_object();
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.validate(ps, val, &format!("{path}.{k}"), errs),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errs.push(format!("{path}: unexpected property {k}"))
                        }
                        Some(ap) if ap.is_object() => {
                            self.validate(ap, val, &format!("{path}.{k}"), errs)
                        }
                        _ => {}
                    },
                }
            }
        }
    }
}

#[tokio::test]
async fn responses_match_openapi_schemas() {
    let dir = shared_dir();
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("logto-openapi-1.37.1.json")).expect("read openapi"),
    )
    .expect("parse openapi");
    let spec = Spec { doc };
    // the schemas are 1.37.1's, so the fake imitates 1.37 whatever FAKE_LOGTO_VERSION says
    let t = TestLogto::start_version(LogtoVersion::V1_37).await;
    let st = t.logto.state();
    st.set_email_connector(true);
    st.set_storage_configured(true);
    let seed = st.seed_demo();
    let uid = st.create_user(NewUser {
        username: Some("schema_user".into()),
        primary_email: Some("schema@example.com".into()),
        password: Some("pw".into()),
        profile: json!({"givenName": "S", "address": {"country": "NL"}}),
        identities: json!({"github": {"userId": "42", "details": {"login": "s"}}}),
        ..Default::default()
    });
    st.add_log(
        Some(&uid),
        "Interaction.SignIn.Submit",
        "Success",
        "127.0.0.1",
        "ua",
        now_ms(),
    );

    let mut checked = 0;
    let mut errors = Vec::new();
    let mut check = |method: &str, path: &str, r: &common::Resp| {
        assert!(
            r.status.is_success(),
            "{method} {path} -> {} {}",
            r.status,
            r.text
        );
        if r.text.is_empty()
            || !r
                .header("content-type")
                .unwrap_or_default()
                .contains("json")
        {
            return;
        }
        let Some(schema) = spec.schema(method, path, r.status.as_u16()) else {
            return;
        };
        let mut e = Vec::new();
        spec.validate(schema, &r.json(), "$", &mut e);
        for x in e {
            errors.push(format!("{method} {path}: {x}"));
        }
        checked += 1;
    };

    macro_rules! call {
        ($m:expr, $p:expr) => {{
            let p: String = $p;
            let r = t.call($m, &p, None).await;
            check($m, &p, &r);
            r
        }};
        ($m:expr, $p:expr, $b:expr) => {{
            let p: String = $p;
            let r = t.call($m, &p, Some($b)).await;
            check($m, &p, &r);
            r
        }};
    }

    // applications (the configured two)
    // (redirect URIs left empty: the document types them as objects, "Validator function", where a
    // real Logto answers strings, as the recordings and tests/contract.rs show)
    call!("GET", "/api/applications".into());
    call!("GET", "/api/applications?page=1&page_size=5".into());
    call!("GET", "/api/applications/portal-web".into());
    call!("GET", "/api/applications/portal-m2m".into());

    // API resources (the Management API and the seeded Reports API) and their scopes
    call!("GET", "/api/resources".into());
    call!(
        "GET",
        "/api/resources?includeScopes=true&page=1&page_size=20".into()
    );
    call!("GET", "/api/resources/managementapi000/scopes".into());
    call!("GET", "/api/connectors".into());
    // enterprise SSO connectors (the seeded Acme Okta and Globex SAML), whole and paged, and
    // the one bound to Acme's just-in-time membership
    call!("GET", "/api/sso-connectors".into());
    call!("GET", "/api/sso-connectors?page=1&page_size=1".into());
    call!(
        "GET",
        format!("/api/organizations/{}/jit/sso-connectors", seed.org_ids[0])
    );

    // users
    call!("GET", "/api/users?page_size=100".into());
    let created = call!(
        "POST",
        "/api/users".into(),
        json!({"username": "new_one", "primaryEmail": "n@example.com", "password": "x"})
    );
    let nid = created.json()["id"].as_str().unwrap().to_string();
    call!("GET", format!("/api/users/{uid}"));
    call!(
        "PATCH",
        format!("/api/users/{nid}"),
        json!({"name": "N", "customData": {"a": 1}})
    );
    call!(
        "PATCH",
        format!("/api/users/{nid}/profile"),
        json!({"profile": {"nickname": "n"}})
    );
    call!("GET", format!("/api/users/{nid}/custom-data"));
    call!(
        "PATCH",
        format!("/api/users/{nid}/custom-data"),
        json!({"customData": {"b": 2}})
    );
    call!(
        "PATCH",
        format!("/api/users/{nid}/password"),
        json!({"password": "y"})
    );
    call!(
        "POST",
        format!("/api/users/{nid}/password/verify"),
        json!({"password": "y"})
    );
    call!("GET", format!("/api/users/{nid}/has-password"));
    call!(
        "PATCH",
        format!("/api/users/{nid}/is-suspended"),
        json!({"isSuspended": false})
    );
    call!(
        "PUT",
        format!("/api/users/{nid}/identities/google"),
        json!({"userId": "g1"})
    );
    call!("GET", format!("/api/users/{nid}/identities/google"));
    call!("DELETE", format!("/api/users/{nid}/identities/google"));
    call!("GET", format!("/api/users/{uid}/organizations"));
    // roles
    let role = call!(
        "POST",
        "/api/roles".into(),
        json!({"name": "schema-role", "description": "d"})
    );
    let rid = role.json()["id"].as_str().unwrap().to_string();
    call!("GET", "/api/roles".into());
    call!("GET", format!("/api/roles/{rid}"));
    call!(
        "POST",
        format!("/api/users/{nid}/roles"),
        json!({"roleIds": [rid]})
    );
    call!("GET", format!("/api/users/{nid}/roles"));
    call!(
        "PUT",
        format!("/api/users/{nid}/roles"),
        json!({"roleIds": [rid]})
    );
    call!("DELETE", format!("/api/users/{nid}/roles/{rid}"));
    // organizations
    let org = call!(
        "POST",
        "/api/organizations".into(),
        json!({"name": "Schema Org", "description": "x"})
    );
    let oid = org.json()["id"].as_str().unwrap().to_string();
    call!("GET", "/api/organizations?showFeatured=true".into());
    call!("GET", format!("/api/organizations/{oid}"));
    call!(
        "PATCH",
        format!("/api/organizations/{oid}"),
        json!({"customData": {"k": 1}})
    );
    call!(
        "POST",
        format!("/api/organizations/{oid}/users"),
        json!({"userIds": [uid]})
    );
    call!(
        "PUT",
        format!("/api/organizations/{oid}/users"),
        json!({"userIds": [uid, nid]})
    );
    let scope = call!(
        "POST",
        "/api/organization-scopes".into(),
        json!({"name": "read:x"})
    );
    let sid = scope.json()["id"].as_str().unwrap().to_string();
    call!("GET", "/api/organization-scopes".into());
    let orole = call!(
        "POST",
        "/api/organization-roles".into(),
        json!({"name": "schema-admin", "organizationScopeIds": [sid]})
    );
    let orid = orole.json()["id"].as_str().unwrap().to_string();
    call!("GET", "/api/organization-roles".into());
    call!("GET", format!("/api/organization-roles/{orid}"));
    call!(
        "PATCH",
        format!("/api/organization-roles/{orid}"),
        json!({"description": "d"})
    );
    call!("GET", format!("/api/organization-roles/{orid}/scopes"));
    call!(
        "POST",
        format!("/api/organizations/{oid}/users/roles"),
        json!({"userIds": [uid], "organizationRoleIds": [orid]})
    );
    call!(
        "POST",
        format!("/api/organizations/{oid}/users/{nid}/roles"),
        json!({"organizationRoleNames": ["schema-admin"]})
    );
    call!(
        "PUT",
        format!("/api/organizations/{oid}/users/{nid}/roles"),
        json!({"organizationRoleIds": [orid]})
    );
    call!("GET", format!("/api/organizations/{oid}/users/{nid}/roles"));
    call!(
        "GET",
        format!("/api/organizations/{oid}/users/{nid}/scopes")
    );
    call!(
        "GET",
        format!("/api/organizations/{oid}/users?page=1&page_size=5")
    );
    call!("GET", format!("/api/users/{nid}/organizations"));
    call!(
        "DELETE",
        format!("/api/organizations/{oid}/users/{nid}/roles/{orid}")
    );
    // invitations
    let inv = call!(
        "POST",
        "/api/organization-invitations".into(),
        json!({"invitee": "invitee@example.com", "organizationId": oid, "inviterId": uid, "expiresAt": now_ms() + 3_600_000, "organizationRoleIds": [orid], "messagePayload": {"link": "https://x/invite"}})
    );
    let iid = inv.json()["id"].as_str().unwrap().to_string();
    call!(
        "GET",
        format!("/api/organization-invitations?organizationId={oid}")
    );
    call!("GET", format!("/api/organization-invitations/{iid}"));
    call!(
        "POST",
        format!("/api/organization-invitations/{iid}/message"),
        json!({"link": "https://x"})
    );
    call!(
        "PUT",
        format!("/api/organization-invitations/{iid}/status"),
        json!({"status": "Revoked"})
    );
    call!("DELETE", format!("/api/organization-invitations/{iid}"));
    // verification codes, logs, assets
    call!(
        "POST",
        "/api/verification-codes".into(),
        json!({"email": "vc@example.com"})
    );
    let code = st.last_verification_code("vc@example.com").unwrap();
    call!(
        "POST",
        "/api/verification-codes/verify".into(),
        json!({"email": "vc@example.com", "verificationCode": code})
    );
    let logs = call!("GET", "/api/logs?page_size=50".into());
    let lid = logs.json()[0]["id"].as_str().unwrap().to_string();
    call!("GET", format!("/api/logs/{lid}"));
    call!("GET", "/api/user-assets/service-status".into());
    call!("DELETE", format!("/api/organizations/{oid}"));
    call!("DELETE", format!("/api/users/{nid}"));

    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
    assert!(checked >= 30, "only {checked} responses validated");
}

#[test]
fn validator_rejects_wrong_shapes() {
    let spec = Spec {
        doc: json!({"components": {"schemas": {"U": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "maxLength": 3}, "n": {"type": "number", "nullable": true}}}}}}),
    };
    let s = json!({"$ref": "#/components/schemas/U"});
    let mut e = Vec::new();
    spec.validate(&s, &json!({"id": "abc", "n": null}), "$", &mut e);
    assert!(e.is_empty(), "{e:?}");
    for bad in [
        json!({"n": 1}),
        json!({"id": "abcd"}),
        json!({"id": 1}),
        json!([]),
    ] {
        let mut e = Vec::new();
        spec.validate(&s, &bad, "$", &mut e);
        assert!(!e.is_empty(), "{bad} accepted");
    }
}
