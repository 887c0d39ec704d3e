//! Helpers shared by the integration tests: a started fake, an M2M token, a small client.
#![allow(dead_code)]

use fake_logto::{FakeLogto, FakeLogtoConfig, LogtoVersion};
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

pub struct TestLogto {
    pub logto: FakeLogto,
    pub http: Client,
    pub token: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_string()
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

pub async fn m2m_token(http: &Client, url: &str, scope: Option<&str>) -> String {
    let cfg = FakeLogtoConfig::default();
    let mut form = vec![
        ("grant_type", "client_credentials".to_string()),
        ("resource", cfg.resource.clone()),
    ];
    if let Some(s) = scope {
        form.push(("scope", s.to_string()));
    }
    let r = http
        .post(format!("{url}/oidc/token"))
        .basic_auth(&cfg.m2m_app_id, Some(&cfg.m2m_app_secret))
        .form(&form)
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("token json");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The release the suite imitates (env `FAKE_LOGTO_VERSION`, default 1.42).
pub fn version() -> LogtoVersion {
    FakeLogtoConfig::default().version
}

impl TestLogto {
    pub async fn start() -> TestLogto {
        Self::start_with(FakeLogtoConfig::default()).await
    }

    pub async fn start_version(version: LogtoVersion) -> TestLogto {
        Self::start_with(FakeLogtoConfig::for_version(version)).await
    }

    pub async fn start_with(config: FakeLogtoConfig) -> TestLogto {
        let logto = FakeLogto::start(config).await;
        let http = client();
        let token = m2m_token(&http, &logto.url(), Some("all")).await;
        TestLogto { logto, http, token }
    }

    pub fn url(&self) -> String {
        self.logto.url()
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let m = Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.url()))
            .header(AUTHORIZATION, format!("Bearer {}", self.token));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        Resp {
            status: r.status(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call("PATCH", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None).await
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `<url>; rel="x"` lines → (rel, url).
pub fn links(r: &Resp) -> Vec<(String, String)> {
    r.all("link")
        .iter()
        .filter_map(|l| {
            let (u, rel) = l.split_once(">; rel=\"")?;
            Some((
                rel.trim_end_matches('"').to_string(),
                u.trim_start_matches('<').to_string(),
            ))
        })
        .collect()
}

/// The folder with the recorded Logto exchanges and the OpenAPI document (`../shared` next to
/// the repository). Contract tests need it: they fail, never skip, when it is missing.
pub fn shared_dir() -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        p.join("logto-openapi-1.37.1.json").exists()
            && p.join("logto-recorded-portal-1.37.1.jsonl").exists(),
        "contract tests need the recorded Logto exchanges and OpenAPI document in {} \
         (../shared next to the repository: logto-openapi-1.37.1.json, \
         logto-recorded-*.md, logto-recorded-portal-1.37.1.jsonl, logto-api-operations.tsv)",
        p.display()
    );
    p
}
