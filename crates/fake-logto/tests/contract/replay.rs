//! Sending recorded requests to the fake, mapping recorded ids to the fake's as they are learned.

use super::*;

pub(crate) fn looks_like_id(s: &str) -> bool {
    (s.len() == 12 || s.len() == 21)
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

pub(crate) struct Replay {
    pub(crate) url: String,
    pub(crate) host: String,
    pub(crate) http: reqwest::Client,
    pub(crate) token: String,
    pub(crate) token_noscope: String,
    pub(crate) ids: HashMap<String, String>,
    pub(crate) failures: Vec<String>,
    pub(crate) replayed: usize,
    pub(crate) _logto: FakeLogto,
}

pub(crate) fn natural_key(v: &Value) -> Option<String> {
    for k in ["username", "invitee", "emailDomain", "primaryEmail", "name"] {
        if let Some(s) = v.get(k).and_then(Value::as_str) {
            return Some(format!("{k}={s}"));
        }
    }
    if let Some(k) = v.get("key").and_then(Value::as_str) {
        return Some(format!(
            "key={k}/{}",
            v["payload"]["result"].as_str().unwrap_or("")
        ));
    }
    None
}

impl Replay {
    pub(crate) fn map(&self, s: &str) -> String {
        let mut out = s.to_string();
        // longest first so 21-char ids are not partially replaced
        let mut keys: Vec<&String> = self.ids.keys().collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        for k in keys {
            out = out.replace(k.as_str(), &self.ids[k]);
        }
        out
    }

    /// Pair recorded array elements with the fake's: by mapped id, then by natural key.
    pub(crate) fn align<'a>(
        &self,
        rec: &[Value],
        fake: &'a [Value],
    ) -> Vec<(Option<&'a Value>, bool)> {
        rec.iter()
            .enumerate()
            .map(|(i, r)| {
                if let Some(id) = r.get("id").and_then(Value::as_str) {
                    if let Some(m) = self.ids.get(id) {
                        if let Some(f) = fake.iter().find(|f| f["id"].as_str() == Some(m)) {
                            return (Some(f), true);
                        }
                    }
                }
                if let Some(k) = natural_key(r) {
                    let hits: Vec<&Value> = fake
                        .iter()
                        .filter(|f| natural_key(f).as_deref() == Some(k.as_str()))
                        .collect();
                    // several with the same key: the one at the same position if it is one
                    let same_place = fake
                        .get(i)
                        .filter(|f| hits.iter().any(|h| std::ptr::eq(*h, *f)));
                    if let Some(f) = same_place.or(hits.first().copied()) {
                        return (Some(f), true);
                    }
                }
                (fake.get(i), false)
            })
            .collect()
    }

    pub(crate) fn learn(&mut self, rec: &Value, fake: &Value) {
        match (rec, fake) {
            (Value::Object(r), Value::Object(f)) => {
                for (k, rv) in r {
                    let Some(fv) = f.get(k) else { continue };
                    if let (Value::String(rs), Value::String(fs)) = (rv, fv) {
                        if (k == "id" || k.ends_with("Id"))
                            && looks_like_id(rs)
                            && !self.ids.contains_key(rs)
                        {
                            self.ids.insert(rs.clone(), fs.clone());
                        }
                    } else {
                        self.learn(rv, fv);
                    }
                }
            }
            (Value::Array(r), Value::Array(f)) => {
                let pairs: Vec<(Value, Value)> = self
                    .align(r, f)
                    .into_iter()
                    .zip(r.iter())
                    .filter(|((_, confident), _)| *confident)
                    .map(|((fv, _), rv)| (rv.clone(), fv.cloned().unwrap_or(Value::Null)))
                    .collect();
                for (rv, fv) in pairs {
                    self.learn(&rv, &fv);
                }
            }
            _ => {}
        }
    }

    /// Compare shapes. `data_too`: also compare the content of free-form data objects
    /// (customData, profile, ...) — only when the elements are known to be the same entity.
    pub(crate) fn shape(
        &self,
        rec: &Value,
        fake: &Value,
        path: &str,
        strict_len: bool,
        out: &mut Vec<String>,
    ) {
        self.shape_inner(rec, fake, path, strict_len, true, out)
    }

    pub(crate) fn shape_inner(
        &self,
        rec: &Value,
        fake: &Value,
        path: &str,
        strict_len: bool,
        data_too: bool,
        out: &mut Vec<String>,
    ) {
        const DATA: &[&str] = &[
            "customData",
            "profile",
            "identities",
            "details",
            "branding",
            "color",
        ];
        if !data_too && DATA.iter().any(|d| path.ends_with(&format!(".{d}"))) {
            if rec.is_object() != fake.is_object() {
                out.push(format!("{path}: type differs"));
            }
            return;
        }
        match (rec, fake) {
            (Value::Null, _) | (_, Value::Null) => {}
            (Value::Object(r), Value::Object(f)) => {
                if path.ends_with(".payload") {
                    // log payloads are open-ended (logContextPayloadGuard)
                    for k in ["key", "result"] {
                        if !f.contains_key(k) {
                            out.push(format!("{path}: missing {k}"));
                        }
                    }
                    return;
                }
                let rk: BTreeSet<&String> = r.keys().collect();
                let fk: BTreeSet<&String> = f.keys().collect();
                if rk != fk {
                    out.push(format!(
                        "{path}: keys differ: missing {:?}, extra {:?}",
                        rk.difference(&fk).collect::<Vec<_>>(),
                        fk.difference(&rk).collect::<Vec<_>>()
                    ));
                }
                for k in rk.intersection(&fk) {
                    self.shape_inner(&r[*k], &f[*k], &format!("{path}.{k}"), true, data_too, out);
                }
            }
            (Value::Array(r), Value::Array(f)) => {
                if strict_len && r.len() != f.len() {
                    out.push(format!("{path}: length {} vs {}", r.len(), f.len()));
                }
                for (i, ((fv, confident), rv)) in
                    self.align(r, f).into_iter().zip(r.iter()).enumerate()
                {
                    if let Some(fv) = fv {
                        let p = format!("{path}[{i}]");
                        self.shape_inner(rv, fv, &p, true, data_too && confident, out);
                    }
                }
            }
            (r, f) => {
                let t = |v: &Value| match v {
                    Value::Bool(_) => "bool",
                    Value::Number(_) => "number",
                    Value::String(_) => "string",
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                    Value::Null => "null",
                };
                if t(r) != t(f) {
                    out.push(format!("{path}: type {} vs {}", t(r), t(f)));
                }
            }
        }
    }

    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        auth: Auth,
        body: Option<(String, &str)>,
        extra: Option<(String, String)>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, format!("{}{path}", self.url));
        let cfg = FakeLogtoConfig::default();
        req = match auth {
            Auth::None => req,
            Auth::Bearer => req.bearer_auth(&self.token),
            Auth::NoScope => req.bearer_auth(&self.token_noscope),
            Auth::Garbage => req.bearer_auth("garbage"),
            Auth::Basic => req.basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret)),
            Auth::BasicWrong => req.basic_auth(&cfg.m2m_app_id, Some("wrong-secret")),
            Auth::BasicUnknown => req.basic_auth("nosuchapp", Some("x")),
        };
        if let Some((b, ct)) = body {
            req = req.header("content-type", ct).body(b);
        }
        if let Some((k, v)) = extra {
            req = req.header(k, v);
        }
        let r = req.send().await.expect("send");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.unwrap_or_default())
    }

    pub(crate) async fn post_json(&mut self, path: &str, body: Value) -> Value {
        let (s, _, t) = self
            .send(
                "POST",
                path,
                Auth::Bearer,
                Some((body.to_string(), "application/json")),
                None,
            )
            .await;
        assert!((200..300).contains(&s), "fixture {path} {body} -> {s} {t}");
        serde_json::from_str(&t).unwrap_or(Value::Null)
    }

    /// Create an entity through the API and map the recorded id to the new one.
    pub(crate) async fn fixture(&mut self, recorded_id: &str, path: &str, body: Value) -> String {
        let v = self.post_json(path, body).await;
        let id = v["id"].as_str().expect("fixture id").to_string();
        self.ids.insert(recorded_id.to_string(), id.clone());
        id
    }

    /// Sign in through the fake's OIDC form: one wrong password, then the right one.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) {
        let cfg = FakeLogtoConfig::default();
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        let url = format!(
            "{}/oidc/auth?client_id={}&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcallback&response_type=code&scope=openid+profile&state=s&code_challenge={challenge}&code_challenge_method=S256",
            self.url, cfg.web_app_id
        );
        let page = self
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let re = Regex::new(r#"name="interaction" value="([^"]+)""#).unwrap();
        let interaction = re.captures(&page).expect("interaction")[1].to_string();
        for pw in ["WrongPassw0rd!", password] {
            let r = self
                .http
                .post(format!("{}/oidc/auth/submit", self.url))
                .form(&[
                    ("interaction", interaction.as_str()),
                    ("identifier", username),
                    ("password", pw),
                ])
                .send()
                .await
                .unwrap();
            assert!(r.status() == 200 || r.status() == 303);
        }
    }

    pub(crate) async fn hooks(&mut self, file: &str, title: &str) {
        let now = common::now_ms();
        match (file, title) {
            ("1", "409/422? duplicate email (different case)") => {
                for (rid, u, e, n) in [
                    ("e77tieo45nss", "carol", "carol@corp.test", "Carol C"),
                    ("tnmrkvangpzz", "dave", "dave@example.com", "Dave D"),
                    ("5vhu8802lupp", "erin", "erin@example.org", "Erin E"),
                ] {
                    self.fixture(
                        rid,
                        "/api/users",
                        serde_json::json!({"username": u, "primaryEmail": e, "name": n}),
                    )
                    .await;
                }
            }
            ("1", "delete user") => {
                self.fixture(
                    "831cqetlyqli",
                    "/api/users",
                    serde_json::json!({"username": "tobedeleted"}),
                )
                .await;
            }
            ("1", "list organizations paginated") => {
                self.fixture(
                    "b55jomoiwbdf",
                    "/api/organizations",
                    serde_json::json!({"name": "Beta Org"}),
                )
                .await;
            }
            ("1", "revoke pending") => {
                let org = self.ids["ow5fxnh7in78"].clone();
                self.fixture(
                    "1hmxnv5h3a61nqtxvk6f3",
                    "/api/organization-invitations",
                    serde_json::json!({"invitee": "rev@example.com", "organizationId": org, "expiresAt": now + 86_400_000}),
                )
                .await;
            }
            ("1", "invite dave@example.com") => {
                self.fixture(
                    "180zis5r0kj7",
                    "/api/organizations",
                    serde_json::json!({"name": "Dave Org"}),
                )
                .await;
                self.fixture(
                    "j04oe9exh0nbuz6ox98rh",
                    "/api/organization-roles",
                    serde_json::json!({"name": "viewer", "description": "Viewer"}),
                )
                .await;
            }
            ("2", "create user with profile {givenName, familyName, nickname} and customData") => {
                let cfg = FakeLogtoConfig::default();
                self.ids
                    .insert("5bu9khhnbu0m4h6e06sgt".into(), cfg.web_app_id.clone());
                self.fixture("5o8mu9mq5alh", "/api/users", serde_json::json!({"username": "rl_alice_083806", "primaryEmail": "rl.alice.083806@example.com", "name": "RL Alice", "password": "Passw0rd!long"})).await;
                self.fixture("9szsm9zssidm", "/api/users", serde_json::json!({"username": "rl_carol_083806", "primaryEmail": "rl.carol.083806@example.org", "name": "RL Carol"})).await;
                self.fixture("6rdm68cnhvfm", "/api/users", serde_json::json!({"username": "rl_dave_083806", "primaryEmail": "rl.dave.083806@example.com", "name": "RL Dave", "password": "Passw0rd!long"})).await;
                self.fixture("yo0xfqbff99u", "/api/users", serde_json::json!({"username": "rl_erin_083806", "name": "RL Erin", "password": "Passw0rd!long"})).await;
                self.fixture("f9oav4eacj6z4wqydq2xy", "/api/roles", serde_json::json!({"name": "rl-editor-083806", "description": "Editor role", "type": "User"})).await;
                self.fixture("y7zfrgssy238fp9wu7a2y", "/api/roles", serde_json::json!({"name": "Logto Management API access", "description": "This default role grants access to the Logto management API.", "type": "MachineToMachine"})).await;
            }
            ("2", "logs for the user after one failed + one successful password sign-in") => {
                self.sign_in("rl_alice_083806", "Passw0rd!long").await;
            }
            ("2", "org users q=email fragment page 1 size 2 (3 members match)") => {
                let org = self
                    .fixture(
                        "jzpb1k3x5lax",
                        "/api/organizations",
                        serde_json::json!({"name": "RL Org 083806", "description": "RL"}),
                    )
                    .await;
                let users: Vec<String> = ["r51epgiyvkoy", "9szsm9zssidm", "6rdm68cnhvfm"]
                    .iter()
                    .map(|r| self.ids[*r].clone())
                    .collect();
                self.post_json(
                    &format!("/api/organizations/{org}/users"),
                    serde_json::json!({"userIds": users}),
                )
                .await;
            }
            _ => {}
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Auth {
    None,
    Bearer,
    NoScope,
    Garbage,
    Basic,
    BasicWrong,
    BasicUnknown,
}

pub(crate) fn auth_for(b: &Block) -> Auth {
    let t = b.title.as_str();
    if b.path.starts_with("/oidc/token") {
        return if t.contains("bad secret") {
            Auth::BasicWrong
        } else if t.contains("unknown client") {
            Auth::BasicUnknown
        } else if t.contains("client_secret_post") {
            Auth::None
        } else {
            Auth::Basic
        };
    }
    if t == "no token" || t.contains("unauth") || t.contains("without token") {
        Auth::None
    } else if t == "garbage token" {
        Auth::Garbage
    } else if t.starts_with("403") || t.contains("role-less") {
        Auth::NoScope
    } else {
        Auth::Bearer
    }
}

/// Recorded bodies carry timestamps of the recording day: move `expiresAt` into the future.
pub(crate) fn refresh_times(body: &str) -> String {
    let re = Regex::new(r#""expiresAt": (17\d{11})"#).unwrap();
    let future = common::now_ms() + 7 * 86_400_000;
    re.replace_all(body, format!("\"expiresAt\": {future}").as_str())
        .into_owned()
}
