//! The recorded exchanges and the tenant they reveal, seeded into the fake.

use super::*;

pub(crate) struct Exchange {
    pub(crate) t_ms: i64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) request_body: Value,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl Exchange {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        let q = self.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
    pub(crate) fn segments(&self) -> Vec<&str> {
        self.route().trim_start_matches('/').split('/').collect()
    }
    /// A short name of the operation, for the counts (`GET /api/organizations/{id}/users`).
    pub(crate) fn kind(&self) -> String {
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

pub(crate) fn load(dir: &std::path::Path) -> Vec<Exchange> {
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

pub(crate) fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().filter(|x| x.get("id").is_some()).collect(),
        Value::Object(_) if v.get("id").is_some() => vec![v],
        _ => vec![],
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    User,
    Organization,
    Invitation,
    Log,
}

/// Everything the recording shows about the tenant, first sighting of each entity.
pub(crate) struct Tenant {
    /// (createdAt, kind, body), in creation order
    pub(crate) timeline: Vec<(i64, Kind, Value)>,
    pub(crate) roles: Vec<Value>,
    pub(crate) org_roles: Vec<Value>,
}

pub(crate) fn survey(exchanges: &[Exchange]) -> Tenant {
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

pub(crate) fn seed(state: &FakeState, kind: Kind, body: &Value, shift_ms: i64) {
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
pub(crate) fn membership_facts(e: &Exchange) -> BTreeMap<(String, String), BTreeSet<String>> {
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
