//! Contract replay: the 1,653 exchanges the portal had with a real Logto 1.37.1
//! (`../shared/logto-recorded-portal-1.37.1.jsonl`), sent in order to a fresh fake imitating
//! 1.37, comparing status, `Total-Number`, the set of ids of list bodies and the body shape
//! (same keys recursively, same JSON types, `null` standing for any type since nullable
//! fields carry state, not shape; error bodies the same `code`). The recorder stored most
//! gzip-encoded answers as lossy text (`{"_text": …}`): those are compared on status and
//! `Total-Number` only, and teach the replay nothing about the tenant.
//!
//! The four member lists filtered by `organizationRoleId` are in the recording: a fake that
//! honoured the filter (1.41+) fails this test.
//!
//! The recorded tenant is rebuilt from the recording itself, with the recorded ids:
//! - users, organizations, invitations and logs are seeded when the replay clock passes their
//!   `createdAt` (test fixtures created them outside the portal); roles and organization roles
//!   exist from the start; invitations the portal created are created by the replay, taking the
//!   recorded id;
//! - memberships and member roles carry no timestamp: an exchange whose recorded answer shows a
//!   membership or role the fake does not hold (or a full member list without one it holds)
//!   reveals a change made outside the portal. The change is applied and that exchange is
//!   counted as skipped ("reveals …"), never compared, so no compared answer is fed by itself;
//! - list totals larger than everything the recording ever shows mean entities it never shows:
//!   placeholders (never matching any search) are added and the exchange is skipped likewise.

mod common;

use common::{client, m2m_token, shared_dir};
use fake_logto::{FakeLogto, FakeLogtoConfig, FakeState, LogtoVersion, NewUser};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const RECORDING: &str = "logto-recorded-portal-1.37.1.jsonl";

struct Exchange {
    t_ms: i64,
    method: String,
    path: String,
    request_body: Value,
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Exchange {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
    fn query(&self) -> Vec<(String, String)> {
        let q = self.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
    fn segments(&self) -> Vec<&str> {
        self.route().trim_start_matches('/').split('/').collect()
    }
    /// A short name of the operation, for the counts (`GET /api/organizations/{id}/users`).
    fn kind(&self) -> String {
        let parts: Vec<String> = self
            .segments()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let id_like = s.len() >= 10
                    && (s.chars().any(|c| c.is_ascii_digit()) || s.chars().all(|c| c == 'z'));
                if i >= 2 && id_like {
                    "{id}".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        format!("{} /{}", self.method, parts.join("/"))
    }
}

fn load(dir: &std::path::Path) -> Vec<Exchange> {
    let text = std::fs::read_to_string(dir.join(RECORDING)).expect("read the portal recording");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("recording line is JSON");
            Exchange {
                t_ms: (v["t"].as_f64().expect("t") * 1000.0) as i64,
                method: v["method"].as_str().expect("method").to_string(),
                path: v["path"].as_str().expect("path").to_string(),
                request_body: v["request"]["body"].clone(),
                status: v["status"].as_u64().expect("status") as u16,
                headers: v["response"]["headers"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|h| {
                                Some((h[0].as_str()?.to_lowercase(), h[1].as_str()?.to_string()))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                body: v["response"]["body"].clone(),
            }
        })
        .collect()
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().filter(|x| x.get("id").is_some()).collect(),
        Value::Object(_) if v.get("id").is_some() => vec![v],
        _ => vec![],
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    User,
    Organization,
    Invitation,
    Log,
}

/// Everything the recording shows about the tenant, first sighting of each entity.
struct Tenant {
    /// (createdAt, kind, body), in creation order
    timeline: Vec<(i64, Kind, Value)>,
    roles: Vec<Value>,
    org_roles: Vec<Value>,
}

fn survey(exchanges: &[Exchange]) -> Tenant {
    let mut seen: HashSet<String> = HashSet::new();
    let mut timeline = Vec::new();
    let mut roles = BTreeMap::new();
    let mut org_roles = BTreeMap::new();
    // what the portal itself created is created by the replay
    let created_by_portal: HashSet<String> = exchanges
        .iter()
        .filter(|e| e.method == "POST" && e.status == 201)
        .filter_map(|e| e.body["id"].as_str().map(str::to_string))
        .collect();
    for e in exchanges.iter().filter(|e| e.status < 300) {
        let seg = e.segments();
        let kind = match seg.as_slice() {
            ["api", "users"] | ["api", "users", _] => Some(Kind::User),
            ["api", "organizations", _, "users"] => Some(Kind::User),
            ["api", "organizations"] | ["api", "organizations", _] => Some(Kind::Organization),
            ["api", "users", _, "organizations"] => Some(Kind::Organization),
            ["api", "organization-invitations"] | ["api", "organization-invitations", _] => {
                Some(Kind::Invitation)
            }
            ["api", "logs"] | ["api", "logs", _] => Some(Kind::Log),
            ["api", "roles"] | ["api", "users", _, "roles"] => {
                for r in items(&e.body) {
                    roles
                        .entry(r["id"].to_string())
                        .or_insert_with(|| r.clone());
                }
                None
            }
            ["api", "organization-roles"] => {
                for r in items(&e.body) {
                    org_roles
                        .entry(r["id"].to_string())
                        .or_insert_with(|| r.clone());
                }
                None
            }
            _ => None,
        };
        let Some(kind) = kind else { continue };
        for x in items(&e.body) {
            let id = x["id"].as_str().unwrap_or_default().to_string();
            if created_by_portal.contains(&id) || !seen.insert(id) {
                continue;
            }
            let mut x = x.clone();
            if let Some(o) = x.as_object_mut() {
                // list-only decorations, not stored fields
                o.remove("organizationRoles");
                o.remove("usersCount");
                o.remove("featuredUsers");
            }
            let created = x["createdAt"].as_i64().unwrap_or(0);
            timeline.push((created, kind, x));
        }
    }
    timeline.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Tenant {
        timeline,
        roles: roles.into_values().collect(),
        org_roles: org_roles.into_values().collect(),
    }
}

fn seed(state: &FakeState, kind: Kind, body: &Value, shift_ms: i64) {
    match kind {
        Kind::User => {
            state.seed_user_json(body, None);
        }
        Kind::Organization => {
            state.seed_organization_json(body);
        }
        Kind::Invitation => {
            let mut b = body.clone();
            if let Some(t) = b["expiresAt"].as_i64() {
                b["expiresAt"] = json!(t + shift_ms);
            }
            state.seed_invitation_json(&b);
        }
        Kind::Log => {
            state.seed_log_json(body);
        }
    }
}

/// Memberships and member roles an answer shows: (org, user) → role ids.
fn membership_facts(e: &Exchange) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out = BTreeMap::new();
    if e.method != "GET" || e.status != 200 {
        return out;
    }
    let seg = e.segments();
    let role_ids = |x: &Value| -> BTreeSet<String> {
        x["organizationRoles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    match seg.as_slice() {
        ["api", "organizations", org, "users"] => {
            for x in items(&e.body) {
                let user = x["id"].as_str().unwrap_or_default().to_string();
                out.insert((org.to_string(), user), role_ids(x));
            }
        }
        ["api", "users", user, "organizations"] => {
            for x in items(&e.body) {
                let org = x["id"].as_str().unwrap_or_default().to_string();
                out.insert((org, user.to_string()), role_ids(x));
            }
        }
        _ => {}
    }
    out
}

struct Replay {
    url: String,
    http: reqwest::Client,
    token: String,
    state: FakeState,
    /// placeholder users (with the search term they were made to match) and organizations
    /// standing for ones the recording never shows
    user_pool: Vec<(String, Option<String>)>,
    org_pool: Vec<String>,
    /// org → placeholder users holding a membership there
    placeholder_members: BTreeMap<String, Vec<String>>,
    /// org → members learnt from answers, in the order learnt
    revealed_members: BTreeMap<String, Vec<String>>,
}

impl Replay {
    async fn send(&self, e: &Exchange, shift_ms: i64) -> (u16, reqwest::header::HeaderMap, String) {
        let method = Method::from_bytes(e.method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{}", self.url, e.path))
            .bearer_auth(&self.token);
        if !e.request_body.is_null() {
            let mut body = e.request_body.clone();
            if let Some(t) = body["expiresAt"].as_i64() {
                body["expiresAt"] = json!(t + shift_ms);
            }
            req = req.json(&body);
        }
        let r = req.send().await.expect("request to the fake");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.unwrap_or_default())
    }

    /// A user the recording never shows, created just before the exchange that counts it and
    /// named so only the search `term` (if any) of the recording matches it.
    fn add_placeholder_user(&mut self, at_ms: i64, term: Option<&str>) -> String {
        let n = self.user_pool.len();
        let id = self.state.create_user_at(
            NewUser {
                username: Some(match term {
                    Some(t) => format!("unshown_{n}_{t}"),
                    None => format!("unshown_{n}"),
                }),
                ..Default::default()
            },
            at_ms - 1,
        );
        self.user_pool.push((id.clone(), term.map(str::to_string)));
        id
    }

    fn drop_placeholder_user(&mut self, pick: impl Fn(&Option<String>) -> bool) -> bool {
        // placeholders made for no search go first
        let found = self
            .user_pool
            .iter()
            .rposition(|(_, t)| t.is_none() && pick(t))
            .or_else(|| self.user_pool.iter().rposition(|(_, t)| pick(t)));
        let Some(i) = found else {
            return false;
        };
        let (u, _) = self.user_pool.remove(i);
        self.state.delete_user(&u);
        for list in self.placeholder_members.values_mut() {
            list.retain(|m| *m != u);
        }
        true
    }

    /// The fake's own `Total-Number` for a recorded list query (a GET the recording did not make).
    async fn fake_total(&self, path: &str) -> usize {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("count request")
            .headers()
            .get("total-number")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn drop_placeholder_member(&mut self, org: &str) -> bool {
        let Some(list) = self.placeholder_members.get_mut(org) else {
            return false;
        };
        let Some(u) = list.pop() else { return false };
        self.state.remove_membership(org, &u);
        true
    }
}

fn is_garbled(v: &Value) -> bool {
    v.get("_text").is_some()
}

/// Apply what the answer reveals about changes made outside the portal; a description of each.
async fn reveal(rp: &mut Replay, e: &Exchange, tenant: &Tenant) -> Vec<String> {
    let mut revealed = Vec::new();
    if e.method == "POST"
        && e.route() == "/api/organization-invitations"
        && e.status == 422
        && e.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("already a member"))
    {
        // the refusal shows the invitee was a member (added outside the portal)
        let email = e.request_body["invitee"].as_str().unwrap_or_default();
        let org = e.request_body["organizationId"]
            .as_str()
            .unwrap_or_default();
        let user = tenant
            .timeline
            .iter()
            .find(|(_, k, b)| *k == Kind::User && b["primaryEmail"].as_str() == Some(email));
        let uid = match user {
            Some((_, _, u)) => u["id"].as_str().unwrap_or_default().to_string(),
            // a user the recording never shows: a placeholder with that email
            None => {
                let id = rp.add_placeholder_user(e.t_ms, Some("email"));
                let mut body = rp.state.user_json(&id).expect("placeholder");
                body["primaryEmail"] = json!(email);
                rp.state.seed_user_json(&body, None)
            }
        };
        if rp.state.member_role_ids(org, &uid).is_none() {
            rp.state.seed_membership(org, &uid, &[]);
            rp.drop_placeholder_member(org);
            revealed.push("a membership".into());
        }
        return revealed;
    }
    if e.method != "GET" || e.status != 200 {
        return revealed;
    }
    let facts = if is_garbled(&e.body) {
        BTreeMap::new()
    } else {
        membership_facts(e)
    };
    for ((org, user), roles) in &facts {
        let now: Option<BTreeSet<String>> = rp
            .state
            .member_role_ids(org, user)
            .map(|v| v.into_iter().collect());
        if now.as_ref() != Some(roles) {
            let ids: Vec<&str> = roles.iter().map(String::as_str).collect();
            rp.state.seed_membership(org, user, &ids);
            if now.is_none() {
                // a placeholder stood for this member until now
                rp.drop_placeholder_member(org);
                rp.revealed_members
                    .entry(org.clone())
                    .or_default()
                    .push(user.clone());
                revealed.push("a membership".to_string());
            } else {
                revealed.push("member roles".to_string());
            }
        }
    }
    let seg = e.segments();
    let total: Option<usize> = e.header("total-number").and_then(|t| t.parse().ok());
    let query = e.query();
    let filtered = query
        .iter()
        .any(|(k, _)| k == "q" || k.starts_with("search") || k.starts_with("mode"));
    let page_size: usize = query
        .iter()
        .find(|(k, _)| k == "page_size")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(20);
    let page_one = query.iter().all(|(k, v)| k != "page" || v == "1");
    let shown = items(&e.body).len();
    let whole_list = !is_garbled(&e.body) && page_one && total == Some(shown) && shown <= page_size;
    let created_before = |kind: Kind| {
        tenant
            .timeline
            .iter()
            .filter(|(c, k, _)| *k == kind && *c <= e.t_ms)
            .count()
    };
    match (seg.as_slice(), total, filtered) {
        (["api", "organizations", org, "users"], Some(total), false) => {
            let members = rp.state.member_ids(org);
            if whole_list {
                for m in &members {
                    if !facts.contains_key(&(org.to_string(), m.clone())) {
                        rp.state.remove_membership(org, m);
                        if let Some(list) = rp.placeholder_members.get_mut(*org) {
                            list.retain(|u| u != m);
                        }
                        revealed.push("a membership ended".into());
                    }
                }
            } else if members.len() < total {
                for _ in members.len()..total {
                    let free = rp
                        .user_pool
                        .iter()
                        .map(|(u, _)| u)
                        .find(|u| {
                            !members.contains(u)
                                && !rp
                                    .placeholder_members
                                    .get(*org)
                                    .is_some_and(|l| l.contains(u))
                        })
                        .cloned();
                    let u = match free {
                        Some(u) => u,
                        None => rp.add_placeholder_user(e.t_ms, None),
                    };
                    rp.state.seed_membership(org, &u, &[]);
                    rp.placeholder_members
                        .entry(org.to_string())
                        .or_default()
                        .push(u);
                }
                revealed.push("members never shown".into());
            } else if members.len() > total {
                let mut changed = false;
                while rp.state.member_ids(org).len() > total && rp.drop_placeholder_member(org) {
                    changed = true;
                }
                // then the members learnt last (a batch added and removed outside the portal)
                while rp.state.member_ids(org).len() > total {
                    let Some(u) = rp.revealed_members.get_mut(*org).and_then(Vec::pop) else {
                        break;
                    };
                    rp.state.remove_membership(org, &u);
                    changed = true;
                }
                if changed {
                    revealed.push("members never shown".into());
                }
            }
        }
        (["api", "users", user, "roles"], Some(_), _) if whole_list => {
            let listed: BTreeSet<String> = items(&e.body)
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect();
            let held: BTreeSet<String> = rp.state.user_role_ids(user).into_iter().collect();
            if listed != held {
                for r in held.difference(&listed) {
                    rp.state.unassign_role(user, r);
                }
                for r in listed.difference(&held) {
                    rp.state.assign_role(user, r);
                }
                revealed.push("user roles".into());
            }
        }
        (["api", "users"], Some(total), _) => {
            // unfiltered, or the portal's simple search `search=%term%`
            let term: Option<String> = match query.iter().find(|(k, _)| k.starts_with("search")) {
                None => None,
                Some((k, v)) if k == "search" && v.starts_with('%') && v.ends_with('%') => {
                    Some(v.trim_matches('%').to_string())
                }
                Some(_) => return revealed,
            };
            let have = rp.fake_total(&e.path).await;
            if have != total {
                let mut changed = false;
                for _ in have..total {
                    rp.add_placeholder_user(e.t_ms, term.as_deref());
                    changed = true;
                }
                for _ in total..have {
                    let pick_term = term.clone();
                    changed |= rp.drop_placeholder_user(|t| pick_term.is_none() || *t == pick_term);
                }
                if changed {
                    revealed.push("users never shown".into());
                }
            }
        }
        (["api", "organizations"], Some(total), false) => {
            let needed = total.saturating_sub(created_before(Kind::Organization));
            if needed != rp.org_pool.len() {
                while rp.org_pool.len() < needed {
                    let id = rp.state.seed_organization_json(&json!({
                        "id": format!("unshown{:05}", rp.org_pool.len()),
                        "name": format!("unshown organization {}", rp.org_pool.len()),
                        "createdAt": 1_000_000_000_000i64 + rp.org_pool.len() as i64,
                    }));
                    rp.org_pool.push(id);
                }
                while rp.org_pool.len() > needed {
                    let o = rp.org_pool.pop().expect("pool");
                    rp.state.delete_organization(&o);
                }
                revealed.push("organizations never shown".into());
            }
        }
        _ => {}
    }
    revealed
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same keys recursively and the same JSON types (`null` on either side matches any type).
fn shape(rec: &Value, fake: &Value, path: &str, out: &mut Vec<String>) {
    if rec.is_null() || fake.is_null() {
        return;
    }
    if json_type(rec) != json_type(fake) {
        out.push(format!(
            "{path}: {} (recorded {})",
            json_type(fake),
            json_type(rec)
        ));
        return;
    }
    match (rec, fake) {
        (Value::Object(r), Value::Object(f)) => {
            for k in r.keys().filter(|k| !f.contains_key(*k)) {
                out.push(format!("{path}.{k} missing"));
            }
            for k in f.keys().filter(|k| !r.contains_key(*k)) {
                out.push(format!("{path}.{k} not in the recording"));
            }
            for (k, rv) in r {
                if let Some(fv) = f.get(k) {
                    shape(rv, fv, &format!("{path}.{k}"), out);
                }
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            // pair elements by id where they have one, else by position
            for (i, rv) in r.iter().enumerate() {
                let fv = match rv.get("id") {
                    Some(id) => f.iter().find(|x| x.get("id") == Some(id)),
                    None => f.get(i),
                };
                if let Some(fv) = fv {
                    shape(rv, fv, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn compare(
    e: &Exchange,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    text: &str,
) -> Vec<String> {
    let mut diffs = Vec::new();
    if status != e.status {
        diffs.push(format!("status {status} (recorded {})", e.status));
        return diffs;
    }
    let fake_total = headers
        .get("total-number")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if e.header("total-number").map(str::to_string) != fake_total {
        diffs.push(format!(
            "Total-Number {fake_total:?} (recorded {:?})",
            e.header("total-number")
        ));
    }
    if is_garbled(&e.body) {
        // the recorder stored a gzip body as lossy text: status and total are all there is
        return diffs;
    }
    if e.body.is_null() {
        if !text.is_empty() {
            diffs.push(format!("unexpected body {text:?}"));
        }
        return diffs;
    }
    let fake: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            diffs.push(format!("body is not JSON: {text:?}"));
            return diffs;
        }
    };
    if e.status >= 400 {
        if fake["code"] != e.body["code"] {
            diffs.push(format!(
                "code {} (recorded {})",
                fake["code"], e.body["code"]
            ));
        }
        return diffs;
    }
    if let (Value::Array(r), Value::Array(f)) = (&e.body, &fake) {
        let ids = |a: &Vec<Value>| -> BTreeSet<String> {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        };
        let (ri, fi) = (ids(r), ids(f));
        if ri != fi {
            diffs.push(format!(
                "ids: missing {:?}, extra {:?}",
                ri.difference(&fi).collect::<Vec<_>>(),
                fi.difference(&ri).collect::<Vec<_>>()
            ));
        }
    }
    shape(&e.body, &fake, "$", &mut diffs);
    diffs
}

/// Exchanges that cannot be reproduced, by kind, with the reason.
fn unreproducible(e: &Exchange) -> Option<&'static str> {
    if e.kind().ends_with("/password/verify") && e.status == 204 {
        return Some(
            "password verified: the recording redacts the password, so which one was right is unknown",
        );
    }
    None
}

#[tokio::test]
async fn portal_exchanges_replay_against_the_1_37_fake() {
    let dir = shared_dir();
    let exchanges = load(&dir);
    assert!(
        exchanges.len() >= 1600,
        "{RECORDING}: only {} exchanges",
        exchanges.len()
    );
    let tenant = survey(&exchanges);
    // recorded times move to today, so invitations expire as they did relative to the replay
    let shift_ms = common::now_ms() - exchanges[0].t_ms;

    let logto = FakeLogto::start(FakeLogtoConfig::for_version(LogtoVersion::V1_37)).await;
    let state = logto.state();
    for r in &tenant.roles {
        state.seed_role_json(r);
    }
    for r in &tenant.org_roles {
        state.seed_org_role_json(r);
    }
    let http = client();
    let url = logto.url();
    let token = m2m_token(&http, &url, Some("all")).await;
    let mut rp = Replay {
        url,
        http,
        token,
        state: state.clone(),
        user_pool: Vec::new(),
        org_pool: Vec::new(),
        placeholder_members: BTreeMap::new(),
        revealed_members: BTreeMap::new(),
    };

    let mut next_seed = 0;
    let (mut replayed, mut matched, mut body_lost) = (0usize, 0usize, 0usize);
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        while next_seed < tenant.timeline.len() && tenant.timeline[next_seed].0 <= e.t_ms {
            let (_, kind, body) = &tenant.timeline[next_seed];
            seed(&state, *kind, body, shift_ms);
            next_seed += 1;
        }
        if let Some(why) = unreproducible(e) {
            *skipped.entry(format!("{}: {why}", e.kind())).or_default() += 1;
            continue;
        }
        let revealed = reveal(&mut rp, e, &tenant).await;
        if e.method == "POST" && e.status == 201 {
            if let Some(id) = e.body["id"].as_str() {
                state.preset_next_ids(&[id]);
            }
        }
        let (status, headers, text) = rp.send(e, shift_ms).await;
        if !revealed.is_empty() {
            let mut kinds: Vec<String> = revealed;
            kinds.sort();
            kinds.dedup();
            *skipped
                .entry(format!(
                    "{}: reveals a change made outside the portal ({})",
                    e.kind(),
                    kinds.join(", ")
                ))
                .or_default() += 1;
            continue;
        }
        replayed += 1;
        if is_garbled(&e.body) {
            body_lost += 1;
        }
        let diffs = compare(e, status, &headers, &text);
        if diffs.is_empty() {
            matched += 1;
        } else {
            failures.push(format!(
                "#{i} {} {} → {}\n    {}\n    fake: {}",
                e.method,
                e.path,
                e.status,
                diffs.join("\n    "),
                text.chars().take(300).collect::<String>()
            ));
        }
    }
    let skipped_total: usize = skipped.values().sum();
    println!(
        "{RECORDING}: {} exchanges; replayed {replayed}, matched {matched}, skipped {skipped_total}",
        exchanges.len()
    );
    println!(
        "  of the replayed, {body_lost} are compared on status and Total-Number only: the recorder \
         stored their gzip bodies as lossy text"
    );
    for (why, n) in &skipped {
        println!("  skipped {n:>4} × {why}");
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} replayed exchanges differ from the recording:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(replayed + skipped_total, exchanges.len());
    assert!(
        replayed * 10 >= exchanges.len() * 9,
        "only {replayed} of {} exchanges replayed",
        exchanges.len()
    );
}
