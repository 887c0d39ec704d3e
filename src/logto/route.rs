//! Request paths built from templates: ids are checked before anything is sent.

use super::error::LogtoError;
use super::id;

/// A path with ids filled in plus the template it came from (for stats).
pub(crate) struct Route {
    pub(crate) template: &'static str,
    pub(crate) path: String,
    /// An id that is not a [`LogtoId`](super::LogtoId) was given: the request is refused before it is sent.
    pub(crate) refused: bool,
}

/// Fills the `{..}` placeholders of `template` in order. Every id must be a [`LogtoId`](super::LogtoId)
/// (which needs no encoding); anything else (`..`, `a/b`, an empty id) marks the route as
/// refused, so it never reaches Logto with the M2M token.
pub(crate) fn route(template: &'static str, ids: &[&str]) -> Route {
    const NAME_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let mut path = String::with_capacity(template.len() + 24);
    let mut refused = false;
    let mut ids = ids.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let id = ids.next().copied().unwrap_or_default();
        if matches!(&rest[start..end], "{target}" | "{emailDomain}") {
            // A connector target (`google`, `azure-ad` …) or an email domain is a name, not an
            // id: encoded, and never a dot segment (URL parsers turn `..` and `%2e%2e` alike
            // into "up").
            if id.is_empty() || id.bytes().all(|b| b == b'.') {
                refused = true;
                path.push_str("{refused}");
            } else {
                path.extend(percent_encoding::utf8_percent_encode(id, NAME_SEGMENT));
            }
        } else if id::is_valid(id) {
            path.push_str(id);
        } else {
            refused = true;
            path.push_str("{refused}");
        }
        rest = &rest[end..];
    }
    path.push_str(rest);
    Route {
        template,
        path,
        refused,
    }
}

/// What a refused route answers: the entity cannot exist, as Logto would say.
pub(crate) fn refused_route(template: &str) -> LogtoError {
    LogtoError::Api {
        status: 404,
        code: Some("portal.invalid_id".into()),
        message: format!("not a Logto id in {template}"),
        request_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logto::{LogtoClient, LogtoClientConfig};

    fn cfg(endpoint: &str) -> LogtoClientConfig {
        LogtoClientConfig::for_tests(endpoint)
    }

    #[test]
    fn route_fills_ids_and_refuses_what_is_not_an_id() {
        let r = route(
            "/api/organizations/{id}/users/{userId}/roles",
            &["o1", "u_2-x"],
        );
        assert_eq!(r.path, "/api/organizations/o1/users/u_2-x/roles");
        assert_eq!(r.template, "/api/organizations/{id}/users/{userId}/roles");
        assert!(!r.refused);
        assert_eq!(route("/api/users", &[]).path, "/api/users");
        for bad in ["..", ".", "u/2 x", "..%2Fusers", "", "a.b"] {
            let r = route("/api/organization-invitations/{id}", &[bad]);
            assert!(r.refused, "{bad:?}");
            assert!(!r.path.contains(".."), "{bad:?}: {}", r.path);
        }
        // Connector targets are names: encoded, never a dot segment.
        let r = route("/api/users/{userId}/identities/{target}", &["u1", "a b.c"]);
        assert_eq!(r.path, "/api/users/u1/identities/a%20b.c");
        assert!(route("/api/users/{userId}/identities/{target}", &["u1", ".."]).refused);
        assert!(route("/api/users/{userId}/identities/{target}", &["..", "google"]).refused);
        // A placeholder without an id is refused too.
        assert!(route("/api/users/{userId}", &[]).refused);
    }

    #[tokio::test]
    async fn a_refused_route_is_not_sent() {
        // Nothing listens on port 9: a request that were sent would fail as unavailable.
        let client = LogtoClient::new(cfg("http://127.0.0.1:9")).unwrap();
        let err = client.get_user("../../api/roles").await.unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
        assert_eq!(err.code(), Some("portal.invalid_id"));
    }
}
