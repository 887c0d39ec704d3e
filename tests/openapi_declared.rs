//! Every request the portal's Logto client can build is declared by the OpenAPI document of
//! the Logto release in use: the method and path match a declared operation, and each query
//! parameter is one that operation declares (a parameter declared as an exploded free-form
//! object, like `search_params` on `GET /api/users`, admits Logto's search grammar:
//! `search`, `search.*`, `mode`, `mode.*`, `joint`, `isCaseSensitive`).
//!
//! For each release the fake imitates, the client is driven through every public method against
//! the fake of that release, and everything the fake received is checked against the document:
//! Logto 1.37.1's own (`../shared/logto-openapi-1.37.1.json`, which the fake must serve
//! unchanged) and 1.42.0's (generated from `@logto/api@1.42.0`, served by the fake).

use fake_logto::{FakeLogto, FakeLogtoConfig, LogtoVersion, RecordedRequest};
use futures::TryStreamExt;
use logto_portal::logto::{
    CodeTarget, InvitationFilter, InvitationStatus, Joint, LogQuery, LogtoClient,
    LogtoClientConfig, MemberQuery, NewInvitation, NewOrganization, NewUser, OrgQuery,
    OrganizationPatch, SearchField, Secret, UserPatch, UserQuery, UserSearch,
};
use logto_portal::security::{backup_codes, totp::TotpSecret};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `../shared` next to the repository; contract tests fail, never skip, without it.
fn shared_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        p.join("logto-openapi-1.37.1.json").exists(),
        "contract tests need Logto 1.37.1's OpenAPI document at {} (../shared next to the \
         repository)",
        p.join("logto-openapi-1.37.1.json").display()
    );
    p
}

struct Param {
    name: String,
    location: String,
    free_form: bool,
}

struct Operation {
    method: String,
    template: Vec<String>,
    params: Vec<Param>,
}

/// The operations of an OpenAPI document, `$ref` parameters resolved.
fn operations(doc: &Value) -> Vec<Operation> {
    let resolve = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.trim_start_matches('#');
                doc.pointer(pointer)
                    .cloned()
                    .unwrap_or_else(|| panic!("unresolvable parameter {r}"))
            }
            None => p.clone(),
        }
    };
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let shared: Vec<Value> = item["parameters"]
            .as_array()
            .map(|a| a.iter().map(resolve).collect())
            .unwrap_or_default();
        for method in ["get", "put", "post", "delete", "patch"] {
            let Some(op) = item.get(method) else { continue };
            let mut params: Vec<Param> = Vec::new();
            let own: Vec<Value> = op["parameters"]
                .as_array()
                .map(|a| a.iter().map(resolve).collect())
                .unwrap_or_default();
            for p in shared.iter().chain(own.iter()) {
                let schema = &p["schema"];
                params.push(Param {
                    name: p["name"].as_str().unwrap_or_default().to_string(),
                    location: p["in"].as_str().unwrap_or_default().to_string(),
                    free_form: schema["type"] == "object" && p["explode"] == true,
                });
            }
            ops.push(Operation {
                method: method.to_uppercase(),
                template: path.split('/').map(str::to_string).collect(),
                params,
            });
        }
    }
    ops
}

/// Query parameters a real Logto reads although its OpenAPI omits them (the route reads
/// `ctx.request.query` itself): (method, path template, parameter, evidence). Nothing else is
/// admitted.
const READ_BUT_UNDECLARED: &[(&str, &str, &str, &str)] = &[
    (
        "GET",
        "/api/users",
        "excludeRoleId",
        "logto-recorded-more-1.37.1.md: `search=…&excludeRoleId=…` filters, and with \
         excludeOrganizationId answers 400 \"cannot be used at the same time\"",
    ),
    (
        "GET",
        "/api/users",
        "excludeOrganizationId",
        "logto-recorded-more-1.37.1.md: `search=…&excludeOrganizationId=…` filters (same 400)",
    ),
];

fn is_search_grammar(key: &str) -> bool {
    matches!(key, "search" | "mode" | "joint" | "isCaseSensitive")
        || key.starts_with("search.")
        || key.starts_with("mode.")
}

/// Why the request is not declared, if it is not.
fn undeclared(ops: &[Operation], r: &RecordedRequest) -> Option<String> {
    let segments: Vec<&str> = r.path.split('/').collect();
    let literal = |t: &str| !(t.starts_with('{') && t.ends_with('}'));
    let matching = ops.iter().filter(|op| {
        op.template.len() == segments.len()
            && op.template.iter().zip(&segments).all(|(t, s)| {
                if literal(t) {
                    t == s
                } else {
                    !s.is_empty()
                }
            })
    });
    // the most specific template wins (`/users/roles` over `/users/{userId}`)
    let by_method: Vec<&Operation> = matching.filter(|op| op.method == r.method).collect();
    let Some(op) = by_method
        .iter()
        .max_by_key(|op| op.template.iter().filter(|t| literal(t)).count())
    else {
        return Some(format!("{} {}: no such operation", r.method, r.path));
    };
    let keys: BTreeSet<String> = url::form_urlencoded::parse(r.query.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let free_form = op
        .params
        .iter()
        .any(|p| p.location == "query" && p.free_form);
    let bad: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            let declared = op
                .params
                .iter()
                .any(|p| p.location == "query" && p.name == *k);
            let read_anyway = READ_BUT_UNDECLARED.iter().any(|(m, path, name, _)| {
                *m == op.method && *path == op.template.join("/") && name == k
            });
            !(declared || read_anyway || (free_form && is_search_grammar(k)))
        })
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "{} {}?{}: query parameter(s) {} not declared for {}",
            r.method,
            r.path,
            r.query,
            bad.join(", "),
            op.template.join("/")
        )
    })
}

/// Drive every public method of the client against a fake of `version`; what the fake received.
async fn drive_the_client(version: LogtoVersion) -> (FakeLogto, Vec<RecordedRequest>) {
    let fake = FakeLogto::start(FakeLogtoConfig::for_version(version)).await;
    let st = fake.state();
    st.set_email_connector(true);
    st.set_storage_configured(true);
    let seed = st.seed_demo();
    let org = seed.org_ids[0].clone();
    let admin = st
        .find_user_id_by_username(&seed.admin_username)
        .expect("demo admin");
    let member = st
        .find_user_id_by_username(&seed.member_username)
        .expect("demo member");
    let cfg = LogtoClientConfig::new(
        fake.url().parse().expect("url"),
        "portal-m2m",
        Secret::new("m2m-secret"),
        "https://default.logto.app/api",
    );
    let client = LogtoClient::new(cfg).expect("client");

    // Answers do not matter here, only what was asked: every result is ignored.
    let _ = client.token_is_obtainable().await;
    let _ = client.check().await;

    // users
    let searches = [
        UserSearch::new(),
        UserSearch::new().contains("ali"),
        UserSearch::new().starts_with("a"),
        UserSearch::new()
            .field_contains(SearchField::PrimaryEmail, "example")
            .field_exact(SearchField::Username, "alice")
            .joint(Joint::And)
            .case_sensitive(true),
        UserSearch::new().field_exact_any(SearchField::Id, [admin.as_str(), member.as_str()]),
        UserSearch::new().field_regex(SearchField::Name, "^A"),
        UserSearch::new().field_starts_with(SearchField::PrimaryPhone, "1"),
    ];
    for search in searches {
        let q = UserQuery {
            search,
            ..UserQuery::default()
        };
        let _ = client.list_users(&q).await;
    }
    let _ = client
        .list_users(&UserQuery {
            page: 2,
            page_size: 5,
            exclude_organization_id: Some(org.clone()),
            ..UserQuery::default()
        })
        .await;
    let _ = client
        .list_users(&UserQuery {
            exclude_role_id: Some("some-role".into()),
            ..UserQuery::default()
        })
        .await;
    let _: Result<Vec<_>, _> = client
        .users_stream(UserQuery {
            page_size: 2,
            ..UserQuery::default()
        })
        .try_collect()
        .await;
    let created = client
        .create_user(&NewUser {
            username: Some("declared_test".into()),
            primary_email: Some("declared@example.com".into()),
            password: Some(Secret::new("a long enough password")),
            ..NewUser::default()
        })
        .await
        .map(|u| u.id)
        .unwrap_or_else(|_| member.clone());
    let _ = client.get_user(&created).await;
    let _ = client
        .update_user(
            &created,
            &UserPatch {
                name: Some(Some("Declared".into())),
                ..UserPatch::default()
            },
        )
        .await;
    let mut profile = Map::new();
    profile.insert("givenName".into(), json!("D"));
    let _ = client.update_user_profile(&created, &profile).await;
    let _ = client.get_custom_data(&created).await;
    let mut data = Map::new();
    data.insert("k".into(), json!(1));
    let _ = client.update_custom_data(&created, &data).await;
    let _ = client.set_password(&created, "another long password").await;
    let _ = client
        .verify_password(&created, "another long password")
        .await;
    let _ = client.has_password(&created).await;
    let _ = client.set_suspended(&created, true).await;
    let _ = client.set_suspended(&created, false).await;
    let _ = client.delete_identity(&created, "github").await;
    let _ = client.user_organizations(&admin).await;
    let _ = client.user_roles(&admin).await;
    let _ = client.list_roles(1, 20, None).await;
    let _ = client.list_roles(1, 20, Some("oper")).await;
    // the tenant at a glance
    let _ = client.list_applications(1, 20).await;
    let _ = client.list_resources(1, 20).await;
    let _ = client.list_all_roles(1, 20).await;
    let _ = client.list_org_roles_with_scopes(1, 20).await;
    let _ = client.list_connectors().await;
    let sso = client.list_sso_connectors(1, 20).await;
    assert_eq!(
        sso.map(|p| p.total).ok(),
        Some(2),
        "the seeded SSO connectors"
    );
    let role = client
        .find_role_by_name("portal-operator")
        .await
        .ok()
        .flatten()
        .map(|r| r.id)
        .unwrap_or_else(|| "no-role".into());
    let _ = client
        .assign_user_roles(&created, std::slice::from_ref(&role))
        .await;
    let _ = client.remove_user_role(&created, &role).await;

    // organizations and members
    let _ = client.list_organizations(&OrgQuery::default()).await;
    let _ = client
        .list_organizations(&OrgQuery {
            q: Some("Ac".into()),
            show_featured: true,
            page: 1,
            page_size: 10,
        })
        .await;
    let _ = client.get_organization(&org).await;
    let roles = client.list_org_roles().await.unwrap_or_default();
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    // organizations themselves and their just-in-time provisioning
    let made = client
        .create_organization(&NewOrganization {
            name: "Contract Co".into(),
            description: Some("made by the contract test".into()),
        })
        .await
        .expect("create organization");
    let _ = client
        .update_organization(
            &made.id,
            &OrganizationPatch {
                name: Some("Contract Co 2".into()),
                description: Some(None),
                custom_data: Some(serde_json::Map::new()),
                is_mfa_required: Some(true),
                branding: Some(serde_json::Map::new()),
            },
        )
        .await;
    let _ = client.add_jit_email_domain(&made.id, "contract.test").await;
    let _ = client.jit_email_domains(&made.id).await;
    let _ = client
        .remove_jit_email_domain(&made.id, "contract.test")
        .await;
    let _ = client.set_jit_roles(&made.id, &role_ids).await;
    let _ = client.jit_roles(&made.id).await;
    let _ = client.jit_sso_connectors(&made.id).await;
    let _ = client.delete_organization(&made.id).await;
    let _ = client.list_org_members(&org, &MemberQuery::default()).await;
    let _ = client
        .list_org_members(
            &org,
            &MemberQuery {
                q: Some("ali".into()),
                organization_role_id: role_ids.first().cloned(),
                page: 1,
                page_size: 5,
            },
        )
        .await;
    let _: Result<Vec<_>, _> = client
        .org_members_stream(&org, MemberQuery::default())
        .try_collect()
        .await;
    let _ = client
        .add_org_members(&org, std::slice::from_ref(&created))
        .await;
    let _ = client.member_roles(&org, &created).await;
    let _ = client.set_member_roles(&org, &created, &role_ids).await;
    let _ = client.add_member_roles(&org, &created, &role_ids).await;
    if let Some(r) = role_ids.first() {
        let _ = client.remove_member_role(&org, &created, r).await;
    }
    let _ = client.remove_org_member(&org, &created).await;

    // invitations and verification codes
    let _ = client
        .list_invitations(&InvitationFilter {
            organization_id: Some(org.clone()),
            inviter_id: Some(admin.clone()),
            invitee: Some("new@example.com".into()),
        })
        .await;
    let _ = client.list_invitations(&InvitationFilter::default()).await;
    let expires_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
        + 86_400_000;
    for (invitee, payload) in [
        ("new@example.com", None),
        (
            "other@example.com",
            Some(json!({"link": "http://127.0.0.1/x"})),
        ),
    ] {
        let invitation = client
            .create_invitation(&NewInvitation {
                inviter_id: Some(admin.clone()),
                invitee: invitee.into(),
                organization_id: org.clone(),
                expires_at,
                organization_role_ids: role_ids.clone(),
                message_payload: payload,
            })
            .await;
        if let Ok(inv) = invitation {
            let _ = client.get_invitation(&inv.id).await;
            let _ = client
                .send_invitation_message(&inv.id, &json!({"link": "http://127.0.0.1/x"}))
                .await;
            let _ = client
                .set_invitation_status(&inv.id, InvitationStatus::Revoked, None)
                .await;
            let _ = client
                .set_invitation_status(&inv.id, InvitationStatus::Accepted, Some(&member))
                .await;
            let _ = client.delete_invitation(&inv.id).await;
        }
    }
    for to in [
        CodeTarget::Email("code@example.com".into()),
        CodeTarget::Phone("15550001".into()),
    ] {
        let _ = client.send_verification_code(&to).await;
        let _ = client.verify_code(&to, "123456").await;
    }

    // logs and assets
    let _ = client.list_logs(&LogQuery::default()).await;
    let _ = client
        .list_logs(&LogQuery {
            user_id: Some(admin.clone()),
            log_key: Some("Interaction.SignIn.Submit".into()),
            page: 2,
            page_size: 10,
        })
        .await;
    let _ = client.user_assets_ready().await;
    let _ = client
        .upload_user_asset(vec![0x89, b'P', b'N', b'G'], "a.png", "image/png")
        .await;

    // account security
    let _ = client.list_mfa_verifications(&created).await;
    let _ = client
        .enrol_totp(&created, TotpSecret::generate().base32())
        .await;
    let _ = client
        .create_backup_codes(&created, &backup_codes::generate())
        .await;
    if let Some(v) = client
        .list_mfa_verifications(&created)
        .await
        .ok()
        .and_then(|l| l.into_iter().next())
    {
        let _ = client.delete_mfa_verification(&created, &v.id).await;
    }
    let _ = client.reset_mfa(&created).await;
    let _ = client.create_access_token(&created, "declared", None).await;
    let _ = client.list_access_tokens(&created).await;
    let _ = client
        .rename_access_token(&created, "declared", "declared 2")
        .await;
    let _ = client.delete_access_token(&created, "declared 2").await;
    let connector = client
        .list_social_connectors()
        .await
        .ok()
        .and_then(|c| c.into_iter().next())
        .map_or_else(|| "none".to_owned(), |c| c.id);
    let _ = client
        .social_authorization_uri(&connector, "state", "http://127.0.0.1/cb")
        .await;
    let _ = client
        .link_identity(&created, &connector, &Map::new())
        .await;
    let _ = client.delete_user(&created).await;

    let requests = st
        .api_requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/api/.well-known/"))
        .collect();
    (fake, requests)
}

async fn assert_declared(version: LogtoVersion, doc: &Value) {
    let ops = operations(doc);
    let (fake, requests) = drive_the_client(version).await;
    // the fake serves the same description anonymously
    let served: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/.well-known/management.openapi.json",
            fake.url()
        ))
        .send()
        .await
        .expect("openapi request")
        .json()
        .await
        .expect("openapi json");
    assert!(
        served == *doc,
        "the fake {version} serves another OpenAPI document"
    );
    let distinct: BTreeSet<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        distinct.len() >= 40,
        "the client was driven through too few operations: {distinct:?}"
    );
    let mut problems: Vec<String> = requests
        .iter()
        .filter_map(|r| undeclared(&ops, r))
        .collect();
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} request(s) the portal sent are not declared by Logto {version}'s OpenAPI:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[tokio::test]
async fn client_requests_are_declared_by_logto_1_37() {
    let text = std::fs::read_to_string(shared_dir().join("logto-openapi-1.37.1.json"))
        .expect("read the 1.37.1 OpenAPI document");
    let doc: Value = serde_json::from_str(&text).expect("parse the 1.37.1 OpenAPI document");
    assert_declared(LogtoVersion::V1_37, &doc).await;
}

#[tokio::test]
async fn client_requests_are_declared_by_logto_1_42() {
    assert_declared(LogtoVersion::V1_42, LogtoVersion::V1_42.openapi()).await;
}

#[test]
fn the_checker_refuses_what_is_not_declared() {
    let doc = json!({"paths": {
        "/api/users": {"get": {"parameters": [
            {"name": "page", "in": "query"},
            {"name": "search_params", "in": "query", "explode": true,
             "schema": {"type": "object", "additionalProperties": {"type": "string"}}}
        ]}},
        "/api/users/{userId}": {"get": {"parameters": [{"$ref": "#/components/parameters/userId"}]}}
    }, "components": {"parameters": {"userId": {"name": "userId", "in": "path"}}}});
    let ops = operations(&doc);
    let req = |method: &str, path: &str, query: &str| RecordedRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        body: String::new(),
        at_ms: 0,
    };
    assert!(undeclared(
        &ops,
        &req(
            "GET",
            "/api/users",
            "page=1&search.name=%25a%25&mode.name=like&joint=and&isCaseSensitive=true"
        )
    )
    .is_none());
    assert!(undeclared(&ops, &req("GET", "/api/users/u1", "")).is_none());
    assert!(undeclared(&ops, &req("GET", "/api/users/u1", "page=1")).is_some());
    assert!(undeclared(&ops, &req("GET", "/api/users", "organizationRoleId=r")).is_some());
    assert!(undeclared(&ops, &req("DELETE", "/api/users/u1", "")).is_some());
    assert!(undeclared(&ops, &req("GET", "/api/users/u1/sessions", "")).is_some());
}
