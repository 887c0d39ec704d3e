//! The recorded blocks: parsing `logto-recorded-*.md` and the exchanges left out or compared loosely.

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) title: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) body: Option<String>,
    pub(crate) form: Option<String>,
    pub(crate) header: Option<(String, String)>,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) resp_body: String,
}

/// Titles not replayed, with the reason.
pub(crate) const SKIPPED: &[(&str, &str)] = &[
    (
        "access token JOSE header / claims",
        "no request; the fake's M2M tokens are opaque by design",
    ),
    (
        "GET account center settings (mgmt API)",
        "Account API / account center not faked",
    ),
    ("my-account without token", "Account API not faked"),
    ("my-account with M2M token", "Account API not faked"),
    (
        "create Traditional app via Mgmt API",
        "creating applications not faked (the fake's two apps are configured)",
    ),
    (
        "authorization request",
        "real Logto redirects to its experience UI; the fake renders its own form (tests/oidc.rs)",
    ),
    (
        "follow to sign-in page (experience UI not built)",
        "experience UI",
    ),
    ("init experience interaction", "experience API not faked"),
    ("verify password", "experience API not faked"),
    ("identify user", "experience API not faked"),
    ("submit interaction", "experience API not faked"),
    ("follow redirect 0", "experience API not faked"),
    ("consent", "experience API not faked"),
    ("follow redirect 1", "experience API not faked"),
    (
        "exchange code (no resource => opaque access token)",
        "needs a recorded code; covered by tests/oidc.rs",
    ),
    (
        "userinfo",
        "needs a recorded user token; covered by tests/oidc.rs",
    ),
    (
        "my-account while account center DISABLED",
        "Account API not faked",
    ),
    ("enable account center", "Account API not faked"),
    ("my-account after enabling", "Account API not faked"),
    ("PATCH my-account name", "Account API not faked"),
    (
        "PATCH my-account username (needs verification?)",
        "Account API not faked",
    ),
    (
        "refresh_token for Management API resource (user, no role) ",
        "needs a recorded refresh token; covered by tests/oidc.rs",
    ),
    ("create M2M app", "creating applications not faked"),
    (
        "list M2M roles",
        "M2M roles list featured applications; the fake has no M2M roles",
    ),
    (
        "assign 'Logto Management API access' role to app",
        "application roles not faked",
    ),
    ("list app secrets", "application secrets not faked"),
    (
        "token with secret from /secrets",
        "the fake has one configured M2M app",
    ),
    (
        "token with #internal: secret from create response",
        "the fake has one configured M2M app",
    ),
    (
        "token for app WITHOUT role (scope=all requested)",
        "the fake has one configured M2M app, which holds `all`",
    ),
    // more file
    (
        "logs page 1 size 5",
        "the fake does not log ExchangeTokenBy.* entries",
    ),
    (
        "experience: start sign-in interaction",
        "experience API not faked (the fixture signs in through the fake's OIDC form instead)",
    ),
    (
        "experience: password verification with WRONG password",
        "experience API not faked",
    ),
    (
        "experience: password verification with right password",
        "experience API not faked",
    ),
    ("experience: submit", "experience API not faked"),
    (
        "logs page 1 size 5 (after sign-in)",
        "the fake writes fewer log kinds (no Interaction.Create/End, ExchangeTokenBy)",
    ),
    (
        "get one log by id",
        "Interaction.Create is not logged by the fake",
    ),
    ("connectors", "connectors API not faked"),
    ("connectors target=github", "connectors API not faked"),
    ("connector factories", "connectors API not faked"),
    (
        "org jit email domains (empty)",
        "JIT provisioning not faked",
    ),
    ("add jit email domain", "JIT provisioning not faked"),
    ("add second jit email domain", "JIT provisioning not faked"),
    (
        "add duplicate jit email domain",
        "JIT provisioning not faked",
    ),
    (
        "add jit email domain with @ prefix",
        "JIT provisioning not faked",
    ),
    (
        "jit email domains page 1 size 1",
        "JIT provisioning not faked",
    ),
    (
        "jit email domains (no page params)",
        "JIT provisioning not faked",
    ),
    ("jit roles (empty)", "JIT provisioning not faked"),
    ("add jit role", "JIT provisioning not faked"),
    ("jit roles", "JIT provisioning not faked"),
    ("jit roles page 1 size 1", "JIT provisioning not faked"),
    (
        "application roles",
        "application roles not faked (the fake's M2M app holds `all`)",
    ),
    ("resources page 1 size 5", "resources API not faked"),
    ("resources (no page params)", "resources API not faked"),
    ("Management API resource scopes", "resources API not faked"),
    (
        "Management API resource scopes paginated",
        "resources API not faked",
    ),
    ("resources includeScopes=true", "resources API not faked"),
    (
        "M2M roles",
        "M2M roles list featured applications; the fake has no M2M roles",
    ),
    ("M2M role scopes", "role scopes / resources not faked"),
    ("M2M role applications", "role applications not faked"),
    (
        "replaying an authorization code",
        "covered by tests/oidc.rs (needs a live code)",
    ),
    (
        "discovery and JWKS (selected keys)",
        "covered by tests/oidc.rs",
    ),
];

/// Blocks compared on status only, with the reason.
pub(crate) const STATUS_ONLY: &[(&str, &str)] = &[];

/// Blocks whose Total-Number / list length differ because the fake writes fewer log kinds.
pub(crate) const COUNT_DIFFERS: &[&str] = &[
    "logs for the user after one failed + one successful password sign-in",
    "logs filtered by applicationId (the Traditional app)",
];

pub(crate) fn parse_blocks(text: &str) -> (Vec<Block>, Vec<String>) {
    let req_re = Regex::new(r"^`([A-Z]+) ([^`]+)`(.*)$").unwrap();
    let status_re = Regex::new(r"^-> \*\*(\d+)\*\*").unwrap();
    let body_re = Regex::new(r"body=`(.*)`$").unwrap();
    let form_re = Regex::new(r"form=`(.*)`$").unwrap();
    let raw_re = Regex::new(r"raw body `(.*?)`").unwrap();
    let hdr_re = Regex::new(r"header `([^:]+): ([^`]*)`").unwrap();
    let header_re = Regex::new(r"^[A-Za-z][A-Za-z0-9-]*: ").unwrap();
    let mut blocks = Vec::new();
    let mut summaries = Vec::new();
    let sections: Vec<&str> = text.split("\n### ").skip(1).collect();
    for sec in sections {
        let mut lines = sec.lines();
        let title = lines.next().unwrap_or("").to_string();
        let rest: Vec<&str> = lines.collect();
        let Some(req_line) = rest.iter().find(|l| req_re.is_match(l)) else {
            summaries.push(title);
            continue;
        };
        let c = req_re.captures(req_line).unwrap();
        let tail = c[3].to_string();
        let mut b = Block {
            title: title.clone(),
            method: c[1].to_string(),
            path: c[2].to_string(),
            body: body_re.captures(&tail).map(|m| m[1].to_string()),
            form: form_re.captures(&tail).map(|m| m[1].to_string()),
            header: hdr_re
                .captures(&tail)
                .map(|m| (m[1].to_string(), m[2].to_string())),
            status: 0,
            headers: vec![],
            resp_body: String::new(),
        };
        if let Some(raw) = raw_re.captures(&tail) {
            b.body = Some(raw[1].to_string());
        }
        let status_line = rest.iter().find(|l| status_re.is_match(l));
        let Some(sl) = status_line else {
            summaries.push(title);
            continue;
        };
        b.status = status_re.captures(sl).unwrap()[1].parse().unwrap();
        // the fenced block after the status line
        let idx = rest.iter().position(|l| std::ptr::eq(*l, *sl)).unwrap();
        let mut i = idx + 1;
        while i < rest.len() && !rest[i].starts_with("```") {
            i += 1;
        }
        let mut fence = Vec::new();
        i += 1;
        while i < rest.len() && !rest[i].starts_with("```") {
            fence.push(rest[i]);
            i += 1;
        }
        let mut j = 0;
        while j < fence.len() && header_re.is_match(fence[j]) {
            let (k, v) = fence[j].split_once(": ").unwrap();
            b.headers.push((k.to_ascii_lowercase(), v.to_string()));
            j += 1;
        }
        b.resp_body = fence[j..].join("\n").trim().to_string();
        blocks.push(b);
    }
    (blocks, summaries)
}
