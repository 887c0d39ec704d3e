//! What the Logto in front of us can do, read from its own Management API description
//! (`GET /api/.well-known/management.openapi.json`, served anonymously by every Logto).
//!
//! Logto ignores unknown query parameters silently (a 1.37 answers `organizationRoleId` with
//! every member), so the client never sends a parameter the server does not declare, and the
//! features that need more than an older Logto has either work another way or are hidden with
//! a sentence naming the version that brings them. While the document cannot be read, the
//! client assumes the oldest supported release (1.37.1, from `baseline-1.37.1.tsv`).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::SystemTime;

use serde_json::Value;

/// The oldest Logto release the portal supports.
pub const OLDEST_SUPPORTED: &str = "1.37.1";

/// Optional parts of the Management API the portal uses, each tied to the operation (and
/// query parameter) that declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `GET /api/users/{id}/sessions` (1.38).
    UserSessions,
    /// `GET /api/users/{id}/grants` (1.38).
    UserGrants,
    /// `organizationRoleId` on `GET /api/organizations/{id}/users` (1.41).
    MemberRoleFilter,
    /// `start_time`/`end_time` on `GET /api/logs` (1.40).
    LogTimeWindow,
    /// `PATCH /api/users/{id}/password/expiration` (1.41).
    PasswordExpiry,
    /// `GET /api/users/{id}/mfa-verifications` (every supported release).
    MfaVerifications,
    /// `GET /api/users/{id}/personal-access-tokens` (every supported release).
    PersonalAccessTokens,
    /// `POST /api/users/{id}/identities` (every supported release).
    IdentityLinking,
    /// `GET /api/applications/{id}` (every supported release).
    Applications,
    /// `GET /api/connectors` (every supported release).
    Connectors,
    /// `GET /api/sso-connectors`, enterprise SSO (every supported release).
    SsoConnectors,
}

impl Feature {
    pub const ALL: [Feature; 11] = [
        Feature::UserSessions,
        Feature::UserGrants,
        Feature::MemberRoleFilter,
        Feature::LogTimeWindow,
        Feature::PasswordExpiry,
        Feature::MfaVerifications,
        Feature::PersonalAccessTokens,
        Feature::IdentityLinking,
        Feature::Applications,
        Feature::Connectors,
        Feature::SsoConnectors,
    ];

    /// The operation that declares the feature, and the query parameter when it is one.
    fn requirement(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Feature::UserSessions => ("GET", "/api/users/{}/sessions", None),
            Feature::UserGrants => ("GET", "/api/users/{}/grants", None),
            Feature::MemberRoleFilter => (
                "GET",
                "/api/organizations/{}/users",
                Some("organizationRoleId"),
            ),
            Feature::LogTimeWindow => ("GET", "/api/logs", Some("start_time")),
            Feature::PasswordExpiry => ("PATCH", "/api/users/{}/password/expiration", None),
            Feature::MfaVerifications => ("GET", "/api/users/{}/mfa-verifications", None),
            Feature::PersonalAccessTokens => ("GET", "/api/users/{}/personal-access-tokens", None),
            Feature::IdentityLinking => ("POST", "/api/users/{}/identities", None),
            Feature::Applications => ("GET", "/api/applications/{}", None),
            Feature::Connectors => ("GET", "/api/connectors", None),
            Feature::SsoConnectors => ("GET", "/api/sso-connectors", None),
        }
    }

    /// The first Logto release that has it.
    pub fn since(self) -> &'static str {
        match self {
            Feature::UserSessions | Feature::UserGrants => "1.38",
            Feature::LogTimeWindow => "1.40",
            Feature::MemberRoleFilter | Feature::PasswordExpiry => "1.41",
            _ => OLDEST_SUPPORTED,
        }
    }

    /// A short name for `check` and logs.
    pub fn label(self) -> &'static str {
        match self {
            Feature::UserSessions => "user sessions",
            Feature::UserGrants => "authorized apps (grants)",
            Feature::MemberRoleFilter => "member role filter",
            Feature::LogTimeWindow => "log time window",
            Feature::PasswordExpiry => "password expiry",
            Feature::MfaVerifications => "two-step verification methods",
            Feature::PersonalAccessTokens => "personal access tokens",
            Feature::IdentityLinking => "linking social accounts",
            Feature::Applications => "applications",
            Feature::Connectors => "connectors",
            Feature::SsoConnectors => "enterprise SSO connectors",
        }
    }
}

/// Where the capability facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The server's own document, read at this time.
    Server(SystemTime),
    /// The document could not be read: the oldest supported release is assumed.
    Baseline,
}

#[derive(Debug, Clone, Default)]
struct Operation {
    query: HashSet<String>,
    /// An exploded free-form object (`search_params` on `GET /api/users`: Logto's search
    /// grammar `search.*`, `mode.*`, `joint`, `isCaseSensitive`, and the exclusions that
    /// route reads from the same object): any parameter name is declared.
    free_form: bool,
}

/// The operations one Logto declares.
#[derive(Debug, Clone)]
pub struct Capabilities {
    operations: HashMap<(String, String), Operation>,
    source: Source,
}

/// Why a request cannot be sent to this Logto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undeclared {
    Operation { method: String, path: String },
    QueryParameter { endpoint: String, name: String },
}

impl fmt::Display for Undeclared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undeclared::Operation { method, path } => {
                write!(f, "this Logto does not declare {method} {path}")
            }
            Undeclared::QueryParameter { endpoint, name } => {
                write!(f, "this Logto does not declare `{name}` on {endpoint}")
            }
        }
    }
}

/// `/api/users/{userId}/roles` and `/api/users/{id}/roles` are the same operation.
fn normalize(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_brace = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push_str("{}");
            }
            '}' => in_brace = false,
            _ if in_brace => {}
            _ => out.push(c),
        }
    }
    out
}

impl Capabilities {
    /// Parses a Management API OpenAPI document (JSON).
    pub fn from_openapi(json: &[u8]) -> Result<Self, String> {
        let doc: Value =
            serde_json::from_slice(json).map_err(|e| format!("not an OpenAPI document: {e}"))?;
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the OpenAPI document has no `paths`")?;
        let components = doc.pointer("/components/parameters");
        let resolve = |p: &'_ Value| -> Option<Value> {
            match p.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let name = r.rsplit('/').next()?;
                    components.and_then(|c| c.get(name)).cloned()
                }
                None => Some(p.clone()),
            }
        };
        let mut operations = HashMap::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            let shared: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| ps.iter().filter_map(resolve).collect())
                .unwrap_or_default();
            for (method, op) in item {
                if !matches!(
                    method.as_str(),
                    "get" | "post" | "put" | "patch" | "delete" | "head"
                ) {
                    continue;
                }
                let own: Vec<Value> = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|ps| ps.iter().filter_map(resolve).collect())
                    .unwrap_or_default();
                let mut operation = Operation::default();
                for p in shared.iter().chain(own.iter()) {
                    if p.get("in").and_then(Value::as_str) != Some("query") {
                        continue;
                    }
                    let exploded = p.get("explode").and_then(Value::as_bool) == Some(true)
                        && p.pointer("/schema/type").and_then(Value::as_str) == Some("object");
                    if exploded {
                        operation.free_form = true;
                    } else if let Some(name) = p.get("name").and_then(Value::as_str) {
                        operation.query.insert(name.to_owned());
                    }
                }
                operations.insert((method.to_ascii_uppercase(), normalize(path)), operation);
            }
        }
        if operations.is_empty() {
            return Err("the OpenAPI document declares no operation".into());
        }
        Ok(Capabilities {
            operations,
            source: Source::Server(SystemTime::now()),
        })
    }

    /// What Logto 1.37.1 declares: assumed while the server's document cannot be read.
    pub fn baseline() -> Self {
        let mut operations = HashMap::new();
        for line in include_str!("baseline-1.37.1.tsv").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(method), Some(path)) = (cols.next(), cols.next()) else {
                continue;
            };
            let query = cols
                .next()
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let free_form = cols.next() == Some("free");
            operations.insert(
                (method.to_owned(), normalize(path)),
                Operation { query, free_form },
            );
        }
        Capabilities {
            operations,
            source: Source::Baseline,
        }
    }

    pub fn source(&self) -> Source {
        self.source
    }

    /// Number of operations declared.
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    fn operation(&self, method: &str, template: &str) -> Option<&Operation> {
        self.operations
            .get(&(method.to_ascii_uppercase(), normalize(template)))
    }

    /// Does this Logto declare the operation?
    pub fn declares(&self, method: &str, template: &str) -> bool {
        self.operation(method, template).is_some()
    }

    /// Does this Logto declare the query parameter on the operation?
    pub fn accepts_query(&self, method: &str, template: &str, name: &str) -> bool {
        self.operation(method, template)
            .is_some_and(|op| op.query.contains(name) || op.free_form)
    }

    /// Is the request declared: the operation, and every query parameter's name?
    pub fn permits<'a>(
        &self,
        method: &str,
        template: &str,
        query: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), Undeclared> {
        let Some(op) = self.operation(method, template) else {
            return Err(Undeclared::Operation {
                method: method.to_owned(),
                path: template.to_owned(),
            });
        };
        for name in query {
            if !(op.query.contains(name) || op.free_form) {
                return Err(Undeclared::QueryParameter {
                    endpoint: format!("{method} {template}"),
                    name: name.to_owned(),
                });
            }
        }
        Ok(())
    }

    pub fn has(&self, feature: Feature) -> bool {
        let (method, path, param) = feature.requirement();
        match param {
            Some(p) => self.accepts_query(method, path, p),
            None => self.declares(method, path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_is_logto_1_37() {
        let b = Capabilities::baseline();
        assert_eq!(b.source(), Source::Baseline);
        assert!(b.operation_count() > 250);
        assert!(!b.has(Feature::MemberRoleFilter));
        assert!(!b.has(Feature::UserSessions));
        assert!(!b.has(Feature::UserGrants));
        assert!(!b.has(Feature::LogTimeWindow));
        assert!(!b.has(Feature::PasswordExpiry));
        assert!(b.has(Feature::MfaVerifications));
        assert!(b.has(Feature::PersonalAccessTokens));
        assert!(b.has(Feature::IdentityLinking));
        assert!(b.has(Feature::Applications));
        assert!(b.declares("get", "/api/organizations/{id}/users"));
        assert!(b.accepts_query("GET", "/api/organizations/{orgId}/users", "q"));
        assert!(!b.accepts_query("GET", "/api/organizations/{id}/users", "organizationRoleId"));
        assert!(b.accepts_query("GET", "/api/users", "search.primaryEmail"));
        assert!(b.accepts_query("GET", "/api/users", "mode.name"));
        assert!(b.accepts_query("GET", "/api/users", "excludeOrganizationId"));
        assert!(!b.accepts_query("GET", "/api/organizations", "bogus"));
        assert!(b
            .permits("GET", "/api/users/{id}", ["includeSsoIdentities"])
            .is_ok());
        assert_eq!(
            b.permits(
                "GET",
                "/api/organizations/{id}/users",
                ["q", "organizationRoleId"]
            ),
            Err(Undeclared::QueryParameter {
                endpoint: "GET /api/organizations/{id}/users".into(),
                name: "organizationRoleId".into()
            })
        );
        assert!(matches!(
            b.permits("GET", "/api/users/{id}/sessions", []),
            Err(Undeclared::Operation { .. })
        ));
    }

    #[test]
    fn parses_refs_path_parameters_and_free_form_objects() {
        let doc = serde_json::json!({
            "openapi": "3.0.1",
            "paths": {
                "/api/organizations/{id}/users": {
                    "parameters": [{"$ref": "#/components/parameters/pageSize"}],
                    "get": {"parameters": [
                        {"$ref": "#/components/parameters/organizationId-root"},
                        {"name": "organizationRoleId", "in": "query"}
                    ]}
                },
                "/api/users": {"get": {"parameters": [
                    {"name": "search_params", "in": "query", "explode": true,
                     "schema": {"type": "object"}}
                ]}},
                "/api/users/{userId}/sessions": {"get": {}}
            },
            "components": {"parameters": {
                "pageSize": {"name": "page_size", "in": "query"},
                "organizationId-root": {"name": "id", "in": "path"}
            }}
        });
        let c = Capabilities::from_openapi(doc.to_string().as_bytes()).unwrap();
        assert!(matches!(c.source(), Source::Server(_)));
        assert!(c.has(Feature::MemberRoleFilter));
        assert!(c.has(Feature::UserSessions));
        assert!(!c.has(Feature::UserGrants));
        assert!(c.accepts_query("GET", "/api/organizations/{x}/users", "page_size"));
        assert!(!c.accepts_query("GET", "/api/organizations/{x}/users", "id"));
        assert!(c.accepts_query("GET", "/api/users", "search.name"));
        assert!(c.accepts_query("GET", "/api/users", "anything"));
        assert!(!c.accepts_query("GET", "/api/users/{id}/sessions", "page"));
        assert!(Capabilities::from_openapi(b"{}").is_err());
        assert!(Capabilities::from_openapi(b"<html>").is_err());
    }
}
